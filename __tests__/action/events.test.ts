import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import {
  decideForEvent,
  type EventContext,
  type EventPayload,
  type ModeInput
} from '../../src/action/events.js'

/**
 * Real webhook payloads from `@octokit/webhooks-examples`. Where a case has
 * no example (a merged or fork pull request, a push to another branch, a
 * schedule), a real payload is copied and the one field that matters is
 * changed, as each test says.
 */
interface WebhookExamples {
  name: string
  examples: Example[]
}

/**
 * A writable view of a payload, so a test can change one field. Only pull
 * request payloads carry `pull_request`; the others never read it.
 */
interface Example extends Record<string, unknown> {
  action?: string
  ref?: string
  deleted?: boolean
  pull_request: {
    number: number
    merged: boolean | null
    head: { repo: { full_name: string } | null }
    base: { ref: string }
  }
}

const require = createRequire(import.meta.url)
const definitions = JSON.parse(
  readFileSync(require.resolve('@octokit/webhooks-examples'), 'utf8')
) as WebhookExamples[]

function examples(name: string): WebhookExamples['examples'] {
  const found = definitions.find(definition => definition.name === name)
  if (found === undefined) throw new Error(`no ${name} examples`)
  return found.examples
}

function example(name: string, action?: string) {
  const found = examples(name).find(payload => payload.action === action)
  if (found === undefined) throw new Error(`no ${name}.${action} example`)
  return structuredClone(found)
}

/** A push example by ref; the package holds pushes of a tag and of master. */
function pushExample(ref: string, deleted: boolean) {
  const found = examples('push').find(
    payload => payload.ref === ref && payload.deleted === deleted
  )
  if (found === undefined) throw new Error(`no push example for ${ref}`)
  return structuredClone(found)
}

function context(
  eventName: string,
  payload: EventPayload,
  mode: ModeInput = 'auto'
): EventContext {
  return {
    mode,
    eventName,
    payload,
    ref: 'refs/heads/from-context',
    sha: 'ffffffffffffffffffffffffffffffffffffffff'
  }
}

/** Renames the head repository of a pull request payload in place. */
function setHeadRepoName(payload: Example, fullName: string): void {
  const repo = payload.pull_request.head.repo
  if (repo === null) throw new Error('the example has no head repository')
  repo.full_name = fullName
}

/** The real closed example, merged: `merged` is the field that differs. */
function mergedPullRequest() {
  const payload = example('pull_request', 'closed')
  payload.pull_request.merged = true
  return payload
}

describe('auto mode, pull requests', () => {
  it.each(['opened', 'synchronize', 'reopened'])(
    'plans and comments when a pull request is %s',
    action => {
      const decision = decideForEvent(
        context('pull_request', example('pull_request', action))
      )

      expect(decision).toEqual({
        mode: 'plan',
        commentOn: { kind: 'pull-request', number: 2 },
        failOnChanges: false,
        fork: false,
        reason: `pull request #2 was ${action}: plan and comment`
      })
    }
  )

  it('plans for every action but closed, in every real example', () => {
    const open = examples('pull_request').filter(p => p.action !== 'closed')

    const modes = open.map(
      payload => decideForEvent(context('pull_request', payload)).mode
    )

    expect(open.length).toBeGreaterThan(20)
    expect(new Set(modes)).toEqual(new Set(['plan']))
  })

  it('plans for pull_request_target the same way', () => {
    const decision = decideForEvent(
      context('pull_request_target', example('pull_request', 'opened'))
    )

    expect(decision).toMatchObject({
      mode: 'plan',
      commentOn: { kind: 'pull-request', number: 2 }
    })
  })

  it('validates only when a pull request is closed without merging', () => {
    const payload = example('pull_request', 'closed')
    expect(payload.pull_request.merged).toBe(false)

    const decision = decideForEvent(context('pull_request', payload))

    expect(decision).toEqual({
      mode: 'validate',
      commentOn: undefined,
      failOnChanges: false,
      fork: false,
      reason: 'pull request #2 was closed without merging: nothing to apply'
    })
  })

  it('applies and comments on the pull request when it is merged', () => {
    // Derived: the real closed example with merged set to true.
    const decision = decideForEvent(
      context('pull_request', mergedPullRequest())
    )

    expect(decision).toEqual({
      mode: 'apply',
      commentOn: { kind: 'pull-request', number: 2 },
      failOnChanges: false,
      fork: false,
      reason: 'pull request #2 was merged: apply and comment the result'
    })
  })

  it('applies nothing for a merge into another branch than the default', () => {
    // Derived: merged, and base.ref changed from master to release.
    const payload = mergedPullRequest()
    payload.pull_request.base.ref = 'release'

    const decision = decideForEvent(context('pull_request', payload))

    expect(decision.mode).toBe('validate')
    expect(decision.commentOn).toBeUndefined()
    expect(decision.reason).toContain("merged into 'release'")
    expect(decision.reason).toContain("default branch 'master'")
  })

  it('flags a pull request from a fork', () => {
    // Derived: head.repo.full_name changed to another owner's copy.
    const payload = example('pull_request', 'opened')
    setHeadRepoName(payload, 'someone/Hello-World')

    const decision = decideForEvent(context('pull_request', payload))

    expect(decision).toMatchObject({ mode: 'plan', fork: true })
  })

  it('counts a deleted fork (head.repo null) as a fork', () => {
    // Derived: head.repo set to null, as GitHub sends after a fork is deleted.
    const payload = example('pull_request', 'synchronize')
    payload.pull_request.head.repo = null

    expect(decideForEvent(context('pull_request', payload)).fork).toBe(true)
  })

  it('tells repositories apart whatever their case', () => {
    // Derived: the head repository name in another case is the same repository.
    const payload = example('pull_request', 'opened')
    setHeadRepoName(payload, 'codertocat/hello-world')

    expect(decideForEvent(context('pull_request', payload)).fork).toBe(false)
  })
})

describe('auto mode, pushes', () => {
  it('applies a push to the default branch and comments on its pull request', () => {
    const payload = pushExample('refs/heads/master', false)

    const decision = decideForEvent(context('push', payload))

    expect(decision).toEqual({
      mode: 'apply',
      commentOn: {
        kind: 'commit',
        sha: '6113728f27ae82c7b1a177c8d03f9e96e0adf246'
      },
      failOnChanges: false,
      fork: false,
      reason:
        "a push to the default branch 'master': apply and comment on the pull request it came from"
    })
  })

  it('plans without a comment for a push to another branch', () => {
    // Derived: the push to master with ref changed to a feature branch.
    const payload = pushExample('refs/heads/master', false)
    payload.ref = 'refs/heads/feature/office-ip'

    const decision = decideForEvent(context('push', payload))

    expect(decision).toMatchObject({ mode: 'plan', commentOn: undefined })
    expect(decision.reason).toBe(
      "a push to refs/heads/feature/office-ip plans without a comment ('master' is the default branch)"
    )
  })

  it('plans without a comment for a pushed tag', () => {
    const decision = decideForEvent(
      context('push', pushExample('refs/tags/simple-tag', false))
    )

    expect(decision).toMatchObject({ mode: 'plan', commentOn: undefined })
  })

  it('validates only for a push that deletes a ref', () => {
    const decision = decideForEvent(
      context('push', pushExample('refs/tags/simple-tag', true))
    )

    expect(decision.mode).toBe('validate')
    expect(decision.reason).toBe(
      'the push deleted refs/tags/simple-tag: nothing to plan'
    )
  })
})

describe('auto mode, other events', () => {
  it('plans without a comment for a manual run', () => {
    for (const payload of examples('workflow_dispatch')) {
      expect(decideForEvent(context('workflow_dispatch', payload))).toEqual({
        mode: 'plan',
        commentOn: undefined,
        failOnChanges: false,
        fork: false,
        reason: 'a manual run plans; set mode to apply to apply'
      })
    }
  })

  it('detects drift on a schedule: plan, and fail on changes', () => {
    // The package has no schedule example; GitHub sends the cron line.
    const decision = decideForEvent(
      context('schedule', { schedule: '0 6 * * 1' } as EventPayload)
    )

    expect(decision).toMatchObject({
      mode: 'plan',
      commentOn: undefined,
      failOnChanges: true
    })
  })

  it('validates only for an event it has nothing to do for, and says why', () => {
    const decision = decideForEvent(
      context('issue_comment', example('issue_comment', 'created'))
    )

    expect(decision).toMatchObject({ mode: 'validate', commentOn: undefined })
    expect(decision.reason).toBe(
      "a issue_comment event has no plan or apply step; only the file is validated (action 'created')"
    )
  })

  it('decides for every real example of every event', () => {
    for (const definition of definitions) {
      for (const payload of definition.examples) {
        const decision = decideForEvent(context(definition.name, payload))

        expect(['validate', 'plan', 'apply']).toContain(decision.mode)
        expect(decision.reason.length).toBeGreaterThan(0)
      }
    }
  })
})

describe('explicit mode', () => {
  it('overrides the event and still comments where the event would', () => {
    const decision = decideForEvent(
      context('pull_request', mergedPullRequest(), 'plan')
    )

    expect(decision).toEqual({
      mode: 'plan',
      commentOn: { kind: 'pull-request', number: 2 },
      failOnChanges: false,
      fork: false,
      reason: "mode 'plan' was given for a pull_request event"
    })
  })

  it('comments on the commit for a push to the default branch', () => {
    const decision = decideForEvent(
      context('push', pushExample('refs/heads/master', false), 'validate')
    )

    expect(decision).toMatchObject({
      mode: 'validate',
      commentOn: { kind: 'commit' }
    })
  })

  it('has no comment target for a manual run or another branch', () => {
    const feature = pushExample('refs/heads/master', false)
    feature.ref = 'refs/heads/feature'

    expect(
      decideForEvent(
        context('workflow_dispatch', examples('workflow_dispatch')[0], 'apply')
      )
    ).toMatchObject({ mode: 'apply', commentOn: undefined })
    expect(decideForEvent(context('push', feature, 'plan')).commentOn).toBe(
      undefined
    )
  })

  it('warns when apply runs for a pull request that is not merged', () => {
    const decision = decideForEvent(
      context('pull_request', example('pull_request', 'opened'), 'apply')
    )

    expect(decision.mode).toBe('apply')
    expect(decision.warning).toContain('pull request #2')
    expect(decision.warning).toContain('before review')
    expect(
      decideForEvent(context('pull_request', mergedPullRequest(), 'apply'))
        .warning
    ).toBeUndefined()
  })

  it('fails on changes for a scheduled plan only', () => {
    const schedule = { schedule: '0 6 * * 1' } as EventPayload

    expect(
      decideForEvent(context('schedule', schedule, 'plan')).failOnChanges
    ).toBe(true)
    expect(
      decideForEvent(context('schedule', schedule, 'apply')).failOnChanges
    ).toBe(false)
  })

  it('keeps the fork flag', () => {
    const payload = example('pull_request', 'opened')
    setHeadRepoName(payload, 'someone/Hello-World')

    expect(decideForEvent(context('pull_request', payload, 'plan')).fork).toBe(
      true
    )
  })
})

describe('context fallbacks', () => {
  it('takes ref and sha from the context when the payload has none', () => {
    const decision = decideForEvent({
      mode: 'auto',
      eventName: 'push',
      payload: { repository: { default_branch: 'from-context' } },
      ref: 'refs/heads/from-context',
      sha: 'abcdef0123456789abcdef0123456789abcdef01'
    })

    expect(decision.commentOn).toEqual({
      kind: 'commit',
      sha: 'abcdef0123456789abcdef0123456789abcdef01'
    })
  })

  it('plans without a comment when the payload names no default branch', () => {
    const decision = decideForEvent(
      context('push', { ref: 'refs/heads/main', after: 'a'.repeat(40) })
    )

    expect(decision).toMatchObject({ mode: 'plan', commentOn: undefined })
    expect(decision.reason).toContain('names no default branch')
  })
})
