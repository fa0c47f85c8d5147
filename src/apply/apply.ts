import type { Diagnostic } from '../config/diagnostics.js'
import { PRINCIPAL_KEYS } from '../config/model.js'
import type { DesiredResult, DesiredState } from '../desired.js'
import { principalCall, type IamGateway } from '../iam/types.js'
import { createLimiter } from '../limit.js'
import { readLiveState, type LiveState } from '../live-state.js'
import { computePlan } from '../plan/compute.js'
import {
  CHANGE_ORDER,
  hasChanges,
  type Change,
  type Plan
} from '../plan/types.js'
import { planConfigFile } from '../run-plan.js'
import { ChangeExecutor, type WriteLog } from './executor.js'
import type { ChangeOutcome, WriteCall } from './types.js'

export type ApplyStatus =
  /** The file has errors; IAM was not called. */
  | 'invalid'
  /** The plan has errors (ownership, missing principals, quotas); nothing written. */
  | 'plan-failed'
  /** --expect-digest differs from the fresh plan's; nothing written. */
  | 'digest-mismatch'
  | 'dry-run'
  | 'no-changes'
  /** Every change done and the live state read back equals the file. */
  | 'applied'
  /** A change failed; later ones were skipped. */
  | 'failed'
  /** Every change reported done but the read-back still differs. */
  | 'unverified'

export interface ApplyOptions {
  readonly iam: IamGateway
  readonly concurrency?: number
  /** The file as already loaded and validated, so it is not read twice. */
  readonly loaded?: DesiredResult
  readonly dryRun?: boolean
  readonly expectDigest?: string
  /** One line per write. */
  readonly log?: WriteLog
  /** Read-backs tried before a difference counts; IAM is eventually consistent. */
  readonly verifyAttempts?: number
  readonly verifyDelayMs?: number
  readonly sleep?: (ms: number) => Promise<void>
}

export interface Verification {
  readonly ok: boolean
  /** The plan computed from the read-back; empty when ok. */
  readonly plan: Plan
}

export interface ApplyReport {
  readonly status: ApplyStatus
  readonly diagnostics: Diagnostic[]
  readonly desired?: DesiredState
  /** The plan that was executed, or refused. */
  readonly plan?: Plan
  readonly outcomes: readonly ChangeOutcome[]
  /** The writes a dry run would make. */
  readonly calls?: readonly WriteCall[]
  readonly verification?: Verification
}

const sleepFor = (ms: number) =>
  new Promise<void>(resolve => setTimeout(resolve, ms))

/**
 * Converges IAM to the file. Computes a fresh plan and executes it phase by
 * phase in CHANGE_ORDER: create, update, attach, then detach, then delete.
 * Attaching before detaching means a principal moving between policies is
 * never unguarded. The first change that keeps failing stops the run: the
 * rest are skipped, so nothing after it (in particular no detach) happens.
 */
export async function applyConfigFile(
  file: string,
  options: ApplyOptions
): Promise<ApplyReport> {
  const planned = await planConfigFile(file, options)
  const { diagnostics, desired, live, plan } = planned
  if (!desired || !live || !plan)
    return { status: 'invalid', diagnostics, outcomes: [] }
  const base = { diagnostics, desired, plan }

  if (plan.errors.length)
    return { ...base, status: 'plan-failed', outcomes: [] }
  if (options.expectDigest && options.expectDigest !== plan.digest) {
    return { ...base, status: 'digest-mismatch', outcomes: [] }
  }
  const work = plan.changes.filter(c => c.action !== 'orphan')
  if (options.dryRun)
    return {
      ...base,
      status: 'dry-run',
      outcomes: [],
      calls: dryRunCalls(work, desired, live)
    }
  if (work.length === 0) return { ...base, status: 'no-changes', outcomes: [] }

  const log = options.log ?? (() => {})
  const executor = new ChangeExecutor(
    options.iam,
    live,
    new Map(desired.policies.map(p => [p.name, p])),
    log
  )
  const outcomes = await execute(
    work,
    executor,
    options.concurrency ?? desired.config.settings.concurrency
  )
  if (outcomes.some(o => o.status !== 'done'))
    return { ...base, status: 'failed', outcomes }

  const verification = await verify(desired, options)
  return {
    ...base,
    status: verification.ok ? 'applied' : 'unverified',
    outcomes,
    verification
  }
}

async function execute(
  changes: Change[],
  executor: ChangeExecutor,
  concurrency: number
): Promise<ChangeOutcome[]> {
  const results = new Map<Change, ChangeOutcome>()
  const limit = createLimiter(concurrency)
  let failure: string | undefined

  for (const phase of CHANGE_ORDER) {
    const batch = changes.filter(c => c.action === phase)
    await Promise.all(
      batch.map(change =>
        limit(async () => {
          if (failure) {
            results.set(change, { change, status: 'skipped', error: failure })
            return
          }
          try {
            await executor.run(change)
            results.set(change, { change, status: 'done' })
          } catch (error) {
            const message = (error as Error).message
            failure ??= `not attempted: an earlier change failed (${change.action} ${change.policy})`
            results.set(change, { change, status: 'failed', error: message })
          }
        })
      )
    )
  }
  return changes.map(c => results.get(c)!)
}

async function verify(
  desired: DesiredState,
  options: ApplyOptions
): Promise<Verification> {
  const attempts = options.verifyAttempts ?? 3
  const sleep = options.sleep ?? sleepFor
  let plan: Plan | undefined
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const live = await readLiveState(options.iam, desired, {
      concurrency: options.concurrency ?? desired.config.settings.concurrency
    })
    plan = computePlan(desired, live)
    if (!hasChanges(plan)) return { ok: true, plan }
    if (attempt < attempts) await sleep(options.verifyDelayMs ?? 2000)
  }
  return { ok: false, plan: plan! }
}

/** The writes the plan implies, as a dry run prints them. */
export function dryRunCalls(
  changes: readonly Change[],
  desired: DesiredState,
  live: LiveState
): WriteCall[] {
  const calls: WriteCall[] = []
  for (const c of changes) {
    const existing = live.policies.get(c.policy)
    const policy = desired.policies.find(p => p.name === c.policy)
    switch (c.action) {
      case 'create':
        calls.push({
          call: 'CreatePolicy',
          target: `${policy?.path ?? ''}${c.policy}`
        })
        break
      case 'update':
        if (!c.tagsOnly) {
          if (
            existing &&
            (existing.versions?.length ?? 0) >= live.quotas.versionsPerPolicy
          ) {
            calls.push({
              call: 'DeletePolicyVersion',
              target: `${c.policy} (oldest non-default)`
            })
          }
          calls.push({
            call: 'CreatePolicyVersion',
            target: `${c.policy} (SetAsDefault)`
          })
        }
        calls.push({ call: 'TagPolicy', target: c.policy })
        break
      case 'attach':
      case 'detach':
        calls.push({
          call: principalCall(
            c.action === 'attach' ? 'Attach' : 'Detach',
            c.principal!.type
          ),
          target: `${c.principal!.type} ${c.principal!.name} ${c.action === 'attach' ? 'to' : 'from'} ${c.policy}`
        })
        break
      case 'delete':
        if (existing) {
          for (const type of ['user', 'group', 'role'] as const) {
            for (const name of existing.attachments[PRINCIPAL_KEYS[type]]) {
              calls.push({
                call: principalCall('Detach', type),
                target: `${type} ${name} from ${c.policy}`
              })
            }
          }
          for (const v of (existing.versions ?? []).filter(v => !v.isDefault)) {
            calls.push({
              call: 'DeletePolicyVersion',
              target: `${c.policy} ${v.versionId}`
            })
          }
        }
        calls.push({ call: 'DeletePolicy', target: c.policy })
        break
    }
  }
  return calls
}
