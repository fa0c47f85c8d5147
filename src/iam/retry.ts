import {
  ConfiguredRetryStrategy,
  StandardRetryStrategy
} from '@smithy/core/retry'
import { isCode } from './errors.js'

type Strategy = StandardRetryStrategy | ConfiguredRetryStrategy
type Token = Awaited<ReturnType<Strategy['acquireInitialRetryToken']>>
type ErrorInfo = Parameters<Strategy['refreshRetryTokenForRetry']>[1]

/**
 * The SDK's standard retries, except for LimitExceeded. The SDK counts that
 * code as throttling and backs off on it, but for IAM it means a quota is
 * reached (a sixth policy version, an eleventh attachment): waiting does not
 * help, and the applier resolves it at once by re-reading.
 */
export class IamRetryStrategy {
  readonly mode: string

  constructor(private readonly inner: Strategy) {
    this.mode = inner.mode
  }

  acquireInitialRetryToken(scope: string): Promise<Token> {
    return this.inner.acquireInitialRetryToken(scope)
  }

  refreshRetryTokenForRetry(
    token: Token,
    errorInfo: ErrorInfo
  ): Promise<Token> {
    if (errorInfo.error && isCode(errorInfo.error, 'LimitExceeded')) {
      // Rejecting here makes the SDK give up and surface the error itself.
      return Promise.reject(errorInfo.error)
    }
    return this.inner.refreshRetryTokenForRetry(token, errorInfo)
  }

  recordSuccess(token: Token): void {
    this.inner.recordSuccess(token)
  }
}
