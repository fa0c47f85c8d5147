/**
 * The three things a run can do to the config file, each returning the
 * run's outcome: validate it, plan it against live IAM, apply it.
 */
import { applyConfigFile, type ApplyReport } from '../apply/apply.js'
import { hasErrors } from '../config/diagnostics.js'
import { loadDesiredState, type DesiredResult } from '../desired.js'
import type { IamGateway } from '../iam/types.js'
import { hasChanges, type Plan } from '../plan/types.js'
import { applyHeadline } from '../report/apply-report.js'
import { verdict } from '../report/plan-words.js'
import { planConfigFile } from '../run-plan.js'
import type { EventDecision } from './events.js'
import type { ReviewRefusal, RunOutcome } from './outcome.js'

/** What every phase needs to know about the file and the run. */
export interface PhaseContext {
  /** The path to read. */
  readonly path: string
  /** The path relative to the repository root, for reports. */
  readonly file: string
  readonly decision: EventDecision
}

/** What the IAM phases need besides. */
export interface IamPhaseContext extends PhaseContext {
  readonly iam: IamGateway
  readonly concurrency?: number
  /** One line per IAM write. */
  readonly log: (line: string) => void
  /** The file as the validate phase loaded it. */
  readonly loaded?: DesiredResult
}

/** What apply is checked against, when `expect-reviewed-plan` is on. */
export type ReviewCheck =
  | { readonly kind: 'none' }
  /** The digest shown on the pull request, and where. */
  | { readonly kind: 'digest'; readonly digest: string; readonly where: string }
  /** No reviewed plan could be found: refuse, and say why. */
  | { readonly kind: 'missing'; readonly reason: string }

function plural(count: number, noun: string, many = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : many}`
}

function base(context: PhaseContext): Omit<RunOutcome, 'headline' | 'ok'> {
  return {
    file: context.file,
    mode: context.decision.mode,
    reason: context.decision.reason,
    diagnostics: [],
    notes: []
  }
}

/** Checks the file without AWS: the outcome of a `validate` run. */
export function validatePhase(context: PhaseContext): RunOutcome {
  const { desired, diagnostics } = loadDesiredState(context.path)
  const errors = diagnostics.filter(d => d.severity === 'error').length
  const warnings = diagnostics.length - errors
  if (!desired || hasErrors(diagnostics)) {
    return {
      ...base(context),
      diagnostics,
      ok: false,
      headline: `${context.file} has ${plural(errors, 'error')}; nothing was planned or applied. Fix ${errors === 1 ? 'it' : 'them'} (see the annotations) and run again.`
    }
  }
  const policies = desired.policies.length
  return {
    ...base(context),
    diagnostics,
    desired,
    ok: true,
    headline: `${context.file} is valid: ${plural(policies, 'policy', 'policies')}${warnings ? `, ${plural(warnings, 'warning')}` : ''}.`
  }
}

/**
 * Reads live IAM and plans. The step fails on plan errors, and on a
 * scheduled run when IAM differs from the file (drift).
 */
export async function planPhase(context: IamPhaseContext): Promise<RunOutcome> {
  const run = await planConfigFile(context.path, {
    iam: context.iam,
    ...(context.concurrency ? { concurrency: context.concurrency } : {}),
    ...(context.loaded ? { loaded: context.loaded } : {})
  })
  if (!run.plan) return validatePhase(context)

  const { plan } = run
  const outcome = {
    ...base(context),
    diagnostics: run.diagnostics,
    plan,
    ...(run.desired ? { desired: run.desired } : {})
  }
  if (plan.errors.length) {
    return { ...outcome, ok: false, headline: verdict(plan) }
  }
  if (context.decision.failOnChanges && hasChanges(plan)) {
    return {
      ...outcome,
      ok: false,
      drift: true,
      headline: `Drift: live IAM differs from ${context.file}. ${verdict(plan)}`
    }
  }
  return { ...outcome, ok: true, headline: verdict(plan) }
}

/**
 * Applies the file. With a review check, refuses unless the fresh plan is
 * the reviewed one; a refusal still shows the fresh plan.
 */
export async function applyPhase(
  context: IamPhaseContext,
  review: ReviewCheck
): Promise<RunOutcome> {
  if (review.kind === 'missing') {
    const planned = await planPhase(context)
    return {
      ...planned,
      mode: 'apply',
      ok: false,
      drift: false,
      refusal: { reason: review.reason },
      headline: `Apply refused: ${review.reason}. Nothing was written.`
    }
  }

  const report = await applyConfigFile(context.path, {
    iam: context.iam,
    log: context.log,
    ...(context.concurrency ? { concurrency: context.concurrency } : {}),
    ...(context.loaded ? { loaded: context.loaded } : {}),
    ...(review.kind === 'digest' ? { expectDigest: review.digest } : {})
  })
  const outcome = {
    ...base(context),
    diagnostics: report.diagnostics,
    ...(report.plan ? { plan: report.plan } : {}),
    ...(report.desired ? { desired: report.desired } : {})
  }

  if (report.status === 'digest-mismatch' && review.kind === 'digest') {
    return digestMismatch(outcome, report, review)
  }
  const ok = report.status === 'applied' || report.status === 'no-changes'
  return { ...outcome, apply: report, ok, headline: applyHeadline(report) }
}

/**
 * A digest that differs while the fresh plan has nothing to write (a
 * re-run after the reviewed plan was applied) refuses nothing: there is no
 * write to protect against.
 */
function digestMismatch(
  outcome: Omit<RunOutcome, 'headline' | 'ok'>,
  report: ApplyReport,
  review: { digest: string; where: string }
): RunOutcome {
  const plan = report.plan as Plan
  if (!hasChanges(plan) && plan.errors.length === 0) {
    const settled: ApplyReport = { ...report, status: 'no-changes' }
    return {
      ...outcome,
      apply: settled,
      ok: true,
      headline: applyHeadline(settled),
      notes: [
        `The plan shown on ${review.where} had digest ${review.digest}; the fresh plan differs but has nothing to write.`
      ]
    }
  }
  const refusal: ReviewRefusal = {
    reviewed: review.digest,
    reason: `IAM or the file changed since the plan shown on ${review.where} (digest ${review.digest.slice(0, 12)}…; the fresh plan has ${plan.digest.slice(0, 12)}…)`
  }
  return {
    ...outcome,
    ok: false,
    refusal,
    headline: `Apply refused: ${refusal.reason}. Nothing was written; review the new plan in the job summary.`
  }
}
