/**
 * Tells, without calling AWS, whether the run has a place to get AWS
 * credentials from. On a GitHub-hosted runner the SDK's last resort, the
 * EC2 instance metadata service, does not exist: asking it only waits for
 * a timeout, so a run with no other source is told so at once.
 */
import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'

type Env = Readonly<Record<string, string | undefined>>

/**
 * The first credential source the SDK's default chain would find, named
 * for the log, or `undefined` when there is none besides instance
 * metadata.
 */
export function credentialSource(
  env: Env,
  fileExists: (path: string) => boolean = existsSync
): string | undefined {
  const set = (name: string) => (env[name] ?? '') !== ''
  if (set('AWS_ACCESS_KEY_ID') && set('AWS_SECRET_ACCESS_KEY')) {
    return 'the AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY variables'
  }
  if (set('AWS_WEB_IDENTITY_TOKEN_FILE') && set('AWS_ROLE_ARN')) {
    return 'a web identity token (AWS_WEB_IDENTITY_TOKEN_FILE)'
  }
  if (
    set('AWS_CONTAINER_CREDENTIALS_RELATIVE_URI') ||
    set('AWS_CONTAINER_CREDENTIALS_FULL_URI')
  ) {
    return 'the container credentials endpoint'
  }
  if (set('AWS_PROFILE')) return `the profile '${env.AWS_PROFILE}'`

  const home = env.HOME ?? homedir()
  const files = [
    env.AWS_SHARED_CREDENTIALS_FILE ?? join(home, '.aws', 'credentials'),
    env.AWS_CONFIG_FILE ?? join(home, '.aws', 'config')
  ]
  const found = files.find(file => fileExists(file))
  return found === undefined ? undefined : `the shared file ${found}`
}

/**
 * Whether instance metadata may hold credentials: only on a self-hosted
 * runner, which may run on EC2 with an instance profile.
 */
export function mayUseInstanceMetadata(env: Env): boolean {
  return env.RUNNER_ENVIRONMENT === 'self-hosted'
}

/** What to tell a run that has no AWS credentials, and how to fix it. */
export const MISSING_CREDENTIALS_HELP =
  'No AWS credentials were found. Add a step with aws-actions/configure-aws-credentials before this one (role-to-assume, with `permissions: id-token: write` on the job), or run with mode: validate, which needs none.'

/** Why a pull request from a fork has no AWS credentials. */
export const FORK_CREDENTIALS_NOTE =
  'This pull request comes from a fork: GitHub gives such runs neither secrets nor an OIDC token, so there are no AWS credentials and IAM cannot be read. The file was validated only; the plan is computed when the change is merged, or by a maintainer running the workflow on a branch of this repository.'
