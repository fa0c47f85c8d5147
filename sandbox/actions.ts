import { IamError } from './iam-error.js'
import { checkPathPrefix } from './limits.js'
import { paginate, type Page } from './pagination.js'
import { encodeDocument } from './policy-document.js'
import type { QueryParams } from './query-params.js'
import {
  attachmentCount,
  type Group,
  type IamStore,
  type ManagedPolicy,
  type PrincipalKind,
  type Role,
  type User
} from './store.js'
import { el, memberList } from './xml.js'

/** Runs one IAM action; returns the `<XResult>` body, or undefined for none. */
export type ActionHandler = (
  params: QueryParams,
  store: IamStore
) => string | undefined

const PRINCIPAL_KINDS: Record<string, PrincipalKind> = {
  User: 'user',
  Group: 'group',
  Role: 'role'
}

/** Every IAM action the sandbox answers, by its Query API name. */
export const ACTIONS: Record<string, ActionHandler> = {
  // Managed policies.
  ListPolicies: (p, store) => {
    const scope = p.optional('Scope') ?? 'All'
    if (!['All', 'AWS', 'Local'].includes(scope)) {
      throw new IamError(
        'ValidationError',
        `1 validation error detected: Value '${scope}' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]`
      )
    }
    const pathPrefix = pathPrefixOf(p)
    const policies = store.listPolicies({
      scope,
      pathPrefix,
      onlyAttached: p.boolean('OnlyAttached') ?? false
    })
    const page = pageOf(p, policies, x => x.name, 'ListPolicies')
    return (
      memberList('Policies', page.items, x => policyXml(x, false)) + tail(page)
    )
  },

  GetPolicy: (p, store) => {
    const policy = store.getPolicy(p.required('PolicyArn'))
    return `<Policy>${policyXml(policy, true)}</Policy>`
  },

  CreatePolicy: (p, store) => {
    const policy = store.createPolicy({
      name: p.required('PolicyName'),
      path: p.optional('Path'),
      document: p.required('PolicyDocument'),
      description: p.optional('Description'),
      tags: p.tags()
    })
    return `<Policy>${policyXml(policy, true)}</Policy>`
  },

  DeletePolicy: (p, store) => {
    store.deletePolicy(p.required('PolicyArn'))
    return undefined
  },

  GetPolicyVersion: (p, store) => {
    const arn = p.required('PolicyArn')
    const version = store.getPolicyVersion(arn, p.required('VersionId'))
    const policy = store.getPolicy(arn)
    return (
      '<PolicyVersion>' +
      el('Document', encodeDocument(version.document)) +
      el('VersionId', version.versionId) +
      el('IsDefaultVersion', version.versionId === policy.defaultVersionId) +
      el('CreateDate', version.createDate) +
      '</PolicyVersion>'
    )
  },

  ListPolicyVersions: (p, store) => {
    const policy = store.getPolicy(p.required('PolicyArn'))
    // IAM documents no order; it lists newest first in practice, and so does
    // the sandbox. The key orders v10 after v9.
    const page = pageOf(
      p,
      [...policy.versions.values()],
      v => String(1e9 - Number(v.versionId.slice(1))).padStart(10, '0'),
      'ListPolicyVersions'
    )
    return (
      memberList(
        'Versions',
        page.items,
        v =>
          el('VersionId', v.versionId) +
          el('IsDefaultVersion', v.versionId === policy.defaultVersionId) +
          el('CreateDate', v.createDate)
      ) + tail(page)
    )
  },

  CreatePolicyVersion: (p, store) => {
    const arn = p.required('PolicyArn')
    const version = store.createPolicyVersion(
      arn,
      p.required('PolicyDocument'),
      p.boolean('SetAsDefault') ?? false
    )
    return (
      '<PolicyVersion>' +
      el('VersionId', version.versionId) +
      el(
        'IsDefaultVersion',
        store.getPolicy(arn).defaultVersionId === version.versionId
      ) +
      el('CreateDate', version.createDate) +
      '</PolicyVersion>'
    )
  },

  DeletePolicyVersion: (p, store) => {
    store.deletePolicyVersion(p.required('PolicyArn'), p.required('VersionId'))
    return undefined
  },

  SetDefaultPolicyVersion: (p, store) => {
    store.setDefaultPolicyVersion(
      p.required('PolicyArn'),
      p.required('VersionId')
    )
    return undefined
  },

  TagPolicy: (p, store) => {
    store.tagPolicy(p.required('PolicyArn'), p.tags())
    return undefined
  },

  UntagPolicy: (p, store) => {
    store.untagPolicy(p.required('PolicyArn'), p.list('TagKeys'))
    return undefined
  },

  ListPolicyTags: (p, store) => {
    const policy = store.getPolicy(p.required('PolicyArn'))
    const page = pageOf(p, [...policy.tags], ([k]) => k, 'ListPolicyTags')
    return (
      memberList(
        'Tags',
        page.items,
        ([k, v]) => el('Key', k) + el('Value', v)
      ) + tail(page)
    )
  },

  ListEntitiesForPolicy: (p, store) => {
    const policy = store.getPolicy(p.required('PolicyArn'))
    const filter = p.optional('EntityFilter')
    const prefix = pathPrefixOf(p) ?? '/'
    const entities: { kind: PrincipalKind; name: string; id: string }[] = []
    for (const kind of ['group', 'role', 'user'] as const) {
      if (!entityFilterAllows(filter, kind)) continue
      for (const name of policy.attachedTo[kind]) {
        const principal = store.getPrincipal(kind, name)
        if (principal.path.startsWith(prefix)) {
          entities.push({ kind, name, id: principal.id })
        }
      }
    }
    const page = pageOf(
      p,
      entities,
      e => `${e.kind}:${e.name}`,
      'ListEntitiesForPolicy'
    )
    const of = (kind: PrincipalKind) => page.items.filter(e => e.kind === kind)
    return (
      memberList(
        'PolicyGroups',
        of('group'),
        e => el('GroupName', e.name) + el('GroupId', e.id)
      ) +
      memberList(
        'PolicyUsers',
        of('user'),
        e => el('UserName', e.name) + el('UserId', e.id)
      ) +
      memberList(
        'PolicyRoles',
        of('role'),
        e => el('RoleName', e.name) + el('RoleId', e.id)
      ) +
      tail(page)
    )
  },

  // Principals.
  CreateUser: (p, store) => {
    const user = store.createUser(
      p.required('UserName'),
      p.optional('Path'),
      p.tags()
    )
    return `<User>${userXml(user)}</User>`
  },

  // Without a signature check there is no caller to describe, so the sandbox
  // asks for UserName where IAM would answer with the calling user.
  GetUser: (p, store) => {
    const name = p.optional('UserName')
    if (name === undefined) {
      throw new IamError(
        'ValidationError',
        'The IAM sandbox has no calling user: pass UserName to GetUser.'
      )
    }
    return `<User>${userXml(store.getUser(name))}</User>`
  },

  DeleteUser: (p, store) => {
    store.deleteUser(p.required('UserName'))
    return undefined
  },

  ListUsers: (p, store) => {
    const prefix = pathPrefixOf(p) ?? '/'
    const users = store.listUsers().filter(u => u.path.startsWith(prefix))
    const page = pageOf(p, users, u => u.name, 'ListUsers')
    return memberList('Users', page.items, userXml) + tail(page)
  },

  CreateGroup: (p, store) => {
    const group = store.createGroup(p.required('GroupName'), p.optional('Path'))
    return `<Group>${groupXml(group)}</Group>`
  },

  GetGroup: (p, store) => {
    const group = store.getGroup(p.required('GroupName'))
    const members = [...group.members].map(name => store.getUser(name))
    const page = pageOf(p, members, u => u.name, 'GetGroup')
    return (
      `<Group>${groupXml(group)}</Group>` +
      memberList('Users', page.items, userXml) +
      tail(page)
    )
  },

  DeleteGroup: (p, store) => {
    store.deleteGroup(p.required('GroupName'))
    return undefined
  },

  ListGroups: (p, store) => {
    const prefix = pathPrefixOf(p) ?? '/'
    const groups = store.listGroups().filter(g => g.path.startsWith(prefix))
    const page = pageOf(p, groups, g => g.name, 'ListGroups')
    return memberList('Groups', page.items, groupXml) + tail(page)
  },

  AddUserToGroup: (p, store) => {
    store.addUserToGroup(p.required('GroupName'), p.required('UserName'))
    return undefined
  },

  RemoveUserFromGroup: (p, store) => {
    store.removeUserFromGroup(p.required('GroupName'), p.required('UserName'))
    return undefined
  },

  ListGroupsForUser: (p, store) => {
    const groups = store.groupsForUser(p.required('UserName'))
    const page = pageOf(p, groups, g => g.name, 'ListGroupsForUser')
    return memberList('Groups', page.items, groupXml) + tail(page)
  },

  CreateRole: (p, store) => {
    const maxSession = p.optional('MaxSessionDuration')
    const role = store.createRole(
      p.required('RoleName'),
      p.required('AssumeRolePolicyDocument'),
      {
        path: p.optional('Path'),
        description: p.optional('Description'),
        maxSessionDuration:
          maxSession === undefined ? undefined : Number(maxSession),
        tags: p.tags()
      }
    )
    return `<Role>${roleXml(role)}</Role>`
  },

  GetRole: (p, store) => {
    const role = store.getRole(p.required('RoleName'))
    return `<Role>${roleXml(role)}<RoleLastUsed/></Role>`
  },

  DeleteRole: (p, store) => {
    store.deleteRole(p.required('RoleName'))
    return undefined
  },

  ListRoles: (p, store) => {
    const prefix = pathPrefixOf(p) ?? '/'
    const roles = store.listRoles().filter(r => r.path.startsWith(prefix))
    const page = pageOf(p, roles, r => r.name, 'ListRoles')
    return memberList('Roles', page.items, roleXml) + tail(page)
  },

  // Attachments, one handler per principal kind.
  ...attachmentActions(),

  // Account.
  GetAccountSummary: (_p, store) => {
    let entries = ''
    for (const [key, value] of Object.entries(store.summary())) {
      entries += `<entry>${el('key', key)}${el('value', value)}</entry>`
    }
    return `<SummaryMap>${entries}</SummaryMap>`
  }
}

function attachmentActions(): Record<string, ActionHandler> {
  const handlers: Record<string, ActionHandler> = {}
  for (const [noun, kind] of Object.entries(PRINCIPAL_KINDS)) {
    const nameParam = `${noun}Name`
    handlers[`Attach${noun}Policy`] = (p, store) => {
      store.attach(kind, p.required(nameParam), p.required('PolicyArn'))
      return undefined
    }
    handlers[`Detach${noun}Policy`] = (p, store) => {
      store.detach(kind, p.required(nameParam), p.required('PolicyArn'))
      return undefined
    }
    handlers[`ListAttached${noun}Policies`] = (p, store) => {
      const prefix = pathPrefixOf(p) ?? '/'
      const policies = store
        .attachedPolicies(kind, p.required(nameParam))
        .filter(x => x.path.startsWith(prefix))
      const page = pageOf(
        p,
        policies,
        x => x.arn,
        `ListAttached${noun}Policies`
      )
      return (
        memberList(
          'AttachedPolicies',
          page.items,
          x => el('PolicyName', x.name) + el('PolicyArn', x.arn)
        ) + tail(page)
      )
    }
  }
  return handlers
}

function pageOf<T>(
  p: QueryParams,
  items: readonly T[],
  key: (item: T) => string,
  list: string
): Page<T> {
  return paginate(
    items,
    key,
    list,
    p.optional('Marker'),
    p.optional('MaxItems'),
    p.pageCap
  )
}

function tail(page: Page<unknown>): string {
  return el('IsTruncated', page.isTruncated) + el('Marker', page.marker)
}

function pathPrefixOf(p: QueryParams): string | undefined {
  const prefix = p.optional('PathPrefix')
  if (prefix !== undefined) checkPathPrefix(prefix)
  return prefix
}

function entityFilterAllows(
  filter: string | undefined,
  kind: PrincipalKind
): boolean {
  if (filter === undefined) return true
  const allowed = [
    'User',
    'Role',
    'Group',
    'LocalManagedPolicy',
    'AWSManagedPolicy'
  ]
  if (!allowed.includes(filter)) {
    throw new IamError(
      'ValidationError',
      `1 validation error detected: Value '${filter}' at 'entityFilter' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(', ')}]`
    )
  }
  return PRINCIPAL_KINDS[filter] === kind
}

function policyXml(policy: ManagedPolicy, full: boolean): string {
  let xml =
    el('PolicyName', policy.name) +
    el('DefaultVersionId', policy.defaultVersionId) +
    el('PolicyId', policy.id) +
    el('Path', policy.path) +
    el('Arn', policy.arn) +
    el('AttachmentCount', attachmentCount(policy)) +
    el('PermissionsBoundaryUsageCount', 0) +
    el('IsAttachable', true) +
    el('CreateDate', policy.createDate) +
    el('UpdateDate', policy.updateDate)
  // ListPolicies leaves out Description and Tags; GetPolicy has them.
  if (full) {
    xml += el('Description', policy.description)
    if (policy.tags.size > 0) xml += tagsXml(policy.tags)
  }
  return xml
}

function userXml(user: User): string {
  return (
    el('Path', user.path) +
    el('UserName', user.name) +
    el('UserId', user.id) +
    el('Arn', user.arn) +
    el('CreateDate', user.createDate) +
    (user.tags.size > 0 ? tagsXml(user.tags) : '')
  )
}

function groupXml(group: Group): string {
  return (
    el('Path', group.path) +
    el('GroupName', group.name) +
    el('GroupId', group.id) +
    el('Arn', group.arn) +
    el('CreateDate', group.createDate)
  )
}

function roleXml(role: Role): string {
  return (
    el('Path', role.path) +
    el('RoleName', role.name) +
    el('RoleId', role.id) +
    el('Arn', role.arn) +
    el('CreateDate', role.createDate) +
    el('AssumeRolePolicyDocument', encodeDocument(role.trustPolicy)) +
    el('Description', role.description) +
    el('MaxSessionDuration', role.maxSessionDuration) +
    (role.tags.size > 0 ? tagsXml(role.tags) : '')
  )
}

function tagsXml(tags: Map<string, string>): string {
  return memberList(
    'Tags',
    [...tags],
    ([k, v]) => el('Key', k) + el('Value', v)
  )
}

/** Names of every IAM action the sandbox answers, sorted. */
export const SANDBOX_ACTIONS: readonly string[] = Object.keys(ACTIONS).sort()
