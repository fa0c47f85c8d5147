import { IAMClient, type IAMClientConfig } from '@aws-sdk/client-iam'
import { ConfiguredRetryStrategy } from '@smithy/core/retry'

/** An SDK client aimed at a sandbox, with test credentials. */
export function clientFor(
  url: string,
  config: Partial<IAMClientConfig> = {}
): IAMClient {
  return new IAMClient({
    region: 'us-east-1',
    endpoint: url,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    ...config
  })
}

/** Retries up to `attempts` times in all, with no backoff, so tests never wait. */
export function noWaitRetries(attempts: number): ConfiguredRetryStrategy {
  return new ConfiguredRetryStrategy(attempts, 0)
}

/** A Deny policy of the kind the tool writes. */
export function denyDocument(cidrs: string[] = ['192.0.2.0/24']): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DenyOutsideAllowlist',
        Effect: 'Deny',
        Action: 'sagemaker:CreatePresignedNotebookInstanceUrl',
        Resource: '*',
        Condition: { NotIpAddress: { 'aws:SourceIp': cidrs } }
      }
    ]
  })
}

/** What an SDK error looked like on the wire. */
export interface CaughtError {
  name: string
  code?: string
  message: string
  status?: number
  fault?: string
  attempts?: number
}

/** Awaits a call that must fail and returns the error's visible parts. */
export async function failure(call: Promise<unknown>): Promise<CaughtError> {
  try {
    await call
  } catch (error) {
    const e = error as {
      name: string
      Code?: string
      message: string
      $fault?: string
      $metadata?: { httpStatusCode?: number; attempts?: number }
    }
    return {
      name: e.name,
      code: e.Code,
      message: e.message,
      status: e.$metadata?.httpStatusCode,
      fault: e.$fault,
      attempts: e.$metadata?.attempts
    }
  }
  throw new Error('expected the call to fail, but it succeeded')
}

/** The ARN a customer managed policy gets in the sandbox's default account. */
export function policyArn(name: string, path = '/'): string {
  return `arn:aws:iam::123456789012:policy${path}${name}`
}
