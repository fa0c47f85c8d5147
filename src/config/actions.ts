import {
  PRESIGNED_URL_RESOURCE_TYPES,
  SAGEMAKER_ACTIONS
} from './sagemaker-actions.js'
import { didYouMean } from './suggest.js'

/** Short names for the browser entry points of SageMaker. */
export const ACTION_PRESETS: Readonly<Record<string, readonly string[]>> = {
  notebook: ['sagemaker:CreatePresignedNotebookInstanceUrl'],
  studio: ['sagemaker:CreatePresignedDomainUrl'],
  mlflow: [
    'sagemaker:CreatePresignedMlflowAppUrl',
    'sagemaker:CreatePresignedMlflowTrackingServerUrl'
  ],
  'partner-app': ['sagemaker:CreatePartnerAppPresignedUrl']
}

export const DEFAULT_ACTIONS = ['notebook']

const BY_LOWER_CASE = new Map(SAGEMAKER_ACTIONS.map(a => [a.toLowerCase(), a]))

export type ResolvedAction =
  | {
      ok: true
      /** What goes into the policy: a full name or a wildcard pattern. */
      actions: string[]
      /** The concrete actions it covers, for overlap checks. */
      covers: string[]
    }
  | { ok: false; message: string }

function wildcardToRegExp(pattern: string): RegExp {
  const body = pattern
    .split('')
    .map(c =>
      c === '*'
        ? '.*'
        : c === '?'
          ? '.'
          : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')
    )
    .join('')
  return new RegExp(`^${body}$`, 'i')
}

/**
 * Resolves one entry of `actions:`: a preset, a full SageMaker action name
 * (IAM matches action names case-insensitively; the canonical spelling is
 * kept) or a wildcard pattern that matches at least one SageMaker action.
 */
export function resolveAction(entry: string): ResolvedAction {
  const preset = ACTION_PRESETS[entry]
  if (preset) return { ok: true, actions: [...preset], covers: [...preset] }

  const colon = entry.indexOf(':')
  if (colon < 0) {
    return {
      ok: false,
      message: `unknown action preset "${entry}"${didYouMean(entry, Object.keys(ACTION_PRESETS))}; presets: ${Object.keys(ACTION_PRESETS).join(', ')}, or a full name such as sagemaker:CreatePresignedDomainUrl`
    }
  }
  const service = entry.slice(0, colon)
  const name = entry.slice(colon + 1)
  if (service.toLowerCase() !== 'sagemaker') {
    return {
      ok: false,
      message: `"${entry}" is not a SageMaker action; this tool writes policies for the sagemaker service only`
    }
  }

  if (/[*?]/.test(name)) {
    const pattern = wildcardToRegExp(name)
    const covers = SAGEMAKER_ACTIONS.filter(a => pattern.test(a)).map(
      a => `sagemaker:${a}`
    )
    if (covers.length === 0) {
      return { ok: false, message: `"${entry}" matches no SageMaker action` }
    }
    return { ok: true, actions: [`sagemaker:${name}`], covers }
  }

  const canonical = BY_LOWER_CASE.get(name.toLowerCase())
  if (!canonical) {
    return {
      ok: false,
      message: `"${entry}" is not a SageMaker action${didYouMean(name, SAGEMAKER_ACTIONS).replace('"', '"sagemaker:')}`
    }
  }
  return {
    ok: true,
    actions: [`sagemaker:${canonical}`],
    covers: [`sagemaker:${canonical}`]
  }
}

/**
 * The resource types the given actions are authorised against, or undefined
 * when one of them is not a presigned-URL action (its types are not tracked).
 */
export function resourceTypesFor(
  covers: readonly string[]
): Set<string> | undefined {
  const types = new Set<string>()
  for (const action of covers) {
    const known =
      PRESIGNED_URL_RESOURCE_TYPES[action.replace(/^sagemaker:/, '')]
    if (!known) return undefined
    known.forEach(t => types.add(t))
  }
  return types
}

/** The concrete actions a list of names and wildcard patterns covers. */
export function expandActions(actions: readonly string[]): string[] {
  const out = new Set<string>()
  for (const action of actions) {
    const resolved = resolveAction(action)
    if (resolved.ok) resolved.covers.forEach(a => out.add(a))
    else out.add(action)
  }
  return [...out].sort()
}
