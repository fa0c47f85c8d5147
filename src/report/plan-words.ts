import type { Change, Plan, PlanSummary } from '../plan/types.js'

/** `Plan: 1 to create, 2 to update, ...` or the no-change sentence. */
export function verdict(plan: Plan): string {
  if (plan.errors.length > 0) {
    const n = plan.errors.length
    return `Plan failed: ${n} error${n === 1 ? '' : 's'}; nothing can be applied until ${n === 1 ? 'it is' : 'they are'} fixed.`
  }
  const s = plan.summary
  if (!Object.entries(s).some(([k, v]) => k !== 'orphan' && v > 0)) {
    return `No changes: IAM matches the file.${s.orphan ? ` ${orphans(s)}.` : ''}`
  }
  return `Plan: ${countsLine(s)}.${s.orphan ? ` ${orphans(s)}.` : ''}`
}

function orphans(s: PlanSummary): string {
  return `${s.orphan} orphan polic${s.orphan === 1 ? 'y' : 'ies'} left alone`
}

export function countsLine(s: PlanSummary): string {
  return `${s.create} to create, ${s.update} to update, ${s.attach} to attach, ${s.detach} to detach, ${s.delete} to delete`
}

/**
 * Changes that widen access: more addresses admitted, fewer actions or
 * resources guarded, an endpoint exempted, a principal losing its guard, a
 * policy deleted. Reviewers see a banner for these.
 */
export function widens(change: Change): boolean {
  return (
    (change.action === 'update' &&
      ((change.cidrs?.added.length ?? 0) > 0 ||
        (change.actions?.removed.length ?? 0) > 0 ||
        (change.resources?.removed.length ?? 0) > 0 ||
        (change.vpcEndpoints?.added.length ?? 0) > 0)) ||
    change.action === 'detach' ||
    change.action === 'delete'
  )
}
