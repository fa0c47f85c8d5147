/**
 * IAM's naming rules and limits, for checks made before any call to IAM.
 * Each function returns undefined when the value is fine, or a message that
 * says what is wrong and how to fix it.
 */
import type { PrincipalType } from './model.js'

export const MAX_POLICY_NAME_LENGTH = 128
export const MAX_PATH_LENGTH = 512
export const MAX_DESCRIPTION_LENGTH = 1000
export const MAX_PRINCIPAL_NAME_LENGTH: Readonly<
  Record<PrincipalType, number>
> = {
  user: 64,
  group: 128,
  role: 64
}

const NAME_CHARS = /^[\w+=,.@-]+$/
const PATH_PATTERN = /^\/(?:[\x21-\x7e]*\/)?$/
const DESCRIPTION_CHARS = /^[\t\n\r\x20-\x7e\xa1-\xff]*$/
const VPCE_PATTERN = /^vpce-(?:[0-9a-f]{8}|[0-9a-f]{17})$/

export function checkPolicyName(name: string): string | undefined {
  if (name.length > MAX_POLICY_NAME_LENGTH) {
    return `the IAM policy name "${name}" is ${name.length} characters long; IAM allows ${MAX_POLICY_NAME_LENGTH} (shorten the key or settings.policy-name-prefix)`
  }
  if (!NAME_CHARS.test(name)) {
    return `the IAM policy name "${name}" has characters IAM rejects; use letters, digits and + = , . @ _ -`
  }
  return undefined
}

export function checkPrincipalName(
  type: PrincipalType,
  name: string
): string | undefined {
  const limit = MAX_PRINCIPAL_NAME_LENGTH[type]
  if (name.length > limit) {
    return `the ${type} name "${name}" is ${name.length} characters long; IAM allows ${limit}`
  }
  if (!NAME_CHARS.test(name)) {
    return `"${name}" is not a valid IAM ${type} name; IAM names use letters, digits and + = , . @ _ - (give the name, not an ARN or a path)`
  }
  return undefined
}

export function checkPath(path: string): string | undefined {
  if (path.length > MAX_PATH_LENGTH) {
    return `the IAM path is ${path.length} characters long; IAM allows ${MAX_PATH_LENGTH}`
  }
  if (!PATH_PATTERN.test(path)) {
    return `the IAM path "${path}" must start and end with "/" and hold only printable ASCII without spaces (for example /sagemaker-ip-allowlist/)`
  }
  return undefined
}

export function checkDescription(text: string): string | undefined {
  if (!DESCRIPTION_CHARS.test(text)) {
    return 'the description has characters IAM rejects in policy descriptions (use Latin-1 text without control characters)'
  }
  return undefined
}

export function checkVpcEndpointId(id: string): string | undefined {
  if (!VPCE_PATTERN.test(id)) {
    return `"${id}" is not a VPC endpoint id; they look like vpce-0123456789abcdef0 (vpce- and 8 or 17 lower-case hex digits)`
  }
  return undefined
}

const PARTITIONS = [
  'aws',
  'aws-cn',
  'aws-us-gov',
  'aws-iso',
  'aws-iso-b',
  'aws-iso-e',
  'aws-iso-f',
  'aws-eusc'
]
const ARN_PATTERN =
  /^arn:([a-z-]+):sagemaker:([a-z0-9*?-]*):([0-9*?]*):([a-z-]+)\/(.+)$/

/** The resource type of a SageMaker ARN, or a message saying why it is not one. */
export function parseSageMakerArn(
  resource: string
): { ok: true; resourceType: string } | { ok: false; message: string } {
  const match = ARN_PATTERN.exec(resource)
  const example = 'arn:aws:sagemaker:REGION:ACCOUNT:notebook-instance/NAME'
  if (!match) {
    return {
      ok: false,
      message: `"${resource}" is not a SageMaker ARN; write '*' or an ARN such as ${example} (wildcards * and ? are allowed in its parts)`
    }
  }
  const [, partition, , account] = match
  if (!PARTITIONS.includes(partition)) {
    return {
      ok: false,
      message: `"${resource}" names the unknown partition "${partition}"; known: ${PARTITIONS.join(', ')}`
    }
  }
  if (!/^(?:\d{12}|[0-9*?]*[*?][0-9*?]*|)$/.test(account)) {
    return {
      ok: false,
      message: `"${resource}" has the account "${account}"; an account id is 12 digits (or a wildcard)`
    }
  }
  return { ok: true, resourceType: match[4] }
}
