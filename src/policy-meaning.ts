import { createHash } from 'node:crypto'
import { aggregate, formatCidr, parseCidr, type Cidr } from './cidr.js'
import { SAGEMAKER_ACTIONS } from './config/sagemaker-actions.js'
import type { PolicyDocument, PolicyStatement } from './render.js'

/**
 * A policy document reduced to what IAM evaluates, so that two documents
 * compare equal exactly when they mean the same: key order, whitespace, a
 * string versus a one-element list, the order of values, the spelling of
 * CIDRs and the case of action names and condition keys make no difference.
 * Sids are left out: they name a statement but do not change its effect.
 */
export interface Meaning {
  readonly version: string
  readonly statements: readonly StatementMeaning[]
}

export interface StatementMeaning {
  readonly effect: string
  readonly action?: readonly string[]
  readonly notAction?: readonly string[]
  readonly resource?: readonly string[]
  readonly notResource?: readonly string[]
  /** operator -> lower-cased key -> sorted values */
  readonly condition: Readonly<
    Record<string, Readonly<Record<string, readonly string[]>>>
  >
}

const CANONICAL_ACTION = new Map(
  SAGEMAKER_ACTIONS.map(a => [`sagemaker:${a}`.toLowerCase(), `sagemaker:${a}`])
)
const IP_OPERATORS = new Set([
  'IpAddress',
  'NotIpAddress',
  'IpAddressIfExists',
  'NotIpAddressIfExists'
])

function list(value: unknown): string[] {
  if (value === undefined || value === null) return []
  const items = Array.isArray(value) ? value : [value]
  return items.map(v => String(v))
}

function uniqueSorted(values: string[]): string[] {
  return [...new Set(values)].sort()
}

function canonicalAction(action: string): string {
  const lower = action.toLowerCase()
  return CANONICAL_ACTION.get(lower) ?? lower
}

/** CIDRs aggregated and canonical; values that are not CIDRs stay as text. */
function canonicalIpValues(values: string[]): string[] {
  const cidrs: Cidr[] = []
  const other: string[] = []
  for (const v of values) {
    const parsed = parseCidr(v)
    if (parsed.ok) cidrs.push(parsed.cidr)
    else if (parsed.hostBits) cidrs.push(parsed.hostBits.network)
    else other.push(v)
  }
  return [...aggregate(cidrs).map(formatCidr), ...uniqueSorted(other)]
}

function statementMeaning(s: PolicyStatement): StatementMeaning {
  const condition: Record<string, Record<string, string[]>> = {}
  for (const [operator, keys] of Object.entries(s.Condition ?? {})) {
    const byKey: Record<string, string[]> = {}
    for (const [key, value] of Object.entries(keys ?? {})) {
      const values = list(value)
      byKey[key.toLowerCase()] = IP_OPERATORS.has(operator)
        ? canonicalIpValues(values)
        : uniqueSorted(values)
    }
    condition[operator] = sortKeys(byKey)
  }
  const out: Record<string, unknown> = { effect: s.Effect }
  if (s.Action !== undefined)
    out.action = uniqueSorted(list(s.Action).map(canonicalAction))
  if (s.NotAction !== undefined)
    out.notAction = uniqueSorted(list(s.NotAction).map(canonicalAction))
  if (s.Resource !== undefined) out.resource = uniqueSorted(list(s.Resource))
  if (s.NotResource !== undefined)
    out.notResource = uniqueSorted(list(s.NotResource))
  out.condition = sortKeys(condition)
  return out as unknown as StatementMeaning
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(
    Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  )
}

export function meaningOf(document: PolicyDocument): Meaning {
  const raw = document.Statement as unknown
  const statements = (
    Array.isArray(raw) ? raw : raw ? [raw] : []
  ) as PolicyStatement[]
  const meanings = statements.map(statementMeaning)
  meanings.sort((a, b) => {
    const x = JSON.stringify(a)
    const y = JSON.stringify(b)
    return x < y ? -1 : x > y ? 1 : 0
  })
  return { version: document.Version ?? '', statements: meanings }
}

/** The canonical text of a document's meaning. */
export function canonicalText(document: PolicyDocument): string {
  return JSON.stringify(meaningOf(document))
}

/** SHA-256 of the canonical text, hex: the same for every equivalent document. */
export function documentDigest(document: PolicyDocument): string {
  return createHash('sha256').update(canonicalText(document)).digest('hex')
}

export function sameMeaning(a: PolicyDocument, b: PolicyDocument): boolean {
  return canonicalText(a) === canonicalText(b)
}

export type ParsedDocument =
  { ok: true; document: PolicyDocument } | { ok: false; reason: string }

/** Parses a live document; IAM only stores valid JSON, but emulators may not. */
export function parsePolicyDocument(text: string): ParsedDocument {
  try {
    const value = JSON.parse(text) as unknown
    if (!value || typeof value !== 'object' || !('Statement' in value)) {
      return { ok: false, reason: 'the document has no Statement' }
    }
    return { ok: true, document: value as PolicyDocument }
  } catch (error) {
    return {
      ok: false,
      reason: `the document is not JSON (${(error as Error).message})`
    }
  }
}

/**
 * What a document guards, in the terms of the file: every value of every
 * Deny statement, unioned. For a document the tool wrote there is one
 * statement, so this is exact; for a hand-edited one it is what a reviewer
 * needs to see in the diff.
 */
export interface GuardView {
  readonly cidrs: readonly string[]
  readonly actions: readonly string[]
  readonly resources: readonly string[]
  readonly vpcEndpoints: readonly string[]
}

export function guardView(document: PolicyDocument): GuardView {
  const { statements } = meaningOf(document)
  const cidrs: string[] = []
  const actions: string[] = []
  const resources: string[] = []
  const vpcEndpoints: string[] = []
  for (const s of statements) {
    actions.push(...(s.action ?? []))
    resources.push(...(s.resource ?? []))
    for (const [operator, keys] of Object.entries(s.condition)) {
      if (IP_OPERATORS.has(operator))
        cidrs.push(...(keys['aws:sourceip'] ?? []))
      if (operator.startsWith('StringNotEquals'))
        vpcEndpoints.push(...(keys['aws:sourcevpce'] ?? []))
    }
  }
  return {
    cidrs: canonicalIpValues(cidrs),
    actions: uniqueSorted(actions),
    resources: uniqueSorted(resources),
    vpcEndpoints: uniqueSorted(vpcEndpoints)
  }
}

export interface SetDiff {
  readonly added: readonly string[]
  readonly removed: readonly string[]
}

/** Values in `to` but not `from` (added) and the reverse (removed), sorted as given. */
export function diffSets(
  from: readonly string[],
  to: readonly string[]
): SetDiff {
  const before = new Set(from)
  const after = new Set(to)
  return {
    added: to.filter(v => !before.has(v)),
    removed: from.filter(v => !after.has(v))
  }
}

export function isEmptyDiff(diff: SetDiff): boolean {
  return diff.added.length === 0 && diff.removed.length === 0
}
