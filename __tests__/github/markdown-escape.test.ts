import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import {
  MENTION_BREAKER,
  escapeHtml,
  escapeMarkdown,
  escapeTableCell,
  inlineCode
} from '../../src/report/markdown-escape.js'

/** How GitHub spots a mention: `@` after a non-word character, then a name. */
const MENTION = /(?:^|[^A-Za-z0-9_`])@[A-Za-z0-9]/

/** Characters that change markdown when they stand unescaped. */
const SPECIAL = new Set('\\`*_[]<>|~&$'.split(''))

/** Reads back CommonMark backslash escapes and drops the mention breaker. */
function unescape(markdown: string): string {
  return markdown
    .replace(/\\([!-/:-@[-`{-~])/g, '$1')
    .split(MENTION_BREAKER)
    .join('')
}

/** The first special character that stands without a backslash. */
function bareSpecial(markdown: string): string | undefined {
  for (let index = 0; index < markdown.length; index++) {
    if (markdown[index] === '\\') {
      index++
      continue
    }
    if (SPECIAL.has(markdown[index])) return markdown[index]
  }
  return undefined
}

/**
 * Parses one inline code span the CommonMark way and returns its content:
 * an opening backtick run, the next run of the same length closing it,
 * one space stripped from each side when both are there.
 */
function codeSpanContent(span: string): string | undefined {
  const opening = /^`+/.exec(span)?.[0]
  if (opening === undefined) return undefined
  const rest = span.slice(opening.length)
  const closing = new RegExp(`(?<!\`)${opening}(?!\`)`).exec(rest)
  if (closing === null || closing.index + opening.length !== rest.length) {
    return undefined
  }
  const content = rest.slice(0, closing.index)
  const strip =
    content.startsWith(' ') && content.endsWith(' ') && content.trim() !== ''
  return strip ? content.slice(1, -1) : content
}

/** A control character, which the helpers turn into a space. */
const BELL = '\u0007'

const markdownish = fc.string({
  unit: fc.constantFrom(
    ...'ab1 .-+=#@/\\`*_[]()<>|~&$!:\n\r\t'.split(''),
    'é',
    BELL
  ),
  maxLength: 40
})

describe('escapeMarkdown', () => {
  it('keeps mentions of people and teams from pinging', () => {
    const escaped = escapeMarkdown('ask @alice or @octo-org/platform-team')

    expect(escaped).toBe(
      `ask @${MENTION_BREAKER}alice or @${MENTION_BREAKER}octo-org/platform-team`
    )
    expect(MENTION.test(escaped)).toBe(false)
  })

  it('shows HTML as text', () => {
    expect(escapeMarkdown('<script>alert(1)</script>')).toBe(
      '\\<script\\>alert(1)\\</script\\>'
    )
    expect(escapeMarkdown('&lt;b&gt;')).toBe('\\&lt;b\\&gt;')
  })

  it('cannot start a new block from a line break', () => {
    expect(escapeMarkdown('office\n\n# Heading\r\n- item')).toBe(
      'office # Heading - item'
    )
  })

  it('escapes block markers at the start, where a caller may put the text', () => {
    expect(escapeMarkdown('# heading')).toBe('\\# heading')
    expect(escapeMarkdown('- item')).toBe('\\- item')
    expect(escapeMarkdown('+ item')).toBe('\\+ item')
    expect(escapeMarkdown('===')).toBe('\\===')
    expect(escapeMarkdown('12. item')).toBe('12\\. item')
    expect(escapeMarkdown('3) item')).toBe('3\\) item')
  })

  it('leaves issue references, CIDRs and plain words as they are', () => {
    expect(escapeMarkdown('#123 opened it')).toBe('#123 opened it')
    expect(escapeMarkdown('see #123')).toBe('see #123')
    expect(escapeMarkdown('10.0.0.0/8 office')).toBe('10.0.0.0/8 office')
  })

  it('escapes emphasis, links, strikethrough and math', () => {
    expect(escapeMarkdown('*a* _b_ [c](d) ~~e~~ $f$ `g`')).toBe(
      '\\*a\\* \\_b\\_ \\[c\\](d) \\~\\~e\\~\\~ \\$f\\$ \\`g\\`'
    )
  })

  it('renders back to the text it was given, on one line', () => {
    fc.assert(
      fc.property(markdownish, text => {
        const escaped = escapeMarkdown(text)
        const oneLine = text
          .replaceAll(BELL, ' ')
          .replace(/[ \t]*(?:\r\n|\r|\n)\s*/g, ' ')
          .replace(/\t/g, ' ')
          .trim()

        expect(escaped).not.toMatch(/[\r\n]/)
        expect(bareSpecial(escaped)).toBeUndefined()
        expect(MENTION.test(escaped)).toBe(false)
        expect(unescape(escaped)).toBe(oneLine)
      })
    )
  })
})

describe('escapeTableCell', () => {
  it('cannot end the cell or the row', () => {
    expect(escapeTableCell('a | b\nc')).toBe('a \\| b c')
  })
})

describe('escapeHtml', () => {
  it('uses entities, since raw HTML shows backslashes as typed', () => {
    expect(escapeHtml(`<b>"x" & 'y'</b> *z*`)).toBe(
      '&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt; *z*'
    )
  })

  it('keeps mentions from pinging and stays on one line', () => {
    const escaped = escapeHtml('by @alice\n\nfor @org/team')

    expect(escaped).toBe(
      `by @${MENTION_BREAKER}alice for @${MENTION_BREAKER}org/team`
    )
  })
})

describe('inlineCode', () => {
  it('wraps plain values in single backticks', () => {
    expect(inlineCode('10.0.0.0/8')).toBe('`10.0.0.0/8`')
  })

  it('holds backticks with a longer fence and padding', () => {
    expect(inlineCode('a`b')).toBe('``a`b``')
    expect(inlineCode('`x`')).toBe('`` `x` ``')
    expect(inlineCode('``')).toBe('``` `` ```')
  })

  it('shows an empty value as a visible span', () => {
    expect(inlineCode('')).toBe('` `')
  })

  it('escapes pipes only for a table cell', () => {
    expect(inlineCode('a|b')).toBe('`a|b`')
    expect(inlineCode('a|b', 'table')).toBe('`a\\|b`')
  })

  it('parses back to the value for any text', () => {
    fc.assert(
      fc.property(markdownish, text => {
        const span = inlineCode(text)
        const expected = text.replaceAll(BELL, ' ').replace(/\r\n|\r|\n/g, ' ')

        expect(span).not.toMatch(/[\r\n]/)
        expect(codeSpanContent(span)).toBe(expected === '' ? ' ' : expected)
      })
    )
  })
})
