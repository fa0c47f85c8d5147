import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { CommentPermissionError } from '../../src/github/permission-error.js'
import { findPullRequestForCommit } from '../../src/github/pull-request.js'
import type { GitHubClient } from '../../src/github/client.js'
import {
  startGitHubServer,
  type FakeGitHub
} from '../../test-support/github-server.js'

const REPO = { owner: 'octo-org', repo: 'octo-repo' }
const SHA = 'c4295bd74fb0f4fda03689c3df3f2803b658fd85'
const OTHER_SHA = '6113728f27ae82c7b1a177c8d03f9e96e0adf246'
const ROUTE = 'GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls'

let server: FakeGitHub
let octokit: GitHubClient
const savedApiUrl = process.env.GITHUB_API_URL

// The action builds its client with getOctokit(token) alone, which reads
// GITHUB_API_URL when @actions/github loads; so load it after setting it.
beforeAll(async () => {
  server = await startGitHubServer()
  process.env.GITHUB_API_URL = server.url
  const { getOctokit } = await import('@actions/github')
  octokit = getOctokit('test-token')
})

afterAll(async () => {
  if (savedApiUrl === undefined) delete process.env.GITHUB_API_URL
  else process.env.GITHUB_API_URL = savedApiUrl
  await server.close()
})

describe('findPullRequestForCommit', () => {
  it('reaches the server named by GITHUB_API_URL with the token', async () => {
    server.setCommitPulls(SHA, [
      { number: 5, merged: true, mergeCommitSha: SHA }
    ])

    const number = await findPullRequestForCommit(octokit, REPO, SHA)

    expect(number).toBe(5)
    expect(server.requests().at(-1)).toMatchObject({
      path: `/repos/octo-org/octo-repo/commits/${SHA}/pulls`,
      authorized: true
    })
  })

  it('prefers the merged pull request whose merge commit is the SHA', async () => {
    server.setCommitPulls(SHA, [
      { number: 8 },
      { number: 9, merged: true, mergeCommitSha: OTHER_SHA },
      { number: 10, merged: true, mergeCommitSha: SHA }
    ])

    expect(await findPullRequestForCommit(octokit, REPO, SHA)).toBe(10)
  })

  it('falls back to a merged one, then to the first listed', async () => {
    server.setCommitPulls(SHA, [
      { number: 8 },
      { number: 9, merged: true, mergeCommitSha: OTHER_SHA }
    ])
    expect(await findPullRequestForCommit(octokit, REPO, SHA)).toBe(9)

    server.setCommitPulls(SHA, [{ number: 8 }, { number: 11, state: 'closed' }])
    expect(await findPullRequestForCommit(octokit, REPO, SHA)).toBe(8)
  })

  it('finds nothing for a commit without pull requests or unknown to GitHub', async () => {
    server.setCommitPulls(SHA, [])
    expect(await findPullRequestForCommit(octokit, REPO, SHA)).toBeUndefined()

    server.failNext(ROUTE, 422, `No commit found for SHA: ${OTHER_SHA}`)
    expect(
      await findPullRequestForCommit(octokit, REPO, OTHER_SHA)
    ).toBeUndefined()
  })

  it('turns a 403 into a CommentPermissionError naming the read permissions', async () => {
    server.failNext(ROUTE, 403, 'Resource not accessible by integration')

    const error = await findPullRequestForCommit(octokit, REPO, SHA).catch(
      (caught: unknown) => caught
    )

    expect(error).toBeInstanceOf(CommentPermissionError)
    expect((error as Error).message).toContain('pull-requests: read')
    expect((error as Error).message).toContain(SHA)
  })
})
