import { describe, expect, it } from '@jest/globals'
import { readDigestMarker } from '../../src/action/digest-marker.js'
import {
  COMMENT_STATUS_LINES,
  commentBody,
  summaryMarkdown
} from '../../src/action/report.js'
import { commentMarker } from '../../src/github/comment.js'
import { COMMENT_BODY_LIMIT } from '../../src/report/fit-comment.js'
import { MENTION_BREAKER } from '../../src/report/markdown-escape.js'
import { creations, DIGEST, done, FILE, outcome, plan } from './plans.js'

const MARKER = commentMarker(FILE)
const LINKS = {
  commit: 'c0ffee'.repeat(6) + 'c0ff',
  runUrl: 'https://github.com/o/r/actions/runs/42'
}

/** The comment as GitHub stores it: the marker, then the body. */
function stored(body: string): string {
  return `${MARKER}\n${body}`
}

describe('the comment', () => {
  it('carries the digest, the commit and the run link', () => {
    const body = commentBody(
      outcome({ plan: plan({ changes: creations(1, 3) }) }),
      LINKS,
      MARKER
    )

    expect(readDigestMarker(stored(body), MARKER)).toBe(DIGEST)
    expect(body).toContain(`digest \`${DIGEST}\``)
    expect(body).toContain('planned at `c0ffeec0ffee`')
    expect(body).toContain(`[workflow run](${LINKS.runUrl})`)
  })

  it('shows no digest when no plan was computed', () => {
    const body = commentBody(
      outcome({ ok: false, headline: 'The file has 1 error.' }),
      LINKS,
      MARKER
    )

    expect(readDigestMarker(stored(body), MARKER)).toBeUndefined()
    expect(body).toContain('**The file has 1 error.**')
    expect(body).toContain('checked at `c0ffeec0ffee`')
  })

  it('stays within GitHub limit however large the plan', () => {
    const huge = plan({ changes: creations(400, 300) })

    const body = commentBody(outcome({ plan: huge }), LINKS, MARKER)

    expect(stored(body).length).toBeLessThanOrEqual(COMMENT_BODY_LIMIT)
    expect(readDigestMarker(stored(body), MARKER)).toBe(DIGEST)
    expect(body).toContain('the job summary holds the full plan')
    expect(body).toContain(`[workflow run](${LINKS.runUrl})`)
  })

  it('falls back to the headline when even the head cannot fit', () => {
    const errors = Array.from({ length: 3000 }, (_, i) => ({
      message: `principal number ${i} does not exist in this account`
    }))
    const failed = plan({ errors })

    const body = commentBody(
      outcome({
        plan: failed,
        ok: false,
        headline: 'Plan failed: 3000 errors.'
      }),
      LINKS,
      MARKER
    )

    expect(stored(body).length).toBeLessThanOrEqual(COMMENT_BODY_LIMIT)
    expect(body).toContain('**Plan failed: 3000 errors.**')
    expect(body).toContain('The report is too large for a comment')
    expect(readDigestMarker(stored(body), MARKER)).toBe(DIGEST)
  })

  it('caps the apply statuses, failures first, and points to the summary', () => {
    const changes = creations(40, 1)
    const outcomes = done(changes)
    outcomes[70] = {
      change: changes[70],
      status: 'failed',
      error: 'AccessDenied'
    }
    const applied = outcome({
      mode: 'apply',
      headline: 'Apply stopped: 79 done, 1 failed, 0 not attempted.',
      plan: plan({ changes }),
      apply: { status: 'failed', diagnostics: [], outcomes }
    })

    const body = commentBody(applied, LINKS, MARKER)
    const summary = summaryMarkdown(applied, LINKS)

    const statusLines = (text: string) =>
      text.split('\n').filter(line => /^- (✅|❌|⏭️) /.test(line))
    expect(statusLines(body)).toHaveLength(COMMENT_STATUS_LINES)
    expect(statusLines(body)[0]).toMatch(
      /^- ❌ failed: create policy `sagemaker-ip-allowlist-p0035`/
    )
    expect(statusLines(body)[0]).toContain('AccessDenied')
    expect(body).toContain(
      'and 50 more changes; the job summary lists every one'
    )
    expect(statusLines(summary)).toHaveLength(80)
    expect(body.indexOf('Apply stopped')).toBeLessThan(body.indexOf('Plan: 40'))
  })
})

describe('the job summary', () => {
  it('holds the whole of a plan the comment had to shorten', () => {
    const huge = plan({ changes: creations(300, 60) })

    const summary = summaryMarkdown(outcome({ plan: huge }), LINKS)

    expect(summary).not.toContain('left out')
    expect(summary.split('+ 198.51.100.1/32')).toHaveLength(301)
  })

  it('says what is missing and how to grant it', () => {
    const summary = summaryMarkdown(
      outcome({
        notes: [
          'No comment was posted: add `permissions: pull-requests: write` to the job.'
        ]
      }),
      LINKS
    )

    expect(summary).toContain('> [!NOTE]')
    expect(summary).toContain('permissions: pull-requests: write')
  })

  it('lists every diagnostic, escaped', () => {
    const summary = summaryMarkdown(
      outcome({
        ok: false,
        headline: 'bad file',
        diagnostics: [
          {
            severity: 'error',
            file: FILE,
            line: 3,
            col: 5,
            message:
              'unknown key "<img src=x>" from @alice, did you mean **prune**?'
          }
        ]
      }),
      LINKS
    )

    expect(summary).toContain('line 3, column 5')
    expect(summary).not.toMatch(/(?<!\\)<img/)
    expect(summary).toContain('\\<img src=x\\>')
    expect(summary).toContain(`@${MENTION_BREAKER}alice`)
    expect(summary).toContain('\\*\\*prune\\*\\*')
  })

  it('shows drift and refusals above the plan', () => {
    const drifted = summaryMarkdown(
      outcome({ drift: true, plan: plan({ changes: creations(1, 1) }) }),
      LINKS
    )
    const refused = summaryMarkdown(
      outcome({
        mode: 'apply',
        refusal: {
          reason: 'IAM changed since review',
          reviewed: 'cd'.repeat(32)
        },
        plan: plan({ changes: creations(1, 1) })
      }),
      LINKS
    )

    expect(drifted).toContain('Drift: live IAM differs')
    expect(drifted.indexOf('Drift:')).toBeLessThan(drifted.indexOf('Plan: 1'))
    expect(refused).toContain('Not applied: IAM changed since review')
    expect(refused.indexOf('Not applied')).toBeLessThan(
      refused.indexOf('Plan: 1')
    )
  })
})
