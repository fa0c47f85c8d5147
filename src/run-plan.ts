import type { Diagnostic } from './config/diagnostics.js'
import {
  loadDesiredState,
  type DesiredResult,
  type DesiredState
} from './desired.js'
import type { IamGateway } from './iam/types.js'
import { readLiveState, type LiveState } from './live-state.js'
import { computePlan } from './plan/compute.js'
import type { Plan } from './plan/types.js'

export interface PlanOptions {
  readonly iam: IamGateway
  /** Overrides settings.concurrency. */
  readonly concurrency?: number
  /** The file as already loaded and validated, so it is not read twice. */
  readonly loaded?: DesiredResult
}

export interface PlanRun {
  readonly diagnostics: Diagnostic[]
  /** Absent when the file has errors: then IAM was not called at all. */
  readonly desired?: DesiredState
  readonly live?: LiveState
  readonly plan?: Plan
}

/** Validates the file, reads live IAM and computes the plan. Writes nothing. */
export async function planConfigFile(
  file: string,
  options: PlanOptions
): Promise<PlanRun> {
  const { desired, diagnostics } = options.loaded ?? loadDesiredState(file)
  if (!desired) return { diagnostics }
  const live = await readLiveState(options.iam, desired, {
    concurrency: options.concurrency ?? desired.config.settings.concurrency
  })
  return { diagnostics, desired, live, plan: computePlan(desired, live) }
}
