/**
 * Plans and outcomes built by hand, for the report tests: the shapes the
 * planner returns, without IAM.
 */
import type { ChangeOutcome } from '../../src/apply/types.js'
import type { RunOutcome } from '../../src/action/outcome.js'
import type { Change, Plan, PlanSummary } from '../../src/plan/types.js'

export const FILE = '.github/sagemaker-ip-allowlist.yml'
export const DIGEST = 'ab'.repeat(32)

const NO_CHANGES: PlanSummary = {
  create: 0,
  update: 0,
  attach: 0,
  detach: 0,
  delete: 0,
  orphan: 0
}

export function plan(overrides: Partial<Plan> = {}): Plan {
  const changes = overrides.changes ?? []
  const summary = { ...NO_CHANGES }
  for (const change of changes) summary[change.action]++
  return {
    file: FILE,
    changes,
    summary,
    errors: [],
    warnings: [],
    effective: [],
    digest: DIGEST,
    ...overrides
  }
}

/** `count` new policies, each admitting `cidrs` addresses, each attached. */
export function creations(count: number, cidrs: number): Change[] {
  const addresses = Array.from(
    { length: cidrs },
    (_, i) => `198.51.${100 + (i >> 7)}.${(i % 128) * 2 + 1}/32`
  )
  return Array.from({ length: count }, (_, i) => {
    const policy = `sagemaker-ip-allowlist-p${String(i).padStart(4, '0')}`
    return [
      {
        action: 'create' as const,
        policy,
        cidrs: { added: addresses, removed: [] }
      },
      {
        action: 'attach' as const,
        policy,
        principal: { type: 'role' as const, name: `role${i}` }
      }
    ]
  }).flat()
}

export function outcome(overrides: Partial<RunOutcome> = {}): RunOutcome {
  return {
    file: FILE,
    mode: 'plan',
    reason: 'pull request #2 was opened: plan and comment',
    headline: 'Plan: something.',
    ok: true,
    diagnostics: [],
    notes: [],
    ...overrides
  }
}

export function done(changes: readonly Change[]): ChangeOutcome[] {
  return changes.map(change => ({ change, status: 'done' }))
}
