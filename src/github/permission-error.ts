/**
 * Turns GitHub's "you may not" answers into one error type whose message
 * says which permission is missing and how to grant it, so the caller can
 * log it and carry on without a comment.
 */

/** What the failed call needed. */
export type GitHubAccess = 'comments' | 'pull-request-lookup'

/** The token may not read or write what commenting needs. */
export class CommentPermissionError extends Error {
  override readonly name = 'CommentPermissionError'

  constructor(
    message: string,
    /** The HTTP status GitHub answered with: 401, 403 or 404. */
    readonly status: number,
    /** What was being done: "create the comment on pull request #2 in o/r". */
    readonly operation: string,
    options?: { cause?: unknown }
  ) {
    super(message, options)
  }
}

const GRANT: Record<GitHubAccess, string> = {
  comments:
    'add `permissions: pull-requests: write` to the job (or the workflow) so the token may comment',
  'pull-request-lookup':
    'add `permissions: contents: read` and `pull-requests: read` to the job (or the workflow) so the token may look up the pull request of a commit'
}

const FORK_NOTE =
  'A pull request from a fork gets a read-only token whatever the workflow asks for, so no comment can be posted there; the job summary still holds the plan.'

interface HttpFailure {
  status: number
  message: string
  headers: Record<string, unknown>
}

/** Reads an octokit `RequestError` without depending on its class. */
function asHttpFailure(error: unknown): HttpFailure | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const { status, message, response } = error as {
    status?: unknown
    message?: unknown
    response?: { headers?: Record<string, unknown> }
  }
  if (typeof status !== 'number') return undefined
  return {
    status,
    message: typeof message === 'string' ? message : '',
    headers: response?.headers ?? {}
  }
}

/** A 403 for too many requests is not about permissions. */
function isRateLimit(failure: HttpFailure): boolean {
  return (
    failure.headers['x-ratelimit-remaining'] === '0' ||
    /rate limit/i.test(failure.message)
  )
}

/**
 * The permission error for a failed GitHub call, or `undefined` when the
 * failure is something else (rate limit, server error, not HTTP at all)
 * and should be thrown as it is.
 */
export function toPermissionError(
  error: unknown,
  operation: string,
  access: GitHubAccess
): CommentPermissionError | undefined {
  const failure = asHttpFailure(error)
  if (failure === undefined) return undefined

  const said = failure.message === '' ? '' : `: ${failure.message}`
  const grant = GRANT[access]
  let message: string
  if (failure.status === 401) {
    message = `GitHub rejected the token when trying to ${operation} (401${said}). Check the token given to the action; the workflow's \`github.token\` works when the job grants the permission: ${grant}.`
  } else if (failure.status === 403 && !isRateLimit(failure)) {
    message = `GitHub did not allow the token to ${operation} (403${said}). To fix it, ${grant}. ${FORK_NOTE}`
  } else if (failure.status === 404) {
    message = `GitHub answered 404 when trying to ${operation}: the repository or pull request does not exist, or the token cannot see it. Check the number; if it is right, ${grant}. ${FORK_NOTE}`
  } else {
    return undefined
  }
  return new CommentPermissionError(message, failure.status, operation, {
    cause: error
  })
}
