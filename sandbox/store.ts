import { IamError } from './iam-error.js'
import {
  ACCOUNT_QUOTAS,
  MAX_ATTACHED_POLICIES,
  MAX_CUSTOMER_POLICIES,
  MAX_GROUPS_PER_USER,
  MAX_POLICY_VERSIONS,
  MAX_TAGS,
  checkDescription,
  checkName,
  checkPath,
  checkTags,
  type Tag
} from './limits.js'
import { checkIdentityPolicy, checkTrustPolicy } from './policy-document.js'
import { seededRandom, uniqueId, type Random } from './prng.js'
import type { StateSnapshot } from './types.js'

/** The three kinds of principal a managed policy attaches to. */
export type PrincipalKind = 'user' | 'group' | 'role'

interface Principal {
  name: string
  path: string
  arn: string
  id: string
  createDate: string
  /** ARNs of attached managed policies, in attachment order. */
  attached: Set<string>
}

/** An IAM user. */
export interface User extends Principal {
  tags: Map<string, string>
}

/** An IAM group; members are user names. */
export interface Group extends Principal {
  members: Set<string>
}

/** An IAM role. */
export interface Role extends Principal {
  trustPolicy: string
  description?: string
  maxSessionDuration: number
  tags: Map<string, string>
}

/** One version of a managed policy. */
export interface PolicyVersion {
  versionId: string
  document: string
  createDate: string
}

/** A customer managed policy. */
export interface ManagedPolicy {
  name: string
  path: string
  arn: string
  id: string
  description?: string
  createDate: string
  updateDate: string
  defaultVersionId: string
  /** In creation order. */
  versions: Map<string, PolicyVersion>
  nextVersion: number
  tags: Map<string, string>
  attachedTo: Record<PrincipalKind, Set<string>>
}

/** Input of `IamStore.createPolicy`. */
export interface NewPolicy {
  name: string
  path?: string
  document: string
  description?: string
  tags?: Tag[]
}

/** Filters of ListPolicies. */
export interface PolicyFilter {
  scope?: string
  onlyAttached?: boolean
  pathPrefix?: string
}

const ID_PREFIX: Record<PrincipalKind | 'policy', string> = {
  user: 'AIDA',
  group: 'AGPA',
  role: 'AROA',
  policy: 'ANPA'
}
const QUOTA_NAME = { user: 'User', group: 'Group', role: 'Role' } as const
const POLICY_ARN = /^arn:aws:iam::(\d{12}|aws):policy\/(?:.*\/)?[\w+=,.@-]+$/
const VERSION_ID = /^v[1-9][0-9]*$/
const DEFAULT_MAX_SESSION_SECONDS = 3600
// Ids are drawn from their own seeded PRNG so that a replayed sequence of
// calls produces the same ids, and so fault draws are not disturbed.
const ID_RANDOM_SEED = 0x1a3

/**
 * The in-memory IAM state of one sandbox and every rule IAM applies when it
 * changes. Methods throw `IamError` exactly where IAM answers with an error.
 */
export class IamStore {
  private readonly users = new Map<string, User>()
  private readonly groups = new Map<string, Group>()
  private readonly roles = new Map<string, Role>()
  private readonly policies = new Map<string, ManagedPolicy>()
  // IAM names are unique regardless of case. Lookups stay exact: IAM does
  // not document whether GetUser('ALICE') finds 'alice'.
  private readonly takenNames: Record<PrincipalKind | 'policy', Set<string>> = {
    user: new Set(),
    group: new Set(),
    role: new Set(),
    policy: new Set()
  }
  private readonly random: Random = seededRandom(ID_RANDOM_SEED)

  constructor(readonly accountId: string) {}

  // Users, groups and roles.

  createUser(name: string, path = '/', tags: Tag[] = []): User {
    checkName('UserName', name)
    checkPath('Path', path)
    checkTags(tags)
    this.claimName('user', name, `User with name ${name} already exists.`)
    const user: User = {
      ...this.principalBase('user', name, path),
      tags: toTagMap(tags)
    }
    this.users.set(name, user)
    return user
  }

  createGroup(name: string, path = '/'): Group {
    checkName('GroupName', name)
    checkPath('Path', path)
    this.claimName('group', name, `Group with name ${name} already exists.`)
    const group: Group = {
      ...this.principalBase('group', name, path),
      members: new Set()
    }
    this.groups.set(name, group)
    return group
  }

  createRole(
    name: string,
    trustPolicy: string,
    options: {
      path?: string
      description?: string
      maxSessionDuration?: number
      tags?: Tag[]
    } = {}
  ): Role {
    const path = options.path ?? '/'
    checkName('RoleName', name)
    checkPath('Path', path)
    checkTrustPolicy(trustPolicy)
    if (options.description !== undefined) {
      checkDescription(options.description)
    }
    checkTags(options.tags ?? [])
    this.claimName('role', name, `Role with name ${name} already exists.`)
    const role: Role = {
      ...this.principalBase('role', name, path),
      trustPolicy,
      description: options.description,
      maxSessionDuration:
        options.maxSessionDuration ?? DEFAULT_MAX_SESSION_SECONDS,
      tags: toTagMap(options.tags ?? [])
    }
    this.roles.set(name, role)
    return role
  }

  getUser(name: string): User {
    const user = this.users.get(name)
    if (!user) {
      throw new IamError(
        'NoSuchEntity',
        `The user with name ${name} cannot be found.`
      )
    }
    return user
  }

  getGroup(name: string): Group {
    const group = this.groups.get(name)
    if (!group) {
      throw new IamError(
        'NoSuchEntity',
        `The group with name ${name} cannot be found.`
      )
    }
    return group
  }

  getRole(name: string): Role {
    const role = this.roles.get(name)
    if (!role) {
      throw new IamError(
        'NoSuchEntity',
        `The role with name ${name} cannot be found.`
      )
    }
    return role
  }

  getPrincipal(kind: PrincipalKind, name: string): Principal {
    if (kind === 'user') return this.getUser(name)
    if (kind === 'group') return this.getGroup(name)
    return this.getRole(name)
  }

  listUsers(): User[] {
    return [...this.users.values()]
  }

  listGroups(): Group[] {
    return [...this.groups.values()]
  }

  listRoles(): Role[] {
    return [...this.roles.values()]
  }

  deleteUser(name: string): void {
    const user = this.getUser(name)
    if (user.attached.size > 0) {
      throw new IamError(
        'DeleteConflict',
        'Cannot delete entity, must detach all policies first.'
      )
    }
    if (this.groupsForUser(name).length > 0) {
      throw new IamError(
        'DeleteConflict',
        'Cannot delete entity, must remove users from group first.'
      )
    }
    this.users.delete(name)
    this.takenNames.user.delete(name.toLowerCase())
  }

  deleteGroup(name: string): void {
    const group = this.getGroup(name)
    if (group.members.size > 0) {
      throw new IamError(
        'DeleteConflict',
        'Cannot delete entity, must remove users from group first.'
      )
    }
    if (group.attached.size > 0) {
      throw new IamError(
        'DeleteConflict',
        'Cannot delete entity, must detach all policies first.'
      )
    }
    this.groups.delete(name)
    this.takenNames.group.delete(name.toLowerCase())
  }

  deleteRole(name: string): void {
    const role = this.getRole(name)
    if (role.attached.size > 0) {
      throw new IamError(
        'DeleteConflict',
        'Cannot delete entity, must detach all policies first.'
      )
    }
    this.roles.delete(name)
    this.takenNames.role.delete(name.toLowerCase())
  }

  addUserToGroup(groupName: string, userName: string): void {
    const group = this.getGroup(groupName)
    this.getUser(userName)
    if (group.members.has(userName)) return
    if (this.groupsForUser(userName).length >= MAX_GROUPS_PER_USER) {
      throw new IamError(
        'LimitExceeded',
        `Cannot exceed quota for GroupsPerUser: ${MAX_GROUPS_PER_USER}`
      )
    }
    group.members.add(userName)
  }

  removeUserFromGroup(groupName: string, userName: string): void {
    const group = this.getGroup(groupName)
    this.getUser(userName)
    // IAM documents no error for a user who is not a member; the sandbox
    // says NoSuchEntity so a caller removing the wrong user finds out.
    if (!group.members.delete(userName)) {
      throw new IamError(
        'NoSuchEntity',
        `User ${userName} is not in group ${groupName}.`
      )
    }
  }

  groupsForUser(userName: string): Group[] {
    this.getUser(userName)
    return [...this.groups.values()].filter(g => g.members.has(userName))
  }

  // Managed policies.

  createPolicy(input: NewPolicy): ManagedPolicy {
    const path = input.path ?? '/'
    checkName('PolicyName', input.name)
    checkPath('Path', path)
    if (input.description !== undefined) checkDescription(input.description)
    checkTags(input.tags ?? [])
    if ((input.tags ?? []).length > MAX_TAGS) throw tooManyTags()
    checkIdentityPolicy(input.document)
    if (this.policies.size >= MAX_CUSTOMER_POLICIES) {
      throw new IamError(
        'LimitExceeded',
        `Cannot exceed quota for PoliciesPerAccount: ${MAX_CUSTOMER_POLICIES}`
      )
    }
    this.claimName(
      'policy',
      input.name,
      `A policy called ${input.name} already exists. Duplicate names are not allowed.`
    )

    const now = isoNow()
    const policy: ManagedPolicy = {
      name: input.name,
      path,
      arn: `arn:aws:iam::${this.accountId}:policy${path}${input.name}`,
      id: uniqueId(ID_PREFIX.policy, this.random),
      description: input.description,
      createDate: now,
      updateDate: now,
      defaultVersionId: 'v1',
      versions: new Map([
        ['v1', { versionId: 'v1', document: input.document, createDate: now }]
      ]),
      nextVersion: 2,
      tags: toTagMap(input.tags ?? []),
      attachedTo: { user: new Set(), group: new Set(), role: new Set() }
    }
    this.policies.set(policy.arn, policy)
    return policy
  }

  getPolicy(arn: string): ManagedPolicy {
    if (!POLICY_ARN.test(arn)) {
      throw new IamError('InvalidInput', `ARN ${arn} is not valid.`)
    }
    const policy = this.policies.get(arn)
    if (!policy) {
      throw new IamError('NoSuchEntity', `Policy ${arn} was not found.`)
    }
    return policy
  }

  listPolicies(filter: PolicyFilter = {}): ManagedPolicy[] {
    // The sandbox holds no AWS managed policies: Scope=AWS lists nothing.
    if (filter.scope === 'AWS') return []
    const prefix = filter.pathPrefix ?? '/'
    return [...this.policies.values()].filter(
      p =>
        p.path.startsWith(prefix) &&
        (!filter.onlyAttached || attachmentCount(p) > 0)
    )
  }

  deletePolicy(arn: string): void {
    const policy = this.getPolicy(arn)
    if (attachmentCount(policy) > 0) {
      throw new IamError(
        'DeleteConflict',
        'Cannot delete a policy attached to entities.'
      )
    }
    if (policy.versions.size > 1) {
      throw new IamError(
        'DeleteConflict',
        "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy."
      )
    }
    this.policies.delete(arn)
    this.takenNames.policy.delete(policy.name.toLowerCase())
  }

  createPolicyVersion(
    arn: string,
    document: string,
    setAsDefault: boolean
  ): PolicyVersion {
    const policy = this.getPolicy(arn)
    checkIdentityPolicy(document)
    if (policy.versions.size >= MAX_POLICY_VERSIONS) {
      throw new IamError(
        'LimitExceeded',
        `A managed policy can have up to ${MAX_POLICY_VERSIONS} versions. Before you create a new version, you must delete an existing version.`
      )
    }

    const now = isoNow()
    const version: PolicyVersion = {
      versionId: `v${policy.nextVersion++}`,
      document,
      createDate: now
    }
    policy.versions.set(version.versionId, version)
    if (setAsDefault) {
      policy.defaultVersionId = version.versionId
      policy.updateDate = now
    }
    return version
  }

  getPolicyVersion(arn: string, versionId: string): PolicyVersion {
    const policy = this.getPolicy(arn)
    checkVersionId(versionId)
    const version = policy.versions.get(versionId)
    if (!version) {
      throw new IamError(
        'NoSuchEntity',
        `Policy ${arn} version ${versionId} does not exist or is not attachable.`
      )
    }
    return version
  }

  deletePolicyVersion(arn: string, versionId: string): void {
    const policy = this.getPolicy(arn)
    this.getPolicyVersion(arn, versionId)
    if (policy.defaultVersionId === versionId) {
      throw new IamError(
        'DeleteConflict',
        'Cannot delete the default version of a policy.'
      )
    }
    policy.versions.delete(versionId)
  }

  setDefaultPolicyVersion(arn: string, versionId: string): void {
    const policy = this.getPolicy(arn)
    this.getPolicyVersion(arn, versionId)
    policy.defaultVersionId = versionId
    policy.updateDate = isoNow()
  }

  tagPolicy(arn: string, tags: Tag[]): void {
    const policy = this.getPolicy(arn)
    checkTags(tags)
    const merged = new Map(policy.tags)
    for (const { Key, Value } of tags) merged.set(Key, Value)
    if (merged.size > MAX_TAGS) throw tooManyTags()
    policy.tags = merged
  }

  untagPolicy(arn: string, keys: string[]): void {
    const policy = this.getPolicy(arn)
    for (const key of keys) policy.tags.delete(key)
  }

  // Attachments.

  attach(kind: PrincipalKind, name: string, arn: string): void {
    const principal = this.getPrincipal(kind, name)
    const policy = this.getPolicy(arn)
    // Attaching twice is not an error in IAM; nothing changes.
    if (principal.attached.has(arn)) return
    if (principal.attached.size >= MAX_ATTACHED_POLICIES) {
      throw new IamError(
        'LimitExceeded',
        `Cannot exceed quota for PoliciesPer${QUOTA_NAME[kind]}: ${MAX_ATTACHED_POLICIES}`
      )
    }
    principal.attached.add(arn)
    policy.attachedTo[kind].add(name)
  }

  detach(kind: PrincipalKind, name: string, arn: string): void {
    const principal = this.getPrincipal(kind, name)
    const policy = this.getPolicy(arn)
    if (!principal.attached.delete(arn)) {
      throw new IamError('NoSuchEntity', `Policy ${arn} was not found.`)
    }
    policy.attachedTo[kind].delete(name)
  }

  attachedPolicies(kind: PrincipalKind, name: string): ManagedPolicy[] {
    const principal = this.getPrincipal(kind, name)
    return [...principal.attached].map(arn => this.getPolicy(arn))
  }

  // Reports.

  summary(): Record<string, number> {
    // Every stored version counts as in use; IAM does not define the term.
    let versions = 0
    for (const policy of this.policies.values())
      versions += policy.versions.size
    return {
      Users: this.users.size,
      Groups: this.groups.size,
      Roles: this.roles.size,
      Policies: this.policies.size,
      PolicyVersionsInUse: versions,
      Providers: 0,
      InstanceProfiles: 0,
      ServerCertificates: 0,
      MFADevices: 0,
      MFADevicesInUse: 0,
      AccountMFAEnabled: 0,
      AccountAccessKeysPresent: 0,
      AccountPasswordPresent: 0,
      AccountSigningCertificatesPresent: 0,
      GlobalEndpointTokenVersion: 1,
      ...ACCOUNT_QUOTAS
    }
  }

  snapshot(): StateSnapshot {
    const byName = <T extends { name: string }>(a: T, b: T) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0
    return {
      accountId: this.accountId,
      users: this.listUsers()
        .sort(byName)
        .map(u => ({
          ...principalSnapshot(u),
          groups: this.groupsForUser(u.name).map(g => g.name),
          tags: Object.fromEntries(u.tags)
        })),
      groups: this.listGroups()
        .sort(byName)
        .map(g => ({ ...principalSnapshot(g), members: [...g.members] })),
      roles: this.listRoles()
        .sort(byName)
        .map(r => ({
          ...principalSnapshot(r),
          tags: Object.fromEntries(r.tags)
        })),
      policies: [...this.policies.values()].sort(byName).map(p => ({
        name: p.name,
        path: p.path,
        arn: p.arn,
        id: p.id,
        ...(p.description === undefined ? {} : { description: p.description }),
        defaultVersionId: p.defaultVersionId,
        createDate: p.createDate,
        updateDate: p.updateDate,
        versions: [...p.versions.values()].map(v => ({
          versionId: v.versionId,
          isDefault: v.versionId === p.defaultVersionId,
          document: v.document,
          createDate: v.createDate
        })),
        tags: Object.fromEntries(p.tags),
        attachments: {
          users: [...p.attachedTo.user],
          groups: [...p.attachedTo.group],
          roles: [...p.attachedTo.role]
        }
      }))
    }
  }

  private claimName(
    kind: PrincipalKind | 'policy',
    name: string,
    message: string
  ): void {
    const key = name.toLowerCase()
    if (this.takenNames[kind].has(key)) {
      throw new IamError('EntityAlreadyExists', message)
    }
    this.takenNames[kind].add(key)
  }

  private principalBase(
    kind: PrincipalKind,
    name: string,
    path: string
  ): Principal {
    return {
      name,
      path,
      arn: `arn:aws:iam::${this.accountId}:${kind}${path}${name}`,
      id: uniqueId(ID_PREFIX[kind], this.random),
      createDate: isoNow(),
      attached: new Set()
    }
  }
}

/** How many users, groups and roles a policy is attached to. */
export function attachmentCount(policy: ManagedPolicy): number {
  const { user, group, role } = policy.attachedTo
  return user.size + group.size + role.size
}

function checkVersionId(versionId: string): void {
  if (!VERSION_ID.test(versionId)) {
    throw new IamError(
      'ValidationError',
      `1 validation error detected: Value '${versionId}' at 'versionId' failed to satisfy constraint: Member must satisfy regular expression pattern: v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?`
    )
  }
}

function tooManyTags(): IamError {
  return new IamError(
    'LimitExceeded',
    `The number of tags has reached the maximum limit of ${MAX_TAGS}.`
  )
}

function toTagMap(tags: Tag[]): Map<string, string> {
  return new Map(tags.map(t => [t.Key, t.Value]))
}

function principalSnapshot(p: Principal) {
  return {
    name: p.name,
    path: p.path,
    arn: p.arn,
    id: p.id,
    createDate: p.createDate,
    attachedPolicies: [...p.attached]
  }
}

// IAM's timestamps carry whole seconds.
function isoNow(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')
}
