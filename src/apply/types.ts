import type { Change } from '../plan/types.js'

export type ChangeStatus = 'done' | 'failed' | 'skipped'

export interface ChangeOutcome {
  readonly change: Change
  readonly status: ChangeStatus
  /** Why it failed, or why it was skipped. */
  readonly error?: string
}

/** One IAM write apply makes, or would make in a dry run. */
export interface WriteCall {
  readonly call: string
  readonly target: string
}
