import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import {
  startIamSandbox,
  type IamSandbox,
  type SeedFixture
} from '../../sandbox/index.js'
import { applyConfigFile } from '../../src/apply/apply.js'
import { planConfigFile } from '../../src/run-plan.js'
import { planToJson } from '../../src/report/plan-json.js'
import { configFile, Gateways, toolPolicy, useSandboxEnv } from './helpers.js'

// IAM may answer a list call with fewer items than MaxItems and still set
// IsTruncated. A sandbox that pages one item at a time must give exactly
// the plan a sandbox with full pages gives.

const KEYS = ['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6']

const FILE = configFile(
  [
    'version: 1',
    'policies:',
    ...KEYS.flatMap((key, i) => [
      `  ${key}:`,
      `    allow: [198.51.${100 + i}.0/24]`,
      '    attach:',
      `      users: [u${i}]`,
      ...(key === 'p4' ? ['      groups: [team]'] : [])
    ])
  ].join('\n') + '\n'
)

/** An older version, so the policy has more than one to page through. */
const OLDER_VERSION = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Deny',
      Action: 'sagemaker:CreatePresignedNotebookInstanceUrl',
      Resource: '*'
    }
  ]
})

/** What the tool wrote before: three of them with other CIDRs and versions. */
function seed(): SeedFixture {
  const policies = KEYS.map((key, i) => {
    const written = toolPolicy(FILE, key)
    if (i < 3) {
      const document = String(written.document).replace(
        `198.51.${100 + i}.0/24`,
        `203.0.113.${i}/32`
      )
      return { ...written, document, extraVersions: [OLDER_VERSION] }
    }
    // p3 is also on a user the file does not name: only ListEntitiesForPolicy shows it.
    if (key === 'p3') return { ...written, attach: { users: ['u3', 'stray'] } }
    return written
  })
  return {
    users: [
      ...KEYS.map((_, i) => `u${i}`),
      'stray',
      'm1',
      'm2',
      'm3',
      'm4',
      'm5'
    ],
    groups: [{ name: 'team', members: ['m1', 'm2', 'm3', 'm4', 'm5'] }],
    roles: [],
    policies
  }
}

async function planAgainst(sandbox: IamSandbox, gateways: Gateways) {
  const restore = useSandboxEnv(sandbox.url)
  try {
    const run = await planConfigFile(FILE, { iam: gateways.make() })
    return planToJson(run.plan!) as {
      changes: object[]
      digest: string
      effective: object[]
    }
  } finally {
    restore()
  }
}

describe('short pages', () => {
  let full: IamSandbox
  let short: IamSandbox
  const gateways = new Gateways()

  beforeAll(async () => {
    full = await startIamSandbox({ port: 0, seed: seed() })
    short = await startIamSandbox({ port: 0, seed: seed(), pageSize: 1 })
  })
  afterAll(async () => {
    gateways.destroy()
    await full.close()
    await short.close()
  })

  it('give the same plan as full pages, reading every page', async () => {
    const expected = await planAgainst(full, gateways)
    const paged = await planAgainst(short, gateways)

    expect(paged).toEqual(expected)
    expect(expected.changes).toContainEqual(
      expect.objectContaining({
        action: 'detach',
        principal: { type: 'user', name: 'stray' }
      })
    )
    expect(
      expected.changes.filter(
        c => (c as { action: string }).action === 'update'
      )
    ).toHaveLength(3)
    const calls = short.calls()
    const pages = (action: string) =>
      calls.filter(c => c.action === action && c.params.Marker).length
    expect(pages('ListPolicies')).toBe(KEYS.length - 1)
    expect(pages('GetGroup')).toBeGreaterThanOrEqual(4)
    expect(pages('ListEntitiesForPolicy')).toBeGreaterThanOrEqual(1)
    expect(pages('ListPolicyVersions')).toBeGreaterThanOrEqual(3)
  })

  it('let apply converge', async () => {
    const restore = useSandboxEnv(short.url)
    try {
      const report = await applyConfigFile(FILE, {
        iam: gateways.make(),
        verifyDelayMs: 0
      })
      expect(report.status).toBe('applied')
    } finally {
      restore()
    }
  })
})
