/**
 * Apply against the local IAM sandbox through the API: what it writes, in
 * which order, and what it refuses to do.
 */
import {
  afterAll,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it
} from '@jest/globals'
import {
  AttachUserPolicyCommand,
  IAMClient,
  SetDefaultPolicyVersionCommand
} from '@aws-sdk/client-iam'
import type { CallRecord, IamSandbox } from '../../sandbox/index.js'
import {
  DIGEST_TAG_KEY,
  OWNER_TAG_KEY,
  OWNER_TAG_VALUE
} from '../../src/ownership.js'
import { planConfigFile } from '../../src/run-plan.js'
import { documentDigest } from '../../src/policy-meaning.js'
import { loadDesiredState } from '../../src/desired.js'
import {
  acceptedWrites,
  apply,
  arnOf,
  denyDocument,
  fastGateway,
  guards,
  liveEqualsFile,
  MIXED_CONFIG,
  MIXED_SEED,
  nameOf,
  ownedPolicy,
  POLICY_PATH,
  PRINCIPALS,
  startSandbox,
  tempDir,
  writeConfig,
  writes
} from './helpers.js'

const FRESH_CONFIG = `version: 1
allowlists:
  office: [192.0.2.0/24]
policies:
  data-science:
    description: Notebooks of the data science team
    allow: [office, 198.51.100.7]
    attach:
      users: [alice]
      groups: [data-scientists]
      roles: [NotebookUsers]
  ml-platform:
    allow: [office]
    actions: [mlflow]
    attach:
      groups: [ml-platform]
`

let sandbox: IamSandbox
let stop: () => Promise<void>
let dir: string
let cleanup: () => void

beforeAll(async () => {
  ;({ sandbox, stop } = await startSandbox(PRINCIPALS))
  ;({ dir, cleanup } = tempDir())
})
afterAll(async () => {
  await stop()
  cleanup()
})
beforeEach(() => {
  sandbox.setFaults([])
  sandbox.reset(PRINCIPALS)
  sandbox.clearCalls()
})

const policyArnParam = (c: CallRecord) => c.params.PolicyArn ?? ''

/** Which step of apply a write call belongs to, in the mixed scenario. */
function stepOf(c: CallRecord): string {
  const arn = policyArnParam(c)
  if (arn === arnOf('legacy')) return '5 prune'
  if (c.action === 'CreatePolicy') return '1 create'
  if (/^(CreatePolicyVersion|DeletePolicyVersion|TagPolicy)$/.test(c.action))
    return '2 update'
  if (c.action.startsWith('Attach')) return '3 attach'
  if (c.action.startsWith('Detach')) return '4 detach'
  return `? ${c.action}`
}

describe('apply on an account with none of our policies', () => {
  it('creates each policy with the ownership tags and the description from the file, then attaches', async () => {
    const file = writeConfig(dir, FRESH_CONFIG)
    const { report } = await apply(file)
    expect(report.status).toBe('applied')
    expect(report.verification?.ok).toBe(true)

    const snap = sandbox.snapshot()
    const ds = snap.policies.find(p => p.name === nameOf('data-science'))!
    const ml = snap.policies.find(p => p.name === nameOf('ml-platform'))!
    expect(ds.path).toBe(POLICY_PATH)
    expect(ds.description).toBe('Notebooks of the data science team')
    // No description in the file: the tool's own one.
    expect(ml.description).toBe('SageMaker source-IP allowlist "ml-platform"')
    const rendered = loadDesiredState(file).desired!.policies
    for (const [live, key] of [
      [ds, 'data-science'],
      [ml, 'ml-platform']
    ] as const) {
      const want = rendered.find(p => p.key === key)!
      expect(live.tags[OWNER_TAG_KEY]).toBe(OWNER_TAG_VALUE)
      expect(live.tags[DIGEST_TAG_KEY]).toBe(documentDigest(want.document))
      expect(live.versions).toHaveLength(1)
      expect(JSON.parse(live.versions[0].document)).toEqual(want.document)
    }
    expect(ds.attachments).toEqual({
      users: ['alice'],
      groups: ['data-scientists'],
      roles: ['NotebookUsers']
    })
    expect(ml.attachments).toEqual({
      users: [],
      groups: ['ml-platform'],
      roles: []
    })

    // Every create comes before every attach.
    const order = writes(sandbox.calls()).map(c => c.action)
    const lastCreate = order.lastIndexOf('CreatePolicy')
    const firstAttach = order.findIndex(a => a.startsWith('Attach'))
    expect(order.filter(a => a === 'CreatePolicy')).toHaveLength(2)
    expect(lastCreate).toBeLessThan(firstAttach)
    expect(await liveEqualsFile(file)).toBe(true)
  })

  it('makes no write call at all when applied a second time', async () => {
    const file = writeConfig(dir, FRESH_CONFIG)
    expect((await apply(file)).report.status).toBe('applied')
    sandbox.clearCalls()
    const again = await apply(file)
    expect(again.report.status).toBe('no-changes')
    expect(again.report.outcomes).toEqual([])
    expect(again.log).toEqual([])
    expect(sandbox.calls().length).toBeGreaterThan(0)
    expect(writes(sandbox.calls())).toEqual([])
  })
})

describe('apply with one change of each kind', () => {
  let file: string
  beforeEach(() => {
    sandbox.reset(MIXED_SEED)
    sandbox.clearCalls()
    file = writeConfig(dir, MIXED_CONFIG)
  })

  it('runs create, update, attach, detach, then prune, one step after the other', async () => {
    const { report } = await apply(file)
    expect(report.status).toBe('applied')
    const steps = acceptedWrites(sandbox.calls()).map(stepOf)
    expect(steps.some(s => s.startsWith('?'))).toBe(false)
    expect(steps).toEqual([...steps].sort())
    expect(new Set(steps)).toEqual(
      new Set(['1 create', '2 update', '3 attach', '4 detach', '5 prune'])
    )
    expect(await liveEqualsFile(file)).toBe(true)
  })

  it('deletes the oldest non-default version first when the policy has 5, then creates the new one as default', async () => {
    const arn = arnOf('data-science')
    expect(
      sandbox.snapshot().policies.find(p => p.arn === arn)!.versions
    ).toHaveLength(5)
    await apply(file)
    const calls = acceptedWrites(sandbox.calls()).filter(
      c => policyArnParam(c) === arn && /PolicyVersion$/.test(c.action)
    )
    expect(calls.map(c => [c.action, c.params.VersionId])).toEqual([
      ['DeletePolicyVersion', 'v1'],
      ['CreatePolicyVersion', undefined]
    ])
    expect(calls[1].params.SetAsDefault).toBe('true')

    const live = sandbox.snapshot().policies.find(p => p.arn === arn)!
    expect(live.versions.map(v => v.versionId)).toEqual([
      'v2',
      'v3',
      'v4',
      'v5',
      'v6'
    ])
    expect(live.defaultVersionId).toBe('v6')
    const want = loadDesiredState(file).desired!.policies.find(
      p => p.key === 'data-science'
    )!
    expect(live.tags[DIGEST_TAG_KEY]).toBe(documentDigest(want.document))
  })

  it('deletes the oldest version that is not the default, even when the default is the oldest', async () => {
    const arn = arnOf('data-science')
    const iam = new IAMClient({})
    try {
      await iam.send(
        new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v1' })
      )
    } finally {
      iam.destroy()
    }
    sandbox.clearCalls()
    expect((await apply(file)).report.status).toBe('applied')
    const deleted = acceptedWrites(sandbox.calls())
      .filter(
        c => c.action === 'DeletePolicyVersion' && policyArnParam(c) === arn
      )
      .map(c => c.params.VersionId)
    expect(deleted).toEqual(['v2'])
    const live = sandbox.snapshot().policies.find(p => p.arn === arn)!
    expect(live.versions.map(v => v.versionId)).toEqual([
      'v1',
      'v3',
      'v4',
      'v5',
      'v6'
    ])
    expect(live.defaultVersionId).toBe('v6')
  })

  it('rewrites only the tags of a policy whose document already means what the file says', async () => {
    await apply(file)
    const arn = arnOf('ml-platform')
    const mine = acceptedWrites(sandbox.calls()).filter(
      c => policyArnParam(c) === arn
    )
    expect(mine.map(c => c.action)).toEqual(['TagPolicy', 'DetachGroupPolicy'])
    const live = sandbox.snapshot().policies.find(p => p.arn === arn)!
    expect(live.versions).toHaveLength(1)
  })

  it('prunes by detaching from every entity and deleting the old versions before the policy', async () => {
    await apply(file)
    const arn = arnOf('legacy')
    const mine = acceptedWrites(sandbox.calls())
      .filter(c => policyArnParam(c) === arn)
      .map(c =>
        [c.action, c.params.UserName ?? c.params.RoleName ?? c.params.VersionId]
          .filter(Boolean)
          .join(' ')
      )
    expect(mine.slice(0, 2).sort()).toEqual([
      'DetachRolePolicy NotebookUsers',
      'DetachUserPolicy erin'
    ])
    expect(mine.slice(2)).toEqual(['DeletePolicyVersion v1', 'DeletePolicy'])
    expect(sandbox.snapshot().policies.map(p => p.name)).not.toContain(
      nameOf('legacy')
    )
  })

  it('leaves a policy no longer in the file alone when prune is false', async () => {
    const noPrune = writeConfig(
      dir,
      MIXED_CONFIG.replace('prune: true', 'prune: false')
    )
    const before = sandbox
      .snapshot()
      .policies.find(p => p.arn === arnOf('legacy'))
    // NotebookUsers and erin move off legacy only when it is pruned; here
    // legacy stays attached to both and keeps restricting them.
    const { report } = await apply(noPrune)
    expect(report.status).toBe('applied')
    expect(
      acceptedWrites(sandbox.calls()).filter(
        c => policyArnParam(c) === arnOf('legacy')
      )
    ).toEqual([])
    expect(
      sandbox.snapshot().policies.find(p => p.arn === arnOf('legacy'))
    ).toEqual(before)
  })

  it('keeps every principal guarded while a principal moves from one policy to another', async () => {
    const before = guards(sandbox.snapshot())
    await apply(file)
    const after = guards(sandbox.snapshot())
    for (const principal of before.keys())
      expect(after.has(principal)).toBe(true)
    expect(after.get('role:NotebookUsers')).toEqual([arnOf('data-science')])
    expect(after.get('user:erin')).toEqual([arnOf('contractors')])
  })

  it('logs each write as one line naming the write, the entity and the result', async () => {
    const { report, log } = await apply(file)
    expect(report.status).toBe('applied')
    const accepted = acceptedWrites(sandbox.calls())
    expect(log).toHaveLength(accepted.length)
    for (const line of log) {
      expect(line).not.toContain('\n')
      expect(line).toMatch(/: done$/)
    }
    const expected = [
      `create policy ${POLICY_PATH}${nameOf('contractors')}: done`,
      `new version of policy ${nameOf('data-science')}: done`,
      `attach user erin to ${nameOf('contractors')}: done`,
      `attach role NotebookUsers to ${nameOf('data-science')}: done`,
      `detach group data-scientists from ${nameOf('ml-platform')}: done`,
      `detach user erin from ${nameOf('legacy')}: done`,
      `delete policy ${nameOf('legacy')}: done`
    ]
    for (const line of expected) expect(log).toContain(line)
    expect(log.some(l => l.startsWith('delete version v1 of '))).toBe(true)
  })

  it('second apply after the mixed apply makes no write call', async () => {
    expect((await apply(file)).report.status).toBe('applied')
    sandbox.clearCalls()
    expect((await apply(file)).report.status).toBe('no-changes')
    expect(writes(sandbox.calls())).toEqual([])
  })
})

describe('apply --dry-run', () => {
  it('lists the write calls apply then makes, and makes none', async () => {
    sandbox.reset(MIXED_SEED)
    sandbox.clearCalls()
    const file = writeConfig(dir, MIXED_CONFIG)
    const before = sandbox.snapshot()
    const dry = await apply(file, { dryRun: true })
    expect(dry.report.status).toBe('dry-run')
    expect(dry.report.outcomes).toEqual([])
    expect(dry.log).toEqual([])
    expect(writes(sandbox.calls())).toEqual([])
    expect(sandbox.snapshot()).toEqual(before)

    sandbox.clearCalls()
    expect((await apply(file)).report.status).toBe('applied')
    const made = acceptedWrites(sandbox.calls())
      .map(c => c.action)
      .sort()
    expect(dry.report.calls!.map(c => c.call).sort()).toEqual(made)
  })
})

describe('apply --expect-digest', () => {
  let file: string
  beforeEach(() => {
    sandbox.reset(MIXED_SEED)
    sandbox.clearCalls()
    file = writeConfig(dir, MIXED_CONFIG)
  })

  it('applies when the fresh plan has the reviewed digest', async () => {
    const reviewed = await planConfigFile(file, { iam: fastGateway() })
    const { report } = await apply(file, {
      expectDigest: reviewed.plan!.digest
    })
    expect(report.status).toBe('applied')
  })

  it('refuses, writing nothing, when live IAM changed since the review', async () => {
    const reviewed = await planConfigFile(file, { iam: fastGateway() })
    const iam = new IAMClient({})
    try {
      await iam.send(
        new AttachUserPolicyCommand({
          UserName: 'bob',
          PolicyArn: arnOf('ml-platform')
        })
      )
    } finally {
      iam.destroy()
    }
    sandbox.clearCalls()
    const { report } = await apply(file, {
      expectDigest: reviewed.plan!.digest
    })
    expect(report.status).toBe('digest-mismatch')
    expect(report.plan!.digest).not.toBe(reviewed.plan!.digest)
    // The new plan is there to print: it now detaches bob.
    expect(
      report.plan!.changes.some(
        c => c.action === 'detach' && c.principal?.name === 'bob'
      )
    ).toBe(true)
    expect(report.outcomes).toEqual([])
    expect(writes(sandbox.calls())).toEqual([])
  })

  it('refuses, writing nothing, when the file changed since the review', async () => {
    const reviewed = await planConfigFile(file, { iam: fastGateway() })
    const edited = writeConfig(
      dir,
      MIXED_CONFIG.replace('vpn: [198.51.100.7]', 'vpn: [198.51.100.8]')
    )
    const { report } = await apply(edited, {
      expectDigest: reviewed.plan!.digest
    })
    expect(report.status).toBe('digest-mismatch')
    expect(writes(sandbox.calls())).toEqual([])
  })
})

describe('an invalid file never reaches IAM', () => {
  const huge = Array.from(
    { length: 400 },
    (_, i) => `11.${i >> 8}.${i & 255}.1/32`
  ).join(', ')
  // [what, file text, a piece of the error it must report]
  const invalid: [string, string, string][] = [
    ['a YAML syntax error', 'version: 1\npolicies: [\n', 'YAML syntax error'],
    ['an unknown key', `${FRESH_CONFIG}colour: blue\n`, 'unknown key "colour"'],
    [
      'an unknown version',
      FRESH_CONFIG.replace('version: 1', 'version: 2'),
      '"version" is 2'
    ],
    [
      'an octal-looking address',
      FRESH_CONFIG.replace('192.0.2.0/24', '010.0.0.1'),
      'leading zero'
    ],
    [
      'a host address with a prefix',
      FRESH_CONFIG.replace('192.0.2.0/24', '192.0.2.5/24'),
      'host bits are set'
    ],
    [
      'an unknown allowlist',
      FRESH_CONFIG.replace('[office, ', '[offfice, '),
      'unknown allowlist "offfice"'
    ],
    [
      'a bad principal name',
      FRESH_CONFIG.replace('[alice]', '["al ice"]'),
      'not a valid IAM user name'
    ],
    [
      'a document over the size limit',
      `version: 1\npolicies:\n  huge:\n    allow: [${huge}]\n    attach:\n      users: [alice]\n`,
      'renders to'
    ]
  ]

  for (const [what, text, error] of invalid) {
    it(`makes no IAM call for ${what}`, async () => {
      const file = writeConfig(dir, text)
      for (const dryRun of [false, true]) {
        const { report } = await apply(file, { dryRun })
        expect(report.status).toBe('invalid')
        const errors = report.diagnostics.filter(d => d.severity === 'error')
        expect(errors.map(d => d.message).join('\n')).toContain(error)
      }
      expect(sandbox.calls()).toEqual([])
    })
  }

  it('makes no IAM call for a file that does not exist', async () => {
    const { report } = await apply(`${dir}/missing.yml`)
    expect(report.status).toBe('invalid')
    expect(sandbox.calls()).toEqual([])
  })
})

describe('a plan with errors writes nothing', () => {
  it('refuses when a principal does not exist', async () => {
    const file = writeConfig(dir, FRESH_CONFIG.replace('[alice]', '[zoe]'))
    const { report } = await apply(file)
    expect(report.status).toBe('plan-failed')
    expect(report.plan!.errors.map(e => e.message).join('\n')).toContain('zoe')
    expect(writes(sandbox.calls())).toEqual([])
  })

  it('refuses to touch a policy of the same name that lacks the ownership tag', async () => {
    sandbox.reset({
      ...PRINCIPALS,
      policies: [
        { ...ownedPolicy('data-science', ['192.0.2.0/24'], {}), tags: {} }
      ]
    })
    sandbox.clearCalls()
    const file = writeConfig(dir, FRESH_CONFIG)
    const { report } = await apply(file)
    expect(report.status).toBe('plan-failed')
    expect(writes(sandbox.calls())).toEqual([])
  })

  it('refuses when a policy of the same name exists outside the path', async () => {
    sandbox.reset({
      ...PRINCIPALS,
      policies: [
        {
          name: nameOf('data-science'),
          document: denyDocument(['192.0.2.0/24'])
        }
      ]
    })
    sandbox.clearCalls()
    const file = writeConfig(dir, FRESH_CONFIG)
    const { report } = await apply(file)
    expect(report.status).toBe('plan-failed')
    expect(writes(sandbox.calls())).toEqual([])
  })
})
