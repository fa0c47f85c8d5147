import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { getOctokit } from '@actions/github'
import {
  CommentPermissionError,
  commentBodyLimit,
  commentMarker,
  upsertComment,
  type GitHubClient,
  type IssueRef
} from '../../src/github/comment.js'
import {
  startGitHubServer,
  type FakeGitHub
} from '../../test-support/github-server.js'

const CONFIG = '.github/sagemaker-ip-allowlist.yml'
const CREATE = 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments'
const LIST = 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments'
const UPDATE = 'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}'

let server: FakeGitHub
let octokit: GitHubClient
const issue: IssueRef = { owner: 'octo-org', repo: 'octo-repo', issueNumber: 2 }
const debugLines: string[] = []
const options = { debug: (line: string) => debugLines.push(line) }

beforeEach(async () => {
  server = await startGitHubServer()
  octokit = getOctokit('test-token', { baseUrl: server.url })
  debugLines.length = 0
})

afterEach(async () => {
  await server.close()
})

function writes() {
  return server
    .requests()
    .filter(request => request.method !== 'GET')
    .map(request => request.route)
}

describe('commentMarker', () => {
  it('is a hidden HTML comment naming the config path', () => {
    expect(commentMarker(CONFIG)).toBe(
      '<!-- sagemaker-ip-allowlist config=.github/sagemaker-ip-allowlist.yml -->'
    )
  })

  it('names one file one way', () => {
    expect(commentMarker('./.github/a.yml')).toBe(
      commentMarker('.github/a.yml')
    )
    expect(commentMarker('.github\\a.yml')).toBe(commentMarker('.github/a.yml'))
    expect(commentMarker('a.yml')).not.toBe(commentMarker('b.yml'))
  })

  it('cannot be closed early by the path', () => {
    const marker = commentMarker('evil --> <b>x</b>.yml')

    expect(marker.indexOf('-->')).toBe(marker.length - 3)
    expect(marker).not.toContain('<b>')
  })
})

describe('upsertComment', () => {
  it('creates the comment on the first run, marker first', async () => {
    const marker = commentMarker(CONFIG)

    const outcome = await upsertComment(
      octokit,
      issue,
      marker,
      'plan A',
      options
    )

    expect(outcome.result).toBe('created')
    expect(server.state.comments).toHaveLength(1)
    expect(server.state.comments[0]).toMatchObject({
      id: outcome.id,
      issueNumber: 2,
      body: `${marker}\nplan A`
    })
    expect(outcome.url).toBe(
      `https://github.com/octo-org/octo-repo/pull/2#issuecomment-${outcome.id}`
    )
    expect(writes()).toEqual([CREATE])
  })

  it('makes no edit when the body is unchanged', async () => {
    const marker = commentMarker(CONFIG)
    const first = await upsertComment(octokit, issue, marker, 'plan A', options)

    const second = await upsertComment(
      octokit,
      issue,
      marker,
      'plan A',
      options
    )

    expect(second).toEqual({ ...first, result: 'unchanged' })
    expect(writes()).toEqual([CREATE])
  })

  it('reads CRLF line ends from GitHub as the same body', async () => {
    const marker = commentMarker(CONFIG)
    server.addComment(issue, `${marker}\r\nline 1\r\nline 2`)

    const outcome = await upsertComment(
      octokit,
      issue,
      marker,
      'line 1\nline 2',
      options
    )

    expect(outcome.result).toBe('unchanged')
    expect(writes()).toEqual([])
  })

  it('edits the same comment in place when the body changes', async () => {
    const marker = commentMarker(CONFIG)
    const first = await upsertComment(octokit, issue, marker, 'plan A', options)

    const second = await upsertComment(
      octokit,
      issue,
      marker,
      'plan B',
      options
    )

    expect(second).toMatchObject({ result: 'updated', id: first.id })
    expect(server.state.comments.map(c => c.body)).toEqual([
      `${marker}\nplan B`
    ])
    expect(writes()).toEqual([CREATE, UPDATE])
    expect(server.requests().at(-1)?.path).toBe(
      `/repos/octo-org/octo-repo/issues/comments/${first.id}`
    )
  })

  it('updates the comment a bot wrote, not an older marked one a person posted', async () => {
    const marker = commentMarker(CONFIG)
    const forged = server.addComment(issue, `${marker}\nforged plan`, 'mallory')
    const ours = server.addComment(issue, `${marker}\nold plan`)

    const outcome = await upsertComment(
      octokit,
      issue,
      marker,
      'new plan',
      options
    )

    expect(outcome).toMatchObject({
      result: 'updated',
      id: ours.id,
      duplicateIds: [forged.id]
    })
    expect(server.state.comments.find(c => c.id === forged.id)?.body).toBe(
      `${marker}\nforged plan`
    )
  })

  it('finds the marker beyond the first page of 100 comments', async () => {
    const marker = commentMarker(CONFIG)
    for (let index = 0; index < 130; index++) {
      server.addComment(issue, `review remark ${index}`, 'alice')
    }
    const ours = server.addComment(issue, `${marker}\nold plan`)
    for (let index = 0; index < 40; index++) {
      server.addComment(issue, `later remark ${index}`, 'bob')
    }

    const outcome = await upsertComment(
      octokit,
      issue,
      marker,
      'new plan',
      options
    )

    expect(outcome).toMatchObject({ result: 'updated', id: ours.id })
    const pages = server
      .requests()
      .filter(request => request.route === LIST)
      .map(request => [request.query.per_page, request.query.page])
    expect(pages).toEqual([
      ['100', undefined],
      ['100', '2']
    ])
    expect(writes()).toEqual([UPDATE])
  })

  it('keeps one comment per config file', async () => {
    const a = commentMarker('.github/team-a.yml')
    const b = commentMarker('.github/team-b.yml')

    await upsertComment(octokit, issue, a, 'plan for A', options)
    await upsertComment(octokit, issue, b, 'plan for B', options)
    await upsertComment(octokit, issue, a, 'plan for A, again', options)
    await upsertComment(octokit, issue, b, 'plan for B', options)

    expect(server.state.comments.map(c => c.body)).toEqual([
      `${a}\nplan for A, again`,
      `${b}\nplan for B`
    ])
    expect(writes()).toEqual([CREATE, CREATE, UPDATE])
  })

  it('tells a marker from a longer path that starts with it', async () => {
    const short = commentMarker('allowlist.yml')
    server.addComment(issue, `${commentMarker('allowlist.yml.bak')}\nother`)

    const outcome = await upsertComment(octokit, issue, short, 'plan', options)

    expect(outcome.result).toBe('created')
    expect(server.state.comments).toHaveLength(2)
  })

  it('ignores a comment that only quotes the marker', async () => {
    const marker = commentMarker(CONFIG)
    server.addComment(issue, `Why does ${marker} show up?`, 'alice')

    const outcome = await upsertComment(octokit, issue, marker, 'plan', options)

    expect(outcome.result).toBe('created')
    expect(server.state.comments[0].body).toBe(`Why does ${marker} show up?`)
  })

  it('updates the oldest of several marked comments and says so', async () => {
    const marker = commentMarker(CONFIG)
    const oldest = server.addComment(issue, `${marker}\none`)
    const newer = server.addComment(issue, `${marker}\ntwo`)

    const outcome = await upsertComment(
      octokit,
      issue,
      marker,
      'three',
      options
    )

    expect(outcome).toMatchObject({
      result: 'updated',
      id: oldest.id,
      duplicateIds: [newer.id]
    })
    expect(newer.body).toBe(`${marker}\ntwo`)
    expect(writes()).toEqual([UPDATE])
    expect(debugLines).toHaveLength(1)
    expect(debugLines[0]).toContain(String(newer.id))
  })

  it('turns a 403 on create into a CommentPermissionError with the fix', async () => {
    server.failNext(CREATE, 403, 'Resource not accessible by integration')

    const error = await upsertComment(
      octokit,
      issue,
      commentMarker(CONFIG),
      'plan',
      options
    ).catch((caught: unknown) => caught)

    expect(error).toBeInstanceOf(CommentPermissionError)
    const permission = error as CommentPermissionError
    expect(permission.status).toBe(403)
    expect(permission.message).toContain(
      'Resource not accessible by integration'
    )
    expect(permission.message).toContain('permissions: pull-requests: write')
    expect(permission.message).toContain('fork')
    expect(permission.message).toContain(
      'pull request #2 in octo-org/octo-repo'
    )
  })

  it('turns a 404 on listing (a fork token) into a CommentPermissionError', async () => {
    server.failNext(LIST, 404, 'Not Found')

    const error = await upsertComment(
      octokit,
      issue,
      commentMarker(CONFIG),
      'plan',
      options
    ).catch((caught: unknown) => caught)

    expect(error).toBeInstanceOf(CommentPermissionError)
    expect((error as CommentPermissionError).operation).toBe(
      'list the comments on pull request #2 in octo-org/octo-repo'
    )
    expect(writes()).toEqual([])
  })

  it('leaves a rate limit and a server error as they are', async () => {
    server.failNext(LIST, 403, 'API rate limit exceeded for installation')
    server.failNext(LIST, 500, 'Server Error')
    const marker = commentMarker(CONFIG)

    const limited = await upsertComment(
      octokit,
      issue,
      marker,
      'x',
      options
    ).catch((caught: unknown) => caught)
    const broken = await upsertComment(
      octokit,
      issue,
      marker,
      'x',
      options
    ).catch((caught: unknown) => caught)

    expect(limited).not.toBeInstanceOf(CommentPermissionError)
    expect(limited).toMatchObject({ status: 403 })
    expect(broken).not.toBeInstanceOf(CommentPermissionError)
    expect(broken).toMatchObject({ status: 500 })
  })

  it('refuses a body over the limit before calling GitHub', async () => {
    const marker = commentMarker(CONFIG)
    const fitting = 'x'.repeat(commentBodyLimit(marker))

    await expect(
      upsertComment(octokit, issue, marker, `${fitting}x`, options)
    ).rejects.toThrow(RangeError)
    expect(server.requests()).toEqual([])

    const outcome = await upsertComment(
      octokit,
      issue,
      marker,
      fitting,
      options
    )
    expect(outcome.result).toBe('created')
    expect(server.state.comments[0].body).toHaveLength(65_536)
  })
})
