/** Options accepted by `startIamSandbox`. */
export interface SandboxOptions {
  /** TCP port on 127.0.0.1; 0 (the default) lets the OS pick one. */
  port?: number
  /** Initial state: a fixture, or the path of a .yml, .yaml or .json file. */
  seed?: SeedFixture | string
  /** Faults to inject from the first call on. */
  faults?: FaultRule[]
  /** Seed of the PRNG that draws fault rates, so a fault sequence replays. */
  randomSeed?: number
  /** Account id used in every ARN; defaults to '123456789012'. */
  accountId?: string
  /**
   * Answer list calls with at most this many items, even when MaxItems asks
   * for more, as IAM may: callers must follow IsTruncated, not page sizes.
   */
  pageSize?: number
}

/** A running sandbox, as returned by `startIamSandbox`. */
export interface IamSandbox {
  /** Base URL to hand to the SDK, e.g. http://127.0.0.1:43121 */
  url: string
  /** Every IAM call received, in arrival order. */
  calls(): CallRecord[]
  clearCalls(): void
  /** A plain JSON-able copy of the whole IAM state. */
  snapshot(): StateSnapshot
  /** Replaces every fault rule (and their counters); reseeds the PRNG. */
  setFaults(rules: FaultRule[], randomSeed?: number): void
  /**
   * Replaces the IAM state with `seed`, or with the start-up seed when none
   * is given. The call log and the fault rules are left as they are.
   */
  reset(seed?: SeedFixture | string): void
  /** Stops listening and ends every open connection, hung ones included. */
  close(): Promise<void>
}

/** One IAM call as the sandbox saw it. */
export interface CallRecord {
  action: string
  /** Every form parameter except Action and Version. */
  params: Record<string, string>
  /** HTTP status sent; 0 when no response was sent (dropped or abandoned). */
  status: number
  /** IAM error code sent, or the fault that ended the call without a reply. */
  code?: string
  /** Arrival time, epoch milliseconds. */
  at: number
  /** The sandbox's own handling time, injected latency and hangs excluded. */
  durationMs: number
  /** Faults that fired on this call, in rule order. */
  faults?: FaultKind[]
  /** Time the call was held back on purpose (latency and hang faults). */
  injectedMs?: number
}

/** What a fault rule does to a call it fires on. */
export type FaultKind =
  | 'throttle'
  | 'access-denied'
  | 'status-500'
  | 'status-503'
  | 'latency'
  | 'drop'
  | 'hang'

/**
 * One fault rule. A rule fires on a matching call when the call's ordinal
 * (counted per rule among matching calls, from 1) is in `nth`, or when a
 * draw from the seeded PRNG is below `rate`; with neither, it fires on every
 * matching call.
 */
export interface FaultRule {
  /** IAM actions the rule applies to; default: every action. */
  actions?: string[]
  kind: FaultKind
  /** Probability 0..1, drawn from the seeded PRNG. */
  rate?: number
  /** 1-based call numbers among the calls this rule matches. */
  nth?: number[]
  /** Delay added by 'latency'; how long 'hang' holds a call (default 60s). */
  latencyMs?: number
}

/** A user in a seed fixture: a bare name or a full entry. */
export type SeedUser =
  string | { name: string; path?: string; groups?: string[] }

/** A group in a seed fixture: a bare name or a full entry. */
export type SeedGroup =
  string | { name: string; path?: string; members?: string[] }

/** A role in a seed fixture: a bare name or a full entry. */
export type SeedRole = string | { name: string; path?: string }

/** A customer managed policy in a seed fixture. */
export interface SeedPolicy {
  name: string
  path?: string
  description?: string
  /** The default (live) version's document. */
  document: object | string
  tags?: Record<string, string>
  attach?: { users?: string[]; groups?: string[]; roles?: string[] }
  /**
   * Older, non-default versions, oldest first. They become v1..vN and
   * `document` becomes the next version, the default.
   */
  extraVersions?: (object | string)[]
}

/** Initial IAM state, loaded from YAML or JSON or given as an object. */
export interface SeedFixture {
  users?: SeedUser[]
  groups?: SeedGroup[]
  roles?: SeedRole[]
  policies?: SeedPolicy[]
}

/** One version of a managed policy in a snapshot. */
export interface PolicyVersionSnapshot {
  versionId: string
  isDefault: boolean
  /** The document exactly as it was sent (not URL-encoded). */
  document: string
  createDate: string
}

/** A customer managed policy in a snapshot. */
export interface PolicySnapshot {
  name: string
  path: string
  arn: string
  id: string
  description?: string
  defaultVersionId: string
  createDate: string
  updateDate: string
  versions: PolicyVersionSnapshot[]
  tags: Record<string, string>
  attachments: { users: string[]; groups: string[]; roles: string[] }
}

/** A user in a snapshot. */
export interface UserSnapshot {
  name: string
  path: string
  arn: string
  id: string
  createDate: string
  groups: string[]
  attachedPolicies: string[]
  tags: Record<string, string>
}

/** A group in a snapshot. */
export interface GroupSnapshot {
  name: string
  path: string
  arn: string
  id: string
  createDate: string
  members: string[]
  attachedPolicies: string[]
}

/** A role in a snapshot. */
export interface RoleSnapshot {
  name: string
  path: string
  arn: string
  id: string
  createDate: string
  attachedPolicies: string[]
  tags: Record<string, string>
}

/** The whole IAM state of a sandbox, as plain data sorted by name. */
export interface StateSnapshot {
  accountId: string
  users: UserSnapshot[]
  groups: GroupSnapshot[]
  roles: RoleSnapshot[]
  policies: PolicySnapshot[]
}
