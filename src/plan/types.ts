import type { Loc } from '../config/diagnostics.js'
import type { PrincipalType } from '../config/model.js'
import type { SetDiff } from '../policy-meaning.js'

export type ChangeAction =
  'create' | 'update' | 'attach' | 'detach' | 'delete' | 'orphan'

/** The order changes are listed and applied in. */
export const CHANGE_ORDER: readonly ChangeAction[] = [
  'create',
  'update',
  'attach',
  'detach',
  'delete',
  'orphan'
]

export interface PrincipalRef {
  readonly type: PrincipalType
  readonly name: string
}

/** What someone changed in IAM since the tool last wrote the document. */
export interface Drift {
  /** The version the tool last wrote, when it is still stored. */
  readonly lastApplied?: string
  /** Live document compared with the one the tool last wrote. */
  readonly cidrs?: SetDiff
  readonly actions?: SetDiff
  readonly resources?: SetDiff
  readonly vpcEndpoints?: SetDiff
}

export interface Change {
  readonly action: ChangeAction
  /** The IAM policy name. */
  readonly policy: string
  /** The policy's key in the file; absent for policies no longer in it. */
  readonly key?: string
  readonly principal?: PrincipalRef
  /** For create and update: live document compared with the file's. */
  readonly cidrs?: SetDiff
  readonly actions?: SetDiff
  readonly resources?: SetDiff
  readonly vpcEndpoints?: SetDiff
  /** For update: the document is unchanged, only the ownership tags are rewritten. */
  readonly tagsOnly?: boolean
  readonly drift?: Drift
}

export type PlanSummary = Record<ChangeAction, number>

/** A problem that stops apply; located in the file when it comes from it. */
export interface PlanError {
  readonly message: string
  readonly loc?: Loc
}

export interface Effective {
  readonly principal: PrincipalRef
  readonly action: string
  /** Our policies that reach the principal for this action, directly or through groups. */
  readonly policies: readonly string[]
  /** The intersection of their allowlists: where it can connect from after apply. */
  readonly cidrs: readonly string[]
}

export interface Plan {
  readonly file: string
  readonly changes: readonly Change[]
  readonly summary: PlanSummary
  readonly errors: readonly PlanError[]
  readonly warnings: readonly PlanError[]
  readonly effective: readonly Effective[]
  /** Hash of the desired state and the live state it was computed against. */
  readonly digest: string
}

export function hasChanges(plan: Plan): boolean {
  return plan.changes.some(c => c.action !== 'orphan')
}
