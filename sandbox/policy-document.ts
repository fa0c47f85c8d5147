import { IamError, invalidParameter } from './iam-error.js'
import {
  MAX_ASSUME_ROLE_POLICY_CHARS,
  MAX_POLICY_DOCUMENT_CHARS,
  MAX_POLICY_DOCUMENT_PARAM_CHARS
} from './limits.js'

const POLICY_VERSIONS = new Set(['2012-10-17', '2008-10-17'])
const TOP_LEVEL_KEYS = new Set(['Version', 'Id', 'Statement'])
const STATEMENT_KEYS = new Set([
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition'
])
const SID_PATTERN = /^[0-9A-Za-z]*$/

/**
 * Checks an identity policy document the way IAM does on CreatePolicy and
 * CreatePolicyVersion: JSON grammar first, then the size quota.
 */
export function checkIdentityPolicy(document: string): void {
  checkParameterText('PolicyDocument', document)
  const statements = parseStatements(document)
  const sids = new Set<string>()

  for (const statement of statements) {
    checkStatement(statement, sids)
    if ('Principal' in statement || 'NotPrincipal' in statement) {
      throw malformed('Policy document should not specify a principal.')
    }
    if (!('Resource' in statement) && !('NotResource' in statement)) {
      throw malformed('Policy statement must contain resources.')
    }
  }

  const size = nonWhitespaceLength(document)
  if (size > MAX_POLICY_DOCUMENT_CHARS) {
    throw new IamError(
      'LimitExceeded',
      `Cannot exceed quota for PolicySize: ${MAX_POLICY_DOCUMENT_CHARS}`
    )
  }
}

/** Checks a role's trust policy (it names a Principal instead of resources). */
export function checkTrustPolicy(document: string): void {
  checkParameterText('AssumeRolePolicyDocument', document)
  const sids = new Set<string>()
  for (const statement of parseStatements(document)) {
    checkStatement(statement, sids)
  }
  if (nonWhitespaceLength(document) > MAX_ASSUME_ROLE_POLICY_CHARS) {
    throw new IamError(
      'LimitExceeded',
      `Cannot exceed quota for ACLSizePerRole: ${MAX_ASSUME_ROLE_POLICY_CHARS}`
    )
  }
}

/** Characters IAM counts against the policy size quota. */
export function nonWhitespaceLength(text: string): number {
  let count = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) count++
  }
  return count
}

/**
 * URL-encodes a document as IAM does in GetPolicyVersion and GetRole
 * (RFC 3986: also `!'()*`, which encodeURIComponent leaves alone).
 */
export function encodeDocument(document: string): string {
  return encodeURIComponent(document).replace(
    /[!'()*]/g,
    c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`
  )
}

function checkParameterText(parameter: string, document: string): void {
  if (
    document.length < 1 ||
    document.length > MAX_POLICY_DOCUMENT_PARAM_CHARS
  ) {
    throw invalidParameter(
      parameter,
      document.slice(0, 40),
      `Member must have length less than or equal to ${MAX_POLICY_DOCUMENT_PARAM_CHARS}`
    )
  }
  if (!hasDocumentCharsOnly(document)) {
    throw invalidParameter(
      parameter,
      document.slice(0, 40),
      'Member must satisfy regular expression pattern: ' +
        '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+'
    )
  }
}

// IAM accepts only tab, newline, carriage return and Latin-1 in documents.
function hasDocumentCharsOnly(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    const ok =
      c === 0x09 || c === 0x0a || c === 0x0d || (c >= 0x20 && c <= 0xff)
    if (!ok) return false
  }
  return true
}

function parseStatements(document: string): Record<string, unknown>[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(document)
  } catch {
    throw malformed('Syntax errors in policy.')
  }
  if (!isObject(parsed)) throw malformed('Syntax errors in policy.')

  for (const key of Object.keys(parsed)) {
    if (!TOP_LEVEL_KEYS.has(key)) {
      throw malformed(`Syntax errors in policy: unknown element '${key}'.`)
    }
  }

  // Stricter than IAM, which reads a missing Version as 2008-10-17: a
  // rendered policy without Version is a bug worth failing on.
  if (typeof parsed.Version !== 'string') {
    throw malformed('Policy document must specify a Version.')
  }
  if (!POLICY_VERSIONS.has(parsed.Version)) {
    throw malformed(
      `The policy failed legacy parsing: unsupported Version '${parsed.Version}'.`
    )
  }

  const statement = parsed.Statement
  const statements = Array.isArray(statement) ? statement : [statement]
  if (statement === undefined || statements.length === 0) {
    throw malformed('Syntax errors in policy: missing Statement.')
  }
  if (!statements.every(isObject)) {
    throw malformed('Syntax errors in policy: a Statement is not an object.')
  }
  return statements
}

function checkStatement(
  statement: Record<string, unknown>,
  sids: Set<string>
): void {
  for (const key of Object.keys(statement)) {
    if (!STATEMENT_KEYS.has(key)) {
      throw malformed(`Syntax errors in policy: unknown element '${key}'.`)
    }
  }

  const sid = statement.Sid
  if (sid !== undefined) {
    if (typeof sid !== 'string' || !SID_PATTERN.test(sid)) {
      throw malformed(
        'Statement IDs (SID) must be alpha-numeric. Check that your input ' +
          'satisfies the regular expression [0-9A-Za-z]*'
      )
    }
    if (sid !== '' && sids.has(sid)) {
      throw malformed('Statement IDs (SID) in a single policy must be unique.')
    }
    sids.add(sid)
  }

  if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') {
    throw malformed('Syntax errors in policy: Effect must be Allow or Deny.')
  }
  if (!('Action' in statement) && !('NotAction' in statement)) {
    throw malformed('Policy statement must contain actions.')
  }
  for (const key of ['Action', 'NotAction', 'Resource', 'NotResource']) {
    if (key in statement && !isStringOrStrings(statement[key])) {
      throw malformed(`Syntax errors in policy: ${key} must be strings.`)
    }
  }

  const condition = statement.Condition
  if (
    condition !== undefined &&
    (!isObject(condition) || !Object.values(condition).every(isObject))
  ) {
    throw malformed('Syntax errors in policy: malformed Condition.')
  }
}

function malformed(message: string): IamError {
  return new IamError('MalformedPolicyDocument', message)
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isStringOrStrings(value: unknown): boolean {
  if (typeof value === 'string') return true
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every(v => typeof v === 'string')
  )
}
