/**
 * The action's inputs, read once and checked into one typed object, so the
 * rest of the run never sees a raw string.
 */
import { DEFAULT_CONFIG_PATH, MAX_CONCURRENCY } from '../config/definition.js'
import type { ModeInput } from './events.js'

/** Every input `action.yml` declares, in its order. */
export const INPUT_NAMES = [
  'config',
  'mode',
  'github-token',
  'comment',
  'expect-reviewed-plan',
  'concurrency'
] as const

export type InputName = (typeof INPUT_NAMES)[number]

/** The raw input strings, as the runner passes them. */
export type RawInputs = Readonly<Record<InputName, string>>

/** The path the action reads when the `config` input is empty. */
export { DEFAULT_CONFIG_PATH }

/**
 * The defaults `action.yml` declares. The runner applies them; the code
 * applies them too, for a run outside a workflow (where an input left out
 * reads as empty). The token's default is a workflow expression only the
 * runner can evaluate.
 */
export const INPUT_DEFAULTS: Readonly<
  Record<Exclude<InputName, 'github-token'>, string>
> = {
  config: DEFAULT_CONFIG_PATH,
  mode: 'auto',
  comment: 'true',
  'expect-reviewed-plan': 'false',
  concurrency: ''
}

const MODES: readonly ModeInput[] = ['auto', 'validate', 'plan', 'apply']

/** The YAML 1.2 core schema booleans, as `action.yml` users write them. */
const TRUE_WORDS = ['true', 'True', 'TRUE']
const FALSE_WORDS = ['false', 'False', 'FALSE']

/** The inputs, checked. */
export interface Inputs {
  readonly config: string
  readonly mode: ModeInput
  /** Empty when the workflow passed none; no comment is possible then. */
  readonly githubToken: string
  readonly comment: boolean
  readonly expectReviewedPlan: boolean
  /** Overrides `settings.concurrency`; absent to use the file's. */
  readonly concurrency?: number
}

/** An input has a value the action does not accept. */
export class InputError extends Error {
  override readonly name = 'InputError'
}

/** Reads every input once through `getInput` (e.g. `core.getInput`). */
export function readRawInputs(getInput: (name: string) => string): RawInputs {
  const entries = INPUT_NAMES.map(name => [name, getInput(name).trim()])
  return Object.fromEntries(entries) as Record<InputName, string>
}

/**
 * Checks the raw inputs and applies the defaults.
 *
 * @throws InputError naming the input and the values it accepts; the message
 *   never repeats the token.
 */
export function parseInputs(raw: RawInputs): Inputs {
  const value = (name: Exclude<InputName, 'github-token'>) =>
    raw[name] === '' ? INPUT_DEFAULTS[name] : raw[name]

  const mode = value('mode')
  if (!(MODES as readonly string[]).includes(mode)) {
    throw new InputError(
      `Input 'mode' is '${mode}'; it accepts ${MODES.map(m => `'${m}'`).join(', ')}.`
    )
  }

  const concurrency = parseConcurrency(value('concurrency'))
  return {
    config: value('config'),
    mode: mode as ModeInput,
    githubToken: raw['github-token'],
    comment: parseBoolean('comment', value('comment')),
    expectReviewedPlan: parseBoolean(
      'expect-reviewed-plan',
      value('expect-reviewed-plan')
    ),
    ...(concurrency === undefined ? {} : { concurrency })
  }
}

function parseBoolean(name: InputName, text: string): boolean {
  if (TRUE_WORDS.includes(text)) return true
  if (FALSE_WORDS.includes(text)) return false
  throw new InputError(
    `Input '${name}' is '${text}'; it accepts 'true' or 'false'.`
  )
}

function parseConcurrency(text: string): number | undefined {
  if (text === '') return undefined
  const n = Number(text)
  if (!/^\d+$/.test(text) || n < 1 || n > MAX_CONCURRENCY) {
    throw new InputError(
      `Input 'concurrency' is '${text}'; it accepts a whole number from 1 to ${MAX_CONCURRENCY}, or nothing to use the file's settings.concurrency.`
    )
  }
  return n
}
