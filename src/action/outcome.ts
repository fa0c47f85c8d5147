/**
 * What one run of the action found and did, in one value: the report, the
 * outputs and the step result are all derived from it.
 */
import type { ApplyReport } from '../apply/apply.js'
import type { Diagnostic } from '../config/diagnostics.js'
import type { DesiredState } from '../desired.js'
import type { Plan } from '../plan/types.js'
import type { RunMode } from './events.js'

/** A refusal to apply because the reviewed plan is not the fresh one. */
export interface ReviewRefusal {
  /** Why no reviewed digest could be used, or that it differs. */
  readonly reason: string
  /** The digest the comment showed, when there was one. */
  readonly reviewed?: string
}

export interface RunOutcome {
  /** The config path, relative to the repository root. */
  readonly file: string
  readonly mode: RunMode
  /** Why this mode: the event decision's sentence. */
  readonly reason: string
  /** The result in one line: the `summary` output, the failure message. */
  readonly headline: string
  /** Whether the step succeeds. */
  readonly ok: boolean
  readonly diagnostics: readonly Diagnostic[]
  readonly desired?: DesiredState
  /** The plan computed, executed or refused. */
  readonly plan?: Plan
  readonly apply?: ApplyReport
  /** A scheduled run found live IAM different from the file. */
  readonly drift?: boolean
  readonly refusal?: ReviewRefusal
  /** What is missing for a complete run and how to grant it, plain text. */
  readonly notes: readonly string[]
}

/** The outcome with one more note. */
export function withNote(outcome: RunOutcome, note: string): RunOutcome {
  return { ...outcome, notes: [...outcome.notes, note] }
}
