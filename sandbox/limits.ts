import { IamError, invalidParameter } from './iam-error.js'

/** Non-whitespace characters allowed in one managed policy document. */
export const MAX_POLICY_DOCUMENT_CHARS = 6144
/** Characters the API accepts in a PolicyDocument, whitespace included. */
export const MAX_POLICY_DOCUMENT_PARAM_CHARS = 131072
/** Non-whitespace characters allowed in a role's trust policy. */
export const MAX_ASSUME_ROLE_POLICY_CHARS = 2048
/** Versions one managed policy may hold. */
export const MAX_POLICY_VERSIONS = 5
/** Managed policies attached to one user, group or role. */
export const MAX_ATTACHED_POLICIES = 10
/** Groups one user may belong to. */
export const MAX_GROUPS_PER_USER = 10
/** Customer managed policies in one account. */
export const MAX_CUSTOMER_POLICIES = 1500
/** Tags on one IAM resource. */
export const MAX_TAGS = 50
export const MAX_TAG_KEY_CHARS = 128
export const MAX_TAG_VALUE_CHARS = 256
export const MAX_DESCRIPTION_CHARS = 1000
export const MAX_PATH_CHARS = 512
/** MaxItems bounds and default of every paginated IAM call. */
export const MIN_MAX_ITEMS = 1
export const MAX_MAX_ITEMS = 1000
export const DEFAULT_MAX_ITEMS = 100

/** Longest name IAM accepts for each kind of entity. */
export const MAX_NAME_CHARS = {
  PolicyName: 128,
  UserName: 64,
  GroupName: 128,
  RoleName: 64
} as const

/** Quotas reported by GetAccountSummary, as a fresh account has them. */
export const ACCOUNT_QUOTAS = {
  UsersQuota: 5000,
  GroupsQuota: 300,
  RolesQuota: 1000,
  PoliciesQuota: MAX_CUSTOMER_POLICIES,
  PolicySizeQuota: MAX_POLICY_DOCUMENT_CHARS,
  PolicyVersionsInUseQuota: 10000,
  VersionsPerPolicyQuota: MAX_POLICY_VERSIONS,
  AttachedPoliciesPerUserQuota: MAX_ATTACHED_POLICIES,
  AttachedPoliciesPerGroupQuota: MAX_ATTACHED_POLICIES,
  AttachedPoliciesPerRoleQuota: MAX_ATTACHED_POLICIES,
  GroupsPerUserQuota: MAX_GROUPS_PER_USER,
  UserPolicySizeQuota: 2048,
  GroupPolicySizeQuota: 5120,
  RolePolicySizeQuota: 10240,
  AssumeRolePolicySizeQuota: MAX_ASSUME_ROLE_POLICY_CHARS,
  InstanceProfilesQuota: 1000,
  ServerCertificatesQuota: 20,
  AccessKeysPerUserQuota: 2,
  SigningCertificatesPerUserQuota: 2
} as const

const NAME_PATTERN = /^[\w+=,.@-]+$/
// Either "/" alone or "/…/" with printable ASCII between the slashes.
const PATH_PATTERN = /^\/(?:[\u0021-\u007f]*\/)?$/
const TAG_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u

/** Checks a user, group, role or policy name against IAM's rules. */
export function checkName(
  parameter: keyof typeof MAX_NAME_CHARS,
  name: string
): void {
  const max = MAX_NAME_CHARS[parameter]
  if (name.length < 1 || name.length > max) {
    throw invalidParameter(
      parameter,
      name,
      `Member must have length less than or equal to ${max}`
    )
  }
  if (!NAME_PATTERN.test(name)) {
    throw invalidParameter(
      parameter,
      name,
      'Member must satisfy regular expression pattern: [\\w+=,.@-]+'
    )
  }
}

/** Checks a Path (or PathPrefix) parameter. */
export function checkPath(parameter: string, path: string): void {
  if (path.length < 1 || path.length > MAX_PATH_CHARS) {
    throw invalidParameter(
      parameter,
      path,
      `Member must have length less than or equal to ${MAX_PATH_CHARS}`
    )
  }
  if (!PATH_PATTERN.test(path)) {
    throw invalidParameter(
      parameter,
      path,
      'Member must satisfy regular expression pattern: ' +
        '(\\u002F)|(\\u002F[\\u0021-\\u007F]+\\u002F)'
    )
  }
}

/** Checks a PathPrefix: it starts with "/" but need not end with one. */
export function checkPathPrefix(prefix: string): void {
  if (prefix.length > MAX_PATH_CHARS || !/^\/[\u0021-\u007f]*$/.test(prefix)) {
    throw invalidParameter(
      'PathPrefix',
      prefix,
      'Member must satisfy regular expression pattern: ' +
        '\\u002F[\\u0021-\\u007F]*'
    )
  }
}

/** Checks a policy Description parameter. */
export function checkDescription(description: string): void {
  if (description.length > MAX_DESCRIPTION_CHARS) {
    throw invalidParameter(
      'Description',
      description,
      `Member must have length less than or equal to ${MAX_DESCRIPTION_CHARS}`
    )
  }
  if (!isDescriptionText(description)) {
    throw invalidParameter(
      'Description',
      description,
      'Member must satisfy regular expression pattern: ' +
        '[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*'
    )
  }
}

// IAM allows tab, newline, carriage return, printable ASCII and Latin-1.
function isDescriptionText(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    const ok =
      c === 0x09 ||
      c === 0x0a ||
      c === 0x0d ||
      (c >= 0x20 && c <= 0x7e) ||
      (c >= 0xa1 && c <= 0xff)
    if (!ok) return false
  }
  return true
}

/** A tag as IAM stores it. */
export interface Tag {
  Key: string
  Value: string
}

/** Checks a list of tags sent in one request. */
export function checkTags(tags: Tag[]): void {
  const seen = new Set<string>()
  for (const { Key, Value } of tags) {
    if (Key.length < 1 || Key.length > MAX_TAG_KEY_CHARS) {
      throw invalidParameter(
        'Tags.Key',
        Key,
        `Member must have length less than or equal to ${MAX_TAG_KEY_CHARS}`
      )
    }
    if (Value.length > MAX_TAG_VALUE_CHARS) {
      throw invalidParameter(
        'Tags.Value',
        Value,
        `Member must have length less than or equal to ${MAX_TAG_VALUE_CHARS}`
      )
    }
    if (!TAG_PATTERN.test(Key) || !TAG_PATTERN.test(Value)) {
      throw invalidParameter(
        'Tags',
        `${Key}=${Value}`,
        'Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*'
      )
    }
    if (Key.toLowerCase().startsWith('aws:')) {
      throw new IamError(
        'InvalidInput',
        `Tag key '${Key}' uses the reserved prefix 'aws:'.`
      )
    }
    if (seen.has(Key)) {
      throw new IamError('InvalidInput', `Duplicate tag keys found: '${Key}'.`)
    }
    seen.add(Key)
  }
}
