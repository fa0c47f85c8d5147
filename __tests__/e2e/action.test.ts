import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { runSimulation } from '@cloud-copilot/iam-simulate'
import {
  DEFAULT_ACCOUNT_ID,
  isWriteAction,
  startIamSandbox,
  type CallRecord,
  type IamSandbox,
  type SeedFixture,
  type StateSnapshot
} from '../../sandbox/index.js'
import { VERSION_TAG_KEY } from '../../src/ownership.js'
import {
  startGitHubServer,
  type FakeGitHub
} from '../../test-support/github-server.js'
import {
  CONFIG_PATH,
  ensureBuilt,
  examplePayload,
  REPOSITORY,
  ROOT,
  runAction,
  SECRETS,
  SERVER_URL,
  type ActionRun,
  type Payload,
  type RunOptions
} from './harness.js'

// The built bundle, run as the runner runs it, against a fake GitHub API and
// the IAM sandbox. The first describe block is one story on one pull
// request, so its tests run in order and build on each other's IAM state.

const CREATE = 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments'
const UPDATE = 'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}'
const COMMIT_PULLS = 'GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls'
const MARKER = `<!-- sagemaker-ip-allowlist config=${CONFIG_PATH} -->`
const DIGEST_LINE = /^<!-- sagemaker-ip-allowlist digest=([0-9a-f]{64}) -->$/
const COMMENT_LIMIT = 65_536
const SUMMARY_LIMIT = 1_048_576
const SEED_FILE = join(ROOT, 'examples', 'sandbox-seed.yml')
const EXAMPLE_CONFIG = readFileSync(
  join(ROOT, 'examples', 'sagemaker-ip-allowlist.yml'),
  'utf8'
)
const POLICY_FILE = join(ROOT, 'examples', 'iam', 'least-privilege-policy.json')
const PLAN_POLICY_FILE = join(ROOT, 'examples', 'iam', 'plan-role-policy.json')

let github: FakeGitHub
let iam: IamSandbox
/** Every IAM call of every run in this file, for the permissions check. */
const allCalls: CallRecord[] = []
/** The calls of the runs that only planned: the plan role's to allow. */
const planCalls: CallRecord[] = []
let nextRunId = 100

beforeAll(async () => {
  ensureBuilt()
  github = await startGitHubServer()
  iam = await startIamSandbox({ seed: SEED_FILE })
}, 180_000)

afterAll(async () => {
  await github?.close()
  await iam?.close()
})

type Options = Omit<RunOptions, 'runId'> & { runId?: number }

/** Runs the action and checks, on every run, that no secret leaked. */
async function run(options: Options): Promise<ActionRun> {
  const result = await runAction(
    { github, iam },
    { ...options, runId: options.runId ?? nextRunId++ }
  )
  allCalls.push(...result.calls)
  if (!result.calls.some(c => isWriteAction(c.action))) {
    planCalls.push(...result.calls)
  }
  expectNoLeak(result)
  return result
}

function expectNoLeak(result: ActionRun): void {
  const lines = result.stdout.split('\n')
  for (const secret of Object.values(SECRETS)) {
    // The runner consumes ::add-mask:: itself; it never reaches the log.
    const leaking = lines.filter(
      line => line.includes(secret) && line !== `::add-mask::${secret}`
    )
    expect(leaking).toEqual([])
    expect(result.stderr).not.toContain(secret)
    expect(result.summary).not.toContain(secret)
    expect(JSON.stringify(result.outputs)).not.toContain(secret)
  }
  const firstOther = lines.findIndex(line => !line.startsWith('::add-mask::'))
  const lastMask = lines.findLastIndex(line => line.startsWith('::add-mask::'))
  expect(lastMask).toBeLessThan(firstOther)
}

function writes(result: ActionRun): string[] {
  return result.calls.filter(c => isWriteAction(c.action)).map(c => c.action)
}

function routes(result: ActionRun): (string | undefined)[] {
  return result.requests.map(request => request.route)
}

function commentsOn(issueNumber: number) {
  return github.state.comments.filter(c => c.issueNumber === issueNumber)
}

/** The one marked comment on a pull request. */
function stickyComment(issueNumber: number): string {
  const marked = commentsOn(issueNumber).filter(c => c.body.startsWith(MARKER))
  expect(marked).toHaveLength(1)
  return marked[0].body
}

function digestShown(body: string): string | undefined {
  return DIGEST_LINE.exec(body.split('\n')[1] ?? '')?.[1]
}

function sha(character: string): string {
  return character.repeat(40)
}

function pullRequestPayload(
  action: string,
  number: number,
  change: (payload: Payload) => void = () => {}
): Payload {
  const payload = examplePayload('pull_request', p => p.action === action)
  payload.number = number
  payload.pull_request.number = number
  change(payload)
  return payload
}

function pushToMaster(after: string): Payload {
  const payload = examplePayload(
    'push',
    p => p.ref === 'refs/heads/master' && !p.deleted
  )
  payload.after = after
  return payload
}

interface ConfigOptions {
  readonly office?: readonly string[]
  readonly mlUsers?: readonly string[]
  readonly withMlPlatform?: boolean
  readonly prune?: boolean
}

/** The example file's shape, with the parts a test changes. */
function configText(options: ConfigOptions = {}): string {
  const office = options.office ?? ['192.0.2.0/24', '203.0.113.0/25']
  const mlUsers = options.mlUsers ?? []
  const lines = [
    'version: 1',
    'settings:',
    `  prune: ${options.prune === true}`,
    'allowlists:',
    '  office:',
    ...office.map(cidr => `    - ${cidr}`),
    '  vpn:',
    '    - cidr: 198.51.100.7',
    '      note: the VPN gateway',
    'policies:',
    '  data-science:',
    '    description: Notebooks of the data science team',
    '    allow: [office, vpn]',
    '    actions: [notebook]',
    '    vpc-endpoints: [vpce-0a1b2c3d4e5f60718]',
    '    attach:',
    '      users: [alice]',
    '      groups: [data-scientists]',
    '      roles: [NotebookUsers]'
  ]
  if (options.withMlPlatform !== false) {
    lines.push(
      '  ml-platform:',
      '    description: MLflow tracking servers of the platform team',
      '    allow: [office]',
      '    actions: [mlflow]',
      '    attach:',
      ...(mlUsers.length ? [`      users: [${mlUsers.join(', ')}]`] : []),
      '      groups: [ml-platform]',
      '      roles: [MlflowUsers]'
    )
  }
  return lines.join('\n') + '\n'
}

/** The live state as a seed, with one policy's live document edited. */
function driftedFixture(
  snapshot: StateSnapshot,
  policyName: string,
  edit: (document: Record<string, unknown>) => void
): SeedFixture {
  return {
    users: snapshot.users.map(u => u.name),
    groups: snapshot.groups.map(g => ({ name: g.name, members: g.members })),
    roles: snapshot.roles.map(r => r.name),
    policies: snapshot.policies.map(policy => {
      const live = policy.versions.find(v => v.isDefault)!
      const document = JSON.parse(live.document) as Record<string, unknown>
      if (policy.name !== policyName) {
        return {
          name: policy.name,
          path: policy.path,
          description: policy.description,
          document,
          tags: policy.tags,
          attach: policy.attachments
        }
      }
      // Someone made a new default version by hand: v1 is what the tool
      // wrote, v2 the edit.
      const edited = structuredClone(document)
      edit(edited)
      return {
        name: policy.name,
        path: policy.path,
        description: policy.description,
        document: edited,
        extraVersions: [document],
        tags: { ...policy.tags, [VERSION_TAG_KEY]: 'v1' },
        attach: policy.attachments
      }
    })
  }
}

describe('one pull request, from plan to apply to drift', () => {
  const CONFIG_B = configText({ mlUsers: ['dave'] })

  it('plans a pull request and creates the comment', async () => {
    // GITHUB_SHA is the test merge commit; the comment names the head commit.
    const result = await run({
      event: 'pull_request',
      payload: pullRequestPayload('opened', 2, p => {
        p.pull_request.head.sha = sha('c')
      }),
      config: EXAMPLE_CONFIG,
      sha: sha('a'),
      ref: 'refs/pull/2/merge',
      runId: 201
    })

    expect(result.code).toBe(0)
    expect(writes(result)).toEqual([])
    expect(routes(result).filter(r => r === CREATE)).toHaveLength(1)

    const body = stickyComment(2)
    expect(digestShown(body)).toBe(result.outputs.digest)
    expect(body).toContain('Plan: 2 to create')
    expect(body).toContain(`planned at \`${'c'.repeat(12)}\``)
    expect(body).toContain(`(${SERVER_URL}/${REPOSITORY}/actions/runs/201)`)
    expect(result.outputs['has-changes']).toBe('true')
    expect(result.outputs['comment-url']).toMatch(/#issuecomment-\d+$/)
    expect(result.outputs.summary).toBe(
      'Plan: 2 to create, 0 to update, 5 to attach, 0 to detach, 0 to delete.'
    )
    const planJson = JSON.parse(
      readFileSync(result.outputs['plan-json'], 'utf8')
    ) as { digest: string; summary: { create: number } }
    expect(planJson.digest).toBe(result.outputs.digest)
    expect(planJson.summary.create).toBe(2)
    expect(result.summary).toContain('Plan: 2 to create')
  })

  it('updates the same comment when the pull request changes', async () => {
    const before = stickyComment(2)

    const result = await run({
      event: 'pull_request',
      payload: pullRequestPayload('synchronize', 2),
      config: CONFIG_B,
      sha: sha('b'),
      ref: 'refs/pull/2/merge',
      runId: 202
    })

    expect(result.code).toBe(0)
    expect(routes(result)).toContain(UPDATE)
    expect(routes(result)).not.toContain(CREATE)
    const after = stickyComment(2)
    expect(after).not.toBe(before)
    expect(after).toContain('dave')
    expect(digestShown(after)).toBe(result.outputs.digest)
  })

  it('leaves the comment alone when nothing changed (a re-run)', async () => {
    const result = await run({
      event: 'pull_request',
      payload: pullRequestPayload('synchronize', 2),
      config: CONFIG_B,
      sha: sha('b'),
      ref: 'refs/pull/2/merge',
      runId: 202
    })

    expect(result.code).toBe(0)
    expect(routes(result)).not.toContain(UPDATE)
    expect(routes(result)).not.toContain(CREATE)
    expect(result.outputs['comment-url']).toMatch(/#issuecomment-\d+$/)
  })

  it('applies a push to the default branch and reports on its pull request', async () => {
    const reviewed = digestShown(stickyComment(2))
    const merge = sha('d')
    github.setCommitPulls(merge, [
      { number: 2, merged: true, mergeCommitSha: merge }
    ])

    const result = await run({
      event: 'push',
      payload: pushToMaster(merge),
      config: CONFIG_B,
      sha: merge,
      inputs: { 'expect-reviewed-plan': 'true' }
    })

    expect(result.code).toBe(0)
    expect(routes(result)).toContain(COMMIT_PULLS)
    expect(result.outputs.digest).toBe(reviewed)
    expect(writes(result).sort()).toEqual([
      'AttachGroupPolicy',
      'AttachGroupPolicy',
      'AttachRolePolicy',
      'AttachRolePolicy',
      'AttachUserPolicy',
      'AttachUserPolicy',
      'CreatePolicy',
      'CreatePolicy'
    ])
    const body = stickyComment(2)
    expect(body).toContain('Applied 8 changes; IAM now matches the file.')
    expect(body.indexOf('Applied 8 changes')).toBeLessThan(
      body.indexOf('Plan: 2 to create')
    )
    expect(body).toContain(
      '✅ done: create policy `sagemaker-ip-allowlist-ml-platform`'
    )
    expect(result.summary).toContain('Applied 8 changes')
    const live = iam.snapshot().policies.map(p => p.name)
    expect(live).toEqual([
      'sagemaker-ip-allowlist-data-science',
      'sagemaker-ip-allowlist-ml-platform'
    ])
  })

  it('applies when a pull request is closed merged, and comments there', async () => {
    const result = await run({
      event: 'pull_request',
      payload: pullRequestPayload('closed', 3, p => {
        p.pull_request.merged = true
      }),
      config: configText({
        mlUsers: ['dave'],
        office: ['192.0.2.0/25', '203.0.113.0/25']
      }),
      sha: sha('e'),
      ref: 'refs/heads/master'
    })

    expect(result.code).toBe(0)
    expect(writes(result).sort()).toEqual([
      'CreatePolicyVersion',
      'CreatePolicyVersion',
      'TagPolicy',
      'TagPolicy'
    ])
    const body = stickyComment(3)
    expect(body).toContain('Applied 2 changes')
    expect(body).toContain('+ 192.0.2.0/25')
  })

  it('applies from a manual run with mode apply, pruning a policy', async () => {
    const payload = examplePayload('workflow_dispatch', () => true)

    const result = await run({
      event: 'workflow_dispatch',
      payload,
      config: configText({
        office: ['192.0.2.0/25', '203.0.113.0/25'],
        withMlPlatform: false,
        prune: true
      }),
      sha: sha('f'),
      inputs: { mode: 'apply' }
    })

    expect(result.code).toBe(0)
    expect(result.requests).toEqual([])
    expect(writes(result).sort()).toEqual([
      'DeletePolicy',
      'DeletePolicyVersion',
      'DetachGroupPolicy',
      'DetachRolePolicy',
      'DetachUserPolicy'
    ])
    expect(result.outputs['comment-url']).toBe('')
    expect(iam.snapshot().policies.map(p => p.name)).toEqual([
      'sagemaker-ip-allowlist-data-science'
    ])
  })

  const CONFIG_D = configText({
    office: ['192.0.2.0/25', '203.0.113.0/25'],
    withMlPlatform: false,
    prune: true
  })

  it('succeeds on a schedule when IAM matches the file, with a notice', async () => {
    const result = await run({
      event: 'schedule',
      payload: { schedule: '17 6 * * *' },
      config: CONFIG_D,
      sha: sha('1')
    })

    expect(result.code).toBe(0)
    expect(writes(result)).toEqual([])
    expect(result.outputs['has-changes']).toBe('false')
    expect(result.annotations).toContainEqual({
      kind: 'notice',
      properties: {},
      message: 'No changes: IAM matches the file.'
    })
  })

  it('fails on a schedule when a policy was edited by hand, saying what drifted', async () => {
    iam.reset(
      driftedFixture(
        iam.snapshot(),
        'sagemaker-ip-allowlist-data-science',
        document => {
          const [statement] = document.Statement as {
            Condition: { NotIpAddress: { 'aws:SourceIp': string[] } }
          }[]
          statement.Condition.NotIpAddress['aws:SourceIp'].push('0.0.0.0/0')
        }
      )
    )

    const result = await run({
      event: 'schedule',
      payload: { schedule: '17 6 * * *' },
      config: CONFIG_D,
      sha: sha('2')
    })

    expect(result.code).toBe(1)
    expect(writes(result)).toEqual([])
    expect(result.outputs['has-changes']).toBe('true')
    const failure = result.annotations.filter(a => a.kind === 'error')
    expect(failure.map(a => a.message)).toEqual([
      `Drift: live IAM differs from ${CONFIG_PATH}. Plan: 0 to create, 1 to update, 0 to attach, 0 to detach, 0 to delete.`
    ])
    expect(result.summary).toContain('Drift: live IAM differs')
    expect(result.summary).toContain('changed outside the file')
    expect(result.summary).toContain('- 0.0.0.0/0')
  })
})

describe('runs that cannot do everything', () => {
  beforeAll(() => iam.reset())

  it('validates a fork pull request without AWS credentials, warns and succeeds', async () => {
    github.failNext(CREATE, 403, 'Resource not accessible by integration')

    const result = await run({
      event: 'pull_request',
      payload: pullRequestPayload('opened', 7, p => {
        p.pull_request.head.repo!.full_name = 'someone/Hello-World'
      }),
      config: EXAMPLE_CONFIG,
      sha: sha('7'),
      ref: 'refs/pull/7/merge',
      withoutAws: true
    })

    expect(result.code).toBe(0)
    expect(result.calls).toEqual([])
    const warnings = result.annotations
      .filter(a => a.kind === 'warning')
      .map(a => a.message)
    expect(warnings).toEqual([
      expect.stringContaining('comes from a fork'),
      expect.stringContaining('add `permissions: pull-requests: write`')
    ])
    expect(result.summary).toContain('comes from a fork')
    expect(result.summary).toContain('pull-requests: write')
    expect(result.outputs.summary).toContain('is valid: 2 policies')
    expect(result.outputs['comment-url']).toBe('')
    expect(commentsOn(7)).toEqual([])
  })

  it('fails the apply of a merged fork pull request without AWS credentials', async () => {
    const result = await run({
      event: 'pull_request',
      payload: pullRequestPayload('closed', 14, p => {
        p.pull_request.merged = true
        p.pull_request.head.repo!.full_name = 'someone/Hello-World'
      }),
      config: EXAMPLE_CONFIG,
      sha: sha('e'),
      withoutAws: true,
      inputs: { comment: 'false' }
    })

    expect(result.code).toBe(1)
    expect(result.calls).toEqual([])
    expect(result.outputs.summary).toMatch(
      /could not be applied: No AWS credentials were found/
    )
  })

  it('fails a run of this repository without AWS credentials, saying how to add them', async () => {
    const result = await run({
      event: 'pull_request',
      payload: pullRequestPayload('opened', 12),
      config: EXAMPLE_CONFIG,
      sha: sha('c'),
      withoutAws: true,
      inputs: { comment: 'false' }
    })

    expect(result.code).toBe(1)
    expect(result.calls).toEqual([])
    const errors = result.annotations.filter(a => a.kind === 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0].message).toContain('No AWS credentials were found')
    expect(errors[0].message).toContain('aws-actions/configure-aws-credentials')
    expect(result.summary).toContain('No AWS credentials were found')
  })

  it('annotates an invalid file on its lines and fails without calling IAM', async () => {
    const config = EXAMPLE_CONFIG.replace(
      '192.0.2.0/24',
      '192.0.2.300/24'
    ).replace('prune: false', 'prune: false\n  colour: blue')
    const lines = config.split('\n')
    const badCidrLine = lines.findIndex(l => l.includes('192.0.2.300')) + 1
    const unknownKeyLine = lines.findIndex(l => l.includes('colour')) + 1

    const result = await run({
      event: 'pull_request',
      payload: pullRequestPayload('opened', 8),
      config,
      sha: sha('8'),
      ref: 'refs/pull/8/merge'
    })

    expect(result.code).toBe(1)
    expect(result.calls).toEqual([])
    const located = result.annotations.filter(
      a => a.kind === 'error' && a.properties.file === CONFIG_PATH
    )
    expect(located.map(a => Number(a.properties.line)).sort()).toEqual(
      [badCidrLine, unknownKeyLine].sort()
    )
    for (const annotation of located) {
      expect(Number(annotation.properties.col)).toBeGreaterThan(0)
    }
    expect(result.stdout).toMatch(
      new RegExp(
        `^::error title=[^,]+,file=\\.github/sagemaker-ip-allowlist\\.yml,line=${badCidrLine},col=\\d+::`,
        'm'
      )
    )
    const failure = result.annotations.filter(
      a => a.kind === 'error' && a.properties.file === undefined
    )
    expect(failure.map(a => a.message)).toEqual([
      `${CONFIG_PATH} has 2 errors; nothing was planned or applied. Fix them (see the annotations) and run again.`
    ])
    const body = stickyComment(8)
    expect(digestShown(body)).toBeUndefined()
    expect(body).toContain(`line ${badCidrLine}`)
    expect(result.outputs.digest).toBe('')
    expect(result.outputs['plan-json']).toBe('')
  })

  it('refuses a bad input by name, before doing anything', async () => {
    const result = await run({
      event: 'pull_request',
      payload: pullRequestPayload('opened', 13),
      config: EXAMPLE_CONFIG,
      sha: sha('9'),
      inputs: { mode: 'deploy' }
    })

    expect(result.code).toBe(1)
    expect(result.calls).toEqual([])
    expect(result.requests).toEqual([])
    expect(
      result.annotations.filter(a => a.kind === 'error').map(a => a.message)
    ).toEqual([
      "Input 'mode' is 'deploy'; it accepts 'auto', 'validate', 'plan', 'apply'."
    ])
  })
})

describe('reviewed plans', () => {
  beforeAll(() => iam.reset())

  it('refuses to apply when IAM changed after the plan was shown', async () => {
    const planned = await run({
      event: 'pull_request',
      payload: pullRequestPayload('opened', 11),
      config: EXAMPLE_CONFIG,
      sha: sha('3'),
      ref: 'refs/pull/11/merge'
    })
    expect(planned.code).toBe(0)
    const reviewed = digestShown(stickyComment(11))

    // Someone adds dave to data-scientists by hand before the merge.
    iam.reset({
      users: ['alice', 'bob', 'carol', 'dave'],
      groups: [
        { name: 'data-scientists', members: ['bob', 'carol', 'dave'] },
        { name: 'ml-platform', members: ['dave'] }
      ],
      roles: ['NotebookUsers', 'MlflowUsers']
    })
    const merge = sha('4')
    github.setCommitPulls(merge, [
      { number: 11, merged: true, mergeCommitSha: merge }
    ])

    const result = await run({
      event: 'push',
      payload: pushToMaster(merge),
      config: EXAMPLE_CONFIG,
      sha: merge,
      inputs: { 'expect-reviewed-plan': 'true' }
    })

    expect(result.code).toBe(1)
    expect(writes(result)).toEqual([])
    expect(iam.snapshot().policies).toEqual([])
    expect(result.outputs.digest).toMatch(/^[0-9a-f]{64}$/)
    expect(result.outputs.digest).not.toBe(reviewed)
    expect(result.outputs.summary).toMatch(
      /^Apply refused: IAM or the file changed since the plan shown on pull request #11/
    )
    expect(result.summary).toContain('Not applied')
    expect(result.summary).toContain('Plan: 2 to create')
    const body = stickyComment(11)
    expect(body).toContain('Not applied')
    expect(digestShown(body)).toBe(result.outputs.digest)
  })

  it('refuses to apply from a manual run: no pull request shows a plan', async () => {
    const result = await run({
      event: 'workflow_dispatch',
      payload: examplePayload('workflow_dispatch', () => true),
      config: EXAMPLE_CONFIG,
      sha: sha('5'),
      inputs: { mode: 'apply', 'expect-reviewed-plan': 'true' }
    })

    expect(result.code).toBe(1)
    expect(writes(result)).toEqual([])
    expect(result.outputs.summary).toContain(
      'has no pull request to read the reviewed plan from'
    )
    expect(result.summary).toContain('Plan: 2 to create')
  })
})

describe('a large plan', () => {
  const POLICIES = 300
  const CIDRS = 60

  it('keeps the comment under GitHub limit and the full plan in the summary', async () => {
    const roles = Array.from(
      { length: POLICIES },
      (_, i) => `role${String(i).padStart(3, '0')}`
    )
    iam.reset({ roles })
    // Odd last octets only: no two addresses merge into a larger block.
    const cidrs = Array.from(
      { length: CIDRS },
      (_, i) => `198.51.${100 + Math.floor(i / 100)}.${(i % 100) * 2 + 1}/32`
    )
    const config = [
      'version: 1',
      'allowlists:',
      '  sites:',
      ...cidrs.map(cidr => `    - ${cidr}`),
      'policies:',
      ...roles.flatMap(role => [
        `  p-${role}:`,
        '    allow: [sites]',
        '    attach:',
        `      roles: [${role}]`
      ])
    ].join('\n')

    const result = await run({
      event: 'pull_request',
      payload: pullRequestPayload('opened', 9),
      config,
      sha: sha('6'),
      ref: 'refs/pull/9/merge'
    })

    expect(result.code).toBe(0)
    const body = stickyComment(9)
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT)
    expect(digestShown(body)).toBe(result.outputs.digest)
    expect(body).toContain('the job summary holds the full plan')
    expect(body).toContain(`Plan: ${POLICIES} to create`)
    expect(Buffer.byteLength(result.summary)).toBeLessThanOrEqual(SUMMARY_LIMIT)
    expect(result.summary).not.toContain('The plan stops here')
    for (const role of roles) {
      expect(result.summary).toContain(`sagemaker-ip-allowlist-p-${role}`)
    }
    expect(result.summary.split('+ 198.51.100.1/32')).toHaveLength(POLICIES + 1)
  })
})

describe('the least-privilege policy', () => {
  interface Statement {
    Action: string | string[]
  }
  const policy = JSON.parse(readFileSync(POLICY_FILE, 'utf8')) as {
    Statement: Statement[]
  }

  it('grants exactly the IAM actions the runs above called', () => {
    const granted = new Set(
      policy.Statement.flatMap(s =>
        typeof s.Action === 'string' ? [s.Action] : s.Action
      )
    )
    const called = new Set(allCalls.map(c => `iam:${c.action}`))

    expect([...called].sort()).toEqual([...granted].sort())
  })

  it('allows every call the runs made, on the resource it was made on', async () => {
    expect((await simulateAll(allCalls, policy)).size).toBeGreaterThan(20)
  })

  it('has a read-only part for the plan role that allows every plan run', async () => {
    const planPolicy = JSON.parse(readFileSync(PLAN_POLICY_FILE, 'utf8')) as {
      Statement: Statement[]
    }
    const actionsOf = (p: { Statement: Statement[] }) =>
      new Set(
        p.Statement.flatMap(s =>
          typeof s.Action === 'string' ? [s.Action] : s.Action
        )
      )
    const reads = [...actionsOf(policy)].filter(
      a => !isWriteAction(a.replace(/^iam:/, ''))
    )

    expect([...actionsOf(planPolicy)].sort()).toEqual(reads.sort())
    expect(planCalls.length).toBeGreaterThan(0)
    await simulateAll(planCalls, planPolicy)
  })
})

/** Checks with iam-simulate that `policy` allows each distinct call. */
async function simulateAll(
  calls: readonly CallRecord[],
  policy: unknown
): Promise<Set<string>> {
  const account = DEFAULT_ACCOUNT_ID
  const arn = (kind: string, name: string) =>
    `arn:aws:iam::${account}:${kind}/${name}`
  const seen = new Set<string>()
  for (const call of calls) {
    const p = call.params
    const principal = p.UserName
      ? arn('user', p.UserName)
      : p.GroupName
        ? arn('group', p.GroupName)
        : p.RoleName
          ? arn('role', p.RoleName)
          : undefined
    const resource = /^(Attach|Detach)/.test(call.action)
      ? principal
      : call.action === 'CreatePolicy'
        ? `arn:aws:iam::${account}:policy${p.Path}${p.PolicyName}`
        : (p.PolicyArn ?? principal ?? '*')
    const context: Record<string, string> =
      /^(Attach|Detach)/.test(call.action) && p.PolicyArn
        ? { 'iam:PolicyARN': p.PolicyArn }
        : {}
    const key = `${call.action} ${resource}`
    if (seen.has(key)) continue
    seen.add(key)

    const result = await runSimulation(
      {
        request: {
          principal: arn('role', 'sagemaker-ip-allowlist'),
          action: `iam:${call.action}`,
          resource: { resource: resource!, accountId: account },
          contextVariables: context
        },
        identityPolicies: [{ name: 'checked', policy: policy as object }],
        serviceControlPolicies: [],
        resourceControlPolicies: []
      },
      {}
    )

    expect({
      key,
      result:
        result.resultType === 'error' ? result.errors : result.overallResult
    }).toEqual({ key, result: 'Allowed' })
  }
  return seen
}
