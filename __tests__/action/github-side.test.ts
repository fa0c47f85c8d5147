import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { getOctokit } from '@actions/github'
import { digestMarker } from '../../src/action/digest-marker.js'
import {
  postComment,
  resolvePullRequest
} from '../../src/action/pull-request.js'
import { findReviewedPlan } from '../../src/action/reviewed-plan.js'
import {
  commentMarker,
  type GitHubClient,
  type IssueRef
} from '../../src/github/comment.js'
import {
  startGitHubServer,
  type FakeGitHub
} from '../../test-support/github-server.js'

const CREATE = 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments'
const LIST = 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments'
const PULLS = 'GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls'
const MARKER = commentMarker('.github/sagemaker-ip-allowlist.yml')
const DIGEST = 'ef'.repeat(32)
const repo = { owner: 'octo-org', repo: 'octo-repo' }
const issue: IssueRef = { ...repo, issueNumber: 5 }

let server: FakeGitHub
let octokit: GitHubClient

beforeEach(async () => {
  server = await startGitHubServer()
  octokit = getOctokit('test-token', { baseUrl: server.url })
})

afterEach(async () => {
  await server.close()
})

describe('findReviewedPlan', () => {
  it('reads the digest the plan comment shows', async () => {
    server.addComment(issue, `${MARKER}\n${digestMarker(DIGEST)}\nplan`)

    const reviewed = await findReviewedPlan(octokit, issue, MARKER)

    expect(reviewed.digest).toBe(DIGEST)
  })

  it('reads the comment the action keeps up to date: the oldest', async () => {
    server.addComment(issue, `${MARKER}\n${digestMarker(DIGEST)}\nplan`)
    server.addComment(issue, `${MARKER}\n${digestMarker('01'.repeat(32))}\n`)

    expect((await findReviewedPlan(octokit, issue, MARKER)).digest).toBe(DIGEST)
  })

  it('trusts only a comment a bot wrote, not an older one a person forged', async () => {
    server.addComment(
      issue,
      `${MARKER}\n${digestMarker('01'.repeat(32))}\n`,
      'mallory'
    )
    server.addComment(issue, `${MARKER}\n${digestMarker(DIGEST)}\nplan`)

    expect((await findReviewedPlan(octokit, issue, MARKER)).digest).toBe(DIGEST)
  })

  it('refuses a digest that only a person wrote', async () => {
    server.addComment(issue, `${MARKER}\n${digestMarker(DIGEST)}\n`, 'mallory')

    const reviewed = await findReviewedPlan(octokit, issue, MARKER)

    expect(reviewed.digest).toBeUndefined()
    expect(reviewed).toMatchObject({
      reason: expect.stringContaining('not written by a bot account')
    })
  })

  it('says there is no plan comment', async () => {
    server.addComment(issue, 'LGTM', 'reviewer')

    const reviewed = await findReviewedPlan(octokit, issue, MARKER)

    expect(reviewed).toEqual({
      reason: expect.stringMatching(
        /^pull request #5 has no plan comment for this config file/
      )
    })
  })

  it('says the comment shows no digest', async () => {
    server.addComment(issue, `${MARKER}\n**The file has 2 errors.**`)

    const reviewed = await findReviewedPlan(octokit, issue, MARKER)

    expect(reviewed.digest).toBeUndefined()
    expect(reviewed).toMatchObject({
      reason: expect.stringContaining('shows no plan digest')
    })
  })

  it('turns a refused read into a reason', async () => {
    server.failNext(LIST, 403, 'Resource not accessible by integration')

    const reviewed = await findReviewedPlan(octokit, issue, MARKER)

    expect(reviewed).toMatchObject({
      reason: expect.stringContaining('could not be read')
    })
  })
})

describe('resolvePullRequest', () => {
  it('takes the number of a pull request event as it is', async () => {
    expect(
      await resolvePullRequest(octokit, repo, {
        kind: 'pull-request',
        number: 4
      })
    ).toEqual({ number: 4 })
    expect(server.requests()).toEqual([])
  })

  it('finds the merged pull request of a pushed commit', async () => {
    const sha = 'a'.repeat(40)
    server.setCommitPulls(sha, [
      { number: 9, merged: true, mergeCommitSha: sha }
    ])

    expect(
      await resolvePullRequest(octokit, repo, { kind: 'commit', sha })
    ).toEqual({ number: 9 })
  })

  it('says when a commit has no pull request, as a fact', async () => {
    const found = await resolvePullRequest(octokit, repo, {
      kind: 'commit',
      sha: 'b'.repeat(40)
    })

    expect(found).toEqual({
      note: 'Commit bbbbbbbbbbbb belongs to no pull request, so the result is in the job summary only.'
    })
  })

  it('reports a refused lookup as a problem', async () => {
    server.failNext(PULLS, 403, 'Resource not accessible by integration')

    const found = await resolvePullRequest(octokit, repo, {
      kind: 'commit',
      sha: 'c'.repeat(40)
    })

    expect(found.problem).toBe(true)
    expect(found.note).toContain('contents: read')
  })
})

describe('postComment', () => {
  it('creates the comment', async () => {
    const post = await postComment(octokit, issue, MARKER, 'plan', () => {})

    expect(post).toMatchObject({ posted: { result: 'created' } })
  })

  it('turns a missing permission into a note saying how to grant it', async () => {
    server.failNext(CREATE, 403, 'Resource not accessible by integration')

    const post = await postComment(octokit, issue, MARKER, 'plan', () => {})

    expect(post).toEqual({
      note: expect.stringMatching(
        /^No comment was posted on pull request #5: .*permissions: pull-requests: write/
      )
    })
  })

  it('turns a GitHub failure into a note too', async () => {
    server.failNext(CREATE, 502, 'Bad Gateway')

    const post = await postComment(octokit, issue, MARKER, 'plan', () => {})

    expect(post).toMatchObject({ note: expect.stringContaining('Bad Gateway') })
  })
})
