/**
 * Apply under injected IAM faults. Every fault run is seeded by the
 * sandbox's PRNG, so a failure replays with the seed in the test name.
 */
import { describe, expect, it } from '@jest/globals'
import type { FaultRule, IamSandbox } from '../../sandbox/index.js'
import type { ChangeAction } from '../../src/plan/types.js'
import {
  acceptedWrites,
  apply,
  arnOf,
  cli,
  guards,
  liveEqualsFile,
  nameOf,
  pendingChanges,
  unguarded,
  writes,
  useMixedScenario
} from './helpers.js'

let sandbox: IamSandbox
let file: string

useMixedScenario(scenario => ({ sandbox, file } = scenario))

/** Throttling and 5xx on about 30% of all calls. */
const thirtyPercent = (): FaultRule[] => [
  { kind: 'throttle', rate: 0.15 },
  { kind: 'status-500', rate: 0.1 },
  { kind: 'status-503', rate: 0.05 }
]

describe('apply under throttling and 5xx on about 30% of calls', () => {
  // 1-10, plus 260 and 297, which a sweep of seeds 1-400 found: there the
  // SDK's five attempts at DeletePolicy (260) or at the prune's
  // DeletePolicyVersion (297) all draw a fault. (Which seeds do depends on
  // the sequence of calls apply makes; the bursts below pin the cause.)
  const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 260, 297]
  for (const seed of SEEDS) {
    it(`converges, and a second apply writes nothing (seed ${seed})`, async () => {
      sandbox.setFaults(thirtyPercent(), seed)
      const { report } = await apply(file)
      const calls = sandbox.calls()
      const faulted = calls.filter(c => c.faults?.length).length
      expect(faulted).toBeGreaterThan(0)
      expect(
        report.outcomes
          .filter(o => o.status !== 'done')
          .map(o => `${o.change.action} ${o.change.policy}: ${o.error}`)
      ).toEqual([])
      expect(report.status).toBe('applied')

      sandbox.clearCalls()
      const again = await apply(file)
      expect(again.report.status).toBe('no-changes')
      expect(writes(sandbox.calls())).toEqual([])
      sandbox.setFaults([])
      expect(await liveEqualsFile(file)).toBe(true)
    })
  }
})

describe('a burst of 5xx as long as the SDK retries is absorbed', () => {
  // Five faults in a row use up the SDK's five attempts; the tool's own
  // bounded retry must carry a write that is safe to repeat through.
  const WRITES = [
    'CreatePolicy',
    'CreatePolicyVersion',
    'DeletePolicyVersion',
    'TagPolicy',
    'AttachUserPolicy',
    'AttachRolePolicy',
    'DetachGroupPolicy',
    'DetachUserPolicy',
    'DeletePolicy'
  ]
  const bursts: [string, number[]][] = [
    ...WRITES.map((a): [string, number[]] => [a, [1, 2, 3, 4, 5]]),
    // The first DeletePolicyVersion makes room in data-science; the next
    // ones are the prune's.
    ['DeletePolicyVersion', [2, 3, 4, 5, 6]]
  ]
  for (const [action, nth] of bursts) {
    it(`on ${action} (nth ${nth[0]}-${nth[nth.length - 1]})`, async () => {
      sandbox.setFaults([{ actions: [action], kind: 'status-500', nth }])
      const { report } = await apply(file)
      expect(
        report.outcomes
          .filter(o => o.status !== 'done')
          .map(o => `${o.status} ${o.change.action} ${o.change.policy}`)
      ).toEqual([])
      expect(report.status).toBe('applied')
      expect(
        sandbox.calls().filter(c => c.action === action && c.faults).length
      ).toBe(5)
    })
  }
})

interface StepFailure {
  /** The change kind that fails. */
  step: ChangeAction
  action: string
  /** The kinds that must have been done before the failure. */
  done: ChangeAction[]
}

/** One failure per step kind of the mixed scenario. */
const STEP_FAILURES: StepFailure[] = [
  { step: 'create', action: 'CreatePolicy', done: [] },
  { step: 'update', action: 'CreatePolicyVersion', done: ['create'] },
  { step: 'attach', action: 'AttachUserPolicy', done: ['create', 'update'] },
  {
    step: 'detach',
    action: 'DetachGroupPolicy',
    done: ['create', 'update', 'attach']
  },
  {
    step: 'delete',
    action: 'DeletePolicy',
    done: ['create', 'update', 'attach', 'detach']
  }
]

const ORDER: ChangeAction[] = ['create', 'update', 'attach', 'detach', 'delete']

describe('a write that keeps failing', () => {
  for (const { step, action, done } of STEP_FAILURES) {
    describe(`at ${step} (${action} answers 500 every time)`, () => {
      it('stops there, reports what was and was not done, exits 1 and keeps every guard', async () => {
        sandbox.setFaults([{ actions: [action], kind: 'status-500' }])
        const before = sandbox.snapshot()
        const { report, log } = await apply(file)
        expect(report.status).toBe('failed')

        const failed = report.outcomes.filter(o => o.status === 'failed')
        expect(failed.map(o => o.change.action)).toEqual([step])
        expect(failed[0].error).toContain(action)
        expect(failed[0].error).toContain('ServiceFailure')
        // Every change of the steps before is done; every change of the
        // steps after is skipped, with the reason.
        for (const o of report.outcomes) {
          const at = ORDER.indexOf(o.change.action)
          if (done.includes(o.change.action)) expect(o.status).toBe('done')
          if (at > ORDER.indexOf(step)) {
            expect(o.status).toBe('skipped')
            expect(o.error).toMatch(/not attempted/)
          }
        }
        // Nothing of a later step reached IAM.
        const later = acceptedWrites(sandbox.calls()).filter(c => {
          if (step === 'create' || step === 'update')
            return /^(Attach|Detach)|^DeletePolicy$/.test(c.action)
          if (step === 'attach') return /^Detach|^DeletePolicy$/.test(c.action)
          if (step === 'detach') return c.params.PolicyArn === arnOf('legacy')
          return false
        })
        expect(later.map(c => c.action)).toEqual([])
        // The failing write is logged as failed, on one line.
        expect(
          log.filter(l => / failed: /.test(l) && l.includes(action)).length
        ).toBeGreaterThan(0)

        const after = sandbox.snapshot()
        expect(unguarded(before, after)).toEqual([])
        if (step === 'attach') {
          // erin moves from legacy to contractors: the attach failed, so
          // she keeps legacy.
          expect(guards(after).get('user:erin')).toEqual([arnOf('legacy')])
        }

        // Once the cause is gone, running apply again converges.
        sandbox.setFaults([])
        const again = await apply(file)
        expect(again.report.status).toBe('applied')
        expect(await liveEqualsFile(file)).toBe(true)
        sandbox.clearCalls()
        expect((await apply(file)).report.status).toBe('no-changes')
        expect(writes(sandbox.calls())).toEqual([])
      })

      it('gives the CLI exit 1 and a JSON report of done, failed and skipped', async () => {
        sandbox.setFaults([{ actions: [action], kind: 'status-500' }])
        const run = await cli(['apply', '--config', file, '--format', 'json'])
        expect(run.code).toBe(1)
        const json = JSON.parse(run.stdout) as {
          status: string
          changes: { action: string; status: string; error?: string }[]
        }
        expect(json.status).toBe('failed')
        const statuses = new Set(json.changes.map(c => c.status))
        expect(statuses.has('failed')).toBe(true)
        for (const c of json.changes) {
          expect(['done', 'failed', 'skipped']).toContain(c.status)
          if (c.status === 'done') expect(c.error).toBeUndefined()
          else expect(c.error).toEqual(expect.any(String))
        }
        const failed = json.changes.find(c => c.status === 'failed')!
        expect(failed.action).toBe(step)
        expect(failed.error).toContain(action)
        sandbox.setFaults([])
        const again = await cli(['apply', '--config', file])
        expect(again.code).toBe(0)
      })
    })
  }

  it('leaves the plan showing what is left after a failure at attach', async () => {
    sandbox.setFaults([{ actions: ['AttachUserPolicy'], kind: 'status-500' }])
    await apply(file)
    sandbox.setFaults([])
    expect(await pendingChanges(file)).toEqual([
      `attach ${nameOf('contractors')} user erin`,
      `detach ${nameOf('ml-platform')} group data-scientists`,
      `delete ${nameOf('legacy')}`
    ])
  })
})
