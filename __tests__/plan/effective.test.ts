import { beforeEach, describe, expect, it } from '@jest/globals'
import type { IamSandbox } from '../../sandbox/index.js'
import {
  configFile,
  denyDocument,
  Gateways,
  jsonPlan,
  NOTEBOOK,
  PATH,
  PREFIX,
  STUDIO,
  tagsFor,
  useSandbox
} from './helpers.js'

const A = `${PREFIX}team-a`
const B = `${PREFIX}direct-b`

const people = {
  users: ['alice', 'erin'],
  groups: [
    { name: 'team-a', members: ['alice'] },
    { name: 'legacy', members: ['erin'] }
  ]
}

function twoPolicies(a: string, b: string, bActions = 'notebook'): string {
  return configFile(
    [
      'version: 1',
      'policies:',
      '  team-a:',
      `    allow: [${a}]`,
      '    attach:',
      '      groups: [team-a]',
      '  direct-b:',
      `    allow: [${b}]`,
      `    actions: [${bActions}]`,
      '    attach:',
      '      users: [alice]',
      ''
    ].join('\n')
  )
}

describe('effective access', () => {
  let sandbox: IamSandbox
  const gateways = new Gateways()
  useSandbox(people, gateways, started => (sandbox = started), null)
  beforeEach(() => sandbox.reset(people))

  it('intersects a group policy and a direct policy, and warns that it is narrower', async () => {
    const file = twoPolicies(
      '192.0.2.0/24, 198.51.100.0/24',
      '198.51.100.0/24, 203.0.113.0/24'
    )
    const { json } = await jsonPlan(file, gateways.make())
    expect(json.errors).toEqual([])
    expect(json.effective).toEqual([
      {
        principal: { type: 'user', name: 'alice' },
        action: NOTEBOOK,
        policies: expect.arrayContaining([A, B]),
        cidrs: ['198.51.100.0/24']
      }
    ])
    expect(json.effective[0].policies).toHaveLength(2)
    expect(json.warnings).toHaveLength(1)
    expect(json.warnings[0]).toContain('user "alice"')
    expect(json.warnings[0]).toContain('198.51.100.0/24')
    expect(json.warnings[0]).toMatch(/narrower/)
  })

  it('intersects partial overlaps exactly', async () => {
    const file = twoPolicies('192.0.2.0/24', '192.0.2.128/25, 203.0.113.0/24')
    const { json } = await jsonPlan(file, gateways.make())
    expect(json.effective.map(e => e.cidrs)).toEqual([['192.0.2.128/25']])
    expect(json.warnings).toHaveLength(1)
  })

  it('warns that a user is locked out when the lists are disjoint', async () => {
    const file = twoPolicies('192.0.2.0/24', '203.0.113.0/24')
    const { json } = await jsonPlan(file, gateways.make())
    expect(json.effective).toEqual([
      expect.objectContaining({
        principal: { type: 'user', name: 'alice' },
        action: NOTEBOOK,
        cidrs: []
      })
    ])
    expect(json.warnings).toEqual([
      expect.stringMatching(/user "alice" would be locked out/)
    ])
  })

  it('does not warn when the lists are the same', async () => {
    const file = twoPolicies('192.0.2.0/24', '192.0.2.0/24')
    const { json } = await jsonPlan(file, gateways.make())
    expect(json.effective.map(e => e.cidrs)).toEqual([['192.0.2.0/24']])
    expect(json.warnings).toEqual([])
  })

  it('does not intersect policies that guard different actions', async () => {
    const file = twoPolicies('192.0.2.0/24', '203.0.113.0/24', 'studio')
    const { json } = await jsonPlan(file, gateways.make())
    expect(json.effective.map(e => [e.action, e.policies, e.cidrs])).toEqual(
      [
        [STUDIO, [B], ['203.0.113.0/24']],
        [NOTEBOOK, [A], ['192.0.2.0/24']]
      ].sort((x, y) => String(x[0]).localeCompare(String(y[0])))
    )
    expect(json.warnings).toEqual([])
  })

  it('counts an orphan that still reaches a user through a group', async () => {
    // Erin is named in the file directly; her group "legacy" still holds an
    // owned policy the file no longer lists (prune is off).
    sandbox.reset({
      ...people,
      policies: [
        {
          name: `${PREFIX}legacy`,
          path: PATH,
          document: denyDocument(['192.0.2.0/24']),
          tags: tagsFor(denyDocument(['192.0.2.0/24'])),
          attach: { groups: ['legacy'] }
        }
      ]
    })
    const file = configFile(
      [
        'version: 1',
        'policies:',
        '  erin:',
        '    allow: [203.0.113.0/24]',
        '    attach:',
        '      users: [erin]',
        ''
      ].join('\n')
    )
    const { json } = await jsonPlan(file, gateways.make())
    expect(json.effective).toEqual([
      {
        principal: { type: 'user', name: 'erin' },
        action: NOTEBOOK,
        policies: expect.arrayContaining([`${PREFIX}erin`, `${PREFIX}legacy`]),
        cidrs: []
      }
    ])
    expect(json.warnings).toContainEqual(
      expect.stringMatching(/user "erin" would be locked out/)
    )
  })
})
