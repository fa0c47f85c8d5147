/**
 * Fits a rendered plan into GitHub's size limits: 65,536 characters for a
 * comment body, 1 MiB for a step's job summary. Pure text work, so the
 * renderer can hand over a structured body and never think about sizes.
 */

/** GitHub rejects a comment body longer than this many characters. */
export const COMMENT_BODY_LIMIT = 65_536

/** GitHub drops a step's job summary larger than this many bytes (1 MiB). */
export const SUMMARY_BYTE_LIMIT = 1_048_576

/**
 * A shortened section keeps at least this many characters of its body;
 * below that, dropping whole sections from the end reads better than a
 * comment of stubs.
 */
export const MIN_SECTION_BODY = 500

/** Parts are joined with a blank line so each starts a markdown block. */
const PART_SEPARATOR = '\n\n'

/** One collapsible block of a comment, usually one policy's changes. */
export interface CommentSection {
  /** Raw HTML inside `<summary>`: escape user text with `escapeHtml`. */
  title: string
  /** Markdown, rendered as given. */
  body: string
}

/** A comment before fitting: the head and footer are always kept. */
export interface CommentParts {
  head: string
  sections: readonly CommentSection[]
  footer: string
}

/** The fitted comment and what fitting had to give up. */
export interface FittedComment {
  body: string
  /** Sections whose body was cut short. */
  shortened: number
  /** Sections left out from the end. */
  omitted: number
}

/** The fitted job summary, and whether its end was cut off. */
export interface FittedSummary {
  text: string
  truncated: boolean
}

/** Renders one section as a collapsed `<details>` block. */
export function renderSection(section: CommentSection): string {
  return `${sectionOpening(section.title)}${section.body}${SECTION_CLOSING}`
}

function sectionOpening(title: string): string {
  return `<details>\n<summary>${title}</summary>\n\n`
}

const SECTION_CLOSING = '\n\n</details>'

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}

function shortenedNote(remainingLines: number): string {
  return `_… ${plural(remainingLines, 'more line')} left out here; the job summary holds the full plan._`
}

function omittedNote(omitted: number): string {
  return `_${plural(omitted, 'more section')} left out to fit GitHub's comment size limit; the job summary holds the full plan._`
}

function summaryNote(remainingLines: number): string {
  return `_The plan stops here: GitHub keeps at most 1 MiB of job summary per step, so ${plural(remainingLines, 'more line')} were left out; the job log holds the full plan._`
}

function joinParts(parts: readonly string[]): string {
  return parts.filter(part => part !== '').join(PART_SEPARATOR)
}

/**
 * Fits a comment into `limit` characters. First the longest section bodies
 * are shortened, each to an equal share of the room left (short sections
 * stay whole); when that share would fall below `MIN_SECTION_BODY`, whole
 * sections are left out from the end instead and one line says how many.
 * The head and footer are always kept whole.
 *
 * Lengths are counted in UTF-16 code units, which is never less than the
 * characters GitHub counts, so the result is safe for the comment API.
 *
 * @throws RangeError when the head and footer alone do not fit.
 */
export function fitComment(
  parts: CommentParts,
  limit: number = COMMENT_BODY_LIMIT
): FittedComment {
  const { head, sections, footer } = parts
  const whole = joinParts([head, ...sections.map(renderSection), footer])
  if (whole.length <= limit) return { body: whole, shortened: 0, omitted: 0 }

  const kept = largestFittingCount(parts, limit)
  if (kept === undefined) {
    const frame = joinParts([head, footer]).length
    throw new RangeError(
      `The comment head and footer take ${frame} characters, which leaves no room within the limit of ${limit} for even a note about the left-out sections. Shorten the head or footer; only sections can be cut.`
    )
  }

  const keptSections = sections.slice(0, kept.count)
  const omitted = sections.length - kept.count
  let shortened = 0
  const rendered = keptSections.map(section => {
    if (section.body.length <= kept.bodyBudget) return renderSection(section)
    shortened++
    const body = truncateMarkdown(section.body, kept.bodyBudget, shortenedNote)
    return renderSection({ title: section.title, body })
  })

  const body = joinParts([
    head,
    ...rendered,
    omitted > 0 ? omittedNote(omitted) : '',
    footer
  ])
  return { body, shortened, omitted }
}

interface FittingCount {
  /** How many sections, from the start, are kept. */
  count: number
  /** The most characters any kept section body may have. */
  bodyBudget: number
}

/**
 * Finds how many leading sections fit and the body budget they share.
 * Keeping fewer sections only frees room, so the largest count that fits
 * is found by bisection.
 */
function largestFittingCount(
  parts: CommentParts,
  limit: number
): FittingCount | undefined {
  const total = parts.sections.length
  const attempt = (count: number): FittingCount | undefined => {
    const bodyBudget = sharedBodyBudget(parts, count, limit)
    if (bodyBudget === undefined || bodyBudget < MIN_SECTION_BODY) {
      return undefined
    }
    return { count, bodyBudget }
  }

  const all = attempt(total)
  if (all !== undefined || total === 0) return all
  if (attempt(0) === undefined) return undefined

  let fits = 0
  let fails = total
  while (fails - fits > 1) {
    const middle = Math.floor((fits + fails) / 2)
    if (attempt(middle) === undefined) fails = middle
    else fits = middle
  }
  return attempt(fits)
}

/**
 * The largest body length every one of the first `count` sections may
 * keep so that the whole comment fits (water filling: bodies shorter than
 * the share keep their length and leave the rest to the others), or
 * `undefined` when even empty bodies do not fit.
 */
function sharedBodyBudget(
  parts: CommentParts,
  count: number,
  limit: number
): number | undefined {
  const kept = parts.sections.slice(0, count)
  const omitted = parts.sections.length - count
  const frame = joinParts([
    parts.head,
    ...kept.map(section => renderSection({ title: section.title, body: '' })),
    omitted > 0 ? omittedNote(omitted) : '',
    parts.footer
  ])

  let room = limit - frame.length
  if (room < 0) return undefined

  const lengths = kept.map(section => section.body.length).sort((a, b) => a - b)
  for (let index = 0; index < lengths.length; index++) {
    const share = Math.floor(room / (lengths.length - index))
    if (lengths[index] > share) return share
    room -= lengths[index]
  }
  return Number.POSITIVE_INFINITY
}

/**
 * Truncates a job summary to `byteLimit` bytes of UTF-8 at a line
 * boundary, with a closing note.
 */
export function fitSummary(
  markdown: string,
  byteLimit: number = SUMMARY_BYTE_LIMIT
): FittedSummary {
  if (utf8Length(markdown) <= byteLimit) {
    return { text: markdown, truncated: false }
  }
  return {
    text: truncateMarkdown(markdown, byteLimit, summaryNote, utf8Length),
    truncated: true
  }
}

function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8')
}

function codeUnits(text: string): number {
  return text.length
}

/** An open code fence: its character and how many of them opened it. */
interface Fence {
  marker: '`' | '~'
  length: number
}

const FENCE_LINE = /^ {0,3}(`{3,}|~{3,})(.*)$/
const DETAILS_OPEN = /<details(?=[\s>])/gi
const DETAILS_CLOSE = /<\/details\s*>/gi

/** The markdown state after a line: open fence and `<details>` depth. */
interface BlockState {
  fence: Fence | undefined
  detailsDepth: number
}

function nextState(state: BlockState, line: string): BlockState {
  const fenceLine = FENCE_LINE.exec(line)
  if (state.fence !== undefined) {
    const closes =
      fenceLine !== null &&
      fenceLine[1][0] === state.fence.marker &&
      fenceLine[1].length >= state.fence.length &&
      fenceLine[2].trim() === ''
    return closes ? { ...state, fence: undefined } : state
  }

  // A backtick fence cannot carry a backtick in its info string.
  if (fenceLine !== null) {
    const marker = fenceLine[1][0] as '`' | '~'
    if (marker === '~' || !fenceLine[2].includes('`')) {
      return { ...state, fence: { marker, length: fenceLine[1].length } }
    }
  }

  const opened = line.match(DETAILS_OPEN)?.length ?? 0
  const closed = line.match(DETAILS_CLOSE)?.length ?? 0
  return {
    fence: undefined,
    detailsDepth: Math.max(0, state.detailsDepth + opened - closed)
  }
}

/**
 * What follows the kept lines: the fence closed, the note, then the open
 * `<details>` closed, so the note shows where the reader stopped.
 */
function closing(state: BlockState, note: string): string {
  const fence =
    state.fence === undefined
      ? ''
      : `${state.fence.marker.repeat(state.fence.length)}\n`
  const details =
    state.detailsDepth === 0
      ? ''
      : `\n\n${Array<string>(state.detailsDepth).fill('</details>').join('\n')}`
  return `${fence}\n${note}${details}`
}

/**
 * Cuts markdown at the last line boundary that leaves room for `note`,
 * closing any code fence and `<details>` block left open, so what follows
 * renders as intended. `measure` must be additive over concatenation
 * (characters or UTF-8 bytes both are). Fences nested in list items or
 * block quotes and raw HTML other than `<details>` are not tracked.
 *
 * @returns the cut text, or '' when not even the note fits.
 */
export function truncateMarkdown(
  text: string,
  budget: number,
  note: (remainingLines: number) => string,
  measure: (text: string) => number = codeUnits
): string {
  if (measure(text) <= budget) return text

  const lines = text.split('\n')
  const nonBlankAfter = new Array<number>(lines.length + 1).fill(0)
  for (let index = lines.length - 1; index >= 0; index--) {
    const blank = lines[index].trim() === '' ? 0 : 1
    nonBlankAfter[index] = nonBlankAfter[index + 1] + blank
  }

  // Try every cut: closing a fence can make a later cut shorter than an
  // earlier one, so the size is not monotonic in the number of lines kept.
  let bestKept = -1
  let state: BlockState = { fence: undefined, detailsDepth: 0 }
  let prefixSize = 0
  for (let kept = 0; kept < lines.length && prefixSize <= budget; kept++) {
    const note_ = note(nonBlankAfter[kept])
    const size =
      kept === 0
        ? measure(note_)
        : prefixSize + 1 + measure(closing(state, note_))
    if (size <= budget) bestKept = kept

    prefixSize += measure(lines[kept]) + (kept === 0 ? 0 : 1)
    state = nextState(state, lines[kept])
  }
  if (bestKept < 0) return ''
  if (bestKept === 0) return note(nonBlankAfter[0])

  // Rebuild the chosen cut once instead of keeping every candidate string.
  const keptLines = lines.slice(0, bestKept)
  const keptState = keptLines.reduce(nextState, {
    fence: undefined,
    detailsDepth: 0
  })
  const tail = closing(keptState, note(nonBlankAfter[bestKept]))
  return `${keptLines.join('\n')}\n${tail}`
}
