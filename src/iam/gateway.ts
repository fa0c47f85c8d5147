import {
  AttachGroupPolicyCommand,
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DetachGroupPolicyCommand,
  DetachRolePolicyCommand,
  DetachUserPolicyCommand,
  GetAccountSummaryCommand,
  GetGroupCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  ListAttachedGroupPoliciesCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListEntitiesForPolicyCommand,
  ListPoliciesCommand,
  ListPolicyVersionsCommand,
  TagPolicyCommand,
  type IAMClient,
  type Policy
} from '@aws-sdk/client-iam'
import type { PrincipalType } from '../config/model.js'
import { errorCode, IamCallError, isCode, isRetryable } from './errors.js'
import {
  principalCall,
  type AccountQuotas,
  AttachedPolicy,
  EntityNames,
  IamGateway,
  NewPolicy,
  PolicyDetails,
  PolicySummary,
  PolicyVersionInfo
} from './types.js'

/** IAM's documented defaults, used when GetAccountSummary omits a quota. */
export const DEFAULT_QUOTAS: AccountQuotas = {
  policySize: 6144,
  versionsPerPolicy: 5,
  attachedPerUser: 10,
  attachedPerGroup: 10,
  attachedPerRole: 10
}

/**
 * IAM returns policy documents URL-encoded (RFC 3986) and the SDK does not
 * decode them; some emulators send them raw. A raw JSON document starts with
 * `{` after optional whitespace, an encoded one with `%7B`.
 */
export function decodePolicyDocument(text: string): string {
  return /^\s*\{/.test(text) ? text : decodeURIComponent(text)
}

function summaryOf(policy: Policy | undefined, call: string): PolicySummary {
  if (!policy?.Arn || !policy.PolicyName || !policy.DefaultVersionId) {
    throw new IamCallError(
      call,
      'policy',
      'MalformedResponse',
      'the response lacks the policy ARN, name or default version',
      false
    )
  }
  return {
    arn: policy.Arn,
    name: policy.PolicyName,
    path: policy.Path ?? '/',
    id: policy.PolicyId ?? '',
    defaultVersionId: policy.DefaultVersionId,
    attachmentCount: policy.AttachmentCount ?? 0
  }
}

export interface GatewayOptions {
  /** Extra attempts for calls that are safe to repeat, after the SDK's own. */
  retries?: number
  /** Waits before an extra attempt; injectable so tests do not wait. */
  sleep?: (ms: number) => Promise<void>
  /** Called once per HTTP-level call, for counting. */
  onCall?: (call: string) => void
}

const sleepFor = (ms: number) =>
  new Promise<void>(resolve => setTimeout(resolve, ms))

/** The IAM gateway over the real SDK client. */
export class SdkIamGateway implements IamGateway {
  private readonly retries: number
  private readonly sleep: (ms: number) => Promise<void>

  constructor(
    private readonly client: IAMClient,
    private readonly options: GatewayOptions = {}
  ) {
    this.retries = options.retries ?? 2
    this.sleep = options.sleep ?? sleepFor
  }

  /**
   * Sends one command, wrapping failures with the call and entity. Calls that
   * are safe to repeat get a few more attempts once the SDK's retries are
   * spent: a read, an attach or detach, a tag write are all idempotent.
   */
  private async send<T>(
    call: string,
    entity: string,
    command: object,
    repeatable: boolean
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        this.options.onCall?.(call)
        // Each command class has its own overload of send; the output type
        // is fixed by the caller.
        const send = this.client.send.bind(this.client) as (
          c: object
        ) => Promise<unknown>
        return (await send(command)) as T
      } catch (error) {
        const retryable = isRetryable(error)
        if (repeatable && retryable && attempt < this.retries) {
          await this.sleep(200 * 2 ** attempt)
          continue
        }
        const detail = (error as Error)?.message ?? String(error)
        throw new IamCallError(
          call,
          entity,
          errorCode(error),
          detail,
          retryable
        )
      }
    }
  }

  private async orMissing<T>(promise: Promise<T>): Promise<T | undefined> {
    try {
      return await promise
    } catch (error) {
      if (isCode(error, 'NoSuchEntity')) return undefined
      throw error
    }
  }

  async listPolicies(pathPrefix: string): Promise<PolicySummary[]> {
    const out: PolicySummary[] = []
    let marker: string | undefined
    do {
      const page = await this.send<
        import('@aws-sdk/client-iam').ListPoliciesCommandOutput
      >(
        'ListPolicies',
        `path ${pathPrefix}`,
        new ListPoliciesCommand({
          Scope: 'Local',
          PathPrefix: pathPrefix,
          Marker: marker
        }),
        true
      )
      for (const p of page.Policies ?? [])
        out.push(summaryOf(p, 'ListPolicies'))
      marker = page.IsTruncated ? page.Marker : undefined
    } while (marker)
    return out
  }

  async anyLocalPolicyArn(): Promise<string | undefined> {
    const page = await this.send<
      import('@aws-sdk/client-iam').ListPoliciesCommandOutput
    >(
      'ListPolicies',
      'path /',
      new ListPoliciesCommand({ Scope: 'Local', MaxItems: 1 }),
      true
    )
    return page.Policies?.[0]?.Arn
  }

  async getPolicy(arn: string): Promise<PolicyDetails | undefined> {
    const out = await this.orMissing(
      this.send<import('@aws-sdk/client-iam').GetPolicyCommandOutput>(
        'GetPolicy',
        arn,
        new GetPolicyCommand({ PolicyArn: arn }),
        true
      )
    )
    if (!out) return undefined
    const tags = Object.fromEntries(
      (out.Policy?.Tags ?? []).map(t => [t.Key ?? '', t.Value ?? ''])
    )
    return {
      ...summaryOf(out.Policy, 'GetPolicy'),
      ...(out.Policy?.Description !== undefined
        ? { description: out.Policy.Description }
        : {}),
      tags
    }
  }

  async getPolicyDocument(
    arn: string,
    versionId: string
  ): Promise<string | undefined> {
    const out = await this.orMissing(
      this.send<import('@aws-sdk/client-iam').GetPolicyVersionCommandOutput>(
        'GetPolicyVersion',
        `${arn} version ${versionId}`,
        new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: versionId }),
        true
      )
    )
    const document = out?.PolicyVersion?.Document
    return document === undefined ? undefined : decodePolicyDocument(document)
  }

  async listPolicyVersions(arn: string): Promise<PolicyVersionInfo[]> {
    const out: PolicyVersionInfo[] = []
    let marker: string | undefined
    do {
      const page = await this.send<
        import('@aws-sdk/client-iam').ListPolicyVersionsCommandOutput
      >(
        'ListPolicyVersions',
        arn,
        new ListPolicyVersionsCommand({ PolicyArn: arn, Marker: marker }),
        true
      )
      for (const v of page.Versions ?? []) {
        if (!v.VersionId) continue
        out.push({
          versionId: v.VersionId,
          isDefault: v.IsDefaultVersion ?? false,
          ...(v.CreateDate ? { createDate: v.CreateDate } : {})
        })
      }
      marker = page.IsTruncated ? page.Marker : undefined
    } while (marker)
    return out
  }

  async listEntitiesForPolicy(arn: string): Promise<EntityNames> {
    const users: string[] = []
    const groups: string[] = []
    const roles: string[] = []
    let marker: string | undefined
    do {
      const page = await this.send<
        import('@aws-sdk/client-iam').ListEntitiesForPolicyCommandOutput
      >(
        'ListEntitiesForPolicy',
        arn,
        new ListEntitiesForPolicyCommand({ PolicyArn: arn, Marker: marker }),
        true
      )
      for (const u of page.PolicyUsers ?? [])
        if (u.UserName) users.push(u.UserName)
      for (const g of page.PolicyGroups ?? [])
        if (g.GroupName) groups.push(g.GroupName)
      for (const r of page.PolicyRoles ?? [])
        if (r.RoleName) roles.push(r.RoleName)
      marker = page.IsTruncated ? page.Marker : undefined
    } while (marker)
    return { users, groups, roles }
  }

  async getGroup(
    name: string
  ): Promise<{ arn: string; members: string[] } | undefined> {
    const members: string[] = []
    let arn = ''
    let marker: string | undefined
    do {
      const page = await this.orMissing(
        this.send<import('@aws-sdk/client-iam').GetGroupCommandOutput>(
          'GetGroup',
          `group ${name}`,
          new GetGroupCommand({ GroupName: name, Marker: marker }),
          true
        )
      )
      if (!page) return undefined
      arn = page.Group?.Arn ?? arn
      for (const u of page.Users ?? []) if (u.UserName) members.push(u.UserName)
      marker = page.IsTruncated ? page.Marker : undefined
    } while (marker)
    return { arn, members }
  }

  async listAttachedPolicies(
    type: PrincipalType,
    name: string
  ): Promise<AttachedPolicy[] | undefined> {
    const out: AttachedPolicy[] = []
    let marker: string | undefined
    do {
      const command =
        type === 'user'
          ? new ListAttachedUserPoliciesCommand({
              UserName: name,
              Marker: marker
            })
          : type === 'group'
            ? new ListAttachedGroupPoliciesCommand({
                GroupName: name,
                Marker: marker
              })
            : new ListAttachedRolePoliciesCommand({
                RoleName: name,
                Marker: marker
              })
      const call = principalCall('ListAttached', type)
      const page = await this.orMissing(
        this.send<{
          AttachedPolicies?: { PolicyName?: string; PolicyArn?: string }[]
          IsTruncated?: boolean
          Marker?: string
        }>(call, `${type} ${name}`, command, true)
      )
      if (!page) return undefined
      for (const p of page.AttachedPolicies ?? []) {
        if (p.PolicyArn)
          out.push({ name: p.PolicyName ?? '', arn: p.PolicyArn })
      }
      marker = page.IsTruncated ? page.Marker : undefined
    } while (marker)
    return out
  }

  async getAccountQuotas(): Promise<AccountQuotas> {
    const out = await this.send<
      import('@aws-sdk/client-iam').GetAccountSummaryCommandOutput
    >(
      'GetAccountSummary',
      'the account',
      new GetAccountSummaryCommand({}),
      true
    )
    const map = out.SummaryMap ?? {}
    return {
      policySize: map.PolicySizeQuota ?? DEFAULT_QUOTAS.policySize,
      versionsPerPolicy:
        map.VersionsPerPolicyQuota ?? DEFAULT_QUOTAS.versionsPerPolicy,
      attachedPerUser:
        map.AttachedPoliciesPerUserQuota ?? DEFAULT_QUOTAS.attachedPerUser,
      attachedPerGroup:
        map.AttachedPoliciesPerGroupQuota ?? DEFAULT_QUOTAS.attachedPerGroup,
      attachedPerRole:
        map.AttachedPoliciesPerRoleQuota ?? DEFAULT_QUOTAS.attachedPerRole
    }
  }

  async createPolicy(policy: NewPolicy): Promise<PolicySummary> {
    // Not repeated here: a second CreatePolicy after a lost response would
    // fail with EntityAlreadyExists, which the applier resolves by reading.
    const out = await this.send<
      import('@aws-sdk/client-iam').CreatePolicyCommandOutput
    >(
      'CreatePolicy',
      `policy ${policy.path}${policy.name}`,
      new CreatePolicyCommand({
        PolicyName: policy.name,
        Path: policy.path,
        Description: policy.description,
        PolicyDocument: policy.document,
        Tags: Object.entries(policy.tags).map(([Key, Value]) => ({
          Key,
          Value
        }))
      }),
      false
    )
    return summaryOf(out.Policy, 'CreatePolicy')
  }

  async createPolicyVersion(arn: string, document: string): Promise<string> {
    const out = await this.send<
      import('@aws-sdk/client-iam').CreatePolicyVersionCommandOutput
    >(
      'CreatePolicyVersion',
      arn,
      new CreatePolicyVersionCommand({
        PolicyArn: arn,
        PolicyDocument: document,
        SetAsDefault: true
      }),
      false
    )
    const id = out.PolicyVersion?.VersionId
    if (!id) {
      throw new IamCallError(
        'CreatePolicyVersion',
        arn,
        'MalformedResponse',
        'no version id in the response',
        false
      )
    }
    return id
  }

  async deletePolicyVersion(arn: string, versionId: string): Promise<void> {
    await this.send(
      'DeletePolicyVersion',
      `${arn} version ${versionId}`,
      new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: versionId }),
      // A repeat after a lost answer gets NoSuchEntity, which callers accept.
      true
    )
  }

  async deletePolicy(arn: string): Promise<void> {
    await this.send(
      'DeletePolicy',
      arn,
      new DeletePolicyCommand({ PolicyArn: arn }),
      true
    )
  }

  async tagPolicy(
    arn: string,
    tags: Readonly<Record<string, string>>
  ): Promise<void> {
    await this.send(
      'TagPolicy',
      arn,
      new TagPolicyCommand({
        PolicyArn: arn,
        Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value }))
      }),
      true
    )
  }

  async attach(type: PrincipalType, name: string, arn: string): Promise<void> {
    const command =
      type === 'user'
        ? new AttachUserPolicyCommand({ UserName: name, PolicyArn: arn })
        : type === 'group'
          ? new AttachGroupPolicyCommand({ GroupName: name, PolicyArn: arn })
          : new AttachRolePolicyCommand({ RoleName: name, PolicyArn: arn })
    await this.send(
      principalCall('Attach', type),
      `${type} ${name}`,
      command,
      true
    )
  }

  async detach(type: PrincipalType, name: string, arn: string): Promise<void> {
    const command =
      type === 'user'
        ? new DetachUserPolicyCommand({ UserName: name, PolicyArn: arn })
        : type === 'group'
          ? new DetachGroupPolicyCommand({ GroupName: name, PolicyArn: arn })
          : new DetachRolePolicyCommand({ RoleName: name, PolicyArn: arn })
    await this.send(
      principalCall('Detach', type),
      `${type} ${name}`,
      command,
      true
    )
  }
}
