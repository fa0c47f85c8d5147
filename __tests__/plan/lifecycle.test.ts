import { beforeEach, describe, expect, it } from '@jest/globals'
import { SetDefaultPolicyVersionCommand } from '@aws-sdk/client-iam'
import type { IamSandbox } from '../../sandbox/index.js'
import {
  arnOf,
  configFile,
  denyDocument,
  Gateways,
  jsonPlan,
  PATH,
  PEOPLE,
  PREFIX,
  runWith,
  tagsFor,
  useSandbox,
  writes
} from './helpers.js'

const KEEP = `${PREFIX}keep`
const GONE = `${PREFIX}gone`
const IDLE = `${PREFIX}idle`

function fileWith(prune: boolean): string {
  return configFile(
    [
      'version: 1',
      'settings:',
      `  prune: ${prune}`,
      'policies:',
      '  keep:',
      '    allow: [192.0.2.0/24]',
      '    attach:',
      '      users: [alice]',
      ''
    ].join('\n')
  )
}

const owned = (
  name: string,
  cidrs: string[],
  attach: { users?: string[]; groups?: string[]; roles?: string[] },
  path = PATH
) => ({
  name,
  path,
  document: denyDocument(cidrs),
  tags: tagsFor(denyDocument(cidrs)),
  attach
})

describe('detach, orphan and delete', () => {
  let sandbox: IamSandbox
  const gateways = new Gateways()
  useSandbox(PEOPLE, gateways, started => (sandbox = started), null)

  const seed = {
    ...PEOPLE,
    policies: [
      owned(KEEP, ['192.0.2.0/24'], {
        users: ['alice', 'bob'],
        groups: ['ml-platform']
      }),
      owned(GONE, ['203.0.113.0/24'], { users: ['carol'] }),
      owned(IDLE, ['198.51.100.0/24'], {})
    ]
  }
  beforeEach(() => {
    sandbox.reset(seed)
    sandbox.clearCalls()
  })

  it('detaches principals the file dropped and leaves orphans alone without prune', async () => {
    const { run, json } = await jsonPlan(fileWith(false), gateways.make(), [
      '--detailed-exitcode'
    ])
    expect(run.code).toBe(2)
    expect(json.changes).toEqual([
      {
        action: 'detach',
        policy: KEEP,
        key: 'keep',
        principal: { type: 'user', name: 'bob' }
      },
      {
        action: 'detach',
        policy: KEEP,
        key: 'keep',
        principal: { type: 'group', name: 'ml-platform' }
      },
      { action: 'orphan', policy: GONE },
      { action: 'orphan', policy: IDLE }
    ])
    expect(json.summary).toMatchObject({ detach: 2, orphan: 2, delete: 0 })
    // Only the orphan that still restricts someone is worth a warning.
    expect(json.warnings).toHaveLength(1)
    expect(json.warnings[0]).toContain(GONE)
    expect(json.warnings[0]).toContain('1 principal')
    expect(json.warnings[0]).toContain('prune')
    // Carol stays behind the orphan until it is detached or pruned.
    expect(json.effective).toContainEqual({
      principal: { type: 'user', name: 'alice' },
      action: 'sagemaker:CreatePresignedNotebookInstanceUrl',
      policies: [KEEP],
      cidrs: ['192.0.2.0/24']
    })
    expect(writes(sandbox)).toEqual([])
  })

  it('deletes owned policies no longer in the file with prune', async () => {
    const { json } = await jsonPlan(fileWith(true), gateways.make())
    expect(json.changes.map(c => [c.action, c.policy])).toEqual([
      ['detach', KEEP],
      ['detach', KEEP],
      ['delete', GONE],
      ['delete', IDLE]
    ])
    expect(json.changes[2].cidrs).toEqual({
      added: [],
      removed: ['203.0.113.0/24']
    })
    expect(json.summary).toMatchObject({ detach: 2, delete: 2, orphan: 0 })
    expect(json.warnings).toEqual([])
  })

  it('counts orphans as no change for --detailed-exitcode', async () => {
    sandbox.reset({
      ...PEOPLE,
      policies: [
        owned(KEEP, ['192.0.2.0/24'], { users: ['alice'] }),
        owned(IDLE, ['198.51.100.0/24'], {})
      ]
    })
    const run = await runWith(
      ['plan', '--config', fileWith(false), '--detailed-exitcode'],
      gateways.make()
    )
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('1 orphan policy left alone')
  })

  it('never deletes a policy under the path without the ownership tag, even with prune', async () => {
    sandbox.reset({
      ...PEOPLE,
      policies: [
        owned(KEEP, ['192.0.2.0/24'], { users: ['alice'] }),
        {
          name: 'hand-made',
          path: PATH,
          document: denyDocument(['192.0.2.0/24']),
          attach: { users: ['bob'] }
        },
        {
          name: 'someone-elses',
          path: PATH,
          document: denyDocument(['192.0.2.0/24']),
          tags: { 'managed-by': 'terraform' }
        }
      ]
    })
    const { json } = await jsonPlan(fileWith(true), gateways.make())
    expect(json.changes).toEqual([])
    expect(json.errors).toEqual([])
  })

  it('does not prune a tagged policy at a deeper path than its own', async () => {
    // Another config may own /sagemaker-ip-allowlist/team-b/: its policies
    // are not at this file's path, so they are not this file's to delete.
    sandbox.reset({
      ...PEOPLE,
      policies: [
        owned(KEEP, ['192.0.2.0/24'], { users: ['alice'] }),
        owned(
          `${PREFIX}team-b`,
          ['203.0.113.0/24'],
          { users: ['dave'] },
          `${PATH}team-b/`
        )
      ]
    })
    const { json } = await jsonPlan(fileWith(true), gateways.make())
    expect(json.changes).toEqual([])
  })
})

describe('drift', () => {
  let sandbox: IamSandbox
  const gateways = new Gateways()
  useSandbox(PEOPLE, gateways, started => (sandbox = started), null)

  const written = denyDocument(['192.0.2.0/24', '203.0.113.0/24'])
  // By hand: 203.0.113.0/24 replaced by 198.18.0.0/15 in a new default version.
  const byHand = denyDocument(['192.0.2.0/24', '198.18.0.0/15'])

  it('flags a document changed by hand and shows what apply overwrites', async () => {
    sandbox.reset({
      ...PEOPLE,
      policies: [
        {
          name: `${PREFIX}team`,
          path: PATH,
          extraVersions: [written],
          document: byHand,
          tags: tagsFor(written, 'v1'),
          attach: { users: ['alice'] }
        }
      ]
    })
    // The file also changes: 198.51.100.0/24 is new.
    const file = configFile(
      [
        'version: 1',
        'policies:',
        '  team:',
        '    allow: [192.0.2.0/24, 203.0.113.0/24, 198.51.100.0/24]',
        '    attach:',
        '      users: [alice]',
        ''
      ].join('\n')
    )
    sandbox.clearCalls()
    const { run, json } = await jsonPlan(file, gateways.make(), [
      '--detailed-exitcode'
    ])
    expect(run.code).toBe(2)
    expect(json.changes).toEqual([
      {
        action: 'update',
        policy: `${PREFIX}team`,
        key: 'team',
        cidrs: {
          added: ['198.51.100.0/24', '203.0.113.0/24'],
          removed: ['198.18.0.0/15']
        },
        drift: {
          lastApplied: 'v1',
          cidrs: { added: ['198.18.0.0/15'], removed: ['203.0.113.0/24'] }
        }
      }
    ])
    expect(json.warnings).toHaveLength(1)
    expect(json.warnings[0]).toContain(`${PREFIX}team`)
    expect(json.warnings[0]).toMatch(/changed outside the file/)
    // The version the tool wrote was read to show the drift.
    expect(
      sandbox
        .calls()
        .filter(c => c.action === 'GetPolicyVersion')
        .map(c => c.params.VersionId)
        .sort()
    ).toEqual(['v1', 'v2'])

    const md = await runWith(
      ['plan', '--config', file, '--format', 'markdown'],
      gateways.make()
    )
    expect(md.stdout).toContain('Drift')
    expect(md.stdout).toContain(
      '```diff\n+ 198.18.0.0/15\n- 203.0.113.0/24\n```'
    )
  })

  it('does not flag drift when the live document is the one the tool wrote', async () => {
    sandbox.reset({
      ...PEOPLE,
      policies: [
        {
          name: `${PREFIX}team`,
          path: PATH,
          extraVersions: [byHand],
          document: written,
          tags: tagsFor(written, 'v2'),
          attach: { users: ['alice'] }
        }
      ]
    })
    const file = configFile(
      [
        'version: 1',
        'policies:',
        '  team:',
        '    allow: [192.0.2.0/24, 198.51.100.0/24]',
        '    attach:',
        '      users: [alice]',
        ''
      ].join('\n')
    )
    const { json } = await jsonPlan(file, gateways.make())
    expect(json.changes).toHaveLength(1)
    expect(json.changes[0].drift).toBeUndefined()
    expect(json.warnings).toEqual([])
  })

  it('flags a default version switched back by hand', async () => {
    sandbox.reset({
      ...PEOPLE,
      policies: [
        {
          name: `${PREFIX}team`,
          path: PATH,
          extraVersions: [byHand],
          document: written,
          tags: tagsFor(written, 'v2'),
          attach: { users: ['alice'] }
        }
      ]
    })
    await gateways.client().send(
      new SetDefaultPolicyVersionCommand({
        PolicyArn: arnOf(`${PREFIX}team`),
        VersionId: 'v1'
      })
    )
    const file = configFile(
      [
        'version: 1',
        'policies:',
        '  team:',
        '    allow: [192.0.2.0/24, 203.0.113.0/24]',
        '    attach:',
        '      users: [alice]',
        ''
      ].join('\n')
    )
    const { json } = await jsonPlan(file, gateways.make())
    expect(json.changes).toEqual([
      {
        action: 'update',
        policy: `${PREFIX}team`,
        key: 'team',
        cidrs: { added: ['203.0.113.0/24'], removed: ['198.18.0.0/15'] },
        drift: {
          lastApplied: 'v2',
          cidrs: { added: ['198.18.0.0/15'], removed: ['203.0.113.0/24'] }
        }
      }
    ])
    expect(json.warnings).toHaveLength(1)
  })
})
