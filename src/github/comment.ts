/**
 * The sticky pull request comment: one per config file per pull request,
 * found again by a hidden marker and edited in place on every run.
 */
import { posix } from 'node:path'
import * as core from '@actions/core'
import { COMMENT_BODY_LIMIT } from '../report/fit-comment.js'
import { toPermissionError } from './permission-error.js'
import type { GitHubClient } from './client.js'

export { CommentPermissionError } from './permission-error.js'
export type { GitHubClient } from './client.js'

/** The repository and pull request (an issue, to the comments API). */
export interface IssueRef {
  owner: string
  repo: string
  issueNumber: number
}

/** What `upsertComment` did. */
export interface UpsertResult {
  result: 'created' | 'updated' | 'unchanged'
  id: number
  url: string
  /** Other marked comments, left alone; only an older bug could make them. */
  duplicateIds: number[]
}

/** Options for `upsertComment`. */
export interface UpsertOptions {
  /** Where debug lines go; `core.debug` unless given. */
  debug?: (message: string) => void
}

/** GitHub's largest page for listing comments. */
const COMMENTS_PER_PAGE = 100

/**
 * The hidden marker that identifies this tool's comment for one config
 * file. The path is normalised (`./a.yml` and `a.yml` are one file) and
 * URI-encoded, so no path can end the HTML comment early.
 */
export function commentMarker(configPath: string): string {
  const normalised = posix
    .normalize(configPath.replace(/\\/g, '/'))
    .replace(/^\.\//, '')
  return `<!-- sagemaker-ip-allowlist config=${encodeURI(normalised)} -->`
}

/** The longest body `upsertComment` accepts with this marker. */
export function commentBodyLimit(marker: string): number {
  return COMMENT_BODY_LIMIT - marker.length - 1
}

/**
 * Creates the marked comment, or edits the existing one when its body
 * differs; an unchanged body makes no edit, so no notification either.
 * When several marked comments exist, the oldest is the one kept up to
 * date and the others are reported in `duplicateIds`.
 *
 * @throws CommentPermissionError when the token may not read or write
 *   comments on the pull request.
 * @throws RangeError when marker and body exceed GitHub's size limit.
 */
export async function upsertComment(
  octokit: GitHubClient,
  issue: IssueRef,
  marker: string,
  body: string,
  options: UpsertOptions = {}
): Promise<UpsertResult> {
  const debug = options.debug ?? core.debug
  const stored = `${marker}\n${body}`
  if (stored.length > COMMENT_BODY_LIMIT) {
    throw new RangeError(
      `The comment for ${describe(issue)} is ${stored.length} characters with its marker; GitHub accepts at most ${COMMENT_BODY_LIMIT}. Fit the body with fitComment(..., commentBodyLimit(marker)) first.`
    )
  }

  const existing = await findMarkedComments(octokit, issue, marker)
  if (existing.length === 0) {
    const { data } = await attempt('create the comment', issue, () =>
      octokit.rest.issues.createComment({
        owner: issue.owner,
        repo: issue.repo,
        issue_number: issue.issueNumber,
        body: stored
      })
    )
    return {
      result: 'created',
      id: data.id,
      url: data.html_url,
      duplicateIds: []
    }
  }

  // Anyone can post a comment that starts with the marker; the one a bot
  // wrote is the action's own. A personal access token writes as a user, so
  // without a bot comment the oldest marked one is kept.
  const kept = existing.find(comment => comment.byBot) ?? existing[0]
  const duplicates = existing.filter(comment => comment !== kept)
  const duplicateIds = duplicates.map(comment => comment.id)
  if (duplicateIds.length > 0) {
    debug(
      `${describe(issue)} has ${existing.length} comments marked ${marker}; updating the oldest (${kept.id}) and leaving ${duplicateIds.join(', ')} alone`
    )
  }

  // GitHub may hand back CRLF line ends; they do not make a body differ.
  if (sameText(kept.body ?? '', stored)) {
    return {
      result: 'unchanged',
      id: kept.id,
      url: kept.html_url,
      duplicateIds
    }
  }

  const { data } = await attempt('update the comment', issue, () =>
    octokit.rest.issues.updateComment({
      owner: issue.owner,
      repo: issue.repo,
      comment_id: kept.id,
      body: stored
    })
  )
  return { result: 'updated', id: data.id, url: data.html_url, duplicateIds }
}

/** A comment that starts with the marker. */
export interface MarkedComment {
  id: number
  body?: string
  html_url: string
  /** Written by a bot account (the workflow token's github-actions[bot], an app). */
  byBot: boolean
}

/** The issue's comments whose body starts with the marker, oldest first. */
export async function findMarkedComments(
  octokit: GitHubClient,
  issue: IssueRef,
  marker: string
): Promise<MarkedComment[]> {
  const comments = await attempt('list the comments', issue, () =>
    octokit.paginate(octokit.rest.issues.listComments, {
      owner: issue.owner,
      repo: issue.repo,
      issue_number: issue.issueNumber,
      per_page: COMMENTS_PER_PAGE
    })
  )

  // The list is oldest first already; sorting by id keeps that true
  // whatever order pages arrive in, since comment ids only grow.
  return comments
    .filter(comment => comment.body?.startsWith(marker) === true)
    .map(({ id, body, html_url, user }) => ({
      id,
      body,
      html_url,
      byBot: user?.type === 'Bot'
    }))
    .sort((a, b) => a.id - b.id)
}

function sameText(a: string, b: string): boolean {
  return a.replace(/\r\n/g, '\n') === b.replace(/\r\n/g, '\n')
}

function describe(issue: IssueRef): string {
  return `pull request #${issue.issueNumber} in ${issue.owner}/${issue.repo}`
}

async function attempt<T>(
  action: string,
  issue: IssueRef,
  call: () => Promise<T>
): Promise<T> {
  try {
    return await call()
  } catch (error) {
    throw (
      toPermissionError(error, `${action} on ${describe(issue)}`, 'comments') ??
      error
    )
  }
}
