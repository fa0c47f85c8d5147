/**
 * Puts the config file's problems on its lines in the pull request diff and
 * the run page, as workflow annotations.
 */
import type { AnnotationProperties } from '@actions/core'
import type { Diagnostic } from '../config/diagnostics.js'
import type { Plan } from '../plan/types.js'

/** Where annotations go: `core` in the action, a recorder in tests. */
export interface AnnotationSink {
  error(message: string, properties: AnnotationProperties): void
  warning(message: string, properties: AnnotationProperties): void
}

/** The title GitHub shows above each annotation. */
const TITLES = {
  error: 'sagemaker-ip-allowlist: config error',
  warning: 'sagemaker-ip-allowlist: config warning',
  plan: 'sagemaker-ip-allowlist: plan error'
} as const

/**
 * Annotates each diagnostic on `file` (the path relative to the repository
 * root, which is what GitHub matches annotations against).
 */
export function annotateDiagnostics(
  diagnostics: readonly Diagnostic[],
  file: string,
  sink: AnnotationSink
): void {
  for (const d of diagnostics) {
    const properties = {
      title: TITLES[d.severity],
      file,
      startLine: d.line,
      startColumn: d.col
    }
    if (d.severity === 'error') sink.error(d.message, properties)
    else sink.warning(d.message, properties)
  }
}

/**
 * Annotates the plan's errors: on their line when they come from the file,
 * on the file as a whole otherwise (a quota, a live policy in the way).
 */
export function annotatePlanErrors(
  plan: Plan,
  file: string,
  sink: AnnotationSink
): void {
  for (const e of plan.errors) {
    sink.error(e.message, {
      title: TITLES.plan,
      file,
      ...(e.loc ? { startLine: e.loc.line, startColumn: e.loc.col } : {})
    })
  }
}
