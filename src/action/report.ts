/**
 * The report of a run as markdown: the same content for the pull request
 * comment and the job summary, fitted to each one's size limit. Text from
 * the file and from errors is escaped here or by the plan renderer.
 */
import type { ChangeOutcome } from '../apply/types.js'
import type { Diagnostic } from '../config/diagnostics.js'
import type { Change } from '../plan/types.js'
import {
  fitComment,
  fitSummary,
  renderSection,
  type CommentParts,
  type CommentSection
} from '../report/fit-comment.js'
import { escapeMarkdown, inlineCode } from '../report/markdown-escape.js'
import { planMarkdownParts } from '../report/plan-markdown.js'
import { commentBodyLimit } from '../github/comment.js'
import { digestMarker } from './digest-marker.js'
import type { RunOutcome } from './outcome.js'

/** Where the report points to. */
export interface ReportLinks {
  /** The commit the run checked out. */
  readonly commit?: string
  /** The workflow run's page. */
  readonly runUrl?: string
}

/** How much of the long lists the head of the report holds. */
interface ListLimits {
  readonly statusLines: number
  readonly diagnostics: number
}

/**
 * In a comment the head is never shortened, so its lists are capped; the
 * job summary lists everything.
 */
export const COMMENT_STATUS_LINES = 30
export const COMMENT_DIAGNOSTIC_LINES = 20
const COMMENT_LIMITS: ListLimits = {
  statusLines: COMMENT_STATUS_LINES,
  diagnostics: COMMENT_DIAGNOSTIC_LINES
}
const SUMMARY_LIMITS: ListLimits = {
  statusLines: Number.POSITIVE_INFINITY,
  diagnostics: Number.POSITIVE_INFINITY
}

const STATUS_ICON: Record<ChangeOutcome['status'], string> = {
  done: '✅',
  failed: '❌',
  skipped: '⏭️'
}

/** Failures first: they are what a reader of a capped list needs. */
const STATUS_ORDER: Record<ChangeOutcome['status'], number> = {
  failed: 0,
  skipped: 1,
  done: 2
}

function plural(count: number, noun: string, many = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : many}`
}

function describeChange(c: Change): string {
  if (c.principal) {
    const direction = c.action === 'attach' ? 'to' : 'from'
    return `${c.action} ${c.principal.type} ${inlineCode(c.principal.name)} ${direction} ${inlineCode(c.policy)}`
  }
  return `${c.action} policy ${inlineCode(c.policy)}${c.tagsOnly ? ' (ownership tags)' : ''}`
}

function statusLines(
  outcomes: readonly ChangeOutcome[],
  max: number
): string[] {
  const sorted = [...outcomes].sort(
    (a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status]
  )
  const lines = sorted
    .slice(0, max)
    .map(
      o =>
        `- ${STATUS_ICON[o.status]} ${o.status}: ${describeChange(o.change)}${o.error ? ` — ${escapeMarkdown(o.error)}` : ''}`
    )
  if (sorted.length > max) {
    lines.push(
      `- _… and ${plural(sorted.length - max, 'more change')}; the job summary lists every one._`
    )
  }
  return lines
}

function diagnosticLines(
  diagnostics: readonly Diagnostic[],
  max: number
): string[] {
  const lines = diagnostics
    .slice(0, max)
    .map(
      d =>
        `- ${d.severity === 'error' ? '❌' : '⚠️'} line ${d.line}, column ${d.col}: ${escapeMarkdown(d.message)}`
    )
  if (diagnostics.length > max) {
    lines.push(
      `- _… and ${plural(diagnostics.length - max, 'more problem')}; the job summary and the annotations list every one._`
    )
  }
  return lines
}

function callout(kind: string, lines: readonly string[]): string[] {
  return [`> [!${kind}]`, ...lines.map(line => `> ${line}`), '']
}

/**
 * The block above the plan: what the run did, and what it could not do.
 * Without a plan, or after an apply, the headline leads; a plan's own
 * verdict leads otherwise.
 */
function titleBlock(outcome: RunOutcome, limits: ListLimits): string[] {
  const lines = [
    `### sagemaker-ip-allowlist: ${outcome.mode} ${inlineCode(outcome.file)}`,
    '',
    `<sub>${escapeMarkdown(outcome.reason)}</sub>`,
    ''
  ]

  if (outcome.apply || !outcome.plan) {
    lines.push(`**${escapeMarkdown(outcome.headline)}**`, '')
  }
  if (outcome.apply) {
    const status = statusLines(outcome.apply.outcomes, limits.statusLines)
    if (status.length) lines.push(...status, '')
  }
  if (outcome.refusal) {
    lines.push(
      ...callout('WARNING', [
        `Not applied: ${escapeMarkdown(outcome.refusal.reason)}`,
        ...(outcome.plan
          ? [
              '',
              `The plan below is the fresh one (digest ${inlineCode(outcome.plan.digest)}): review it; a re-run of this job applies it only while IAM and the file still match it.`
            ]
          : [])
      ])
    )
  }
  if (outcome.drift) {
    lines.push(
      ...callout('CAUTION', [
        `Drift: live IAM differs from ${inlineCode(outcome.file)}. Apply the file to restore what it says, or change the file to match what IAM holds now.`
      ])
    )
  }
  if (outcome.notes.length) {
    lines.push(
      ...callout(
        'NOTE',
        outcome.notes.map(note => `- ${escapeMarkdown(note)}`)
      )
    )
  }
  return lines
}

function warningsSection(
  diagnostics: readonly Diagnostic[]
): CommentSection | undefined {
  if (diagnostics.length === 0) return undefined
  return {
    title: `⚠️ ${plural(diagnostics.length, 'warning')} in the file`,
    body: diagnosticLines(diagnostics, Number.POSITIVE_INFINITY).join('\n')
  }
}

function footerOf(links: ReportLinks): string {
  const parts = [
    links.commit ? `checked at ${inlineCode(links.commit.slice(0, 12))}` : '',
    links.runUrl ? `[workflow run](${links.runUrl})` : ''
  ].filter(Boolean)
  return parts.length ? `<sub>${parts.join(' · ')}</sub>` : ''
}

/** The report as parts a comment can be fitted from. */
function reportParts(
  outcome: RunOutcome,
  links: ReportLinks,
  limits: ListLimits
): CommentParts {
  const title = titleBlock(outcome, limits).join('\n').trimEnd()
  if (outcome.plan) {
    const parts = planMarkdownParts(outcome.plan, {
      file: outcome.file,
      title,
      ...(outcome.desired ? { desired: outcome.desired } : {}),
      ...links
    })
    const warnings = warningsSection(outcome.diagnostics)
    return {
      ...parts,
      sections: warnings ? [warnings, ...parts.sections] : parts.sections
    }
  }

  const head = [title, '', `Config: ${inlineCode(outcome.file)}`]
  const problems = diagnosticLines(outcome.diagnostics, limits.diagnostics)
  if (problems.length) head.push('', ...problems)
  return { head: head.join('\n'), sections: [], footer: footerOf(links) }
}

function joinParts(parts: CommentParts): string {
  return (
    [parts.head, ...parts.sections.map(renderSection), parts.footer]
      .filter(part => part !== '')
      .join('\n\n') + '\n'
  )
}

/** The full report for the job summary, cut only past GitHub's 1 MiB. */
export function summaryMarkdown(
  outcome: RunOutcome,
  links: ReportLinks
): string {
  return fitSummary(joinParts(reportParts(outcome, links, SUMMARY_LIMITS))).text
}

/**
 * The comment body to store after `marker`: the digest line when a plan
 * was computed, then the report fitted to what GitHub accepts. A head too
 * large to fit (thousands of plan errors) falls back to the headline and a
 * pointer to the job summary.
 */
export function commentBody(
  outcome: RunOutcome,
  links: ReportLinks,
  marker: string
): string {
  const digestLine = outcome.plan ? digestMarker(outcome.plan.digest) : ''
  const room =
    commentBodyLimit(marker) - (digestLine ? digestLine.length + 1 : 0)
  const parts = reportParts(outcome, links, COMMENT_LIMITS)

  let body: string
  try {
    body = fitComment(parts, room).body
  } catch (error) {
    if (!(error instanceof RangeError)) throw error
    body = fitComment(
      {
        head: [
          `### sagemaker-ip-allowlist: ${outcome.mode} ${inlineCode(outcome.file)}`,
          '',
          `**${escapeMarkdown(outcome.headline)}**`,
          '',
          'The report is too large for a comment: the job summary of the workflow run holds it in full.'
        ].join('\n'),
        sections: [],
        footer: parts.footer
      },
      room
    ).body
  }
  return digestLine ? `${digestLine}\n${body}` : body
}
