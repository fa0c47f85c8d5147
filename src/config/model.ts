import type { Cidr } from '../cidr.js'
import type { Loc } from './diagnostics.js'

export type PrincipalType = 'user' | 'group' | 'role'

export const PRINCIPAL_TYPES: readonly PrincipalType[] = [
  'user',
  'group',
  'role'
]

/** The config key that lists principals of each type. */
export const PRINCIPAL_KEYS: Readonly<
  Record<PrincipalType, 'users' | 'groups' | 'roles'>
> = {
  user: 'users',
  group: 'groups',
  role: 'roles'
}

export interface Attachments {
  readonly users: readonly string[]
  readonly groups: readonly string[]
  readonly roles: readonly string[]
}

export interface AllowlistEntry {
  /** As written in the file. */
  readonly text: string
  readonly cidr: Cidr
  readonly note?: string
  readonly loc: Loc
}

export interface Allowlist {
  readonly name: string
  readonly entries: readonly AllowlistEntry[]
  readonly loc: Loc
}

export interface Settings {
  readonly policyNamePrefix: string
  readonly policyPath: string
  readonly prune: boolean
  readonly concurrency: number
}

/** One policy of the file, resolved: names expanded, CIDRs aggregated. */
export interface PolicySpec {
  readonly key: string
  /** The IAM policy name: prefix + key. */
  readonly name: string
  readonly description: string
  /** Allowlist names this policy admits, in file order. */
  readonly allowlists: readonly string[]
  /** The aggregated set of CIDRs admitted (allowlists and literals). */
  readonly cidrs: readonly Cidr[]
  /** Full action names, sorted. */
  readonly actions: readonly string[]
  readonly resources: readonly string[]
  readonly vpcEndpoints: readonly string[]
  readonly attach: Attachments
  /** Where each attached principal is named, parallel to `attach`. */
  readonly attachLocs: Readonly<Record<keyof Attachments, readonly Loc[]>>
  readonly loc: Loc
}

/** A valid config file. */
export interface Config {
  readonly file: string
  readonly version: 1
  readonly settings: Settings
  readonly allowlists: readonly Allowlist[]
  readonly policies: readonly PolicySpec[]
}
