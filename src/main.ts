/**
 * The action: reads its inputs, lets the event decide what to do, does it,
 * and reports the result the same way on every event: job summary, pull
 * request comment where there is one, outputs, and the step result.
 */
import * as core from '@actions/core'
import * as github from '@actions/github'
import { commentMarker, type GitHubClient } from './github/comment.js'
import { createIamClient } from './iam/client.js'
import { IamCallError } from './iam/errors.js'
import { SdkIamGateway } from './iam/gateway.js'
import { hasChanges } from './plan/types.js'
import { escapeMarkdown } from './report/markdown-escape.js'
import { planText } from './report/plan-text.js'
import { verdict } from './report/plan-words.js'
import { annotateDiagnostics, annotatePlanErrors } from './action/annotate.js'
import {
  credentialSource,
  FORK_CREDENTIALS_NOTE,
  mayUseInstanceMetadata,
  MISSING_CREDENTIALS_HELP
} from './action/credentials.js'
import { decideForEvent, type EventDecision } from './action/events.js'
import {
  InputError,
  parseInputs,
  readRawInputs,
  type Inputs
} from './action/inputs.js'
import { withNote, type RunOutcome } from './action/outcome.js'
import { EMPTY_OUTPUTS, writeOutputs, type Outputs } from './action/outputs.js'
import {
  applyPhase,
  planPhase,
  validatePhase,
  type PhaseContext,
  type ReviewCheck
} from './action/phases.js'
import { writePlanFile } from './action/plan-file.js'
import {
  postComment,
  resolvePullRequest,
  type PullRequestLookup
} from './action/pull-request.js'
import {
  commentBody,
  summaryMarkdown,
  type ReportLinks
} from './action/report.js'
import { findReviewedPlan } from './action/reviewed-plan.js'
import { maskSecrets } from './action/secrets.js'
import {
  repositoryPath,
  workflowContext,
  type WorkflowContext
} from './action/workflow-context.js'

type Env = Readonly<Record<string, string | undefined>>

/** Everything the stages of this step share. */
interface Step {
  readonly inputs: Inputs
  readonly context: WorkflowContext
  readonly decision: EventDecision
  readonly phase: PhaseContext
  readonly marker: string
  readonly octokit?: GitHubClient
  readonly env: Env
}

/** Runs the action; never throws, the step result says how it went. */
export async function run(): Promise<void> {
  const env = process.env

  // Read every input once, and mask the credentials before the first line
  // of output that could echo one.
  const raw = readRawInputs(name => core.getInput(name))
  maskSecrets(raw['github-token'], env, core.setSecret)

  try {
    const inputs = parseInputs(raw)
    await runWith(inputs, workflowContext(github.context), env)
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    if (error instanceof Error && error.stack) core.debug(error.stack)
    const line =
      error instanceof InputError
        ? message
        : `sagemaker-ip-allowlist stopped on an unexpected error: ${message}`
    await writeSummary(
      `### sagemaker-ip-allowlist\n\n**${escapeMarkdown(line)}**\n`,
      env
    )
    writeOutputs({ ...EMPTY_OUTPUTS, summary: line }, core.setOutput)
    core.setFailed(line)
  }
}

async function runWith(
  inputs: Inputs,
  context: WorkflowContext,
  env: Env
): Promise<void> {
  // The event decides unless the mode input does.
  const decision = decideForEvent({
    mode: inputs.mode,
    eventName: context.eventName,
    payload: context.payload,
    ref: context.ref,
    sha: context.sha
  })
  core.info(`${context.eventName || 'no event'}: ${decision.reason}`)
  if (decision.warning) core.warning(decision.warning)

  const file = repositoryPath(inputs.config, env.GITHUB_WORKSPACE)
  const step: Step = {
    inputs,
    context,
    decision,
    phase: { path: inputs.config, file, decision },
    marker: commentMarker(file),
    env,
    ...(inputs.githubToken
      ? { octokit: github.getOctokit(inputs.githubToken) }
      : {})
  }

  // Validate first: the file's annotations land even when IAM is out of
  // reach, and a broken file never reaches IAM.
  let outcome = await core.group(`Validate ${file}`, async () => {
    const validated = validatePhase(step.phase)
    annotateDiagnostics(validated.diagnostics, file, core)
    core.info(validated.headline)
    return validated
  })

  // The pull request is needed for the comment and the review check.
  const pull = await findPullRequest(step)

  if (outcome.ok && decision.mode !== 'validate') {
    outcome = await iamStage(step, outcome, pull)
  }

  const planJson = outcome.plan ? writePlanFile(outcome.plan, file, env) : ''
  const comment = await commentStage(step, outcome, pull)
  outcome = comment.outcome

  await core.group('Report', async () => {
    await writeSummary(summaryMarkdown(outcome, links(step)), env)
    writeOutputs(outputsOf(outcome, planJson, comment.url), core.setOutput)
  })

  // One line for the step result; "nothing to change" is worth a notice.
  if (!outcome.ok) core.setFailed(outcome.headline)
  else if (outcome.plan && !hasChanges(outcome.plan)) {
    core.notice(outcome.headline)
  }
}

/** Looks the pull request up only when something will use it. */
async function findPullRequest(
  step: Step
): Promise<PullRequestLookup | undefined> {
  const target = step.decision.commentOn
  const reviewing =
    step.decision.mode === 'apply' && step.inputs.expectReviewedPlan
  if (target === undefined || !(step.inputs.comment || reviewing)) {
    return undefined
  }
  if (target.kind === 'pull-request') return { number: target.number }

  const { octokit } = step
  const { repository } = step.context
  if (!octokit || !repository) {
    const note = tokenNote(step)
    core.warning(note)
    return { note, problem: true }
  }
  return core.group('Find the pull request', async () => {
    const found = await resolvePullRequest(octokit, repository, target)
    if (found.number !== undefined) {
      core.info(`Commit ${target.sha} came from pull request #${found.number}`)
    } else if (found.problem) core.warning(found.note ?? '')
    else core.info(found.note ?? '')
    return found
  })
}

function tokenNote(step: Step): string {
  return step.context.repository
    ? "The github-token input is empty, so nothing can be read from or written to the pull request; leave it at its default, '${{ github.token }}'."
    : 'GITHUB_REPOSITORY is not set, so the pull request cannot be found; run the action inside a workflow.'
}

/** Plans or applies against live IAM, when there are credentials for it. */
async function iamStage(
  step: Step,
  validated: RunOutcome,
  pull: PullRequestLookup | undefined
): Promise<RunOutcome> {
  const { decision, env, phase } = step
  const source = credentialSource(env)
  if (source === undefined && !mayUseInstanceMetadata(env)) {
    return withoutCredentials(validated, decision)
  }
  core.info(`AWS credentials: ${source ?? 'instance metadata'}`)

  const review =
    decision.mode === 'apply' ? await reviewCheck(step, pull) : undefined
  const iam = new SdkIamGateway(createIamClient())
  const context = {
    ...phase,
    iam,
    log: (line: string) => core.info(line),
    // The validate phase loaded the file already.
    ...(validated.desired
      ? {
          loaded: {
            desired: validated.desired,
            diagnostics: [...validated.diagnostics]
          }
        }
      : {}),
    ...(step.inputs.concurrency ? { concurrency: step.inputs.concurrency } : {})
  }

  const title = decision.mode === 'apply' ? 'Apply' : 'Plan'
  return core.group(`${title} ${phase.file}`, async () => {
    let outcome: RunOutcome
    try {
      outcome =
        review === undefined
          ? await planPhase(context)
          : await applyPhase(context, review)
    } catch (error) {
      if (!(error instanceof IamCallError)) throw error
      // A read failed: before any write when planning, or while reading
      // back after an apply, whose writes the log lists above.
      return {
        ...validated,
        ok: false,
        headline: `An IAM call failed: ${error.message}`
      }
    }
    if (outcome.plan) {
      annotatePlanErrors(outcome.plan, phase.file, core)
      core.info(planText(outcome.plan))
    }
    // The plan text ends with its verdict; anything else is worth a line.
    if (!outcome.plan || outcome.headline !== verdict(outcome.plan)) {
      core.info(outcome.headline)
    }
    return outcome
  })
}

/**
 * A pull request from a fork gets no secrets: for its plan, validating is
 * all it can do, and that is a success. Anywhere else, an apply from a
 * fork's merge included, missing credentials are a setup error: the file
 * would otherwise stay unapplied without a failed step to say so.
 */
function withoutCredentials(
  validated: RunOutcome,
  decision: EventDecision
): RunOutcome {
  if (decision.fork && decision.mode === 'plan') {
    core.warning(FORK_CREDENTIALS_NOTE)
    return {
      ...withNote(validated, FORK_CREDENTIALS_NOTE),
      mode: 'validate',
      headline: `${validated.headline} Not planned: a pull request from a fork gets no AWS credentials.`
    }
  }
  return {
    ...withNote(validated, MISSING_CREDENTIALS_HELP),
    ok: false,
    headline: `${validated.file} could not be ${decision.mode === 'apply' ? 'applied' : 'planned'}: ${MISSING_CREDENTIALS_HELP}`
  }
}

/** What apply must match when `expect-reviewed-plan` is on. */
async function reviewCheck(
  step: Step,
  pull: PullRequestLookup | undefined
): Promise<ReviewCheck> {
  if (!step.inputs.expectReviewedPlan) return { kind: 'none' }
  return core.group('Find the reviewed plan', async () => {
    const check = await reviewedDigest(step, pull)
    if (check.kind === 'digest') {
      core.info(`Reviewed plan on ${check.where}: digest ${check.digest}`)
    } else if (check.kind === 'missing') core.warning(check.reason)
    return check
  })
}

async function reviewedDigest(
  step: Step,
  pull: PullRequestLookup | undefined
): Promise<ReviewCheck> {
  const { octokit } = step
  const { eventName, repository } = step.context
  if (pull?.number === undefined) {
    return {
      kind: 'missing',
      reason: `expect-reviewed-plan is on, but this ${eventName || 'run'} has no pull request to read the reviewed plan from${pull?.note ? ` (${pull.note})` : ''}`
    }
  }
  if (!octokit || !repository) {
    return { kind: 'missing', reason: tokenNote(step) }
  }
  const reviewed = await findReviewedPlan(
    octokit,
    { ...repository, issueNumber: pull.number },
    step.marker
  )
  if (reviewed.digest === undefined) {
    return { kind: 'missing', reason: reviewed.reason }
  }
  return {
    kind: 'digest',
    digest: reviewed.digest,
    where: `pull request #${pull.number}`
  }
}

/** Posts the report on the pull request; a failure is a note, not an error. */
async function commentStage(
  step: Step,
  outcome: RunOutcome,
  pull: PullRequestLookup | undefined
): Promise<{ outcome: RunOutcome; url: string }> {
  if (!step.inputs.comment || step.decision.commentOn === undefined) {
    return { outcome, url: '' }
  }
  if (pull?.number === undefined) {
    // The lookup has logged why already.
    const note = pull?.note
    return { outcome: note ? withNote(outcome, note) : outcome, url: '' }
  }

  const { octokit } = step
  const { repository } = step.context
  if (!octokit || !repository) {
    const note = tokenNote(step)
    core.warning(note)
    return { outcome: withNote(outcome, note), url: '' }
  }
  const issue = { ...repository, issueNumber: pull.number }
  return core.group(`Comment on pull request #${pull.number}`, async () => {
    const body = commentBody(outcome, links(step), step.marker)
    const post = await postComment(octokit, issue, step.marker, body, line =>
      core.debug(line)
    )
    if ('note' in post) {
      core.warning(post.note)
      return { outcome: withNote(outcome, post.note), url: '' }
    }
    core.info(`Comment ${post.posted.result}: ${post.posted.url}`)
    return { outcome, url: post.posted.url }
  })
}

function links(step: Step): ReportLinks {
  const { sha, runUrl } = step.context
  return { ...(sha ? { commit: sha } : {}), ...(runUrl ? { runUrl } : {}) }
}

function outputsOf(
  outcome: RunOutcome,
  planJson: string,
  commentUrl: string
): Outputs {
  return {
    'has-changes': outcome.plan ? String(hasChanges(outcome.plan)) : '',
    digest: outcome.plan?.digest ?? '',
    summary: outcome.headline,
    'plan-json': planJson,
    'comment-url': commentUrl
  }
}

/**
 * Appends to the job summary. A summary that cannot be written is a
 * warning: the log still holds the report, and the step result stands.
 */
async function writeSummary(markdown: string, env: Env): Promise<void> {
  if (!env.GITHUB_STEP_SUMMARY) {
    core.info('GITHUB_STEP_SUMMARY is not set: no job summary is written.')
    return
  }
  try {
    await core.summary.addRaw(markdown).write()
  } catch (error) {
    core.warning(
      `The job summary could not be written: ${error instanceof Error ? error.message : String(error)}`
    )
  }
}
