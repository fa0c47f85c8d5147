import { formatCidr } from './cidr.js'
import { DiagnosticSink, type Diagnostic } from './config/diagnostics.js'
import type {
  Attachments,
  Config,
  PolicySpec,
  Settings
} from './config/model.js'

export const POLICY_LANGUAGE_VERSION = '2012-10-17'
/** Stable, so a re-render of the same file yields the same document. */
export const STATEMENT_SID = 'DenyOutsideIpAllowlist'
/** IAM's limit for one managed policy document, whitespace not counted. */
export const MANAGED_POLICY_SIZE_LIMIT = 6144

export type StringOrList = string | string[]

export interface PolicyStatement {
  Sid?: string
  Effect: 'Allow' | 'Deny'
  Action?: StringOrList
  NotAction?: StringOrList
  Resource?: StringOrList
  NotResource?: StringOrList
  Condition?: Record<string, Record<string, StringOrList | boolean>>
}

export interface PolicyDocument {
  Version: string
  Id?: string
  Statement: PolicyStatement[]
}

/** One policy as it should exist in IAM. */
export interface RenderedPolicy {
  readonly key: string
  readonly name: string
  readonly path: string
  readonly description: string
  readonly document: PolicyDocument
  /** The document as sent to IAM: minified, keys in a fixed order. */
  readonly json: string
  /** Characters IAM counts against the limit. */
  readonly size: number
  /** Canonical, aggregated CIDRs. */
  readonly cidrs: readonly string[]
  readonly attach: Attachments
}

/** Characters of a document as IAM counts them: whitespace does not count. */
export function policySize(json: string): number {
  let size = 0
  for (const ch of json) if (!/\s/.test(ch)) size++
  return size
}

const one = (values: readonly string[]): StringOrList =>
  values.length === 1 ? values[0] : [...values]

/**
 * The document for one policy: a single Deny statement that matches the
 * actions unless the source address is in the allowlist. With VPC endpoints,
 * the second condition exempts calls through those endpoints only; IAM ANDs
 * the two, and a request through another endpoint (no aws:SourceIp) is
 * still denied because a missing key satisfies both Not* operators.
 */
export function renderDocument(spec: PolicySpec): PolicyDocument {
  const condition: PolicyStatement['Condition'] = {
    NotIpAddress: { 'aws:SourceIp': spec.cidrs.map(formatCidr) }
  }
  if (spec.vpcEndpoints.length > 0) {
    condition.StringNotEquals = {
      'aws:SourceVpce': [...spec.vpcEndpoints].sort()
    }
  }
  return {
    Version: POLICY_LANGUAGE_VERSION,
    Statement: [
      {
        Sid: STATEMENT_SID,
        Effect: 'Deny',
        Action: one(spec.actions),
        Resource: one([...spec.resources].sort()),
        Condition: condition
      }
    ]
  }
}

export function renderPolicy(
  spec: PolicySpec,
  settings: Settings
): RenderedPolicy {
  const document = renderDocument(spec)
  const json = JSON.stringify(document)
  return {
    key: spec.key,
    name: spec.name,
    path: settings.policyPath,
    description: spec.description,
    document,
    json,
    size: policySize(json),
    cidrs: spec.cidrs.map(formatCidr),
    attach: spec.attach
  }
}

export interface RenderResult {
  readonly policies: RenderedPolicy[]
  /** Errors for documents IAM would refuse. */
  readonly diagnostics: Diagnostic[]
}

/**
 * Renders every policy of a valid config. A document over the size limit is
 * an error: splitting one allowlist across two policies is not an option,
 * because two Deny policies on one principal intersect.
 */
export function renderConfig(
  config: Config,
  sizeLimit = MANAGED_POLICY_SIZE_LIMIT
): RenderResult {
  const sink = new DiagnosticSink(config.file)
  const policies = config.policies.map(spec => {
    const rendered = renderPolicy(spec, config.settings)
    if (rendered.size > sizeLimit) {
      sink.error(spec.loc, oversizeMessage(rendered, sizeLimit))
    }
    return rendered
  })
  return { policies, diagnostics: sink.diagnostics }
}

export function oversizeMessage(policy: RenderedPolicy, limit: number): string {
  return (
    `policy "${policy.key}" (IAM name ${policy.name}) renders to ${policy.size} characters ` +
    `with ${policy.cidrs.length} CIDRs after aggregation; IAM's limit for a managed policy is ${limit} ` +
    '(whitespace not counted). Shorten its allowlists (wider ranges aggregate better); ' +
    'do not split them across two policies on the same principal, which would intersect'
  )
}
