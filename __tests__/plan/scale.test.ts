import { beforeEach, describe, expect, it } from '@jest/globals'
import {
  type IamSandbox,
  type SeedFixture,
  type SeedPolicy
} from '../../sandbox/index.js'
import { readFileSync } from 'node:fs'
import { planConfigFile } from '../../src/run-plan.js'
import {
  configFile,
  denyDocument,
  EXAMPLE_CONFIG,
  Gateways,
  maxInFlight,
  PATH,
  PEOPLE,
  PREFIX,
  runWith,
  tagsFor,
  toolPolicy,
  useSandbox
} from './helpers.js'

const ownedOrphans = (n: number, attachEvery = 0): SeedPolicy[] =>
  Array.from({ length: n }, (_, i) => {
    const doc = denyDocument([`192.0.${i % 256}.0/24`])
    return {
      name: `${PREFIX}orphan-${String(i).padStart(3, '0')}`,
      path: PATH,
      document: doc,
      tags: tagsFor(doc),
      ...(attachEvery && i % attachEvery === 0
        ? { attach: { roles: ['MlflowUsers'] } }
        : {})
    }
  })

describe('reads at scale', () => {
  let sandbox: IamSandbox
  const gateways = new Gateways()
  useSandbox(PEOPLE, gateways, started => (sandbox = started), null)
  beforeEach(() => {
    sandbox.setFaults([])
    sandbox.clearCalls()
  })

  it('reads every page of ListPolicies and every policy on them', async () => {
    sandbox.reset({ ...PEOPLE, policies: ownedOrphans(230, 50) })
    sandbox.clearCalls()
    const { plan } = await planConfigFile(EXAMPLE_CONFIG, {
      iam: gateways.make()
    })
    const lists = sandbox.calls().filter(c => c.action === 'ListPolicies')
    expect(lists.length).toBe(3)
    expect(lists[0].params.Marker).toBeUndefined()
    expect(lists.slice(1).every(c => typeof c.params.Marker === 'string')).toBe(
      true
    )
    expect(
      lists.every(
        c => c.params.PathPrefix === PATH && c.params.Scope === 'Local'
      )
    ).toBe(true)
    expect(plan!.summary.orphan).toBe(230)
    expect(new Set(plan!.changes.map(c => c.policy)).size).toBe(232)
    const read = new Set(
      sandbox
        .calls()
        .filter(c => c.action === 'GetPolicyVersion')
        .map(c => c.params.PolicyArn)
    )
    expect(read.size).toBe(230)
    // Orphans attached to MlflowUsers keep restricting it.
    const notebook = plan!.effective.find(
      e =>
        e.principal.name === 'MlflowUsers' &&
        e.action === 'sagemaker:CreatePresignedNotebookInstanceUrl'
    )
    expect(notebook?.policies).toHaveLength(5)
  })

  it('reads every page of a large group and of a widely attached policy', async () => {
    const crowd = Array.from(
      { length: 150 },
      (_, i) => `member-${String(i).padStart(3, '0')}`
    )
    const doc = denyDocument(['192.0.2.0/24'])
    sandbox.reset({
      users: ['alice', ...crowd],
      groups: [{ name: 'crowd', members: crowd }],
      policies: [
        {
          name: `${PREFIX}team`,
          path: PATH,
          document: doc,
          tags: tagsFor(doc),
          attach: { users: ['alice', ...crowd.slice(0, 120)] }
        }
      ]
    })
    const file = configFile(
      [
        'version: 1',
        'policies:',
        '  team:',
        '    allow: [192.0.2.0/24]',
        '    attach:',
        '      users: [alice]',
        '      groups: [crowd]',
        ''
      ].join('\n')
    )
    sandbox.clearCalls()
    const { plan } = await planConfigFile(file, { iam: gateways.make() })
    const actions = sandbox.calls().map(c => c.action)
    expect(actions.filter(a => a === 'GetGroup')).toHaveLength(2)
    expect(actions.filter(a => a === 'ListEntitiesForPolicy')).toHaveLength(2)
    expect(plan!.summary).toMatchObject({ attach: 1, detach: 120 })
    expect(plan!.effective.map(e => e.principal.name)).toEqual([
      'alice',
      ...crowd
    ])
  })

  it.each([1, 4, 8])(
    'keeps at most %i IAM calls in flight',
    async concurrency => {
      sandbox.reset({
        ...PEOPLE,
        policies: [
          toolPolicy(EXAMPLE_CONFIG, 'data-science'),
          toolPolicy(EXAMPLE_CONFIG, 'ml-platform'),
          ...ownedOrphans(6)
        ]
      })
      sandbox.setFaults([{ kind: 'latency', latencyMs: 30 }])
      sandbox.clearCalls()
      const { plan } = await planConfigFile(EXAMPLE_CONFIG, {
        iam: gateways.make(),
        concurrency
      })
      expect(plan!.errors).toEqual([])
      const calls = sandbox.calls()
      expect(calls.length).toBeGreaterThan(20)
      expect(calls.every(c => c.injectedMs === 30)).toBe(true)
      const max = maxInFlight(calls)
      expect(max).toBeLessThanOrEqual(concurrency)
      if (concurrency > 1) expect(max).toBeGreaterThan(1)
      // More than 8 reads are ready at the start, so the bound is reached.
      expect(max).toBe(concurrency)
    }
  )

  it.each([
    [[], 8],
    [['--concurrency', '3'], 3]
  ])('bounds the CLI plan %j at %i calls in flight', async (flags, bound) => {
    sandbox.reset({ ...PEOPLE, policies: ownedOrphans(6) })
    sandbox.setFaults([{ kind: 'latency', latencyMs: 30 }])
    sandbox.clearCalls()
    const run = await runWith(
      ['plan', '--config', EXAMPLE_CONFIG, ...flags],
      gateways.make()
    )
    expect(run.code).toBe(0)
    expect(maxInFlight(sandbox.calls())).toBe(bound)
  })

  it('honours settings.concurrency from the file', async () => {
    const file = configFile(
      readFileSync(EXAMPLE_CONFIG, 'utf8').replace(
        'prune: false',
        'prune: false\n  concurrency: 2'
      )
    )
    sandbox.reset({ ...PEOPLE, policies: ownedOrphans(6) })
    sandbox.setFaults([{ kind: 'latency', latencyMs: 30 }])
    sandbox.clearCalls()
    await planConfigFile(file, { iam: gateways.make() })
    const max = maxInFlight(sandbox.calls())
    expect(max).toBeLessThanOrEqual(2)
    expect(max).toBe(2)
  })

  it('makes the same calls whatever else the account holds', async () => {
    const mine: SeedFixture = {
      ...PEOPLE,
      policies: [toolPolicy(EXAMPLE_CONFIG, 'data-science'), ...ownedOrphans(3)]
    }
    sandbox.reset(mine)
    sandbox.clearCalls()
    await planConfigFile(EXAMPLE_CONFIG, { iam: gateways.make() })
    const small = sandbox
      .calls()
      .map(c => c.action)
      .sort()

    const crowd = Array.from({ length: 200 }, (_, i) => `user-${i}`)
    sandbox.reset({
      ...mine,
      users: [...(mine.users ?? []), ...crowd],
      groups: [
        ...(mine.groups ?? []),
        { name: 'crowd', members: crowd.slice(0, 50) }
      ],
      roles: [...(mine.roles ?? []), 'OtherRole'],
      policies: [
        ...(mine.policies ?? []),
        ...Array.from({ length: 200 }, (_, i) => ({
          name: `unrelated-${i}`,
          path: '/other/',
          document: denyDocument(['198.51.100.0/24']),
          ...(i < 5 ? { attach: { users: [`user-${i}`] } } : {})
        }))
      ]
    })
    sandbox.clearCalls()
    await planConfigFile(EXAMPLE_CONFIG, { iam: gateways.make() })
    const large = sandbox
      .calls()
      .map(c => c.action)
      .sort()
    expect(large).toEqual(small)
    // A bound a reviewer can check: per principal and per policy, not per account.
    expect(small.length).toBeLessThan(40)
  })
})
