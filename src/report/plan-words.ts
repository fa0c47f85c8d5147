import { parseCidr, subtractSets, type Cidr } from '../cidr.js'
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

function cidrsOf(values: readonly string[]): Cidr[] {
  return values.flatMap(v => {
    const parsed = parseCidr(v)
    return parsed.ok ? [parsed.cidr] : []
  })
}

/**
 * Changes that widen access: an address admitted that was not before, fewer
 * actions or resources guarded, an endpoint exempted, a principal losing its
 * guard, a policy deleted. Reviewers see a banner for these. The CIDR lists
 * of a change are aggregated, so an added range admits something new
 * exactly when the removed ranges do not cover it.
 */
export function widens(change: Change): boolean {
  const admitsMore =
    change.cidrs !== undefined &&
    subtractSets(cidrsOf(change.cidrs.added), cidrsOf(change.cidrs.removed))
      .length > 0
  return (
    (change.action === 'update' &&
      (admitsMore ||
        (change.actions?.removed.length ?? 0) > 0 ||
        (change.resources?.removed.length ?? 0) > 0 ||
        (change.vpcEndpoints?.added.length ?? 0) > 0)) ||
    change.action === 'detach' ||
    change.action === 'delete'
  )
}
