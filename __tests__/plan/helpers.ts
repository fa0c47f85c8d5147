import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { IAMClient } from '@aws-sdk/client-iam'
import { afterAll, beforeAll, beforeEach } from '@jest/globals'
import {
  denyDocument,
  sandboxEnv,
  useSandboxEnv
} from '../../test-support/iam-env.js'

export { denyDocument, sandboxEnv, useSandboxEnv }
import {
  isWriteAction,
  startIamSandbox,
  type CallRecord,
  type IamSandbox,
  type SeedFixture,
  type SeedPolicy
} from '../../sandbox/index.js'
import { main, type CliIo } from '../../src/cli/main.js'
import { loadDesiredState, type DesiredState } from '../../src/desired.js'
import { createIamClient } from '../../src/iam/client.js'
import { SdkIamGateway } from '../../src/iam/gateway.js'
import type { IamGateway } from '../../src/iam/types.js'
import { documentDigest } from '../../src/policy-meaning.js'
import { ownershipTags } from '../../src/ownership.js'

/** The path and prefix the tool uses when the file does not say. */
export const PATH = '/sagemaker-ip-allowlist/'
export const PREFIX = 'sagemaker-ip-allowlist-'
export const ACCOUNT = '123456789012'
export const NOTEBOOK = 'sagemaker:CreatePresignedNotebookInstanceUrl'
export const STUDIO = 'sagemaker:CreatePresignedDomainUrl'

export const arnOf = (name: string, path = PATH) =>
  `arn:aws:iam::${ACCOUNT}:policy${path}${name}`

/** Writes a config file into a fresh temp dir and returns its path. */
export function configFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sia-plan-')), 'allowlist.yml')
  writeFileSync(file, text)
  return file
}

/** Builds gateways that never wait on backoff, and destroys their clients. */
/**
 * Starts a sandbox for a describe block, seeded with `seed` and pointed at
 * by the environment; closes it (with the gateways' clients) after the
 * block. Before each test it runs `eachTest`: by default a reset to the seed
 * and an empty call log; null leaves that to the block.
 */
export function useSandbox(
  seed: SeedFixture,
  gateways: Gateways,
  assign: (sandbox: IamSandbox) => void,
  eachTest: ((sandbox: IamSandbox) => void) | null = sandbox => {
    sandbox.reset(seed)
    sandbox.clearCalls()
  }
): void {
  let sandbox: IamSandbox
  let restore: () => void
  beforeAll(async () => {
    sandbox = await startIamSandbox({ port: 0, seed })
    restore = useSandboxEnv(sandbox.url)
    assign(sandbox)
  })
  afterAll(async () => {
    gateways.destroy()
    restore()
    await sandbox.close()
  })
  if (eachTest) beforeEach(() => eachTest(sandbox))
}

export class Gateways {
  private readonly clients: IAMClient[] = []

  make(): IamGateway {
    return new SdkIamGateway(this.client(), { sleep: async () => {} })
  }

  /** A raw client, for changing IAM behind the tool's back. */
  client(): IAMClient {
    const client = createIamClient({ retryDelayMs: () => 1 })
    this.clients.push(client)
    return client
  }

  destroy(): void {
    for (const c of this.clients.splice(0)) c.destroy()
  }
}

export interface CliRun {
  code: number
  stdout: string
  stderr: string
}

/** Runs the CLI in-process with the given gateway. */
export async function runWith(
  argv: string[],
  iam: IamGateway
): Promise<CliRun> {
  let stdout = ''
  let stderr = ''
  const io: CliIo = {
    stdout: text => void (stdout += text),
    stderr: text => void (stderr += text),
    env: { ...process.env },
    iam
  }
  const code = await main(argv, io)
  return { code, stdout, stderr }
}

/** The JSON plan of a file, through the CLI. */
export async function jsonPlan(
  file: string,
  iam: IamGateway,
  extra: string[] = []
): Promise<{ run: CliRun; json: PlanJson }> {
  const run = await runWith(
    ['plan', '--config', file, '--format', 'json', ...extra],
    iam
  )
  return { run, json: JSON.parse(run.stdout) as PlanJson }
}

export interface DiffJson {
  added: string[]
  removed: string[]
}

export interface ChangeJson {
  action: string
  policy: string
  key?: string
  principal?: { type: string; name: string }
  cidrs?: DiffJson
  actions?: DiffJson
  resources?: DiffJson
  vpcEndpoints?: DiffJson
  tagsOnly?: boolean
  drift?: {
    lastApplied?: string
    cidrs?: DiffJson
    actions?: DiffJson
    resources?: DiffJson
    vpcEndpoints?: DiffJson
  }
}

export interface PlanJson {
  changes: ChangeJson[]
  summary: Record<string, number>
  errors: { message: string; line?: number; col?: number }[]
  warnings: string[]
  effective: {
    principal: { type: string; name: string }
    action: string
    policies: string[]
    cidrs: string[]
  }[]
  digest: string
}

/** The desired state of a file; throws when the file is invalid. */
export function desiredOf(file: string): DesiredState {
  const { desired, diagnostics } = loadDesiredState(file)
  if (!desired) {
    throw new Error(
      `test config is invalid: ${diagnostics.map(d => d.message).join('; ')}`
    )
  }
  return desired
}

/**
 * The policy exactly as the tool writes it for `key` of `file`, as a seed
 * entry: the rendered document, the ownership tags, the attachments.
 */
export function toolPolicy(
  file: string,
  key: string,
  overrides: Partial<SeedPolicy> = {}
): SeedPolicy {
  const policy = desiredOf(file).policies.find(p => p.key === key)
  if (!policy) throw new Error(`no policy ${key} in ${file}`)
  return {
    name: policy.name,
    path: policy.path,
    description: policy.description,
    document: policy.json,
    tags: ownershipTags(documentDigest(policy.document), 'v1'),
    attach: {
      users: [...policy.attach.users],
      groups: [...policy.attach.groups],
      roles: [...policy.attach.roles]
    },
    ...overrides
  }
}

/** Tags of a policy the tool wrote with `document` as version `versionId`. */
export function tagsFor(
  document: object,
  versionId = 'v1'
): Record<string, string> {
  return ownershipTags(
    documentDigest(document as Parameters<typeof documentDigest>[0]),
    versionId
  )
}

/** Line and column (1-based) of the `nth` occurrence of `needle`. */
export function locate(
  text: string,
  needle: string,
  nth = 1
): { line: number; col: number } {
  let at = -1
  for (let i = 0; i < nth; i++) {
    at = text.indexOf(needle, at + 1)
    if (at < 0) throw new Error(`"${needle}" not found`)
  }
  const before = text.slice(0, at).split('\n')
  return { line: before.length, col: before[before.length - 1].length + 1 }
}

/** Write calls the sandbox saw; a plan must make none. */
export function writes(sandbox: IamSandbox): CallRecord[] {
  return sandbox.calls().filter(c => isWriteAction(c.action))
}

/**
 * The most calls the sandbox was serving at one moment. A call occupies
 * [arrival, arrival + held + handled); the end is pulled in by a tolerance,
 * because arrival is whole milliseconds and timers fire a little early.
 */
export function maxInFlight(calls: CallRecord[], toleranceMs = 3): number {
  const events: [number, number][] = []
  for (const c of calls) {
    const end = c.at + (c.injectedMs ?? 0) + c.durationMs - toleranceMs
    if (end <= c.at) continue
    events.push([c.at, 1], [end, -1])
  }
  // Ends sort before starts at the same instant.
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1])
  let now = 0
  let max = 0
  for (const [, d] of events) {
    now += d
    max = Math.max(max, now)
  }
  return max
}

/** The principals of examples/sandbox-seed.yml. */
export const PEOPLE: SeedFixture = {
  users: ['alice', 'bob', 'carol', 'dave'],
  groups: [
    { name: 'data-scientists', members: ['bob', 'carol'] },
    { name: 'ml-platform', members: ['dave'] }
  ],
  roles: ['NotebookUsers', 'MlflowUsers']
}

export const EXAMPLE_CONFIG = 'examples/sagemaker-ip-allowlist.yml'
