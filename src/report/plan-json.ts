import type { Plan } from '../plan/types.js'

/**
 * The documented JSON form of a plan. Keys appear in a fixed order and
 * optional keys only when they apply, so the output diffs cleanly.
 */
export function planToJson(plan: Plan): object {
  return {
    changes: plan.changes.map(c => ({
      action: c.action,
      policy: c.policy,
      ...(c.key !== undefined ? { key: c.key } : {}),
      ...(c.principal
        ? { principal: { type: c.principal.type, name: c.principal.name } }
        : {}),
      ...(c.cidrs
        ? {
            cidrs: { added: [...c.cidrs.added], removed: [...c.cidrs.removed] }
          }
        : {}),
      ...(c.actions ? { actions: c.actions } : {}),
      ...(c.resources ? { resources: c.resources } : {}),
      ...(c.vpcEndpoints ? { vpcEndpoints: c.vpcEndpoints } : {}),
      ...(c.tagsOnly ? { tagsOnly: true } : {}),
      ...(c.drift ? { drift: c.drift } : {})
    })),
    summary: plan.summary,
    errors: plan.errors.map(e =>
      e.loc
        ? { message: e.message, line: e.loc.line, col: e.loc.col }
        : { message: e.message }
    ),
    warnings: plan.warnings.map(w => w.message),
    effective: plan.effective.map(e => ({
      principal: { type: e.principal.type, name: e.principal.name },
      action: e.action,
      policies: e.policies,
      cidrs: e.cidrs
    })),
    digest: plan.digest
  }
}

export function planJsonText(plan: Plan): string {
  return JSON.stringify(planToJson(plan), null, 2) + '\n'
}
