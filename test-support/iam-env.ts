/**
 * What tests that talk to the local IAM endpoint share: the environment
 * that points the SDK at it, a gateway that never waits on backoff, and a
 * policy document of the shape the tool writes.
 */
import { createIamClient } from '../src/iam/client.js'
import { SdkIamGateway } from '../src/iam/gateway.js'
import type { IamGateway } from '../src/iam/types.js'

export const NOTEBOOK_ACTION = 'sagemaker:CreatePresignedNotebookInstanceUrl'

/** The environment the SDK needs to reach a sandbox with test credentials. */
export function sandboxEnv(
  url: string,
  secret = 'test'
): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_IAM: url,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: secret,
    AWS_REGION: 'us-east-1'
  }
}

const AWS_KEYS = [
  'AWS_ENDPOINT_URL_IAM',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_REGION',
  'AWS_PROFILE'
] as const

/**
 * Points the SDK's default chain at a sandbox (and nowhere else: no profile,
 * no session token). Returns a function that puts the previous values back.
 */
export function useSandboxEnv(url: string, secret = 'test'): () => void {
  const saved = AWS_KEYS.map(k => [k, process.env[k]] as const)
  delete process.env.AWS_PROFILE
  delete process.env.AWS_SESSION_TOKEN
  Object.assign(process.env, sandboxEnv(url, secret))
  return () => {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  }
}

/**
 * A gateway that never waits: the SDK retries after 1 ms and the gateway's
 * own extra attempts sleep for no time. A fresh SDK client each time, so the
 * SDK's retry quota of one test does not leak into the next.
 */
export function fastGateway(): IamGateway {
  return new SdkIamGateway(createIamClient({ retryDelayMs: () => 1 }), {
    sleep: async () => {}
  })
}

/** A Deny document of the shape the tool writes, for seeding live policies. */
export function denyDocument(
  cidrs: string[],
  options: { actions?: string[]; resources?: string[]; vpce?: string[] } = {}
): object {
  const actions = options.actions ?? [NOTEBOOK_ACTION]
  const resources = options.resources ?? ['*']
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DenyOutsideIpAllowlist',
        Effect: 'Deny',
        Action: actions.length === 1 ? actions[0] : actions,
        Resource: resources.length === 1 ? resources[0] : resources,
        Condition: {
          NotIpAddress: { 'aws:SourceIp': cidrs },
          ...(options.vpce
            ? { StringNotEquals: { 'aws:SourceVpce': options.vpce } }
            : {})
        }
      }
    ]
  }
}
