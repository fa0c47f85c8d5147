/**
 * The workflow run as the action sees it: the event, the repository, the
 * commit and the run's page, from `@actions/github`'s context.
 */
import { posix, relative, isAbsolute } from 'node:path'
import type { context as githubContext } from '@actions/github'
import type { RepoRef } from '../github/pull-request.js'
import type { EventPayload } from './events.js'

export interface WorkflowContext {
  readonly eventName: string
  readonly payload: EventPayload
  readonly ref: string
  readonly sha: string
  /** Absent outside a workflow (no GITHUB_REPOSITORY, no payload). */
  readonly repository?: RepoRef
  /** The run's page; absent without a run id. */
  readonly runUrl?: string
}

/** Reads the workflow context; never throws on a partial environment. */
export function workflowContext(
  context: typeof githubContext
): WorkflowContext {
  let repository: RepoRef | undefined
  try {
    repository = context.repo
  } catch {
    repository = undefined
  }
  const runUrl =
    repository && Number.isFinite(context.runId)
      ? `${context.serverUrl}/${repository.owner}/${repository.repo}/actions/runs/${context.runId}`
      : undefined
  return {
    eventName: context.eventName ?? '',
    payload: context.payload as EventPayload,
    ref: context.ref ?? '',
    // On pull request events GITHUB_SHA is the test merge commit; reviewers
    // know the head commit they pushed.
    sha:
      (context.payload as EventPayload).pull_request?.head?.sha ??
      context.sha ??
      '',
    ...(repository ? { repository } : {}),
    ...(runUrl ? { runUrl } : {})
  }
}

/**
 * The config path as the repository names it: relative to the workspace,
 * with forward slashes and no leading `./`. Annotations and the comment
 * marker need this form to find the file and the comment again.
 */
export function repositoryPath(path: string, workspace?: string): string {
  let shown = path
  if (isAbsolute(path) && workspace) {
    const inside = relative(workspace, path)
    const within =
      inside !== '' && !inside.startsWith('..') && !isAbsolute(inside)
    if (within) shown = inside
  }
  return posix.normalize(shown.replace(/\\/g, '/')).replace(/^\.\//, '')
}
