/**
 * `sagemaker-ip-allowlist apply` as a user runs it: the gateway built from
 * the environment (AWS_ENDPOINT_URL_IAM pointing at the sandbox), exit codes,
 * text and JSON output.
 */
import {
  afterAll,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it
} from '@jest/globals'
import type { IamSandbox } from '../../sandbox/index.js'
import { runCli } from '../cli-helpers.js'
import {
  acceptedWrites,
  liveEqualsFile,
  MIXED_CONFIG,
  MIXED_SEED,
  nameOf,
  sandboxEnv,
  startSandbox,
  tempDir,
  writeConfig,
  writes
} from './helpers.js'

interface JsonChange {
  action: string
  policy: string
  principal?: { type: string; name: string }
  status: string
  error?: string
}
interface JsonReport {
  status: string
  message: string
  digest: string | null
  changes: JsonChange[]
  calls?: { call: string; target: string }[]
  verified?: boolean
  errors: { message: string; line?: number; col?: number }[]
}

let sandbox: IamSandbox
let stop: () => Promise<void>
let dir: string
let cleanup: () => void
let file: string
let env: Record<string, string>

beforeAll(async () => {
  ;({ sandbox, stop } = await startSandbox(MIXED_SEED))
  ;({ dir, cleanup } = tempDir())
  file = writeConfig(dir, MIXED_CONFIG)
  env = sandboxEnv(sandbox.url)
})
afterAll(async () => {
  await stop()
  cleanup()
})
beforeEach(() => {
  sandbox.setFaults([])
  sandbox.reset(MIXED_SEED)
  sandbox.clearCalls()
})

describe('apply --config FILE', () => {
  it('exits 0 once IAM matches the file, logging one line per write on stderr', async () => {
    const run = await runCli(['apply', '--config', file], env)
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('Applied 7 changes; IAM now matches the file.')
    expect(run.stdout).toMatch(/^digest: [0-9a-f]{64}$/m)
    const lines = run.stderr.split('\n').filter(l => /: (done|failed)/.test(l))
    expect(lines).toHaveLength(acceptedWrites(sandbox.calls()).length)
    expect(lines).toContain(
      `attach user erin to ${nameOf('contractors')}: done`
    )
    expect(await liveEqualsFile(file)).toBe(true)
  })

  it('exits 0 on a second run and makes no write call', async () => {
    expect((await runCli(['apply', '--config', file], env)).code).toBe(0)
    sandbox.clearCalls()
    const run = await runCli(['apply', '--config', file], env)
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('No changes')
    expect(writes(sandbox.calls())).toEqual([])
  })

  it('reports each change as done in the JSON report', async () => {
    const run = await runCli(
      ['apply', '--config', file, '--format', 'json'],
      env
    )
    expect(run.code).toBe(0)
    const json = JSON.parse(run.stdout) as JsonReport
    expect(json.status).toBe('applied')
    expect(json.verified).toBe(true)
    expect(json.errors).toEqual([])
    expect(json.changes.map(c => [c.action, c.policy, c.status])).toEqual([
      ['create', nameOf('contractors'), 'done'],
      ['update', nameOf('data-science'), 'done'],
      ['update', nameOf('ml-platform'), 'done'],
      ['attach', nameOf('contractors'), 'done'],
      ['attach', nameOf('data-science'), 'done'],
      ['detach', nameOf('ml-platform'), 'done'],
      ['delete', nameOf('legacy'), 'done']
    ])
    expect(json.changes.some(c => 'error' in c)).toBe(false)
  })
})

describe('apply --dry-run', () => {
  it('prints the calls it would make and makes none', async () => {
    const before = sandbox.snapshot()
    const run = await runCli(['apply', '--config', file, '--dry-run'], env)
    expect(run.stdout).toContain('would call:')
    for (const call of [
      `CreatePolicy /sagemaker-ip-allowlist/${nameOf('contractors')}`,
      `DeletePolicyVersion ${nameOf('data-science')} (oldest non-default)`,
      `CreatePolicyVersion ${nameOf('data-science')} (SetAsDefault)`,
      `AttachUserPolicy user erin to ${nameOf('contractors')}`,
      `DetachGroupPolicy group data-scientists from ${nameOf('ml-platform')}`,
      `DeletePolicy ${nameOf('legacy')}`
    ])
      expect(run.stdout).toContain(`  ${call}\n`)
    expect(run.stdout).toContain('12 write calls would be made; none were.')
    expect(writes(sandbox.calls())).toEqual([])
    expect(sandbox.snapshot()).toEqual(before)
  })

  it('lists the calls in the JSON report too', async () => {
    const run = await runCli(
      ['apply', '--config', file, '--dry-run', '--format', 'json'],
      env
    )
    const json = JSON.parse(run.stdout) as JsonReport
    expect(json.status).toBe('dry-run')
    expect(json.calls).toHaveLength(12)
    expect(writes(sandbox.calls())).toEqual([])
  })
})

describe('apply --expect-digest', () => {
  async function reviewedDigest(): Promise<string> {
    const plan = await runCli(
      ['plan', '--config', file, '--format', 'json'],
      env
    )
    expect(plan.code).toBe(0)
    return (JSON.parse(plan.stdout) as { digest: string }).digest
  }

  it('applies when nothing changed since the plan was reviewed', async () => {
    const digest = await reviewedDigest()
    const run = await runCli(
      ['apply', '--config', file, '--expect-digest', digest],
      env
    )
    expect(run.code).toBe(0)
    expect(await liveEqualsFile(file)).toBe(true)
  })

  it('refuses with exit 1, printing the new plan, when the file changed', async () => {
    const digest = await reviewedDigest()
    const edited = writeConfig(
      dir,
      MIXED_CONFIG.replace('users: [erin]', 'users: [erin, carol]')
    )
    sandbox.clearCalls()
    const run = await runCli(
      ['apply', '--config', edited, '--expect-digest', digest],
      env
    )
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(
      `expected digest ${digest}, the fresh plan has`
    )
    expect(run.stderr).toContain(
      `attach user carol to ${nameOf('contractors')}`
    )
    expect(run.stdout).toContain('Apply refused')
    expect(writes(sandbox.calls())).toEqual([])
  })

  it('refuses with exit 1 when live IAM changed since the review', async () => {
    const digest = await reviewedDigest()
    // Another apply ran in between: IAM now matches the file.
    expect((await runCli(['apply', '--config', file], env)).code).toBe(0)
    sandbox.clearCalls()
    const run = await runCli(
      [
        'apply',
        '--config',
        file,
        '--expect-digest',
        digest,
        '--format',
        'json'
      ],
      env
    )
    expect(run.code).toBe(1)
    const json = JSON.parse(run.stdout) as JsonReport
    expect(json.status).toBe('digest-mismatch')
    expect(json.digest).not.toBe(digest)
    expect(writes(sandbox.calls())).toEqual([])
  })
})

describe('apply with a file that has errors', () => {
  const broken = `version: 1
policies:
  data-science:
    allow: [192.0.2.0/33]
    attach:
      users: [alice]
`

  for (const extra of [[], ['--dry-run'], ['--format', 'json']]) {
    it(`exits 1 and calls IAM not once (${['apply', ...extra].join(' ')})`, async () => {
      const bad = writeConfig(dir, broken)
      const run = await runCli(['apply', '--config', bad, ...extra], env)
      expect(run.code).toBe(1)
      expect(run.stderr).toMatch(
        new RegExp(
          `^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4:\\d+: error: `,
          'm'
        )
      )
      expect(sandbox.calls()).toEqual([])
      if (extra.includes('json')) {
        const json = JSON.parse(run.stdout) as JsonReport
        expect(json.status).toBe('invalid')
        expect(json.errors[0]).toMatchObject({ line: 4 })
      }
    })
  }

  it('exits 1 and writes nothing when the plan has errors', async () => {
    const bad = writeConfig(
      dir,
      MIXED_CONFIG.replace('users: [erin]', 'users: [erin, zoe]')
    )
    const run = await runCli(['apply', '--config', bad], env)
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/error: .*"zoe" does not exist/)
    expect(writes(sandbox.calls())).toEqual([])
  })
})
