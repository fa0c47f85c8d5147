import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import {
  COMMENT_BODY_LIMIT,
  MIN_SECTION_BODY,
  SUMMARY_BYTE_LIMIT,
  fitComment,
  fitSummary,
  renderSection,
  truncateMarkdown,
  type CommentSection
} from '../../src/report/fit-comment.js'

const HEAD = '## SageMaker IP allowlist plan\n\n3 changes'
const FOOTER = '<sub>sagemaker-ip-allowlist 0.1.0</sub>'

function diffBody(lines: number, width = 30): string {
  const rows = Array.from(
    { length: lines },
    (_, index) => `+ 10.${index % 256}.0.0/16 ${'x'.repeat(width)}`
  )
  return ['```diff', ...rows, '```'].join('\n')
}

function section(title: string, body: string): CommentSection {
  return { title, body }
}

/** Lines that open or close a code fence, as the tests write them. */
function fenceLines(text: string): number {
  return text.split('\n').filter(line => /^(`{3,}|~{3,})/.test(line)).length
}

function count(text: string, pattern: RegExp): number {
  return text.match(pattern)?.length ?? 0
}

describe('limits', () => {
  it("are GitHub's", () => {
    expect(COMMENT_BODY_LIMIT).toBe(65_536)
    expect(SUMMARY_BYTE_LIMIT).toBe(1_048_576)
  })
})

describe('fitComment', () => {
  it('returns the whole comment when it fits', () => {
    const sections = [section('Policy <code>a</code>', 'body a')]

    const fitted = fitComment({ head: HEAD, sections, footer: FOOTER })

    expect(fitted).toEqual({
      body: [HEAD, renderSection(sections[0]), FOOTER].join('\n\n'),
      shortened: 0,
      omitted: 0
    })
    expect(renderSection(sections[0])).toBe(
      '<details>\n<summary>Policy <code>a</code></summary>\n\nbody a\n\n</details>'
    )
  })

  it('shortens the long section first and keeps the short ones whole', () => {
    const small = section('small', diffBody(3))
    const large = section('large', diffBody(5000))

    const fitted = fitComment({
      head: HEAD,
      sections: [small, large, small],
      footer: FOOTER
    })

    expect(fitted.body.length).toBeLessThanOrEqual(COMMENT_BODY_LIMIT)
    expect(fitted).toMatchObject({ shortened: 1, omitted: 0 })
    expect(fitted.body.split(renderSection(small))).toHaveLength(3)
    expect(fitted.body).toMatch(
      /more lines left out here; the job summary holds the full plan/
    )
    expect(fenceLines(fitted.body) % 2).toBe(0)
    expect(count(fitted.body, /<details>/g)).toBe(3)
    expect(count(fitted.body, /<\/details>/g)).toBe(3)

    // The room freed by the short sections goes to the long one.
    expect(fitted.body.length).toBeGreaterThan(COMMENT_BODY_LIMIT - 200)
  })

  it('shares the room equally between long sections', () => {
    const sections = [1, 2, 3].map(n => section(`policy ${n}`, diffBody(3000)))

    const fitted = fitComment({ head: HEAD, sections, footer: FOOTER })
    const bodies = fitted.body
      .split('<details>')
      .slice(1)
      .map(block => block.length)

    expect(fitted.shortened).toBe(3)
    expect(Math.max(...bodies) - Math.min(...bodies)).toBeLessThan(200)
  })

  it('leaves sections out from the end when each share would be too small', () => {
    const sections = Array.from({ length: 400 }, (_, index) =>
      section(`policy ${index}`, diffBody(20))
    )

    const fitted = fitComment({ head: HEAD, sections, footer: FOOTER })

    expect(fitted.body.length).toBeLessThanOrEqual(COMMENT_BODY_LIMIT)
    expect(fitted.omitted).toBeGreaterThan(0)
    expect(fitted.body).toContain('<summary>policy 0</summary>')
    expect(fitted.body).not.toContain('<summary>policy 399</summary>')
    expect(fitted.body).toContain(
      `_${fitted.omitted} more sections left out to fit GitHub's comment size limit; the job summary holds the full plan._`
    )
    expect(count(fitted.body, /<details>/g)).toBe(400 - fitted.omitted)
    expect(fitted.body.endsWith(`the full plan._\n\n${FOOTER}`)).toBe(true)
  })

  it('says "1 more section" for one', () => {
    const body = 'y'.repeat(MIN_SECTION_BODY * 2)
    const sections = [section('a', body), section('b', body)]
    const whole = fitComment({ head: HEAD, sections, footer: FOOTER }).body

    const fitted = fitComment(
      { head: HEAD, sections, footer: FOOTER },
      whole.length - MIN_SECTION_BODY * 2 - 10
    )

    expect(fitted.omitted).toBe(1)
    expect(fitted.body).toContain('_1 more section left out')
  })

  it('refuses a head and footer that cannot fit', () => {
    expect(() =>
      fitComment({ head: 'h'.repeat(200), sections: [], footer: '' }, 100)
    ).toThrow(RangeError)
    expect(() =>
      fitComment(
        { head: 'h'.repeat(90), sections: [section('a', 'b')], footer: '' },
        100
      )
    ).toThrow(/Shorten the head or footer/)
  })

  it('always fits and keeps the head and footer (property)', () => {
    const line = fc.oneof(
      fc.constantFrom('```', '```diff', '~~~', '<details>', '</details>', ''),
      fc.string({ maxLength: 120 })
    )
    const body = fc
      .array(line, { maxLength: 200 })
      .map(lines => lines.join('\n'))
    const title = fc.string({ maxLength: 60 })
    const sections = fc.array(fc.record({ title, body }), { maxLength: 40 })

    fc.assert(
      fc.property(
        fc.string({ maxLength: 300 }),
        sections,
        fc.string({ maxLength: 300 }),
        fc.integer({ min: 900, max: 30_000 }),
        (head, sections, footer, limit) => {
          const fitted = fitComment({ head, sections, footer }, limit)

          expect(fitted.body.length).toBeLessThanOrEqual(limit)
          expect(fitted.body.startsWith(head)).toBe(true)
          expect(fitted.body.endsWith(footer)).toBe(true)
          expect(fitted.omitted).toBeLessThanOrEqual(sections.length)
          expect(fitted.shortened).toBeLessThanOrEqual(
            sections.length - fitted.omitted
          )
        }
      ),
      { numRuns: 300 }
    )
  })

  it('keeps fences and details balanced in what it shortens (property)', () => {
    // Bodies as the renderer writes them: balanced blocks of text lines.
    const block = fc.oneof(
      fc
        .array(fc.string({ maxLength: 80 }), { maxLength: 30 })
        .map(lines =>
          [
            '```diff',
            ...lines.map(l => `+ ${l.replace(/[`~]/g, '')}`),
            '```'
          ].join('\n')
        ),
      fc
        .array(fc.stringMatching(/^[a-z ]{0,60}$/), { maxLength: 20 })
        .map(lines =>
          [
            '<details>',
            '<summary>more</summary>',
            '',
            ...lines,
            '',
            '</details>'
          ].join('\n')
        ),
      fc.stringMatching(/^[a-z ]{0,200}$/)
    )
    const body = fc
      .array(block, { maxLength: 12 })
      .map(blocks => blocks.join('\n\n'))

    fc.assert(
      fc.property(
        fc.array(body, { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1500, max: 20_000 }),
        (bodies, limit) => {
          const sections = bodies.map((b, i) => section(`p${i}`, b))
          const fitted = fitComment(
            { head: HEAD, sections, footer: FOOTER },
            limit
          )

          expect(fitted.body.length).toBeLessThanOrEqual(limit)
          expect(fenceLines(fitted.body) % 2).toBe(0)
          expect(count(fitted.body, /<details>/g)).toBe(
            count(fitted.body, /<\/details>/g)
          )
        }
      ),
      { numRuns: 200 }
    )
  })
})

describe('truncateMarkdown', () => {
  const note = (lines: number) => `_${lines} more_`

  it('closes an open fence, then puts the note, then closes details', () => {
    const text = [
      '<details>',
      '',
      '```diff',
      '+ a',
      '+ b',
      '+ c',
      '```',
      '',
      '</details>'
    ].join('\n')

    const cut = truncateMarkdown(text, 45, note)

    expect(cut).toBe(
      [
        '<details>',
        '',
        '```diff',
        '```',
        '',
        '_5 more_',
        '',
        '</details>'
      ].join('\n')
    )
  })

  it('closes a fence with as many markers as opened it', () => {
    const text = ['~~~~', '~~~', 'inside', '~~~~', 'after'].join('\n')

    const cut = truncateMarkdown(text, 24, note)

    expect(cut).toBe(['~~~~', '~~~', '~~~~', '', '_3 more_'].join('\n'))
  })

  it('returns the note alone when no line fits, and nothing when the note does not', () => {
    expect(truncateMarkdown('x'.repeat(100), 20, note)).toBe('_1 more_')
    expect(truncateMarkdown('x'.repeat(100), 5, note)).toBe('')
  })
})

describe('fitSummary', () => {
  it('returns a summary under the limit as it is', () => {
    expect(fitSummary('# plan\n\nall good')).toEqual({
      text: '# plan\n\nall good',
      truncated: false
    })
  })

  it('cuts by bytes, not characters, at a line boundary, with a note', () => {
    const line = 'é'.repeat(50) // 100 bytes, 50 characters
    const text = Array.from({ length: 30 }, () => line).join('\n')

    const fitted = fitSummary(text, 1000)

    expect(fitted.truncated).toBe(true)
    expect(Buffer.byteLength(fitted.text)).toBeLessThanOrEqual(1000)
    expect(fitted.text.length).toBeLessThan(1000)
    expect(fitted.text.startsWith(`${line}\n${line}`)).toBe(true)
    expect(fitted.text).toMatch(
      /more lines were left out; the job log holds the full plan/
    )
  })

  it('never exceeds the byte limit (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'grapheme', maxLength: 50 }), {
          maxLength: 300
        }),
        fc.integer({ min: 300, max: 5000 }),
        (lines, limit) => {
          const text = lines.join('\n')
          const fitted = fitSummary(text, limit)
          const replacements = (t: string) => t.split('\uFFFD').length - 1

          expect(Buffer.byteLength(fitted.text)).toBeLessThanOrEqual(limit)
          // Cutting by bytes must never split a character: no replacement
          // character appears that the input did not already hold.
          expect(replacements(fitted.text)).toBeLessThanOrEqual(
            replacements(text)
          )
        }
      )
    )
  })
})
