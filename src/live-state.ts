import type { PrincipalType } from './config/model.js'
import type { DesiredState } from './desired.js'
import type {
  AccountQuotas,
  AttachedPolicy,
  EntityNames,
  IamGateway,
  PolicyDetails,
  PolicySummary,
  PolicyVersionInfo
} from './iam/types.js'
import { isCode } from './iam/errors.js'
import { createLimiter, type Limiter } from './limit.js'
import { DIGEST_TAG_KEY, isOwned, VERSION_TAG_KEY } from './ownership.js'
import {
  documentDigest,
  parsePolicyDocument,
  sameMeaning
} from './policy-meaning.js'
import type { PolicyDocument, RenderedPolicy } from './render.js'

/** A policy found under the tool's path. */
export interface LivePolicy {
  readonly details: PolicyDetails
  readonly owned: boolean
  /** The default version's document, when it parsed. */
  readonly document?: PolicyDocument
  readonly documentProblem?: string
  /**
   * Its versions, read only where apply will need them: for a policy whose
   * document will change, or that prune will delete.
   */
  readonly versions?: readonly PolicyVersionInfo[]
  readonly attachments: EntityNames
  /** The live document differs from the one the tool last wrote. */
  readonly drifted: boolean
  /** The document the tool last wrote, when drifted and still stored. */
  readonly lastApplied?: PolicyDocument
}

export interface LivePrincipal {
  readonly type: PrincipalType
  readonly name: string
  readonly exists: boolean
  /** Managed policies attached to it. */
  readonly attached: readonly AttachedPolicy[]
  /** For groups: the member users. */
  readonly members?: readonly string[]
}

/** What IAM holds that the file can touch. */
export interface LiveState {
  readonly accountId?: string
  readonly partition: string
  /** Policies under the tool's path, by name. */
  readonly policies: ReadonlyMap<string, LivePolicy>
  /** Policies with a target name found outside the path, by name. */
  readonly outside: ReadonlyMap<string, PolicySummary>
  /** Principals by `type:name`. */
  readonly principals: ReadonlyMap<string, LivePrincipal>
  readonly quotas: AccountQuotas
}

export const principalKey = (type: PrincipalType, name: string) =>
  `${type}:${name}`

export interface ReadOptions {
  concurrency: number
}

/**
 * Reads start long before they are awaited. When one fails, the others'
 * failures must not surface as unhandled rejections (which end the
 * process); the first failure still reaches the caller where it awaits.
 */
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {})
  return promise
}

const ARN_ACCOUNT = /^arn:([^:]+):iam::(\d{12}):/

/**
 * Reads the live state the file can touch. The number of calls grows with
 * the policies under the path and the principals the file and those
 * policies name, never with the size of the account. Independent reads run
 * at once, bounded by one shared limiter.
 */
export async function readLiveState(
  iam: IamGateway,
  desired: DesiredState,
  options: ReadOptions
): Promise<LiveState> {
  const limit = createLimiter(options.concurrency)
  const { config } = desired
  let accountId: string | undefined
  let partition = 'aws'
  const noteArn = (arn: string | undefined) => {
    const match = arn ? ARN_ACCOUNT.exec(arn) : null
    if (match && !accountId) {
      partition = match[1]
      accountId = match[2]
    }
  }

  // The listing goes first: every policy read waits on it, while the
  // principal reads queued behind it keep the other slots busy meanwhile.
  const listing = handled(
    limit(() => iam.listPolicies(config.settings.policyPath))
  )
  const principals = new Map<string, Promise<LivePrincipal>>()
  const readPrincipal = (type: PrincipalType, name: string) => {
    const key = principalKey(type, name)
    if (!principals.has(key))
      principals.set(
        key,
        handled(readOnePrincipal(iam, limit, type, name, noteArn))
      )
    return principals.get(key)!
  }
  for (const policy of config.policies) {
    policy.attach.users.forEach(n => readPrincipal('user', n))
    policy.attach.groups.forEach(n => readPrincipal('group', n))
    policy.attach.roles.forEach(n => readPrincipal('role', n))
  }
  const named = handled(Promise.all(principals.values()))
  const quotas = handled(limit(() => iam.getAccountQuotas()))

  const summaries = await listing
  summaries.forEach(s => noteArn(s.arn))
  const wanted = new Map(desired.policies.map(p => [p.name, p]))
  const livePolicies = await Promise.all(
    summaries.map(s =>
      readOnePolicy(iam, limit, s, {
        desired: wanted.get(s.name),
        prune: config.settings.prune,
        named
      })
    )
  )

  // Groups that hold one of our policies now: their members' effective
  // access depends on them until the policy is detached.
  for (const policy of livePolicies) {
    if (policy?.owned)
      policy.attachments.groups.forEach(g => readPrincipal('group', g))
  }

  const found = new Map(
    livePolicies.filter(p => p !== undefined).map(p => [p.details.name, p])
  )
  const principalList = await Promise.all(principals.values())
  const outside = new Map<string, PolicySummary>()
  const missing = desired.policies.filter(p => !found.has(p.name))
  if (!accountId && missing.length > 0) {
    // Nothing read so far named the account. Any customer managed policy's
    // ARN does; an account without one cannot hold a clashing name either.
    noteArn(await limit(() => iam.anyLocalPolicyArn()))
  }
  if (accountId) {
    // Policy names are unique in an account whatever the path, so a policy
    // of the same name elsewhere would make CreatePolicy fail. Probing the
    // root path finds the usual hand-made copy without listing the account.
    await Promise.all(
      missing.map(async p => {
        const arn = `arn:${partition}:iam::${accountId}:policy/${p.name}`
        const other = await limit(() => iam.getPolicy(arn))
        if (other) outside.set(p.name, other)
      })
    )
  }

  return {
    ...(accountId ? { accountId } : {}),
    partition,
    policies: found,
    outside,
    principals: new Map(
      principalList.map(p => [principalKey(p.type, p.name), p])
    ),
    quotas: await quotas
  }
}

async function readOnePrincipal(
  iam: IamGateway,
  limit: Limiter,
  type: PrincipalType,
  name: string,
  noteArn: (arn: string | undefined) => void
): Promise<LivePrincipal> {
  const [attached, group] = await Promise.all([
    limit(() => iam.listAttachedPolicies(type, name)),
    type === 'group'
      ? limit(() => iam.getGroup(name))
      : Promise.resolve(undefined)
  ])
  noteArn(group?.arn)
  attached?.forEach(p => noteArn(p.arn))
  return {
    type,
    name,
    exists: attached !== undefined,
    attached: attached ?? [],
    ...(type === 'group' ? { members: group?.members ?? [] } : {})
  }
}

interface PolicyReadContext {
  /** What the file wants this policy to be, if it is in the file. */
  readonly desired?: RenderedPolicy
  readonly prune: boolean
  /** The principals the file names, as they are read. */
  readonly named: Promise<LivePrincipal[]>
}

/**
 * The attachments of a policy, known without ListEntitiesForPolicy when the
 * principals the file names account for all of them: IAM's attachment count
 * says how many there are.
 */
async function attachmentsOf(
  iam: IamGateway,
  limit: Limiter,
  summary: PolicySummary,
  named: Promise<LivePrincipal[]>
): Promise<EntityNames> {
  const noEntities: EntityNames = { users: [], groups: [], roles: [] }
  if (summary.attachmentCount === 0) return noEntities
  const holders = (await named).filter(p =>
    p.attached.some(a => a.arn === summary.arn)
  )
  if (holders.length === summary.attachmentCount) {
    const of = (type: PrincipalType) =>
      holders.filter(p => p.type === type).map(p => p.name)
    return { users: of('user'), groups: of('group'), roles: of('role') }
  }
  return limit(() => iam.listEntitiesForPolicy(summary.arn))
}

async function readOnePolicy(
  iam: IamGateway,
  limit: Limiter,
  summary: PolicySummary,
  context: PolicyReadContext
): Promise<LivePolicy | undefined> {
  try {
    return await readListedPolicy(iam, limit, summary, context)
  } catch (error) {
    // Deleted between the listing and one of its reads (another run, a
    // person): it is not there, which is what the plan must see.
    if (isCode(error, 'NoSuchEntity')) return undefined
    throw error
  }
}

async function readListedPolicy(
  iam: IamGateway,
  limit: Limiter,
  summary: PolicySummary,
  context: PolicyReadContext
): Promise<LivePolicy | undefined> {
  const [details, text, attachments] = await Promise.all([
    limit(() => iam.getPolicy(summary.arn)),
    limit(() => iam.getPolicyDocument(summary.arn, summary.defaultVersionId)),
    attachmentsOf(iam, limit, summary, context.named)
  ])
  // Deleted between the listing and the read (another run, a person).
  if (!details) return undefined

  const parsed = text === undefined ? undefined : parsePolicyDocument(text)
  const document = parsed?.ok ? parsed.document : undefined
  const owned = isOwned(details.tags)
  const recorded = details.tags[DIGEST_TAG_KEY]
  const drifted =
    owned &&
    document !== undefined &&
    recorded !== undefined &&
    recorded !== documentDigest(document)

  const lastVersion = details.tags[VERSION_TAG_KEY]
  const willChange = context.desired
    ? !document || !sameMeaning(document, context.desired.document)
    : context.prune
  const [versions, lastApplied] = await Promise.all([
    owned && willChange
      ? limit(() => iam.listPolicyVersions(summary.arn))
      : undefined,
    drifted && lastVersion && lastVersion !== details.defaultVersionId
      ? limit(() => iam.getPolicyDocument(summary.arn, lastVersion)).then(
          old => {
            const oldParsed =
              old === undefined ? undefined : parsePolicyDocument(old)
            return oldParsed?.ok ? oldParsed.document : undefined
          }
        )
      : undefined
  ])

  return {
    details,
    owned,
    ...(document ? { document } : {}),
    ...(parsed && !parsed.ok ? { documentProblem: parsed.reason } : {}),
    ...(versions ? { versions } : {}),
    attachments,
    drifted,
    ...(lastApplied ? { lastApplied } : {})
  }
}
