import { IAMClient } from '@aws-sdk/client-iam'
import {
  ConfiguredRetryStrategy,
  StandardRetryStrategy
} from '@smithy/core/retry'
import { NodeHttpHandler } from '@smithy/node-http-handler'
import { TOOL_NAME, TOOL_VERSION } from '../version.js'
import { IamRetryStrategy } from './retry.js'

/** IAM is a global service; its endpoint lives in us-east-1. */
export const DEFAULT_REGION = 'us-east-1'
export const DEFAULT_MAX_ATTEMPTS = 5
export const DEFAULT_REQUEST_TIMEOUT_MS = 15_000

export interface IamClientOptions {
  /** Defaults to AWS_REGION, then AWS_DEFAULT_REGION, then us-east-1. */
  region?: string
  /** Attempts per call, the first included. */
  maxAttempts?: number
  /** Delay before retry N (1-based); the SDK's exponential backoff if unset. */
  retryDelayMs?: (attempt: number) => number
  /** A response slower than this is abandoned and retried. */
  requestTimeoutMs?: number
  env?: Record<string, string | undefined>
}

/**
 * The one place an IAM client is built. Credentials and the endpoint come
 * from the SDK's default chain, so AWS_ENDPOINT_URL_IAM, profiles and OIDC
 * web identity all work without code here.
 */
export function createIamClient(options: IamClientOptions = {}): IAMClient {
  const env = options.env ?? process.env
  const region =
    options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? DEFAULT_REGION
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS
  // With an explicit environment (the CLI's, in tests), take the endpoint
  // and a key pair from it rather than from the process's own.
  const endpoint = options.env
    ? (env.AWS_ENDPOINT_URL_IAM ?? env.AWS_ENDPOINT_URL)
    : undefined
  const credentials =
    options.env && env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? {
          accessKeyId: env.AWS_ACCESS_KEY_ID,
          secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
          ...(env.AWS_SESSION_TOKEN
            ? { sessionToken: env.AWS_SESSION_TOKEN }
            : {})
        }
      : undefined
  return new IAMClient({
    region,
    ...(endpoint ? { endpoint } : {}),
    ...(credentials ? { credentials } : {}),
    maxAttempts,
    customUserAgent: `${TOOL_NAME}/${TOOL_VERSION}`,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: 5_000,
      requestTimeout: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      // Without this the handler only logs when the timeout passes and the
      // call hangs on; with it the call fails and is retried.
      throwOnRequestTimeout: true
    }),
    retryStrategy: new IamRetryStrategy(
      options.retryDelayMs
        ? new ConfiguredRetryStrategy(maxAttempts, options.retryDelayMs)
        : new StandardRetryStrategy(maxAttempts)
    )
  })
}
