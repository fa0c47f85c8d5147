import {
  afterAll,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it
} from '@jest/globals'
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  isWriteAction,
  startIamSandbox,
  type IamSandbox
} from '../../sandbox/index.js'
import type { EventDecision } from '../../src/action/events.js'
import {
  applyPhase,
  planPhase,
  validatePhase,
  type IamPhaseContext
} from '../../src/action/phases.js'
import { createIamClient } from '../../src/iam/client.js'
import { SdkIamGateway } from '../../src/iam/gateway.js'

const SEED = 'examples/sandbox-seed.yml'
const ENV_KEYS = [
  'AWS_ENDPOINT_URL_IAM',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_REGION'
] as const

let sandbox: IamSandbox
let saved: [string, string | undefined][]
let path: string

const decision = (overrides: Partial<EventDecision> = {}): EventDecision => ({
  mode: 'plan',
  commentOn: undefined,
  failOnChanges: false,
  fork: false,
  reason: 'a test decided so',
  ...overrides
})

function context(overrides: Partial<EventDecision> = {}): IamPhaseContext {
  return {
    path,
    file: 'allowlist.yml',
    decision: decision(overrides),
    iam: new SdkIamGateway(createIamClient({ retryDelayMs: () => 1 }), {
      sleep: async () => {}
    }),
    log: () => {}
  }
}

const writes = () => sandbox.calls().filter(call => isWriteAction(call.action))

beforeAll(async () => {
  sandbox = await startIamSandbox({ seed: SEED })
  saved = ENV_KEYS.map(key => [key, process.env[key]])
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_IAM: sandbox.url,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'us-east-1'
  })
  const dir = mkdtempSync(join(tmpdir(), 'phases-'))
  path = join(dir, 'allowlist.yml')
  copyFileSync('examples/sagemaker-ip-allowlist.yml', path)
})

afterAll(async () => {
  for (const [key, value] of saved) {
    if (value === undefined) delete process.env[key]
    else process.env[key] = value
  }
  await sandbox.close()
})

beforeEach(() => {
  sandbox.reset()
  sandbox.clearCalls()
})

describe('validatePhase', () => {
  it('counts the policies of a valid file', () => {
    const outcome = validatePhase(context({ mode: 'validate' }))

    expect(outcome).toMatchObject({
      ok: true,
      mode: 'validate',
      headline: 'allowlist.yml is valid: 2 policies.'
    })
  })

  it('fails an invalid file and says how many errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'phases-bad-'))
    const bad = join(dir, 'bad.yml')
    writeFileSync(
      bad,
      'version: 1\npolicies:\n  a:\n    allow: [10.0.0.0/33]\n'
    )

    const outcome = validatePhase({ ...context(), path: bad })

    expect(outcome.ok).toBe(false)
    expect(outcome.headline).toMatch(/^allowlist\.yml has 1 error; nothing/)
    expect(outcome.diagnostics).toContainEqual(
      expect.objectContaining({ severity: 'error', line: 4 })
    )
  })
})

describe('planPhase', () => {
  it('succeeds with changes on a pull request', async () => {
    const outcome = await planPhase(context())

    expect(outcome.ok).toBe(true)
    expect(outcome.drift).toBeUndefined()
    expect(outcome.headline).toMatch(/^Plan: 2 to create/)
    expect(writes()).toEqual([])
  })

  it('fails on drift detection when IAM differs from the file', async () => {
    const outcome = await planPhase(context({ failOnChanges: true }))

    expect(outcome).toMatchObject({ ok: false, drift: true })
    expect(outcome.headline).toMatch(
      /^Drift: live IAM differs from allowlist\.yml\. Plan: 2 to create/
    )
  })
})

describe('applyPhase', () => {
  it('refuses without a reviewed plan, showing the fresh plan', async () => {
    const outcome = await applyPhase(context({ mode: 'apply' }), {
      kind: 'missing',
      reason: 'no plan comment'
    })

    expect(outcome).toMatchObject({
      ok: false,
      mode: 'apply',
      refusal: { reason: 'no plan comment' },
      headline: 'Apply refused: no plan comment. Nothing was written.'
    })
    expect(outcome.plan?.summary.create).toBe(2)
    expect(writes()).toEqual([])
  })

  it('applies when the reviewed digest is the fresh one', async () => {
    const reviewed = (await planPhase(context())).plan!.digest

    const outcome = await applyPhase(context({ mode: 'apply' }), {
      kind: 'digest',
      digest: reviewed,
      where: 'pull request #2'
    })

    expect(outcome.ok).toBe(true)
    expect(outcome.apply?.status).toBe('applied')
    expect(writes().length).toBeGreaterThan(0)
  })

  it('refuses when the reviewed digest is another, and writes nothing', async () => {
    const outcome = await applyPhase(context({ mode: 'apply' }), {
      kind: 'digest',
      digest: 'ab'.repeat(32),
      where: 'pull request #2'
    })

    expect(outcome.ok).toBe(false)
    expect(outcome.refusal?.reviewed).toBe('ab'.repeat(32))
    expect(outcome.headline).toMatch(
      /^Apply refused: IAM or the file changed since the plan shown on pull request #2 \(digest abababababab…; the fresh plan has [0-9a-f]{12}…\)/
    )
    expect(writes()).toEqual([])
  })

  it('lets a re-run pass once the reviewed plan is live: nothing to write', async () => {
    const reviewed = (await planPhase(context())).plan!.digest
    const review = {
      kind: 'digest' as const,
      digest: reviewed,
      where: 'pull request #2'
    }
    await applyPhase(context({ mode: 'apply' }), review)
    sandbox.clearCalls()

    const again = await applyPhase(context({ mode: 'apply' }), review)

    expect(again.ok).toBe(true)
    expect(again.apply?.status).toBe('no-changes')
    expect(again.headline).toBe('No changes: IAM already matches the file.')
    expect(again.notes[0]).toContain('has nothing to write')
    expect(writes()).toEqual([])
  })
})
