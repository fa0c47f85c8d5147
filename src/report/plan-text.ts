import type { Change, Plan } from '../plan/types.js'
import type { SetDiff } from '../policy-meaning.js'
import { verdict } from './plan-words.js'

const SIGN: Record<Change['action'], string> = {
  create: '+',
  update: '~',
  attach: '+',
  detach: '-',
  delete: '-',
  orphan: '?'
}

function diffLines(
  label: string,
  diff: SetDiff | undefined,
  indent: string
): string[] {
  if (!diff) return []
  const lines = [
    ...diff.added.map(v => `${indent}+ ${v}`),
    ...diff.removed.map(v => `${indent}- ${v}`)
  ]
  return lines.length ? [`${indent.slice(2)}${label}:`, ...lines] : []
}

function changeLines(c: Change): string[] {
  const head =
    c.principal !== undefined
      ? `${SIGN[c.action]} ${c.action} ${c.principal.type} ${c.principal.name} ${c.action === 'attach' ? 'to' : 'from'} ${c.policy}`
      : c.action === 'orphan'
        ? `? orphan ${c.policy}: no longer in the file, left alone (settings.prune is false)`
        : `${SIGN[c.action]} ${c.action} policy ${c.policy}${c.tagsOnly ? ' (ownership tags only)' : ''}`
  const lines = [`  ${head}`]
  lines.push(...diffLines('cidrs', c.cidrs, '        '))
  lines.push(...diffLines('actions', c.actions, '        '))
  lines.push(...diffLines('resources', c.resources, '        '))
  lines.push(...diffLines('vpc-endpoints', c.vpcEndpoints, '        '))
  if (c.drift) {
    lines.push(
      '      drift: changed outside the file since the last apply; apply overwrites it'
    )
    lines.push(
      ...diffLines('changed by hand, cidrs', c.drift.cidrs, '          ')
    )
  }
  return lines
}

/** The plan for a terminal. */
export function planText(plan: Plan): string {
  const out: string[] = [`plan for ${plan.file}`]
  if (plan.changes.length) out.push('', ...plan.changes.flatMap(changeLines))
  if (plan.errors.length) {
    out.push(
      '',
      'errors:',
      ...plan.errors.map(
        e =>
          `  ${e.loc ? `${plan.file}:${e.loc.line}:${e.loc.col}: ` : ''}${e.message}`
      )
    )
  }
  if (plan.effective.length) {
    out.push(
      '',
      'effective access after apply:',
      ...plan.effective.map(
        e =>
          `  ${e.principal.type} ${e.principal.name}: ${e.action} from ${e.cidrs.length ? e.cidrs.join(', ') : 'nowhere (locked out)'}`
      )
    )
  }
  if (plan.warnings.length)
    out.push('', 'warnings:', ...plan.warnings.map(w => `  ${w.message}`))
  out.push('', verdict(plan), `digest: ${plan.digest}`, '')
  return out.join('\n')
}
