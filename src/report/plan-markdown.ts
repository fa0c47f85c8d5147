import type { DesiredState } from '../desired.js'
import type { Change, Plan } from '../plan/types.js'
import type { SetDiff } from '../policy-meaning.js'
import { escapeHtml, escapeMarkdown, inlineCode } from './markdown-escape.js'
import {
  renderSection,
  type CommentParts,
  type CommentSection
} from './fit-comment.js'
import { verdict, widens } from './plan-words.js'

export interface MarkdownContext {
  /** The config file the plan is for. */
  readonly file: string
  /** The file's content, for descriptions and CIDR notes. */
  readonly desired?: DesiredState
  /** The commit the plan was computed at. */
  readonly commit?: string
  /** A link to the workflow run. */
  readonly runUrl?: string
  /** Text above the verdict, e.g. what apply did. */
  readonly title?: string
}

const ICON: Record<Change['action'], string> = {
  create: '🆕',
  update: '✏️',
  attach: '➕',
  detach: '➖',
  delete: '🗑️',
  orphan: '👻'
}

function diffBlock(label: string, diff: SetDiff | undefined): string[] {
  if (!diff || (!diff.added.length && !diff.removed.length)) return []
  return [
    `${label}:`,
    '',
    '```diff',
    ...diff.added.map(v => `+ ${v.replace(/`/g, "'")}`),
    ...diff.removed.map(v => `- ${v.replace(/`/g, "'")}`),
    '```',
    ''
  ]
}

/** Notes from the file for the CIDRs an allowlist entry contributed. */
function notesFor(
  policyKey: string | undefined,
  context: MarkdownContext
): string[] {
  const config = context.desired?.config
  const spec = config?.policies.find(p => p.key === policyKey)
  if (!config || !spec) return []
  const lines: string[] = []
  for (const name of spec.allowlists) {
    const list = config.allowlists.find(a => a.name === name)
    for (const entry of list?.entries ?? []) {
      if (entry.note)
        lines.push(
          `- ${inlineCode(entry.text)} (${escapeMarkdown(name)}): ${escapeMarkdown(entry.note)}`
        )
    }
  }
  return lines.length ? ['Notes from the file:', '', ...lines, ''] : []
}

function policySection(
  policy: string,
  changes: readonly Change[],
  context: MarkdownContext
): CommentSection {
  const main = changes.find(
    c =>
      c.action === 'create' ||
      c.action === 'update' ||
      c.action === 'delete' ||
      c.action === 'orphan'
  )
  const links = changes.filter(c => c.principal)
  const parts: string[] = []
  const key = changes.find(c => c.key)?.key
  const spec = context.desired?.config.policies.find(p => p.key === key)
  if (spec?.description) parts.push(`*${escapeMarkdown(spec.description)}*`, '')

  if (main?.drift) {
    parts.push(
      '> [!WARNING]',
      `> Drift: this policy was changed outside the file${main.drift.lastApplied ? ` since the tool wrote ${inlineCode(main.drift.lastApplied)}` : ''}. Apply overwrites that change.`,
      ''
    )
    parts.push(
      ...diffBlock(
        'Changed by hand (live compared with the last apply)',
        main.drift.cidrs
      )
    )
  }
  if (main?.action === 'orphan') {
    parts.push(
      'No longer in the file; left alone because `settings.prune` is false.',
      ''
    )
  }
  if (main?.tagsOnly)
    parts.push(
      'The document already matches; only the ownership tags are rewritten.',
      ''
    )
  parts.push(...diffBlock('CIDRs', main?.cidrs))
  parts.push(...diffBlock('Actions', main?.actions))
  parts.push(...diffBlock('Resources', main?.resources))
  parts.push(
    ...diffBlock('VPC endpoints exempt from the IP check', main?.vpcEndpoints)
  )
  if (main?.cidrs?.added.length) parts.push(...notesFor(key, context))
  if (links.length) {
    parts.push(
      'Attachments:',
      '',
      ...links.map(
        c =>
          `- ${c.action === 'attach' ? '➕ attach' : '➖ detach'} ${c.principal!.type} ${inlineCode(c.principal!.name)}`
      ),
      ''
    )
  }

  const what = [
    main && main.action !== 'orphan' ? main.action : main ? 'orphan' : '',
    main?.cidrs
      ? `+${main.cidrs.added.length} −${main.cidrs.removed.length} CIDRs`
      : '',
    links.length
      ? `${links.length} attachment change${links.length === 1 ? '' : 's'}`
      : ''
  ]
    .filter(Boolean)
    .join(', ')
  const icon = ICON[main?.action ?? links[0]?.action ?? 'update']
  return {
    title: `${icon} <code>${escapeHtml(policy)}</code>${what ? ` — ${escapeHtml(what)}` : ''}`,
    body: parts.join('\n').trim() + '\n'
  }
}

/**
 * The plan as markdown parts: a head with the verdict, warnings and summary
 * table, one collapsible section per policy, and a footer with the digest.
 * The comment writer fits these under GitHub's limits.
 */
export function planMarkdownParts(
  plan: Plan,
  context: MarkdownContext
): CommentParts {
  const head: string[] = []
  if (context.title) head.push(context.title, '')
  head.push(
    `**${escapeMarkdown(verdict(plan))}**`,
    '',
    `Config: ${inlineCode(context.file)}`,
    ''
  )

  if (plan.errors.length) {
    head.push(
      '> [!CAUTION]',
      '> The plan cannot be applied:',
      ...plan.errors.map(
        e =>
          `> - ${e.loc ? `line ${e.loc.line}: ` : ''}${escapeMarkdown(e.message)}`
      ),
      ''
    )
  }
  const widening = plan.changes.filter(widens)
  if (widening.length) {
    head.push(
      '> [!IMPORTANT]',
      `> This plan widens access (${widening.length} change${widening.length === 1 ? '' : 's'}: more addresses admitted, a guard detached or a policy deleted). Review it with care.`,
      ''
    )
  }
  if (plan.warnings.length) {
    head.push(
      '> [!WARNING]',
      ...plan.warnings.map(w => `> - ${escapeMarkdown(w.message)}`),
      ''
    )
  }
  const s = plan.summary
  head.push(
    '| Create | Update | Attach | Detach | Delete | Orphan |',
    '| ---: | ---: | ---: | ---: | ---: | ---: |',
    `| ${s.create} | ${s.update} | ${s.attach} | ${s.detach} | ${s.delete} | ${s.orphan} |`
  )

  const byPolicy = new Map<string, Change[]>()
  for (const c of plan.changes)
    byPolicy.set(c.policy, [...(byPolicy.get(c.policy) ?? []), c])
  const sections = [...byPolicy].map(([policy, changes]) =>
    policySection(policy, changes, context)
  )

  if (plan.effective.length) {
    const rows = plan.effective.map(
      e =>
        `| ${e.principal.type} ${inlineCode(e.principal.name, 'table')} | ${inlineCode(e.action.replace(/^sagemaker:/, ''), 'table')} | ${e.cidrs.length ? e.cidrs.map(c => inlineCode(c, 'table')).join(' ') : '**none: locked out**'} |`
    )
    sections.push({
      title: '🔐 Effective access after apply',
      body:
        [
          '| Principal | Action | Can connect from |',
          '| --- | --- | --- |',
          ...rows
        ].join('\n') + '\n'
    })
  }

  const footer = [`<sub>digest ${inlineCode(plan.digest)}`]
  if (context.commit)
    footer.push(` · planned at ${inlineCode(context.commit.slice(0, 12))}`)
  if (context.runUrl) footer.push(` · [workflow run](${context.runUrl})`)
  footer.push('</sub>')
  return { head: head.join('\n'), sections, footer: footer.join('') }
}

/** The whole plan as one markdown text, nothing left out. */
export function planMarkdown(plan: Plan, context: MarkdownContext): string {
  const parts = planMarkdownParts(plan, context)
  return (
    [parts.head, ...parts.sections.map(renderSection), parts.footer].join(
      '\n\n'
    ) + '\n'
  )
}
