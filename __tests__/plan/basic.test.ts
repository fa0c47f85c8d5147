import { describe, expect, it } from '@jest/globals'
import type { IamSandbox } from '../../sandbox/index.js'
import { applyConfigFile } from '../../src/apply/apply.js'
import {
  configFile,
  EXAMPLE_CONFIG,
  Gateways,
  jsonPlan,
  PEOPLE,
  PREFIX,
  runWith,
  toolPolicy,
  useSandbox,
  writes
} from './helpers.js'

const DS = `${PREFIX}data-science`
const ML = `${PREFIX}ml-platform`

describe('plan of the bundled example', () => {
  let sandbox: IamSandbox
  const gateways = new Gateways()
  useSandbox(PEOPLE, gateways, started => (sandbox = started))

  it('creates then attaches, in a stable order, on an empty account', async () => {
    const { run, json } = await jsonPlan(EXAMPLE_CONFIG, gateways.make(), [
      '--detailed-exitcode'
    ])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(2)
    expect(
      json.changes.map(c => [
        c.action,
        c.policy,
        c.principal ? `${c.principal.type}:${c.principal.name}` : ''
      ])
    ).toEqual([
      ['create', DS, ''],
      ['create', ML, ''],
      ['attach', DS, 'user:alice'],
      ['attach', DS, 'group:data-scientists'],
      ['attach', DS, 'role:NotebookUsers'],
      ['attach', ML, 'group:ml-platform'],
      ['attach', ML, 'role:MlflowUsers']
    ])
    expect(json.changes[0].cidrs).toEqual({
      added: [
        '192.0.2.0/24',
        '198.51.100.7/32',
        '203.0.113.0/24',
        '2001:db8:1234:5678::/64'
      ],
      removed: []
    })
    expect(json.changes[1].cidrs).toEqual({
      added: ['192.0.2.0/24', '203.0.113.0/24'],
      removed: []
    })
    expect(json.summary).toEqual({
      create: 2,
      update: 0,
      attach: 5,
      detach: 0,
      delete: 0,
      orphan: 0
    })
    expect(json.warnings).toEqual([])
    expect(writes(sandbox)).toEqual([])
  })

  it('prints JSON of the documented shape', async () => {
    const { json } = await jsonPlan(EXAMPLE_CONFIG, gateways.make())
    for (const key of [
      'changes',
      'summary',
      'warnings',
      'effective',
      'digest'
    ]) {
      expect(json).toHaveProperty(key)
    }
    expect(Object.keys(json.summary).sort()).toEqual(
      ['attach', 'create', 'delete', 'detach', 'orphan', 'update'].sort()
    )
    for (const n of Object.values(json.summary))
      expect(Number.isInteger(n)).toBe(true)
    const allowed = new Set([
      'action',
      'policy',
      'key',
      'principal',
      'cidrs',
      'actions',
      'resources',
      'vpcEndpoints',
      'tagsOnly',
      'drift'
    ])
    for (const c of json.changes) {
      expect(typeof c.action).toBe('string')
      expect(typeof c.policy).toBe('string')
      for (const k of Object.keys(c)) expect(allowed.has(k)).toBe(true)
      if (c.principal)
        expect(Object.keys(c.principal).sort()).toEqual(['name', 'type'])
      if (c.cidrs)
        expect(Object.keys(c.cidrs).sort()).toEqual(['added', 'removed'])
      // Attach and detach name a principal; policy-level changes do not.
      expect(c.principal !== undefined).toBe(
        c.action === 'attach' || c.action === 'detach'
      )
    }
    expect(json.warnings.every(w => typeof w === 'string')).toBe(true)
    expect(json.effective.length).toBeGreaterThan(0)
    for (const e of json.effective) {
      expect(Object.keys(e.principal).sort()).toEqual(['name', 'type'])
      expect(Array.isArray(e.cidrs)).toBe(true)
    }
    expect(json.digest).toMatch(/^[0-9a-f]{64}$/)
    // Effective access for the example: bob through data-scientists.
    expect(json.effective).toContainEqual({
      principal: { type: 'user', name: 'bob' },
      action: 'sagemaker:CreatePresignedNotebookInstanceUrl',
      policies: [DS],
      cidrs: [
        '192.0.2.0/24',
        '198.51.100.7/32',
        '203.0.113.0/24',
        '2001:db8:1234:5678::/64'
      ]
    })
  })

  it('has no changes after an apply, and exits 0 with --detailed-exitcode', async () => {
    const report = await applyConfigFile(EXAMPLE_CONFIG, {
      iam: gateways.make(),
      verifyDelayMs: 0,
      sleep: async () => {}
    })
    expect(report.status).toBe('applied')
    const before = sandbox.snapshot()
    sandbox.clearCalls()

    const { run, json } = await jsonPlan(EXAMPLE_CONFIG, gateways.make(), [
      '--detailed-exitcode'
    ])
    expect(run.code).toBe(0)
    expect(json.changes).toEqual([])
    expect(json.warnings).toEqual([])
    expect(writes(sandbox)).toEqual([])
    expect(sandbox.snapshot()).toEqual(before)

    const text = await runWith(
      ['plan', '--config', EXAMPLE_CONFIG, '--detailed-exitcode'],
      gateways.make()
    )
    expect(text.code).toBe(0)
    expect(text.stdout).toContain('No changes: IAM matches the file.')
  })

  it('has no changes when IAM holds exactly what the tool writes', async () => {
    sandbox.reset({
      ...PEOPLE,
      policies: [
        toolPolicy(EXAMPLE_CONFIG, 'data-science'),
        toolPolicy(EXAMPLE_CONFIG, 'ml-platform')
      ]
    })
    const { run, json } = await jsonPlan(EXAMPLE_CONFIG, gateways.make(), [
      '--detailed-exitcode'
    ])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(json.changes).toEqual([])
    expect(json.summary).toEqual({
      create: 0,
      update: 0,
      attach: 0,
      detach: 0,
      delete: 0,
      orphan: 0
    })
  })

  it('calls IAM not at all when the file is invalid', async () => {
    const file = configFile(
      'version: 1\npolicies:\n  team:\n    allow: [300.0.0.1]\n'
    )
    const run = await runWith(
      ['plan', '--config', file, '--detailed-exitcode'],
      gateways.make()
    )
    expect(run.code).toBe(1)
    expect(run.stdout).toBe('')
    expect(run.stderr).toMatch(new RegExp(`^${file}:4:13: error: `, 'm'))
    expect(sandbox.calls()).toEqual([])
  })

  it('exits 0 without --detailed-exitcode even when there are changes', async () => {
    const run = await runWith(
      ['plan', '--config', EXAMPLE_CONFIG],
      gateways.make()
    )
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(
      'Plan: 2 to create, 0 to update, 5 to attach, 0 to detach, 0 to delete.'
    )
  })
})

describe('markdown plan', () => {
  let sandbox: IamSandbox
  const gateways = new Gateways()
  useSandbox(PEOPLE, gateways, started => (sandbox = started), null)

  it('has the verdict, the summary table and a diff block of CIDRs', async () => {
    const old = configFile(
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
    const file = configFile(
      [
        'version: 1',
        'allowlists:',
        '  office:',
        '    - cidr: 192.0.2.0/24',
        '    - cidr: 198.51.100.0/24',
        '      note: new VPN exit',
        'policies:',
        '  team:',
        '    allow: [office]',
        '    attach:',
        '      users: [alice]',
        ''
      ].join('\n')
    )
    sandbox.reset({ ...PEOPLE, policies: [toolPolicy(old, 'team')] })
    const run = await runWith(
      ['plan', '--config', file, '--format', 'markdown', '--detailed-exitcode'],
      gateways.make()
    )
    expect(run.code).toBe(2)
    const md = run.stdout
    expect(md).toContain(
      '**Plan: 0 to create, 1 to update, 0 to attach, 0 to detach, 0 to delete.**'
    )
    expect(md).toContain(
      '| Create | Update | Attach | Detach | Delete | Orphan |\n| ---: | ---: | ---: | ---: | ---: | ---: |\n| 0 | 1 | 0 | 0 | 0 | 0 |'
    )
    expect(md).toContain('```diff\n+ 198.51.100.0/24\n- 203.0.113.0/24\n```')
    expect(md).toContain('new VPN exit')
    expect(md).toMatch(/digest `[0-9a-f]{64}`/)
  })
})
