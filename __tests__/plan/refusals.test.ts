import { beforeEach, describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { TagPolicyCommand } from '@aws-sdk/client-iam'
import { type IamSandbox, type SeedPolicy } from '../../sandbox/index.js'
import { createIamClient } from '../../src/iam/client.js'
import { SdkIamGateway } from '../../src/iam/gateway.js'
import type { AccountQuotas } from '../../src/iam/types.js'
import {
  arnOf,
  configFile,
  denyDocument,
  Gateways,
  jsonPlan,
  locate,
  PATH,
  PEOPLE,
  PREFIX,
  runWith,
  tagsFor,
  useSandbox,
  writes
} from './helpers.js'

const TEAM = `${PREFIX}team`

const teamFile = (attach: string) =>
  configFile(
    [
      'version: 1',
      'policies:',
      '  team:',
      '    allow: [192.0.2.0/24]',
      '    attach:',
      `      ${attach}`,
      ''
    ].join('\n')
  )

describe('ownership', () => {
  let sandbox: IamSandbox
  const gateways = new Gateways()
  useSandbox(PEOPLE, gateways, started => (sandbox = started), null)
  beforeEach(() => sandbox.clearCalls())

  const handMade = (
    path: string,
    tags?: Record<string, string>
  ): SeedPolicy => ({
    name: TEAM,
    path,
    document: denyDocument(['203.0.113.0/24']),
    ...(tags ? { tags } : {}),
    attach: { users: ['bob'] }
  })

  it('refuses an untagged policy of the target name under the path, and says how to adopt it', async () => {
    sandbox.reset({ ...PEOPLE, policies: [handMade(PATH)] })
    const before = sandbox.snapshot()
    const file = teamFile('users: [alice]')
    const { run, json } = await jsonPlan(file, gateways.make(), [
      '--detailed-exitcode'
    ])
    expect(run.code).toBe(1)
    expect(json.errors).toHaveLength(1)
    const message = json.errors[0].message
    expect(message).toContain(arnOf(TEAM))
    expect(message).toContain('has no managed-by=sagemaker-ip-allowlist tag')
    expect(message).toContain(
      `aws iam tag-policy --policy-arn ${arnOf(TEAM)} --tags Key=managed-by,Value=sagemaker-ip-allowlist`
    )
    expect(json.errors[0]).toMatchObject(
      locate(readFileSync(file, 'utf8'), 'team:')
    )
    expect(run.stderr).toContain(
      `${file}:${json.errors[0].line}:${json.errors[0].col}: error: `
    )
    // Nothing about that policy is planned, let alone written.
    expect(json.changes.filter(c => c.policy === TEAM)).toEqual([])
    expect(writes(sandbox)).toEqual([])
    expect(sandbox.snapshot()).toEqual(before)
  })

  it('takes the policy over once tagged as the message says', async () => {
    sandbox.reset({ ...PEOPLE, policies: [handMade(PATH)] })
    await gateways.client().send(
      new TagPolicyCommand({
        PolicyArn: arnOf(TEAM),
        Tags: [{ Key: 'managed-by', Value: 'sagemaker-ip-allowlist' }]
      })
    )
    const { run, json } = await jsonPlan(
      teamFile('users: [alice]'),
      gateways.make()
    )
    expect(run.code).toBe(0)
    expect(json.errors).toEqual([])
    expect(json.changes.map(c => c.action)).toEqual([
      'update',
      'attach',
      'detach'
    ])
    expect(json.changes[0].drift).toBeUndefined()
  })

  it('refuses a policy of the target name tagged by another owner', async () => {
    sandbox.reset({
      ...PEOPLE,
      policies: [handMade(PATH, { 'managed-by': 'terraform' })]
    })
    const { run, json } = await jsonPlan(
      teamFile('users: [alice]'),
      gateways.make()
    )
    expect(run.code).toBe(1)
    expect(json.errors.map(e => e.message).join('\n')).toContain(arnOf(TEAM))
  })

  it('refuses an owned policy of the target name at a deeper path', async () => {
    sandbox.reset({
      ...PEOPLE,
      policies: [
        handMade(`${PATH}old/`, tagsFor(denyDocument(['203.0.113.0/24'])))
      ]
    })
    const { run, json } = await jsonPlan(
      teamFile('users: [alice]'),
      gateways.make()
    )
    expect(run.code).toBe(1)
    expect(json.errors).toHaveLength(1)
    expect(json.errors[0].message).toContain(arnOf(TEAM, `${PATH}old/`))
    expect(json.errors[0].message).toContain('rename')
  })

  it.each([
    ['a group', 'groups: [data-scientists]'],
    ['a user with other policies', 'users: [alice]'],
    ['only a role with no policies', 'roles: [NotebookUsers]'],
    ['only a user with no policies', 'users: [carol]']
  ])(
    'refuses a policy of the target name at / when the file names %s',
    async (_what, attach) => {
      const other: SeedPolicy = {
        name: 'unrelated',
        path: '/other/',
        document: denyDocument(['192.0.2.0/24']),
        attach: { users: ['alice'] }
      }
      sandbox.reset({ ...PEOPLE, policies: [handMade('/'), other] })
      const before = sandbox.snapshot()
      const file = teamFile(attach)
      const { run, json } = await jsonPlan(file, gateways.make(), [
        '--detailed-exitcode'
      ])
      expect(json.errors.map(e => e.message)).toEqual([
        expect.stringContaining(arnOf(TEAM, '/'))
      ])
      expect(json.errors[0].message).toMatch(/outside/)
      expect(json.errors[0].message).toMatch(/[Rr]ename/)
      expect(run.code).toBe(1)
      expect(json.changes.filter(c => c.action === 'create')).toEqual([])
      expect(writes(sandbox)).toEqual([])
      expect(sandbox.snapshot()).toEqual(before)
    }
  )
})

describe('missing principals and quotas', () => {
  let sandbox: IamSandbox
  const gateways = new Gateways()
  useSandbox(PEOPLE, gateways, started => (sandbox = started))

  it('names every missing user, group and role at its place in the file', async () => {
    const text = [
      'version: 1',
      'policies:',
      '  team:',
      '    allow: [192.0.2.0/24]',
      '    attach:',
      '      users:',
      '        - alice',
      '        - zed',
      '      groups: [data-scientists, ghosts]',
      '      roles: [NoRole]',
      ''
    ].join('\n')
    const file = configFile(text)
    const run = await runWith(
      ['plan', '--config', file, '--detailed-exitcode'],
      gateways.make()
    )
    expect(run.code).toBe(1)
    const errors = run.stderr.trim().split('\n')
    const at = (needle: string) => {
      const { line, col } = locate(text, needle)
      return `${file}:${line}:${col}: error: `
    }
    expect(errors).toEqual([
      expect.stringMatching(
        new RegExp(`^${escape(at('zed'))}user "zed" does not exist`)
      ),
      expect.stringMatching(
        new RegExp(`^${escape(at('ghosts'))}group "ghosts" does not exist`)
      ),
      expect.stringMatching(
        new RegExp(`^${escape(at('NoRole'))}role "NoRole" does not exist`)
      )
    ])
    expect(writes(sandbox)).toEqual([])
  })

  const unrelated = (
    n: number,
    attach: { users?: string[]; groups?: string[] }
  ) =>
    Array.from({ length: n }, (_, i) => ({
      name: `unrelated-${i}`,
      path: '/other/',
      document: denyDocument(['192.0.2.0/24']),
      attach
    }))

  it('refuses to attach an 11th managed policy to a user', async () => {
    sandbox.reset({ ...PEOPLE, policies: unrelated(10, { users: ['alice'] }) })
    const { run, json } = await jsonPlan(
      teamFile('users: [alice]'),
      gateways.make()
    )
    expect(run.code).toBe(1)
    expect(json.errors).toHaveLength(1)
    expect(json.errors[0].message).toContain('user "alice"')
    expect(json.errors[0].message).toContain('11')
    expect(json.errors[0].message).toContain('10')
  })

  it('refuses to attach an 11th managed policy to a group', async () => {
    sandbox.reset({
      ...PEOPLE,
      policies: unrelated(10, { groups: ['data-scientists'] })
    })
    const { run, json } = await jsonPlan(
      teamFile('groups: [data-scientists]'),
      gateways.make()
    )
    expect(run.code).toBe(1)
    expect(json.errors.map(e => e.message)).toEqual([
      expect.stringContaining('group "data-scientists"')
    ])
  })

  it('accepts a 10th managed policy', async () => {
    sandbox.reset({ ...PEOPLE, policies: unrelated(9, { users: ['alice'] }) })
    const { run, json } = await jsonPlan(
      teamFile('users: [alice]'),
      gateways.make()
    )
    expect(json.errors).toEqual([])
    expect(run.code).toBe(0)
  })

  it('counts the attach that apply makes before the detach that frees a slot', async () => {
    // Alice moves from "old" to "team". Apply attaches before it detaches,
    // so for a moment she holds 11 policies and IAM refuses the attach.
    sandbox.reset({
      ...PEOPLE,
      policies: [
        ...unrelated(9, { users: ['alice'] }),
        {
          name: `${PREFIX}old`,
          path: PATH,
          document: denyDocument(['192.0.2.0/24']),
          tags: tagsFor(denyDocument(['192.0.2.0/24'])),
          attach: { users: ['alice'] }
        }
      ]
    })
    const file = configFile(
      [
        'version: 1',
        'policies:',
        '  old:',
        '    allow: [192.0.2.0/24]',
        '    attach:',
        '      users: [bob]',
        '  team:',
        '    allow: [192.0.2.0/24]',
        '    attach:',
        '      users: [alice]',
        ''
      ].join('\n')
    )
    const { run, json } = await jsonPlan(file, gateways.make())
    expect(json.changes).toContainEqual(
      expect.objectContaining({
        action: 'attach',
        principal: { type: 'user', name: 'alice' }
      })
    )
    expect(json.errors.map(e => e.message)).toEqual([
      expect.stringContaining('user "alice"')
    ])
    expect(run.code).toBe(1)
  })

  it("refuses a document over the account's PolicySizeQuota", async () => {
    // The sandbox always reports IAM's default quota (6,144), so a gateway
    // over the real SDK client reports a smaller one.
    class SmallQuota extends SdkIamGateway {
      override async getAccountQuotas(): Promise<AccountQuotas> {
        return { ...(await super.getAccountQuotas()), policySize: 200 }
      }
    }
    const client = createIamClient({ retryDelayMs: () => 1 })
    try {
      const iam = new SmallQuota(client, { sleep: async () => {} })
      const file = teamFile('users: [alice]')
      const { run, json } = await jsonPlan(file, iam)
      expect(run.code).toBe(1)
      expect(json.errors).toHaveLength(1)
      expect(json.errors[0].message).toContain('"team"')
      expect(json.errors[0].message).toContain('PolicySizeQuota is 200')
      expect(writes(sandbox)).toEqual([])
    } finally {
      client.destroy()
    }
  })
})

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
