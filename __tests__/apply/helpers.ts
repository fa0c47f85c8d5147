import {
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DetachGroupPolicyCommand,
  DetachRolePolicyCommand,
  DetachUserPolicyCommand,
  IAMClient
} from '@aws-sdk/client-iam'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  isWriteAction,
  startIamSandbox,
  type CallRecord,
  type FaultRule,
  type IamSandbox,
  type SeedFixture,
  type SeedPolicy,
  type StateSnapshot
} from '../../sandbox/index.js'
import { applyConfigFile, type ApplyReport } from '../../src/apply/apply.js'
import { main } from '../../src/cli/main.js'
import type { IamGateway } from '../../src/iam/types.js'
import {
  DIGEST_TAG_KEY,
  OWNER_TAG_KEY,
  OWNER_TAG_VALUE
} from '../../src/ownership.js'
import { hasChanges } from '../../src/plan/types.js'
import { afterAll, beforeAll, beforeEach } from '@jest/globals'
import {
  denyDocument,
  fastGateway,
  sandboxEnv,
  useSandboxEnv
} from '../../test-support/iam-env.js'
import { planConfigFile } from '../../src/run-plan.js'

export const PREFIX = 'sagemaker-ip-allowlist-'
export const POLICY_PATH = '/sagemaker-ip-allowlist/'
export const ACCOUNT = '123456789012'

/** The IAM name of the policy a file key renders to. */
export const nameOf = (key: string) => `${PREFIX}${key}`

export const arnOf = (key: string) =>
  `arn:aws:iam::${ACCOUNT}:policy${POLICY_PATH}${nameOf(key)}`

export { denyDocument, fastGateway, sandboxEnv, useSandboxEnv }

export interface ApplyRun {
  report: ApplyReport
  log: string[]
}

/** applyConfigFile with no waiting anywhere and the write log captured. */
export async function apply(
  file: string,
  extra: { dryRun?: boolean; expectDigest?: string; iam?: IamGateway } = {}
): Promise<ApplyRun> {
  const log: string[] = []
  const report = await applyConfigFile(file, {
    iam: extra.iam ?? fastGateway(),
    verifyDelayMs: 0,
    sleep: async () => {},
    log: line => void log.push(line),
    ...(extra.dryRun ? { dryRun: true } : {}),
    ...(extra.expectDigest ? { expectDigest: extra.expectDigest } : {})
  })
  return { report, log }
}

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/** The CLI in-process, with a gateway that never waits on backoff. */
export async function cli(
  argv: string[],
  iam: IamGateway = fastGateway()
): Promise<CliResult> {
  let stdout = ''
  let stderr = ''
  const code = await main(argv, {
    stdout: t => void (stdout += t),
    stderr: t => void (stderr += t),
    env: {},
    iam
  })
  return { code, stdout, stderr }
}

/** Whether the live state read now equals the file (no pending change). */
export async function liveEqualsFile(file: string): Promise<boolean> {
  const run = await planConfigFile(file, { iam: fastGateway() })
  if (!run.plan) throw new Error(`${file} did not plan`)
  return run.plan.errors.length === 0 && !hasChanges(run.plan)
}

/** The pending changes of a fresh plan, as short strings. */
export async function pendingChanges(file: string): Promise<string[]> {
  const run = await planConfigFile(file, { iam: fastGateway() })
  return (run.plan?.changes ?? [])
    .filter(c => c.action !== 'orphan')
    .map(
      c =>
        `${c.action} ${c.policy}${c.principal ? ` ${c.principal.type} ${c.principal.name}` : ''}`
    )
}

export const writes = (calls: CallRecord[]) =>
  calls.filter(c => isWriteAction(c.action))

/** Write calls IAM accepted (status 200). */
export const acceptedWrites = (calls: CallRecord[]) =>
  writes(calls).filter(c => c.status === 200)

/** A temporary directory for config files, removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'apply-test-'))
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

let fileCounter = 0

/** Writes a config file into `dir` and returns its path. */
export function writeConfig(dir: string, text: string): string {
  const file = join(dir, `config-${++fileCounter}.yml`)
  writeFileSync(file, text)
  return file
}

/** A live policy the tool owns (ownership tag set), under the tool's path. */
export function ownedPolicy(
  key: string,
  cidrs: string[],
  attach: SeedPolicy['attach'],
  extra: Partial<SeedPolicy> = {}
): SeedPolicy {
  return {
    name: nameOf(key),
    path: POLICY_PATH,
    description: `seeded ${key}`,
    document: denyDocument(cidrs),
    tags: { [OWNER_TAG_KEY]: OWNER_TAG_VALUE, [DIGEST_TAG_KEY]: 'stale' },
    attach,
    ...extra
  }
}

export const PRINCIPALS: Pick<SeedFixture, 'users' | 'groups' | 'roles'> = {
  users: ['alice', 'bob', 'carol', 'dave', 'erin'],
  groups: [
    { name: 'data-scientists', members: ['bob', 'carol'] },
    { name: 'ml-platform', members: ['dave'] }
  ],
  roles: ['NotebookUsers', 'MlflowUsers']
}

/**
 * The mixed scenario: one of each change kind. Before: data-science (5
 * versions) on alice and data-scientists; ml-platform on ml-platform,
 * MlflowUsers and data-scientists; legacy (2 versions) on NotebookUsers and
 * erin. The file updates data-science and moves NotebookUsers onto it,
 * creates contractors for erin, drops data-scientists from ml-platform and
 * prunes legacy. Every principal that holds a policy before holds one after.
 */
export const MIXED_SEED: SeedFixture = {
  ...PRINCIPALS,
  policies: [
    ownedPolicy(
      'data-science',
      ['192.0.2.0/24'],
      { users: ['alice'], groups: ['data-scientists'] },
      {
        extraVersions: [
          denyDocument(['192.0.2.1/32']),
          denyDocument(['192.0.2.2/32']),
          denyDocument(['192.0.2.3/32']),
          denyDocument(['192.0.2.4/32'])
        ]
      }
    ),
    ownedPolicy('ml-platform', ['203.0.113.0/24'], {
      groups: ['ml-platform', 'data-scientists'],
      roles: ['MlflowUsers']
    }),
    ownedPolicy(
      'legacy',
      ['198.51.100.0/24'],
      { users: ['erin'], roles: ['NotebookUsers'] },
      { extraVersions: [denyDocument(['198.51.100.1/32'])] }
    )
  ]
}

export const MIXED_CONFIG = `version: 1
settings:
  prune: true
allowlists:
  office: [192.0.2.0/24, 203.0.113.0/24]
  vpn: [198.51.100.7]
policies:
  data-science:
    description: Notebooks of the data science team
    allow: [office, vpn]
    attach:
      users: [alice]
      groups: [data-scientists]
      roles: [NotebookUsers]
  ml-platform:
    allow: [203.0.113.0/24]
    attach:
      groups: [ml-platform]
      roles: [MlflowUsers]
  contractors:
    description: Contractors, VPN only
    allow: [vpn]
    attach:
      users: [erin]
`

export type PrincipalId = `${'user' | 'group' | 'role'}:${string}`

/** Our policies (under the tool's path) attached to each principal. */
export function guards(snapshot: StateSnapshot): Map<PrincipalId, string[]> {
  const ours = new Set(
    snapshot.policies.filter(p => p.path === POLICY_PATH).map(p => p.arn)
  )
  const out = new Map<PrincipalId, string[]>()
  const add = (id: PrincipalId, attached: string[]) => {
    const mine = attached.filter(a => ours.has(a)).sort()
    if (mine.length) out.set(id, mine)
  }
  snapshot.users.forEach(u => add(`user:${u.name}`, u.attachedPolicies))
  snapshot.groups.forEach(g => add(`group:${g.name}`, g.attachedPolicies))
  snapshot.roles.forEach(r => add(`role:${r.name}`, r.attachedPolicies))
  return out
}

/** Principals guarded in `before` that hold none of our policies in `after`. */
export function unguarded(
  before: StateSnapshot,
  after: StateSnapshot
): PrincipalId[] {
  const now = guards(after)
  return [...guards(before).keys()].filter(p => !now.has(p))
}

/** Policies holding more versions than IAM allows. */
export function overVersioned(snapshot: StateSnapshot): string[] {
  return snapshot.policies
    .filter(p => p.versions.length > 5)
    .map(p => `${p.name}: ${p.versions.length}`)
}

/** Starts a sandbox and points the SDK at it for the whole test file. */
export async function startSandbox(
  seed: SeedFixture,
  options: { randomSeed?: number; faults?: FaultRule[] } = {}
): Promise<{ sandbox: IamSandbox; stop: () => Promise<void> }> {
  const sandbox = await startIamSandbox({ port: 0, seed, ...options })
  const restore = useSandboxEnv(sandbox.url)
  return {
    sandbox,
    stop: async () => {
      restore()
      await sandbox.close()
    }
  }
}

/** A gateway that answers like `base` except for the methods overridden. */
export function overrideGateway(
  base: IamGateway,
  overrides: Partial<IamGateway>
): IamGateway {
  return new Proxy(base, {
    get(target, prop, receiver) {
      const own = overrides[prop as keyof IamGateway]
      if (own) return own
      const value: unknown = Reflect.get(target, prop, receiver)
      return typeof value === 'function' ? value.bind(target) : value
    }
  })
}

/**
 * Deletes a policy the way another run's prune would: detach everywhere,
 * delete the non-default versions, delete the policy. Straight through the
 * SDK, so apply's gateway does not see it.
 */
export async function pruneBehindTheBack(
  sandbox: IamSandbox,
  arn: string
): Promise<void> {
  const policy = sandbox.snapshot().policies.find(p => p.arn === arn)
  if (!policy) throw new Error(`no policy ${arn} in the sandbox`)
  const iam = new IAMClient({})
  try {
    const { users, groups, roles } = policy.attachments
    for (const UserName of users)
      await iam.send(new DetachUserPolicyCommand({ UserName, PolicyArn: arn }))
    for (const GroupName of groups)
      await iam.send(
        new DetachGroupPolicyCommand({ GroupName, PolicyArn: arn })
      )
    for (const RoleName of roles)
      await iam.send(new DetachRolePolicyCommand({ RoleName, PolicyArn: arn }))
    for (const v of policy.versions.filter(v => !v.isDefault))
      await iam.send(
        new DeletePolicyVersionCommand({
          PolicyArn: arn,
          VersionId: v.versionId
        })
      )
    await iam.send(new DeletePolicyCommand({ PolicyArn: arn }))
  } finally {
    iam.destroy()
  }
}

/**
 * The mixed scenario for a whole test file: one sandbox seeded with
 * MIXED_SEED, and MIXED_CONFIG written to a file. Before each test the
 * faults are cleared and the state and the call log reset.
 */
export function useMixedScenario(
  assign: (scenario: { sandbox: IamSandbox; file: string }) => void
): void {
  let started: Awaited<ReturnType<typeof startSandbox>>
  let cleanup: () => void
  beforeAll(async () => {
    started = await startSandbox(MIXED_SEED)
    const tmp = tempDir()
    cleanup = tmp.cleanup
    assign({
      sandbox: started.sandbox,
      file: writeConfig(tmp.dir, MIXED_CONFIG)
    })
  })
  afterAll(async () => {
    await started.stop()
    cleanup()
  })
  beforeEach(() => {
    started.sandbox.setFaults([])
    started.sandbox.reset(MIXED_SEED)
    started.sandbox.clearCalls()
  })
}
