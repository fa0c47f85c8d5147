/**
 * Finds the plan a pull request's reviewers last saw: the digest in the
 * sticky comment, so apply can refuse when IAM or the file moved since.
 */
import {
  findMarkedComments,
  type GitHubClient,
  type IssueRef
} from '../github/comment.js'
import { readDigestMarker } from './digest-marker.js'

/** The reviewed digest, or why there is none to trust. */
export type ReviewedPlan =
  | { readonly digest: string; readonly url: string }
  | { readonly digest?: undefined; readonly reason: string }

/**
 * Reads the digest from the comment `upsertComment` keeps up to date (the
 * oldest marked one a bot wrote). Every failure, GitHub's included, becomes a reason:
 * the caller refuses to apply, which is the safe answer to not knowing.
 */
export async function findReviewedPlan(
  octokit: GitHubClient,
  issue: IssueRef,
  marker: string
): Promise<ReviewedPlan> {
  const where = `pull request #${issue.issueNumber}`
  let comments
  try {
    comments = await findMarkedComments(octokit, issue, marker)
  } catch (error) {
    return {
      reason: `the comments of ${where} could not be read: ${(error as Error).message}`
    }
  }

  // Only a comment a bot wrote can hold the digest the action showed: a
  // person could post a marked comment with any digest in it.
  const kept = comments.find(comment => comment.byBot)
  if (kept === undefined && comments.length > 0) {
    return {
      reason: `the plan comments on ${where} were not written by a bot account, so their digest cannot be trusted; expect-reviewed-plan needs the plan to be posted with the workflow's github.token or a GitHub App token`
    }
  }
  if (kept === undefined) {
    return {
      reason: `${where} has no plan comment for this config file, so there is no reviewed plan to compare with; run the plan on the pull request (with comment: true) before merging`
    }
  }
  const digest = readDigestMarker(kept.body ?? '', marker)
  if (digest === undefined) {
    return {
      reason: `the comment on ${where} (${kept.html_url}) shows no plan digest: the last run there did not compute a plan (the file was invalid, or it only validated); push a fix and let the plan run before merging`
    }
  }
  return { digest, url: kept.html_url }
}
