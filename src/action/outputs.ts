/**
 * The action's outputs. Every one is written on every run, empty when it
 * does not apply, so a later step can test it without an existence check.
 */

/** Every output `action.yml` declares, in its order. */
export const OUTPUT_NAMES = [
  'has-changes',
  'digest',
  'summary',
  'plan-json',
  'comment-url'
] as const

export type OutputName = (typeof OUTPUT_NAMES)[number]

export type Outputs = Readonly<Record<OutputName, string>>

/** Outputs before anything is known: all empty. */
export const EMPTY_OUTPUTS: Outputs = Object.fromEntries(
  OUTPUT_NAMES.map(name => [name, ''])
) as Record<OutputName, string>

/** Writes every output through `setOutput` (e.g. `core.setOutput`). */
export function writeOutputs(
  outputs: Outputs,
  setOutput: (name: string, value: string) => void
): void {
  for (const name of OUTPUT_NAMES) setOutput(name, outputs[name])
}
