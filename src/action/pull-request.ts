/**
 * The GitHub side of a run: which pull request it reports to, and the
 * sticky comment there. A missing permission is a note for the report, not
 * a failure: the plan or apply result stands without a comment.
 */
import {
  CommentPermissionError,
  upsertComment,
  type GitHubClient,
  type IssueRef,
  type UpsertResult
} from '../github/comment.js'
import {
  findPullRequestForCommit,
  type RepoRef
} from '../github/pull-request.js'
import type { CommentTarget } from './events.js'

/** The pull request found, or why there is none. */
export interface PullRequestLookup {
  readonly number?: number
  /** Set when the lookup failed or found nothing, for the log and report. */
  readonly note?: string
  /** Whether the note is a problem (a permission) or just a fact. */
  readonly problem?: boolean
}

/** The pull request the run reports to: given by the event, or looked up. */
export async function resolvePullRequest(
  octokit: GitHubClient,
  repository: RepoRef,
  target: CommentTarget
): Promise<PullRequestLookup> {
  if (target.kind === 'pull-request') return { number: target.number }
  try {
    const number = await findPullRequestForCommit(
      octokit,
      repository,
      target.sha
    )
    if (number !== undefined) return { number }
    return {
      note: `Commit ${target.sha.slice(0, 12)} belongs to no pull request, so the result is in the job summary only.`
    }
  } catch (error) {
    return { note: messageOf(error), problem: true }
  }
}

/** What posting the comment did. */
export type CommentPost =
  { readonly posted: UpsertResult } | { readonly note: string }

/**
 * Creates or updates the sticky comment. Permission errors and GitHub
 * failures become a note; anything else is a bug and is thrown.
 */
export async function postComment(
  octokit: GitHubClient,
  issue: IssueRef,
  marker: string,
  body: string,
  debug: (message: string) => void
): Promise<CommentPost> {
  try {
    return {
      posted: await upsertComment(octokit, issue, marker, body, { debug })
    }
  } catch (error) {
    if (error instanceof CommentPermissionError || hasStatus(error)) {
      return {
        note: `No comment was posted on pull request #${issue.issueNumber}: ${messageOf(error)}`
      }
    }
    throw error
  }
}

function hasStatus(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { status?: unknown }).status === 'number'
  )
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
