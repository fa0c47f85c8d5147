import type { PrincipalType } from '../config/model.js'
import { IamCallError, isCode } from '../iam/errors.js'
import type {
  IamGateway,
  PolicyDetails,
  PolicyVersionInfo
} from '../iam/types.js'
import type { LivePolicy, LiveState } from '../live-state.js'
import { DIGEST_TAG_KEY, isOwned, ownershipTags } from '../ownership.js'
import {
  documentDigest,
  parsePolicyDocument,
  sameMeaning
} from '../policy-meaning.js'
import type { PolicyDocument, RenderedPolicy } from '../render.js'
import type { Change } from '../plan/types.js'

/** How often a write is tried again after a conflict with another run. */
export const MAX_CONFLICT_ROUNDS = 4

/** Reports one finished write: what, on which entity, and the result. */
export type WriteLog = (line: string) => void

const byVersionAge = (a: PolicyVersionInfo, b: PolicyVersionInfo) => {
  const time = (v: PolicyVersionInfo) => v.createDate?.getTime() ?? 0
  const num = (v: PolicyVersionInfo) =>
    Number(v.versionId.replace(/^v/, '')) || 0
  return time(a) - time(b) || num(a) - num(b)
}

/**
 * Carries out single changes against IAM. Each method converges one thing
 * and re-reads instead of failing when another run got there first: an
 * existing policy, a version someone deleted, a detach already done.
 */
export class ChangeExecutor {
  /** ARNs of policies, including those created during this apply. */
  private readonly arns = new Map<string, string>()

  constructor(
    private readonly iam: IamGateway,
    private readonly live: LiveState,
    private readonly desired: ReadonlyMap<string, RenderedPolicy>,
    private readonly log: WriteLog
  ) {
    for (const [name, p] of live.policies) this.arns.set(name, p.details.arn)
  }

  /**
   * Runs one write and logs it as one line. `alreadyDone` names the errors
   * that mean the write's effect is already there (another run, or our own
   * earlier attempt whose answer was lost): those count as done.
   */
  private async write<T>(
    what: string,
    run: () => Promise<T>,
    alreadyDone?: (error: unknown) => boolean
  ): Promise<T | undefined> {
    try {
      const result = await run()
      this.log(`${what}: done`)
      return result
    } catch (error) {
      if (alreadyDone?.(error)) {
        this.log(`${what}: done already`)
        return undefined
      }
      this.log(`${what}: failed: ${(error as Error).message}`)
      throw error
    }
  }

  arnOf(policy: string): string {
    const arn = this.arns.get(policy)
    if (!arn)
      throw new Error(`policy ${policy} has no ARN yet: it was not created`)
    return arn
  }

  async run(change: Change): Promise<void> {
    switch (change.action) {
      case 'create':
        return this.create(this.policy(change))
      case 'update':
        return this.converge(
          this.policy(change),
          this.live.policies.get(change.policy)
        )
      case 'attach':
        return this.attach(change)
      case 'detach':
        return this.detach(change)
      case 'delete':
        return this.delete(change.policy)
      case 'orphan':
        return
    }
  }

  private policy(change: Change): RenderedPolicy {
    const policy = this.desired.get(change.policy)
    if (!policy) throw new Error(`policy ${change.policy} is not in the file`)
    return policy
  }

  private async create(policy: RenderedPolicy): Promise<void> {
    const digest = documentDigest(policy.document)
    for (let round = 1; ; round++) {
      try {
        const created = await this.write(
          `create policy ${policy.path}${policy.name}`,
          () =>
            this.iam.createPolicy({
              name: policy.name,
              path: policy.path,
              description: policy.description,
              document: policy.json,
              // A new policy's first version is always v1.
              tags: ownershipTags(digest, 'v1')
            })
        )
        if (created) this.arns.set(policy.name, created.arn)
        return
      } catch (error) {
        // Another run created it, or our request went through and only the
        // answer was lost: find it and converge it like an update. When a
        // retryable failure left nothing behind, try the create again.
        const exists = isCode(error, 'EntityAlreadyExists')
        const unsure = error instanceof IamCallError && error.retryable
        if (!exists && !unsure) throw error
        if (await this.find(policy)) return this.converge(policy)
        if (exists) {
          // Names are unique in an account whatever the path: the clash is
          // outside our path, where the plan's probe of / did not look.
          throw new Error(
            `an IAM policy named ${policy.name} already exists at a path other than ${policy.path}; the tool never modifies it. Rename the policy's key or settings.policy-name-prefix, or delete that policy if it is an old copy`,
            { cause: error }
          )
        }
        if (round >= MAX_CONFLICT_ROUNDS) throw error
      }
    }
  }

  /** Looks a policy up by name under its path after a failed create. */
  private async find(policy: RenderedPolicy): Promise<boolean> {
    const listed = await this.iam.listPolicies(policy.path)
    const hit = listed.find(
      p => p.name === policy.name && p.path === policy.path
    )
    if (!hit) return false
    const details = await this.iam.getPolicy(hit.arn)
    if (!details || !isOwned(details.tags)) {
      throw new Error(
        `policy ${policy.name} appeared at ${hit.arn} during apply without the ownership tag; it is left alone`
      )
    }
    this.arns.set(policy.name, hit.arn)
    return true
  }

  /**
   * Makes the policy's default version mean what the file says: a new
   * version with SetAsDefault switches the live document atomically. When the
   * version quota is reached the oldest non-default version is deleted first.
   */
  private async converge(
    policy: RenderedPolicy,
    planned?: LivePolicy
  ): Promise<void> {
    const arn = this.arnOf(policy.name)
    const digest = documentDigest(policy.document)
    for (let round = 1; ; round++) {
      // The first round acts on what the plan read a moment ago; a conflict
      // (another run wrote in between) sends later rounds back to IAM.
      const seen =
        round === 1 && planned ? fromPlan(planned) : await this.read(arn)
      if (seen.document && sameMeaning(seen.document, policy.document)) {
        if (seen.details.tags[DIGEST_TAG_KEY] !== digest) {
          await this.write(`tag policy ${policy.name}`, () =>
            this.iam.tagPolicy(
              arn,
              ownershipTags(digest, seen.details.defaultVersionId)
            )
          )
        }
        return
      }

      try {
        await this.makeRoomForVersion(arn, policy.name, seen.versions)
        const versionId = await this.write(
          `new version of policy ${policy.name}`,
          () => this.iam.createPolicyVersion(arn, policy.json)
        )
        await this.write(`tag policy ${policy.name} (${versionId})`, () =>
          this.iam.tagPolicy(arn, ownershipTags(digest, versionId))
        )
        return
      } catch (error) {
        // LimitExceeded: a racing run added a version after we made room.
        // A retryable failure: the version may or may not exist; re-read.
        const again =
          isCode(error, 'LimitExceeded') ||
          (error instanceof IamCallError && error.retryable)
        if (!again || round >= MAX_CONFLICT_ROUNDS) throw error
      }
    }
  }

  /** A policy's details and default document, as IAM has them now. */
  private async read(arn: string): Promise<PolicyState> {
    const details = await this.iam.getPolicy(arn)
    if (!details) throw new Error(`policy ${arn} disappeared during apply`)
    const text = await this.iam.getPolicyDocument(arn, details.defaultVersionId)
    const parsed = text === undefined ? undefined : parsePolicyDocument(text)
    return { details, ...(parsed?.ok ? { document: parsed.document } : {}) }
  }

  private async makeRoomForVersion(
    arn: string,
    policy: string,
    known?: readonly PolicyVersionInfo[]
  ): Promise<void> {
    const versions = known ?? (await this.iam.listPolicyVersions(arn))
    const quota = this.live.quotas.versionsPerPolicy
    const spare = versions.filter(v => !v.isDefault).sort(byVersionAge)
    for (let i = 0; versions.length - i >= quota && i < spare.length; i++) {
      const old = spare[i]
      // Another run may have deleted it already: the room is made all the same.
      await this.write(
        `delete version ${old.versionId} of ${policy}`,
        () => this.iam.deletePolicyVersion(arn, old.versionId),
        noSuchEntity
      )
    }
  }

  private async attach(change: Change): Promise<void> {
    const { type, name } = change.principal!
    const arn = this.arnOf(change.policy)
    await this.write(`attach ${type} ${name} to ${change.policy}`, () =>
      this.iam.attach(type, name, arn)
    )
  }

  private async detach(change: Change): Promise<void> {
    const { type, name } = change.principal!
    await this.detachOne(type, name, this.arnOf(change.policy), change.policy)
  }

  private async detachOne(
    type: PrincipalType,
    name: string,
    arn: string,
    policy: string
  ): Promise<void> {
    // IAM answers NoSuchEntity when the policy is no longer attached.
    await this.write(
      `detach ${type} ${name} from ${policy}`,
      () => this.iam.detach(type, name, arn),
      noSuchEntity
    )
  }

  /** Prune: detach everywhere, drop old versions, then delete the policy. */
  private async delete(policy: string): Promise<void> {
    const arn = this.arnOf(policy)
    for (let round = 1; ; round++) {
      let entities: Awaited<ReturnType<IamGateway['listEntitiesForPolicy']>>
      let versions: PolicyVersionInfo[]
      try {
        entities = await this.iam.listEntitiesForPolicy(arn)
        versions = await this.iam.listPolicyVersions(arn)
      } catch (error) {
        // Another run pruned it first.
        if (isCode(error, 'NoSuchEntity')) return
        throw error
      }
      for (const [type, names] of [
        ['user', entities.users],
        ['group', entities.groups],
        ['role', entities.roles]
      ] as const) {
        for (const name of names) await this.detachOne(type, name, arn, policy)
      }
      for (const v of versions.filter(v => !v.isDefault)) {
        await this.write(
          `delete version ${v.versionId} of ${policy}`,
          () => this.iam.deletePolicyVersion(arn, v.versionId),
          noSuchEntity
        )
      }
      try {
        await this.write(
          `delete policy ${policy}`,
          () => this.iam.deletePolicy(arn),
          noSuchEntity
        )
        return
      } catch (error) {
        // Attached or versioned again in the meantime: go round once more.
        if (!isCode(error, 'DeleteConflict') || round >= MAX_CONFLICT_ROUNDS)
          throw error
      }
    }
  }
}

const noSuchEntity = (error: unknown) => isCode(error, 'NoSuchEntity')

/** What converging a policy needs to know of it. */
interface PolicyState {
  readonly details: PolicyDetails
  readonly document?: PolicyDocument
  /** Known when the plan read them; read afresh otherwise. */
  readonly versions?: readonly PolicyVersionInfo[]
}

function fromPlan(planned: LivePolicy): PolicyState {
  return {
    details: planned.details,
    ...(planned.document ? { document: planned.document } : {}),
    ...(planned.versions ? { versions: planned.versions } : {})
  }
}
