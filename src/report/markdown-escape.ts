/**
 * Escaping for text that comes from the user's file (allowlist names, notes,
 * descriptions) before it lands in a pull request comment or a job summary.
 *
 * Three contexts, three helpers:
 * - `escapeMarkdown` for prose, list items and table cells,
 * - `escapeHtml` for text inside raw HTML such as `<summary>`, where GitHub
 *   renders no markdown and backslash escapes would show,
 * - `inlineCode` for values shown verbatim (CIDRs, ARNs, policy names).
 *
 * Mentions: GitHub pings `@alice` and `@org/team` wherever they appear as
 * text, raw HTML included, but never inside a code span. So the two text
 * helpers insert a zero-width space (U+200B) right after such an `@`: the
 * reader sees the same characters, and GitHub finds no mention to resolve.
 * `#123` is left alone; a link to an issue pings nobody.
 */

/** Placed after `@` so that GitHub no longer reads a mention there. */
export const MENTION_BREAKER = '\u200B'

/** Characters with a markdown meaning anywhere in a line. */
const INLINE_SPECIAL = /[\\`*_[\]<>|~&$]/g

/** An `@` that starts a user or team mention as GitHub reads it. */
const MENTION_START = /@(?=[A-Za-z0-9])/g

/** Line breaks, and the blanks around them, that could end a paragraph. */
const LINE_BREAKS = /[ \t]*(?:\r\n|\r|\n|\u2028|\u2029)\s*/g

/** Control characters render as nothing useful and can confuse parsers. */
const CONTROL_CHARACTERS =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g

/**
 * Markers that start a block (heading, list item, rule, setext underline)
 * when they open a line. Escaped text holds no line break, so its start is
 * the only place a caller could put at the start of a line.
 */
const BLOCK_MARKER = /^(?:#{1,6}(?=[ \t]|$)|[-+=])/
const ORDERED_LIST_MARKER = /^(\d{1,9})([.)])(?=[ \t]|$)/

/** Turns the text into one line without control characters. */
function singleLine(text: string): string {
  return text
    .replace(CONTROL_CHARACTERS, ' ')
    .replace(LINE_BREAKS, ' ')
    .replace(/\t/g, ' ')
    .trim()
}

function breakMentions(text: string): string {
  return text.replace(MENTION_START, `@${MENTION_BREAKER}`)
}

/**
 * Escapes text for a markdown context: a paragraph, a list item or a table
 * cell. The result is one line that renders as the literal text: no
 * emphasis, links, HTML, math, table cell breaks or new blocks, and no
 * mentions (see the module notes).
 */
export function escapeMarkdown(text: string): string {
  const line = singleLine(text).replace(INLINE_SPECIAL, '\\$&')
  return breakMentions(escapeBlockStart(line))
}

function escapeBlockStart(line: string): string {
  // The digits of `1. ` stay readable; escaping the punctuation is enough.
  const ordered = ORDERED_LIST_MARKER.exec(line)
  if (ordered !== null) {
    return `${ordered[1]}\\${line.slice(ordered[1].length)}`
  }
  return BLOCK_MARKER.test(line) ? `\\${line}` : line
}

/**
 * Escapes text for a cell of a GFM table. `escapeMarkdown` already escapes
 * `|` and removes line breaks, the two things that break a cell, so this is
 * the same function under the name the call site reads best with.
 */
export function escapeTableCell(text: string): string {
  return escapeMarkdown(text)
}

/**
 * Escapes text for raw HTML, such as the `<summary>` of a `<details>` block,
 * where GitHub shows backslashes as typed. Also one line, without mentions.
 */
export function escapeHtml(text: string): string {
  const escaped = singleLine(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
  return breakMentions(escaped)
}

/** Where an inline code span is placed: a table cell needs `|` escaped. */
export type InlineCodeContext = 'text' | 'table'

/**
 * Shows a value verbatim as an inline code span, whatever backticks it
 * holds: the fence is one backtick longer than the longest run inside, and
 * a space pads a value that starts or ends with a backtick. Line breaks
 * become spaces, as they would inside a code span anyway, so the span
 * cannot end a paragraph. Inside a table cell GFM splits cells on `|`
 * before it sees code spans, so pass `'table'` there.
 */
export function inlineCode(
  text: string,
  context: InlineCodeContext = 'text'
): string {
  const value = text
    .replace(CONTROL_CHARACTERS, ' ')
    .replace(/\r\n|\r|\n|\u2028|\u2029/g, ' ')
  if (value.length === 0) return '` `'

  const longestRun = Math.max(
    0,
    ...(value.match(/`+/g) ?? []).map(run => run.length)
  )
  const fence = '`'.repeat(longestRun + 1)

  // CommonMark strips one space on each side when both are present, so a
  // value that already has them needs its own pair to survive.
  const needsPadding =
    value.startsWith('`') ||
    value.endsWith('`') ||
    (value.startsWith(' ') && value.endsWith(' ') && value.trim() !== '')
  const padded = needsPadding ? ` ${value} ` : value
  const span = `${fence}${padded}${fence}`
  return context === 'table' ? span.replace(/\|/g, '\\|') : span
}
