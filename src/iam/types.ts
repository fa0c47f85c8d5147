import type { PrincipalType } from '../config/model.js'

/** A customer managed policy as ListPolicies and GetPolicy describe it. */
export interface PolicySummary {
  readonly arn: string
  readonly name: string
  readonly path: string
  readonly id: string
  readonly defaultVersionId: string
  readonly attachmentCount: number
}

export interface PolicyDetails extends PolicySummary {
  readonly description?: string
  readonly tags: Readonly<Record<string, string>>
}

export interface PolicyVersionInfo {
  readonly versionId: string
  readonly isDefault: boolean
  readonly createDate?: Date
}

/** Names of the entities of each type, e.g. those a policy is attached to. */
export interface EntityNames {
  readonly users: readonly string[]
  readonly groups: readonly string[]
  readonly roles: readonly string[]
}

export interface AttachedPolicy {
  readonly name: string
  readonly arn: string
}

/** The account's real quotas, from GetAccountSummary. */
export interface AccountQuotas {
  readonly policySize: number
  readonly versionsPerPolicy: number
  readonly attachedPerUser: number
  readonly attachedPerGroup: number
  readonly attachedPerRole: number
}

export interface NewPolicy {
  readonly name: string
  readonly path: string
  readonly description: string
  readonly document: string
  readonly tags: Readonly<Record<string, string>>
}

/**
 * Everything the tool asks of IAM. The SDK stays behind this interface, so
 * the planner and the applier can be read (and tested) without it.
 * Reads of a missing entity return undefined instead of throwing.
 */
export interface IamGateway {
  listPolicies(pathPrefix: string): Promise<PolicySummary[]>
  /** The ARN of one customer managed policy of the account, if it has any. */
  anyLocalPolicyArn(): Promise<string | undefined>
  getPolicy(arn: string): Promise<PolicyDetails | undefined>
  /** The document of one version as JSON text, URL-decoded when needed. */
  getPolicyDocument(arn: string, versionId: string): Promise<string | undefined>
  listPolicyVersions(arn: string): Promise<PolicyVersionInfo[]>
  listEntitiesForPolicy(arn: string): Promise<EntityNames>
  getGroup(
    name: string
  ): Promise<{ arn: string; members: string[] } | undefined>
  listAttachedPolicies(
    type: PrincipalType,
    name: string
  ): Promise<AttachedPolicy[] | undefined>
  getAccountQuotas(): Promise<AccountQuotas>

  createPolicy(policy: NewPolicy): Promise<PolicySummary>
  createPolicyVersion(arn: string, document: string): Promise<string>
  deletePolicyVersion(arn: string, versionId: string): Promise<void>
  deletePolicy(arn: string): Promise<void>
  tagPolicy(arn: string, tags: Readonly<Record<string, string>>): Promise<void>
  attach(type: PrincipalType, name: string, arn: string): Promise<void>
  detach(type: PrincipalType, name: string, arn: string): Promise<void>
}

/** IAM's name for a call about one type of principal: `AttachUserPolicy`. */
export function principalCall(
  verb: 'Attach' | 'Detach' | 'ListAttached',
  type: PrincipalType
): string {
  const noun = type[0].toUpperCase() + type.slice(1)
  return verb === 'ListAttached'
    ? `ListAttached${noun}Policies`
    : `${verb}${noun}Policy`
}
