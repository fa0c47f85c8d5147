/**
 * Finds the pull request a pushed commit came from, so the result of an
 * apply on the default branch is reported where the change was reviewed.
 */
import { toPermissionError } from './permission-error.js'
import type { GitHubClient } from './client.js'

/** The repository a commit lives in. */
export interface RepoRef {
  owner: string
  repo: string
}

/** GitHub answers 422 for a SHA it does not know. */
const UNKNOWN_COMMIT_STATUS = 422

/** A commit sits on few pull requests; one page of 100 holds them all. */
const PULLS_PER_PAGE = 100

interface AssociatedPull {
  number: number
  merged_at: string | null
  merge_commit_sha: string | null
}

/**
 * The number of the pull request that `sha` came from: the merged pull
 * request whose merge commit is `sha` (a merge, squash or rebase on the
 * default branch), else any merged one, else the first GitHub lists.
 * `undefined` when GitHub knows no pull request or no such commit.
 *
 * @throws CommentPermissionError when the token may not look it up.
 */
export async function findPullRequestForCommit(
  octokit: GitHubClient,
  repository: RepoRef,
  sha: string
): Promise<number | undefined> {
  let pulls: AssociatedPull[]
  try {
    const { data } =
      await octokit.rest.repos.listPullRequestsAssociatedWithCommit({
        owner: repository.owner,
        repo: repository.repo,
        commit_sha: sha,
        per_page: PULLS_PER_PAGE
      })
    pulls = data
  } catch (error) {
    if (hasStatus(error, UNKNOWN_COMMIT_STATUS)) return undefined
    const operation = `look up the pull request of commit ${sha} in ${repository.owner}/${repository.repo}`
    throw toPermissionError(error, operation, 'pull-request-lookup') ?? error
  }

  const chosen =
    pulls.find(
      pull => pull.merged_at !== null && pull.merge_commit_sha === sha
    ) ??
    pulls.find(pull => pull.merged_at !== null) ??
    pulls[0]
  return chosen?.number
}

function hasStatus(error: unknown, status: number): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { status?: unknown }).status === status
  )
}
