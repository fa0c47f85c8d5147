import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { getOctokit } from '@actions/github'
import {
  startGitHubServer,
  type FakeGitHub
} from '../../test-support/github-server.js'
import {
  checkSchema,
  loadGitHubApi,
  responseSchema,
  type OpenApiDocument
} from './openapi-schema.js'

const COMMENTS = '/repos/{owner}/{repo}/issues/{issue_number}/comments'
const COMMENT = '/repos/{owner}/{repo}/issues/comments/{comment_id}'
const COMMIT_PULLS = '/repos/{owner}/{repo}/commits/{commit_sha}/pulls'
const SHA = 'c4295bd74fb0f4fda03689c3df3f2803b658fd85'

let api: OpenApiDocument
let server: FakeGitHub

beforeAll(async () => {
  api = loadGitHubApi()
  server = await startGitHubServer()
})

afterAll(async () => {
  await server.close()
})

function client() {
  return getOctokit('test-token', { baseUrl: server.url })
}

/** The HTTP error octokit threw, with GitHub's error body. */
async function failure(call: Promise<unknown>) {
  try {
    await call
  } catch (error) {
    return error as { status: number; response: { data: unknown } }
  }
  throw new Error('expected the call to fail')
}

describe('the checker itself', () => {
  it('finds a missing required property and a wrong type', () => {
    const schema = responseSchema(api, 'POST', COMMENTS, 201)
    const problems = checkSchema(api, schema, { id: '1', body: 'x' })

    expect(problems).toContain("$: missing required 'node_id'")
    expect(problems).toContain('$.id: string where integer is required')
  })

  it('follows $refs into nested schemas and enums', () => {
    const schema = responseSchema(api, 'GET', COMMIT_PULLS, 200)
    const problems = checkSchema(api, schema, [
      { author_association: 'STRANGER', user: { login: 1 } }
    ])

    expect(problems.some(p => p.startsWith('$[0].author_association'))).toBe(
      true
    )
    expect(problems).toContain(
      '$[0].user.login: integer where string is required'
    )
  })
})

describe('fake GitHub responses match the REST description', () => {
  it('creates, lists and updates comments in the issue-comment shape', async () => {
    const octokit = client()
    const issue = { owner: 'octo-org', repo: 'octo-repo', issue_number: 7 }

    const created = await octokit.rest.issues.createComment({
      ...issue,
      body: 'first'
    })
    const listed = await octokit.rest.issues.listComments(issue)
    const updated = await octokit.rest.issues.updateComment({
      owner: issue.owner,
      repo: issue.repo,
      comment_id: created.data.id,
      body: 'second'
    })

    expect(created.status).toBe(201)
    expect(
      checkSchema(api, responseSchema(api, 'POST', COMMENTS, 201), created.data)
    ).toEqual([])
    expect(
      checkSchema(api, responseSchema(api, 'GET', COMMENTS, 200), listed.data)
    ).toEqual([])
    expect(
      checkSchema(api, responseSchema(api, 'PATCH', COMMENT, 200), updated.data)
    ).toEqual([])
    expect(updated.data.body).toBe('second')
    expect(updated.data.updated_at > created.data.updated_at).toBe(true)
  })

  it('lists the pull requests of a commit in the pull-request-simple shape', async () => {
    server.setCommitPulls(SHA, [
      { number: 3, merged: true, mergeCommitSha: SHA },
      { number: 4, headRepo: 'someone/octo-repo' }
    ])

    const { data } =
      await client().rest.repos.listPullRequestsAssociatedWithCommit({
        owner: 'octo-org',
        repo: 'octo-repo',
        commit_sha: SHA
      })

    expect(
      checkSchema(api, responseSchema(api, 'GET', COMMIT_PULLS, 200), data)
    ).toEqual([])
    expect(
      data.map(pull => [pull.number, pull.state, pull.merged_at !== null])
    ).toEqual([
      [3, 'closed', true],
      [4, 'open', false]
    ])
    expect(data[1].head.repo.full_name).toBe('someone/octo-repo')
  })

  it('answers failNext and validation failures in the error shapes', async () => {
    const octokit = client()
    server.failNext(
      `POST ${COMMENTS}`,
      403,
      'Resource not accessible by integration'
    )

    const forbidden = await failure(
      octokit.rest.issues.createComment({
        owner: 'o',
        repo: 'r',
        issue_number: 1,
        body: 'x'
      })
    )
    const tooLong = await failure(
      octokit.rest.issues.createComment({
        owner: 'o',
        repo: 'r',
        issue_number: 1,
        body: 'x'.repeat(65_537)
      })
    )

    expect(forbidden.status).toBe(403)
    expect(forbidden.response.data).toMatchObject({
      message: 'Resource not accessible by integration'
    })
    expect(
      checkSchema(
        api,
        responseSchema(api, 'POST', COMMENTS, 403),
        forbidden.response.data
      )
    ).toEqual([])
    expect(tooLong.status).toBe(422)
    expect(
      checkSchema(
        api,
        responseSchema(api, 'POST', COMMENTS, 422),
        tooLong.response.data
      )
    ).toEqual([])
  })
})

describe('fake GitHub behaviour', () => {
  it('pages with per_page, page and a Link header like GitHub', async () => {
    const issue = { owner: 'o', repo: 'paged', issueNumber: 1 }
    for (let index = 0; index < 5; index++) {
      server.addComment(issue, `comment ${index}`)
    }

    const response = await fetch(
      `${server.url}/repos/o/paged/issues/1/comments?per_page=2&page=2`
    )
    const page = (await response.json()) as { body: string }[]

    expect(page.map(comment => comment.body)).toEqual([
      'comment 2',
      'comment 3'
    ])
    expect(response.headers.get('link')).toBe(
      [
        `<${server.url}/repos/o/paged/issues/1/comments?per_page=2&page=1>; rel="prev"`,
        `<${server.url}/repos/o/paged/issues/1/comments?per_page=2&page=3>; rel="next"`,
        `<${server.url}/repos/o/paged/issues/1/comments?per_page=2&page=3>; rel="last"`,
        `<${server.url}/repos/o/paged/issues/1/comments?per_page=2&page=1>; rel="first"`
      ].join(', ')
    )
  })

  it('records whether a token was sent, never the token', async () => {
    const before = server.requests().length
    await client().rest.issues.listComments({
      owner: 'o',
      repo: 'recorded',
      issue_number: 9
    })
    await fetch(`${server.url}/repos/o/recorded/issues/9/comments`)

    const recorded = server.requests().slice(before)
    expect(recorded.map(request => request.authorized)).toEqual([true, false])
    expect(recorded[0]).toMatchObject({
      method: 'GET',
      path: '/repos/o/recorded/issues/9/comments',
      route: `GET ${COMMENTS}`
    })
    expect(JSON.stringify(recorded)).not.toContain('test-token')
  })

  it('refuses a write without a token and an unknown route', async () => {
    const write = await fetch(`${server.url}/repos/o/r/issues/1/comments`, {
      method: 'POST',
      body: JSON.stringify({ body: 'x' })
    })
    const unknown = await fetch(`${server.url}/repos/o/r/branches`)

    expect(write.status).toBe(401)
    expect(unknown.status).toBe(404)
    expect(
      server.state.comments.some(c => c.repo === 'r' && c.body === 'x')
    ).toBe(false)
  })
})
