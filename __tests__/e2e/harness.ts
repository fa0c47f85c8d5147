/**
 * Runs the built action the way the runner does: `node dist/index.js` in a
 * child process, with inputs and workflow context in the environment, the
 * GitHub API at a local fake and IAM at the local sandbox. Nothing of the
 * test process's own environment reaches the child.
 */
import { execFileSync, spawn } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse as parseYaml } from 'yaml'
import type { CallRecord, IamSandbox } from '../../sandbox/index.js'
import type {
  FakeGitHub,
  RecordedRequest
} from '../../test-support/github-server.js'

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
export const BUNDLE = join(ROOT, 'dist', 'index.js')
export const CONFIG_PATH = '.github/sagemaker-ip-allowlist.yml'
export const REPOSITORY = 'Codertocat/Hello-World'
export const SERVER_URL = 'https://github.com'

/** Values a leak check can find anywhere; none is a real credential. */
export const SECRETS = {
  githubToken: 'ghs_e2eTokenThatMustNeverBeLogged0123456789',
  accessKeyId: 'AKIAE2ETESTKEY000042',
  secretAccessKey: 'e2e/SecretAccessKeyThatMustNeverBeLogged+0123',
  sessionToken: 'e2eSessionTokenThatMustNeverBeLogged/0123456789=='
} as const

/** The longest a single run may take before it counts as hung. */
const RUN_TIMEOUT_MS = 30_000

/** Builds dist/ when it is missing or older than any source file. */
export function ensureBuilt(): void {
  const newest = newestMtime(join(ROOT, 'src'))
  if (existsSync(BUNDLE) && statSync(BUNDLE).mtimeMs >= newest) return
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'pipe' })
}

function newestMtime(folder: string): number {
  let newest = 0
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name)
    const time = entry.isDirectory()
      ? newestMtime(path)
      : statSync(path).mtimeMs
    newest = Math.max(newest, time)
  }
  return newest
}

interface WebhookExamples {
  name: string
  examples: Record<string, unknown>[]
}

const require = createRequire(import.meta.url)
const definitions = JSON.parse(
  readFileSync(require.resolve('@octokit/webhooks-examples'), 'utf8')
) as WebhookExamples[]

/**
 * A writable view of a payload: the fields the tests change. Pull request
 * payloads carry `pull_request`, push payloads `ref` and `after`.
 */
export interface Payload extends Record<string, unknown> {
  action?: string
  number: number
  ref: string
  after: string
  deleted: boolean
  pull_request: {
    number: number
    merged: boolean | null
    head: { sha: string; repo: { full_name: string } | null }
  }
}

/** A writable copy of a real webhook payload, found by event and test. */
export function examplePayload(
  event: string,
  pick: (payload: Payload) => boolean
): Payload {
  const examples = definitions.find(d => d.name === event)?.examples ?? []
  const found = (examples as Payload[]).find(pick)
  if (found === undefined) throw new Error(`no ${event} example matches`)
  return structuredClone(found)
}

/** The action.yml input defaults, which the runner passes as INPUT_*. */
function inputDefaults(token: string): Record<string, string> {
  const action = parseYaml(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
    inputs: Record<string, { default?: string }>
  }
  return Object.fromEntries(
    Object.entries(action.inputs).map(([name, input]) => [
      name,
      name === 'github-token' ? token : String(input.default ?? '')
    ])
  )
}

/** The runner's name for an input's environment variable. */
function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`
}

export interface RunOptions {
  readonly event: string
  readonly payload: object
  /** The config file's text, written to CONFIG_PATH in the workspace. */
  readonly config: string
  readonly inputs?: Record<string, string>
  readonly sha: string
  readonly ref?: string
  readonly runId: number
  /** Without AWS credentials, as a fork's pull request runs. */
  readonly withoutAws?: boolean
}

export interface Annotation {
  readonly kind: 'error' | 'warning' | 'notice'
  readonly properties: Record<string, string>
  readonly message: string
}

export interface ActionRun {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
  readonly summary: string
  readonly outputs: Record<string, string>
  readonly annotations: Annotation[]
  /** The IAM calls this run made, in order. */
  readonly calls: CallRecord[]
  /** The GitHub API requests this run made. */
  readonly requests: RecordedRequest[]
}

/** The services the action talks to. */
export interface Services {
  readonly github: FakeGitHub
  readonly iam: IamSandbox
}

/** Runs the bundle once and collects what it left behind. */
export async function runAction(
  services: Services,
  options: RunOptions
): Promise<ActionRun> {
  const base = mkdtempSync(join(tmpdir(), 'sia-e2e-'))
  const workspace = join(base, 'workspace')
  const runnerTemp = join(base, 'runner-temp')
  const home = join(base, 'home')
  for (const folder of [workspace, runnerTemp, home]) {
    mkdirSync(folder, { recursive: true })
  }
  mkdirSync(join(workspace, '.github'))
  writeFileSync(join(workspace, CONFIG_PATH), options.config)

  const eventPath = join(runnerTemp, 'event.json')
  writeFileSync(eventPath, JSON.stringify(options.payload))
  const outputPath = join(runnerTemp, 'output')
  const summaryPath = join(runnerTemp, 'step-summary.md')
  writeFileSync(outputPath, '')
  writeFileSync(summaryPath, '')

  const inputs = {
    ...inputDefaults(SECRETS.githubToken),
    ...(options.inputs ?? {})
  }
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    RUNNER_ENVIRONMENT: 'github-hosted',
    RUNNER_TEMP: runnerTemp,
    GITHUB_WORKSPACE: workspace,
    GITHUB_EVENT_NAME: options.event,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_OUTPUT: outputPath,
    GITHUB_STEP_SUMMARY: summaryPath,
    GITHUB_REPOSITORY: REPOSITORY,
    GITHUB_SHA: options.sha,
    GITHUB_REF: options.ref ?? 'refs/heads/master',
    GITHUB_RUN_ID: String(options.runId),
    GITHUB_API_URL: services.github.url,
    GITHUB_SERVER_URL: SERVER_URL,
    // No instance metadata lookup, ever: it would leave the machine.
    AWS_EC2_METADATA_DISABLED: 'true',
    ...Object.fromEntries(
      Object.entries(inputs).map(([name, value]) => [
        inputVariable(name),
        value
      ])
    ),
    ...(options.withoutAws
      ? {}
      : {
          AWS_ENDPOINT_URL_IAM: services.iam.url,
          AWS_ACCESS_KEY_ID: SECRETS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: SECRETS.secretAccessKey,
          AWS_SESSION_TOKEN: SECRETS.sessionToken,
          AWS_REGION: 'us-east-1'
        })
  }

  services.iam.clearCalls()
  const requestsBefore = services.github.requests().length
  const { code, stdout, stderr } = await spawnNode(BUNDLE, workspace, env)

  return {
    code,
    stdout,
    stderr,
    summary: readFileSync(summaryPath, 'utf8'),
    outputs: parseOutputs(readFileSync(outputPath, 'utf8')),
    annotations: parseAnnotations(stdout),
    calls: services.iam.calls(),
    requests: services.github.requests().slice(requestsBefore)
  }
}

function spawnNode(
  script: string,
  cwd: string,
  env: Record<string, string>
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [script], { cwd, env })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS)
    child.on('error', reject)
    child.on('close', code => {
      clearTimeout(timer)
      resolvePromise({ code, stdout, stderr })
    })
  })
}

/** Reads `name<<DELIMITER` blocks, the form @actions/core writes. */
export function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const lines = text.split('\n')
  for (let index = 0; index < lines.length; index++) {
    const opening = /^([^<]+)<<(.+)$/.exec(lines[index])
    if (opening === null) continue
    const [, name, delimiter] = opening
    const value: string[] = []
    for (index++; lines[index] !== delimiter; index++) {
      value.push(lines[index])
    }
    outputs[name] = value.join('\n')
  }
  return outputs
}

/** Undoes the escaping of workflow command properties and messages. */
function unescape(text: string): string {
  return text
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%3A/g, ':')
    .replace(/%2C/g, ',')
    .replace(/%25/g, '%')
}

/** The `::error …::`, `::warning …::` and `::notice …::` lines. */
export function parseAnnotations(stdout: string): Annotation[] {
  const found: Annotation[] = []
  for (const line of stdout.split('\n')) {
    const match = /^::(error|warning|notice)(?: ([^:]*))?::(.*)$/.exec(line)
    if (match === null) continue
    const properties = Object.fromEntries(
      (match[2] ?? '')
        .split(',')
        .filter(pair => pair.includes('='))
        .map(pair => {
          const at = pair.indexOf('=')
          return [pair.slice(0, at), unescape(pair.slice(at + 1))]
        })
    )
    found.push({
      kind: match[1] as Annotation['kind'],
      properties,
      message: unescape(match[3])
    })
  }
  return found
}
