import { createHash } from 'node:crypto'
import {
  aggregate,
  formatCidr,
  intersectSets,
  parseCidrOrThrow,
  sameAddresses
} from '../cidr.js'
import { expandActions } from '../config/actions.js'
import {
  PRINCIPAL_KEYS,
  PRINCIPAL_TYPES,
  type PrincipalType
} from '../config/model.js'
import type { DesiredState } from '../desired.js'
import { principalKey, type LivePolicy, type LiveState } from '../live-state.js'
import {
  DIGEST_TAG_KEY,
  OWNER_TAG_KEY,
  OWNER_TAG_VALUE,
  VERSION_TAG_KEY
} from '../ownership.js'
import {
  canonicalText,
  diffSets,
  documentDigest,
  guardView,
  isEmptyDiff,
  sameMeaning,
  type GuardView,
  type SetDiff
} from '../policy-meaning.js'
import type { RenderedPolicy } from '../render.js'
import {
  CHANGE_ORDER,
  type Change,
  type Drift,
  type Effective,
  type Plan,
  type PlanError,
  type PrincipalRef
} from './types.js'

const EMPTY_GUARD: GuardView = {
  cidrs: [],
  actions: [],
  resources: [],
  vpcEndpoints: []
}

function guardDiffs(from: GuardView, to: GuardView) {
  const out: Partial<
    Record<'cidrs' | 'actions' | 'resources' | 'vpcEndpoints', SetDiff>
  > = {}
  for (const k of ['cidrs', 'actions', 'resources', 'vpcEndpoints'] as const) {
    const diff = diffSets(from[k], to[k])
    if (!isEmptyDiff(diff)) out[k] = diff
  }
  return out
}

const typeOrder = (t: PrincipalType) => PRINCIPAL_TYPES.indexOf(t)

function compareChanges(a: Change, b: Change): number {
  return (
    CHANGE_ORDER.indexOf(a.action) - CHANGE_ORDER.indexOf(b.action) ||
    a.policy.localeCompare(b.policy) ||
    (a.principal && b.principal
      ? typeOrder(a.principal.type) - typeOrder(b.principal.type) ||
        a.principal.name.localeCompare(b.principal.name)
      : 0)
  )
}

/**
 * The plan: what apply would change to make IAM match the file. Pure: the
 * same desired and live state always give the same plan and digest.
 */
export function computePlan(desired: DesiredState, live: LiveState): Plan {
  const { config } = desired
  const errors: PlanError[] = []
  const warnings: PlanError[] = []
  const changes: Change[] = []
  const path = config.settings.policyPath

  for (const policy of desired.policies) {
    const spec = config.policies.find(p => p.key === policy.key)!
    const existing = live.policies.get(policy.name)
    const outside = live.outside.get(policy.name)

    if (outside) {
      errors.push({
        loc: spec.loc,
        message: `policy "${policy.key}": an IAM policy named ${policy.name} already exists outside ${path} (${outside.arn}); the tool never modifies policies outside its path. Rename the key or settings.policy-name-prefix, or delete that policy if it is an old copy made by hand`
      })
      continue
    }
    if (existing && (!existing.owned || existing.details.path !== path)) {
      const why = !existing.owned
        ? `has no ${OWNER_TAG_KEY}=${OWNER_TAG_VALUE} tag`
        : `is at the path ${existing.details.path}, not ${path}`
      const fix = !existing.owned
        ? `to adopt it, tag it (aws iam tag-policy --policy-arn ${existing.details.arn} --tags Key=${OWNER_TAG_KEY},Value=${OWNER_TAG_VALUE}); otherwise rename the key`
        : 'IAM cannot move a policy; rename the key, or delete the old policy'
      errors.push({
        loc: spec.loc,
        message: `policy "${policy.key}": ${existing.details.arn} ${why}, so the tool will not modify it; ${fix}`
      })
      continue
    }

    if (policy.size > live.quotas.policySize) {
      errors.push({
        loc: spec.loc,
        message: `policy "${policy.key}" renders to ${policy.size} characters; this account's PolicySizeQuota is ${live.quotas.policySize}`
      })
    }

    const want = guardView(policy.document)
    if (!existing) {
      changes.push({
        action: 'create',
        policy: policy.name,
        key: policy.key,
        ...guardDiffs(EMPTY_GUARD, want)
      })
    } else {
      const update = updateChange(policy, existing, want)
      if (update) changes.push(update)
    }

    for (const type of PRINCIPAL_TYPES) {
      const key = PRINCIPAL_KEYS[type]
      const now = new Set(existing?.attachments[key] ?? [])
      const wanted = new Set(policy.attach[key])
      policy.attach[key].forEach((name, index) => {
        const principal = live.principals.get(principalKey(type, name))
        if (principal && !principal.exists) {
          errors.push({
            loc: spec.attachLocs[key][index],
            message: `${type} "${name}" does not exist in the account; create it first, or remove it from policies.${policy.key}.attach.${key}`
          })
        }
        if (!now.has(name)) {
          changes.push({
            action: 'attach',
            policy: policy.name,
            key: policy.key,
            principal: { type, name }
          })
        }
      })
      for (const name of now) {
        if (!wanted.has(name)) {
          changes.push({
            action: 'detach',
            policy: policy.name,
            key: policy.key,
            principal: { type, name }
          })
        }
      }
    }
  }

  const wantedNames = new Set(desired.policies.map(p => p.name))
  for (const [name, policy] of live.policies) {
    // A tagged policy at another path under ours belongs to another file
    // (or an old setting): never orphaned, never pruned from here.
    if (!policy.owned || policy.details.path !== path || wantedNames.has(name))
      continue
    if (config.settings.prune) {
      changes.push({
        action: 'delete',
        policy: name,
        ...guardDiffs(
          policy.document ? guardView(policy.document) : EMPTY_GUARD,
          EMPTY_GUARD
        )
      })
    } else {
      changes.push({ action: 'orphan', policy: name })
      const count =
        policy.attachments.users.length +
        policy.attachments.groups.length +
        policy.attachments.roles.length
      if (count > 0) {
        warnings.push({
          message: `policy ${name} is no longer in the file but stays attached to ${count} principal${count === 1 ? '' : 's'} and keeps restricting them; set settings.prune: true to delete it`
        })
      }
    }
  }

  changes.sort(compareChanges)
  checkQuotas(changes, live, errors)
  const effective = effectiveAccess(desired, live, warnings)
  for (const c of changes) {
    if (c.drift) {
      warnings.push({
        message: `policy ${c.policy} was changed outside the file since the tool last wrote it; apply will overwrite that change`
      })
    }
  }

  const summary = Object.fromEntries(
    CHANGE_ORDER.map(a => [a, changes.filter(c => c.action === a).length])
  ) as Plan['summary']
  return {
    file: config.file,
    changes,
    summary,
    errors,
    warnings,
    effective,
    digest: planDigest(desired, live)
  }
}

function updateChange(
  policy: RenderedPolicy,
  existing: LivePolicy,
  want: GuardView
): Change | undefined {
  const wantDigest = documentDigest(policy.document)
  const same =
    existing.document !== undefined &&
    sameMeaning(existing.document, policy.document)
  if (same) {
    if (existing.details.tags[DIGEST_TAG_KEY] === wantDigest) return undefined
    return {
      action: 'update',
      policy: policy.name,
      key: policy.key,
      tagsOnly: true
    }
  }
  const have = existing.document ? guardView(existing.document) : EMPTY_GUARD
  let drift: Drift | undefined
  if (existing.drifted) {
    const base = existing.lastApplied
      ? guardView(existing.lastApplied)
      : undefined
    drift = base
      ? {
          lastApplied: existing.details.tags[VERSION_TAG_KEY],
          ...guardDiffs(base, have)
        }
      : {}
  }
  return {
    action: 'update',
    policy: policy.name,
    key: policy.key,
    ...guardDiffs(have, want),
    ...(drift ? { drift } : {})
  }
}

function quotaOf(live: LiveState, type: PrincipalType): number {
  return type === 'user'
    ? live.quotas.attachedPerUser
    : type === 'group'
      ? live.quotas.attachedPerGroup
      : live.quotas.attachedPerRole
}

/** A principal would hold more managed policies than its quota allows. */
function checkQuotas(
  changes: readonly Change[],
  live: LiveState,
  errors: PlanError[]
): void {
  // Apply attaches before it detaches, so the peak is the current count
  // plus every attach: the detaches come too late to make room.
  const attaches = new Map<string, number>()
  for (const c of changes) {
    if (c.action !== 'attach' || !c.principal) continue
    const key = principalKey(c.principal.type, c.principal.name)
    attaches.set(key, (attaches.get(key) ?? 0) + 1)
  }
  for (const [key, added] of attaches) {
    const principal = live.principals.get(key)
    if (!principal?.exists) continue
    const after = principal.attached.length + added
    const quota = quotaOf(live, principal.type)
    if (after > quota) {
      errors.push({
        message: `${principal.type} "${principal.name}" would have ${after} managed policies attached while apply runs (it attaches before it detaches); the account allows ${quota} per ${principal.type} (detach one it no longer needs first, or ask AWS to raise the quota)`
      })
    }
  }
}

interface Guarding {
  name: string
  covers: string[]
  cidrs: string[]
  users: Set<string>
  groups: Set<string>
  roles: Set<string>
}

/**
 * Where each user and role will be able to connect from after apply: the
 * intersection of every one of our policies that reaches it for an action,
 * directly or through a group.
 */
function effectiveAccess(
  desired: DesiredState,
  live: LiveState,
  warnings: PlanError[]
): Effective[] {
  const { config } = desired
  const guards: Guarding[] = desired.policies.map(p => ({
    name: p.name,
    covers: expandActions(guardView(p.document).actions),
    cidrs: [...p.cidrs],
    users: new Set(p.attach.users),
    groups: new Set(p.attach.groups),
    roles: new Set(p.attach.roles)
  }))
  if (!config.settings.prune) {
    const wanted = new Set(desired.policies.map(p => p.name))
    for (const [name, p] of live.policies) {
      if (
        !p.owned ||
        p.details.path !== config.settings.policyPath ||
        wanted.has(name) ||
        !p.document
      ) {
        continue
      }
      const view = guardView(p.document)
      guards.push({
        name,
        covers: expandActions(view.actions),
        cidrs: [...view.cidrs],
        users: new Set(p.attachments.users),
        groups: new Set(p.attachments.groups),
        roles: new Set(p.attachments.roles)
      })
    }
  }

  const membersOf = (group: string) =>
    live.principals.get(principalKey('group', group))?.members ?? []
  const users = new Set<string>()
  const roles = new Set<string>()
  for (const p of config.policies) {
    p.attach.users.forEach(u => users.add(u))
    p.attach.groups.forEach(g => membersOf(g).forEach(u => users.add(u)))
    p.attach.roles.forEach(r => roles.add(r))
  }

  const out: Effective[] = []
  const evaluate = (principal: PrincipalRef, reaching: Guarding[]) => {
    const actions = [...new Set(reaching.flatMap(g => g.covers))].sort()
    for (const action of actions) {
      const guards = reaching.filter(g => g.covers.includes(action))
      const sets = guards.map(g => g.cidrs.map(parseCidrOrThrow))
      const cidrs = sets.reduce((acc, s) => intersectSets(acc, s))
      out.push({
        principal,
        action,
        policies: guards.map(g => g.name),
        cidrs: aggregate(cidrs).map(formatCidr)
      })
      if (guards.length < 2) continue
      const who = `${principal.type} "${principal.name}"`
      if (cidrs.length === 0) {
        warnings.push({
          message: `${who} would be locked out of ${action}: policies ${guards.map(g => g.name).join(' and ')} both reach it (directly or through groups) and their allowlists share no address`
        })
      } else if (sets.some(s => !sameAddresses(s, cidrs))) {
        warnings.push({
          message: `${who} is reached by ${guards.map(g => g.name).join(' and ')} for ${action}; Deny policies intersect, so it can connect only from ${aggregate(cidrs).map(formatCidr).join(', ')}, narrower than each policy alone`
        })
      }
    }
  }
  for (const user of [...users].sort()) {
    const reaching = guards.filter(
      g =>
        g.users.has(user) ||
        [...g.groups].some(group => membersOf(group).includes(user))
    )
    evaluate({ type: 'user', name: user }, reaching)
  }
  for (const role of [...roles].sort()) {
    evaluate(
      { type: 'role', name: role },
      guards.filter(g => g.roles.has(role))
    )
  }
  return out
}

/**
 * A hash of what the plan was computed from: the rendered policies and
 * attachments, and the live policies, attachments and principals. An apply
 * that sees another digest is not looking at what was reviewed.
 */
export function planDigest(desired: DesiredState, live: LiveState): string {
  const sorted = (xs: readonly string[]) => [...xs].sort()
  const input = {
    prune: desired.config.settings.prune,
    path: desired.config.settings.policyPath,
    desired: [...desired.policies]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map(p => ({
        name: p.name,
        description: p.description,
        document: canonicalText(p.document),
        attach: {
          users: sorted(p.attach.users),
          groups: sorted(p.attach.groups),
          roles: sorted(p.attach.roles)
        }
      })),
    live: [...live.policies.values()]
      .map(p => ({
        arn: p.details.arn,
        owned: p.owned,
        version: p.details.defaultVersionId,
        document: p.document ? canonicalText(p.document) : null,
        digestTag: p.details.tags[DIGEST_TAG_KEY] ?? null,
        attachments: {
          users: sorted(p.attachments.users),
          groups: sorted(p.attachments.groups),
          roles: sorted(p.attachments.roles)
        }
      }))
      .sort((a, b) => a.arn.localeCompare(b.arn)),
    outside: sorted([...live.outside.values()].map(p => p.arn)),
    principals: [...live.principals.values()]
      .map(p => ({
        key: principalKey(p.type, p.name),
        exists: p.exists,
        attached: p.attached.length,
        members: p.members ? sorted(p.members) : null
      }))
      .sort((a, b) => a.key.localeCompare(b.key))
  }
  return createHash('sha256').update(JSON.stringify(input)).digest('hex')
}
