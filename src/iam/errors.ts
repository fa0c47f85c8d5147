/**
 * An IAM call that failed, with what was being done and a hint for the
 * common causes. The message never includes credentials.
 */
export class IamCallError extends Error {
  constructor(
    /** The IAM action, e.g. CreatePolicyVersion. */
    readonly call: string,
    /** The entity the call was about, e.g. a policy ARN or `user alice`. */
    readonly entity: string,
    /** IAM's error code, e.g. NoSuchEntity, or the SDK error name. */
    readonly code: string,
    readonly detail: string,
    /** Whether repeating the call may succeed (throttling, 5xx, network). */
    readonly retryable: boolean
  ) {
    super(
      `${call} on ${entity} failed: ${code}: ${detail}${hintFor(call, code)}`
    )
    this.name = 'IamCallError'
  }
}

const CREDENTIAL_CODES = new Set([
  'CredentialsProviderError',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch'
])

/** A sentence that tells the user how to fix the common failures. */
export function hintFor(call: string, code: string): string {
  if (CREDENTIAL_CODES.has(code)) {
    return ' (no usable AWS credentials: in a workflow, run aws-actions/configure-aws-credentials first; locally, set AWS_PROFILE or the AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY pair)'
  }
  if (code === 'AccessDenied' || code === 'AccessDeniedException') {
    return ` (the credentials lack iam:${call}; grant it in the role's permissions policy, see the README's least-privilege policy)`
  }
  if (code === 'Throttling' || code === 'ThrottlingException') {
    return ' (IAM kept throttling after every retry; lower the concurrency setting or run again later)'
  }
  return ''
}

const RETRYABLE_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'ServiceFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalFailure',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'socket hang up'
])

interface SdkErrorLike {
  name?: string
  Code?: string
  code?: string
  message?: string
  $metadata?: { httpStatusCode?: number }
  $retryable?: unknown
}

/** IAM's code for an SDK error: the wire code, else the error name. */
export function errorCode(error: unknown): string {
  const e = (error ?? {}) as SdkErrorLike
  const code = e.Code ?? e.name ?? e.code ?? 'UnknownError'
  return code === 'Error' && e.code ? e.code : code
}

export function isRetryable(error: unknown): boolean {
  const e = (error ?? {}) as SdkErrorLike
  const status = e.$metadata?.httpStatusCode
  return (
    RETRYABLE_CODES.has(errorCode(error)) ||
    (e.code !== undefined && RETRYABLE_CODES.has(e.code)) ||
    (status !== undefined && status >= 500) ||
    e.$retryable !== undefined
  )
}

/** True for IAM's NoSuchEntity, whichever spelling the SDK used. */
export function isCode(error: unknown, code: string): boolean {
  const e = error instanceof IamCallError ? error.code : errorCode(error)
  return e === code || e === `${code}Exception`
}
