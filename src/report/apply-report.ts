import type { ApplyReport } from '../apply/apply.js'
import type { Change } from '../plan/types.js'
import { planToJson } from './plan-json.js'
import { verdict } from './plan-words.js'

function describeChange(c: Change): string {
  if (c.principal) {
    return `${c.action} ${c.principal.type} ${c.principal.name} ${c.action === 'attach' ? 'to' : 'from'} ${c.policy}`
  }
  return `${c.action} policy ${c.policy}${c.tagsOnly ? ' (ownership tags)' : ''}`
}

/** One sentence on how an apply ended. */
export function applyHeadline(report: ApplyReport): string {
  const done = report.outcomes.filter(o => o.status === 'done').length
  const failed = report.outcomes.filter(o => o.status === 'failed').length
  const skipped = report.outcomes.filter(o => o.status === 'skipped').length
  switch (report.status) {
    case 'invalid':
      return 'Apply refused: the config file has errors; IAM was not called.'
    case 'plan-failed':
      return `Apply refused: ${report.plan ? verdict(report.plan) : 'the plan failed.'} Nothing was written.`
    case 'digest-mismatch':
      return 'Apply refused: IAM or the file changed since the plan was reviewed (the digest differs). Nothing was written; review the new plan.'
    case 'dry-run':
      return `Dry run: ${report.calls?.length ?? 0} write calls would be made; none were.`
    case 'no-changes':
      return 'No changes: IAM already matches the file.'
    case 'applied':
      return `Applied ${done} change${done === 1 ? '' : 's'}; IAM now matches the file.`
    case 'failed':
      return `Apply stopped: ${done} done, ${failed} failed, ${skipped} not attempted. Principals keep every guard they had; run apply again once the cause is fixed.`
    case 'unverified':
      return `Applied ${done} changes, but reading IAM back still shows differences in ${unverifiedPolicies(report).join(', ')}.`
  }
}

export function unverifiedPolicies(report: ApplyReport): string[] {
  return [
    ...new Set(
      report.verification?.plan.changes
        .filter(c => c.action !== 'orphan')
        .map(c => c.policy) ?? []
    )
  ]
}

export function applyText(report: ApplyReport): string {
  const lines: string[] = []
  if (report.calls) {
    lines.push(
      'would call:',
      ...report.calls.map(c => `  ${c.call} ${c.target}`),
      ''
    )
  }
  // Each done write was logged as it happened; what was not done is listed here.
  for (const o of report.outcomes.filter(o => o.status !== 'done')) {
    lines.push(
      `${o.status.padEnd(7)} ${describeChange(o.change)}${o.error ? `: ${o.error}` : ''}`
    )
  }
  if (report.outcomes.some(o => o.status !== 'done')) lines.push('')
  lines.push(applyHeadline(report))
  if (report.plan) lines.push(`digest: ${report.plan.digest}`)
  return lines.join('\n') + '\n'
}

/** The JSON report of an apply: each change with its status and error. */
export function applyJson(report: ApplyReport): object {
  const plan = report.plan
    ? (planToJson(report.plan) as { changes: object[] })
    : undefined
  const index = new Map(report.outcomes.map(o => [o.change, o]))
  return {
    status: report.status,
    message: applyHeadline(report),
    digest: report.plan?.digest ?? null,
    changes: (report.plan?.changes ?? []).map((c, i) => {
      const outcome = index.get(c)
      const status =
        c.action === 'orphan' ? 'skipped' : (outcome?.status ?? 'skipped')
      return {
        ...(plan?.changes[i] ?? {}),
        status,
        ...(outcome?.error ? { error: outcome.error } : {})
      }
    }),
    ...(report.calls ? { calls: report.calls } : {}),
    ...(report.verification ? { verified: report.verification.ok } : {}),
    errors: [
      ...report.diagnostics
        .filter(d => d.severity === 'error')
        .map(d => ({ message: d.message, line: d.line, col: d.col })),
      ...(report.plan?.errors ?? []).map(e =>
        e.loc
          ? { message: e.message, line: e.loc.line, col: e.loc.col }
          : { message: e.message }
      )
    ]
  }
}
