import {
  afterAll,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it
} from '@jest/globals'
import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startIamSandbox, type IamSandbox } from '../../sandbox/index.js'
import { runCli } from '../cli-helpers.js'
import {
  EXAMPLE_CONFIG,
  Gateways,
  PATH,
  PEOPLE,
  runWith,
  useSandboxEnv,
  writes
} from './helpers.js'

/**
 * A clean environment for a child process: nothing the SDK's chain could
 * find credentials in (no keys, empty config files, no instance metadata).
 */
function childBase(): Record<string, string> {
  const home = mkdtempSync(join(tmpdir(), 'sia-child-'))
  const empty = join(home, 'empty')
  writeFileSync(empty, '')
  return {
    PATH: process.env.PATH ?? '',
    HOME: home,
    NODE_NO_WARNINGS: '1',
    AWS_CONFIG_FILE: empty,
    AWS_SHARED_CREDENTIALS_FILE: empty,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_REGION: 'us-east-1'
  }
}

/** Runs a .ts entry point with node and tsx, in this repository. */
async function spawnNode(
  args: string[],
  env: Record<string, string>
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    env,
    cwd: process.cwd()
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const code = await new Promise<number | null>(resolve =>
    child.on('close', resolve)
  )
  return { code, stdout, stderr }
}

/** A secret key no output may ever contain. */
const SECRET = 'wJalrXUtnFEMI-plan-test-secret-9f3k2'

describe('IAM failures during plan', () => {
  let sandbox: IamSandbox
  let restore: () => void
  const gateways = new Gateways()

  beforeAll(async () => {
    sandbox = await startIamSandbox({ port: 0, seed: PEOPLE })
    restore = useSandboxEnv(sandbox.url, SECRET)
  })
  afterAll(async () => {
    gateways.destroy()
    restore()
    await sandbox.close()
  })
  beforeEach(() => {
    sandbox.setFaults([])
    sandbox.clearCalls()
  })

  it('reports throttling that outlasts every retry as one line naming the call', async () => {
    sandbox.setFaults([{ actions: ['ListPolicies'], kind: 'throttle' }])
    const run = await runWith(
      ['plan', '--config', EXAMPLE_CONFIG, '--detailed-exitcode'],
      gateways.make()
    )
    expect(run.code).toBe(1)
    expect(run.stdout).toBe('')
    const lines = run.stderr.trimEnd().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(
      /^error: ListPolicies on path \/sagemaker-ip-allowlist\/ failed: Throttling/
    )
    expect(lines[0]).toContain('kept throttling after every retry')
    expect(lines[0]).toContain('concurrency')
    const attempts = sandbox.calls().filter(c => c.action === 'ListPolicies')
    expect(attempts.length).toBeGreaterThan(1)
    expect(attempts.every(c => c.params.PathPrefix === PATH)).toBe(true)
    expect(run.stdout + run.stderr).not.toContain(SECRET)
    expect(writes(sandbox)).toEqual([])
  })

  it('names the missing permission when IAM denies a call, and does not retry it', async () => {
    sandbox.setFaults([
      { actions: ['GetAccountSummary'], kind: 'access-denied' }
    ])
    const run = await runWith(
      ['plan', '--config', EXAMPLE_CONFIG],
      gateways.make()
    )
    expect(run.code).toBe(1)
    const lines = run.stderr.trimEnd().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(
      /^error: GetAccountSummary on the account failed: AccessDenied/
    )
    expect(lines[0]).toContain(
      "the credentials lack iam:GetAccountSummary; grant it in the role's permissions policy"
    )
    expect(
      sandbox.calls().filter(c => c.action === 'GetAccountSummary')
    ).toHaveLength(1)
    expect(writes(sandbox)).toEqual([])
  })

  it('names the entity of a failing principal read, in one line', async () => {
    // In a process of its own: a read that fails while another is still
    // awaited (ListPolicies is slow here) must not crash the process with
    // an unhandled rejection.
    sandbox.setFaults([
      { actions: ['GetGroup'], kind: 'status-500' },
      { actions: ['ListPolicies'], kind: 'latency', latencyMs: 300 }
    ])
    const run = await spawnNode(
      ['__tests__/plan/cli-child.ts', 'plan', '--config', EXAMPLE_CONFIG],
      {
        ...childBase(),
        AWS_ENDPOINT_URL_IAM: sandbox.url,
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: SECRET
      }
    )
    expect(run.code).toBe(1)
    expect(run.stdout).toBe('')
    expect(run.stderr).toMatch(
      /^error: GetGroup on group [a-z-]+ failed: ServiceFailure/
    )
    expect(run.stderr).not.toMatch(/^\s+at /m)
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1)
    expect(run.stdout + run.stderr).not.toContain(SECRET)
  })

  it('recovers from throttling that stops before the retries run out', async () => {
    sandbox.setFaults([
      { actions: ['ListPolicies'], kind: 'throttle', nth: [1, 2] }
    ])
    const run = await runWith(
      ['plan', '--config', EXAMPLE_CONFIG, '--detailed-exitcode'],
      gateways.make()
    )
    expect(run.stderr).toBe('')
    expect(run.code).toBe(2)
  })
})

describe('plan without credentials', () => {
  let sandbox: IamSandbox

  beforeAll(async () => {
    sandbox = await startIamSandbox({ port: 0, seed: PEOPLE })
  })
  afterAll(async () => {
    await sandbox.close()
  })

  it('exits 1 with one line and the credentials hint, no stack trace', async () => {
    const { code, stdout, stderr } = await spawnNode(
      ['src/cli/index.ts', 'plan', '--config', EXAMPLE_CONFIG],
      { ...childBase(), AWS_ENDPOINT_URL_IAM: sandbox.url }
    )
    expect(code).toBe(1)
    expect(stdout).toBe('')
    const lines = stderr.trimEnd().split('\n')
    expect(lines[0]).toMatch(
      /^error: \w+ on .+ failed: CredentialsProviderError/
    )
    expect(lines[0]).toContain('no usable AWS credentials')
    expect(lines[0]).toContain('aws-actions/configure-aws-credentials')
    expect(stderr).not.toMatch(/^\s+at /m)
    expect(lines).toHaveLength(1)
    // Nothing reached IAM unsigned.
    expect(sandbox.calls()).toEqual([])
  })
})

describe('the CLI environment', () => {
  let real: IamSandbox
  let decoy: IamSandbox
  let restore: () => void

  beforeAll(async () => {
    real = await startIamSandbox({ port: 0, seed: PEOPLE })
    decoy = await startIamSandbox({ port: 0, seed: {} })
    // The process environment points elsewhere; the CLI is given its own.
    restore = useSandboxEnv(decoy.url)
  })
  afterAll(async () => {
    restore()
    await real.close()
    await decoy.close()
  })

  it('plans against the endpoint and credentials in the env it is given', async () => {
    const run = await runCli(
      ['plan', '--config', EXAMPLE_CONFIG, '--detailed-exitcode'],
      {
        AWS_ENDPOINT_URL_IAM: real.url,
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: SECRET,
        AWS_REGION: 'us-east-1'
      }
    )
    expect(run.stdout + run.stderr).not.toContain(SECRET)
    expect(decoy.calls()).toEqual([])
    expect(real.calls().length).toBeGreaterThan(0)
    expect(run.stderr).toBe('')
    expect(run.code).toBe(2)
  })
})
