/**
 * Decides what a run does from the event that started it: validate, plan
 * or apply, where the result is commented, and whether changes fail the
 * step. Pure: it reads the event payload it is given and nothing else.
 */

/** The `mode` input: `auto` lets the event decide. */
export type ModeInput = 'auto' | 'validate' | 'plan' | 'apply'

/** What the run does. */
export type RunMode = 'validate' | 'plan' | 'apply'

/** Where the result is commented. */
export type CommentTarget =
  | { kind: 'pull-request'; number: number }
  /** The pull request this commit came from, looked up by the caller. */
  | { kind: 'commit'; sha: string }

/** The part of a webhook payload the decision reads; all of it optional. */
export interface EventPayload {
  readonly action?: string
  readonly ref?: string
  readonly after?: string
  readonly deleted?: boolean
  readonly pull_request?: {
    readonly number?: number
    readonly merged?: boolean | null
    readonly head?: {
      readonly sha?: string
      readonly repo?: { readonly full_name?: string } | null
    }
    readonly base?: {
      readonly ref?: string
      readonly repo?: { readonly full_name?: string } | null
    }
  }
  readonly repository?: {
    readonly default_branch?: string
    readonly full_name?: string
  }
}

/** What the decision is made from: the input and the workflow context. */
export interface EventContext {
  mode: ModeInput
  /** `github.context.eventName`. */
  eventName: string
  /** `github.context.payload`. */
  payload: EventPayload
  /** `github.context.ref`, used when the payload has none. */
  ref: string
  /** `github.context.sha`, used when the payload has none. */
  sha: string
}

/** What the run does, and why. */
export interface EventDecision {
  mode: RunMode
  commentOn: CommentTarget | undefined
  /** Drift detection: fail the step when live IAM differs from the file. */
  failOnChanges: boolean
  /** A pull request from a fork: secrets and write access likely missing. */
  fork: boolean
  /** One sentence for the log. */
  reason: string
  /** Set when an explicit mode does something risky for this event. */
  warning?: string
}

const PULL_REQUEST_EVENTS = new Set(['pull_request', 'pull_request_target'])

/** The SHA GitHub sends for the side of a push that does not exist. */
const NULL_SHA = /^0{40}$/

/** Decides what the run does for this event and `mode` input. */
export function decideForEvent(context: EventContext): EventDecision {
  const auto = autoDecision(context)
  if (context.mode === 'auto') return auto

  const decision: EventDecision = {
    mode: context.mode,
    commentOn: commentTargetOf(context),
    failOnChanges: context.eventName === 'schedule' && context.mode === 'plan',
    fork: auto.fork,
    reason: `mode '${context.mode}' was given for a ${context.eventName} event`
  }

  const warning = explicitModeWarning(context, auto)
  return warning === undefined ? decision : { ...decision, warning }
}

/** The event-driven decision, as if `mode` were `auto`. */
function autoDecision(context: EventContext): EventDecision {
  const { eventName, payload } = context
  if (PULL_REQUEST_EVENTS.has(eventName)) return pullRequestDecision(context)
  if (eventName === 'push') return pushDecision(context)

  if (eventName === 'workflow_dispatch') {
    return withoutComment(
      'plan',
      'a manual run plans; set mode to apply to apply'
    )
  }
  if (eventName === 'schedule') {
    return {
      ...withoutComment('plan', 'a scheduled run plans to detect drift'),
      failOnChanges: true
    }
  }
  return withoutComment(
    'validate',
    `a ${eventName || 'unknown'} event has no plan or apply step; only the file is validated${payload.action ? ` (action '${payload.action}')` : ''}`
  )
}

function pullRequestDecision(context: EventContext): EventDecision {
  const { eventName, payload } = context
  const pull = payload.pull_request
  const number = pull?.number
  if (number === undefined) {
    return withoutComment(
      'validate',
      `the ${eventName} payload names no pull request; only the file is validated`
    )
  }

  const fork = isFork(payload)
  if (payload.action !== 'closed') {
    return {
      mode: 'plan',
      commentOn: { kind: 'pull-request', number },
      failOnChanges: false,
      fork,
      reason: `pull request #${number} was ${payload.action ?? 'updated'}: plan and comment`
    }
  }

  if (pull?.merged !== true) {
    return {
      ...withoutComment(
        'validate',
        `pull request #${number} was closed without merging: nothing to apply`
      ),
      fork
    }
  }

  // A merge into another branch leaves the default branch, the one IAM
  // follows, unchanged.
  const defaultBranch = payload.repository?.default_branch
  const base = pull.base?.ref
  if (defaultBranch !== undefined && base !== defaultBranch) {
    return {
      ...withoutComment(
        'validate',
        `pull request #${number} was merged into '${base ?? 'unknown'}', not the default branch '${defaultBranch}': nothing to apply`
      ),
      fork
    }
  }
  return {
    mode: 'apply',
    commentOn: { kind: 'pull-request', number },
    failOnChanges: false,
    fork,
    reason: `pull request #${number} was merged: apply and comment the result`
  }
}

function pushDecision(context: EventContext): EventDecision {
  const { payload } = context
  const ref = payload.ref ?? context.ref
  const sha = payload.after ?? context.sha
  if (payload.deleted === true || NULL_SHA.test(sha)) {
    return withoutComment(
      'validate',
      `the push deleted ${ref}: nothing to plan`
    )
  }

  const defaultBranch = payload.repository?.default_branch
  if (defaultBranch !== undefined && ref === `refs/heads/${defaultBranch}`) {
    return {
      mode: 'apply',
      commentOn: { kind: 'commit', sha },
      failOnChanges: false,
      fork: false,
      reason: `a push to the default branch '${defaultBranch}': apply and comment on the pull request it came from`
    }
  }

  const why =
    defaultBranch === undefined
      ? 'the payload names no default branch'
      : `'${defaultBranch}' is the default branch`
  return withoutComment(
    'plan',
    `a push to ${ref} plans without a comment (${why})`
  )
}

/** Where an explicit mode comments: what the event would comment on. */
function commentTargetOf(context: EventContext): CommentTarget | undefined {
  const { eventName, payload } = context
  if (PULL_REQUEST_EVENTS.has(eventName)) {
    const number = payload.pull_request?.number
    return number === undefined ? undefined : { kind: 'pull-request', number }
  }
  if (eventName === 'push') {
    const auto = pushDecision(context)
    return auto.mode === 'apply' ? auto.commentOn : undefined
  }
  return undefined
}

/**
 * Applying from a pull request that is not merged puts unreviewed changes
 * live; the mode is honoured, and the log says so.
 */
function explicitModeWarning(
  context: EventContext,
  auto: EventDecision
): string | undefined {
  if (context.mode !== 'apply' || !PULL_REQUEST_EVENTS.has(context.eventName)) {
    return undefined
  }
  if (auto.mode === 'apply') return undefined
  const number = context.payload.pull_request?.number
  return `mode 'apply' on pull request #${number ?? '?'}, which is not merged into the default branch: the changes go live before review`
}

/**
 * A pull request is from a fork when its head lives in another repository;
 * a head repository that no longer exists (a deleted fork) counts too.
 */
function isFork(payload: EventPayload): boolean {
  const head = payload.pull_request?.head?.repo
  const base = payload.pull_request?.base?.repo ?? payload.repository
  if (head === null) return true
  if (head?.full_name === undefined || base?.full_name === undefined) {
    return false
  }
  return head.full_name.toLowerCase() !== base.full_name.toLowerCase()
}

function withoutComment(mode: RunMode, reason: string): EventDecision {
  return {
    mode,
    commentOn: undefined,
    failOnChanges: false,
    fork: false,
    reason
  }
}
