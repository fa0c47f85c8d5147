import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  ListGroupsForUserCommand
} from '@aws-sdk/client-iam'
import {
  loadSeedFile,
  startIamSandbox,
  type SeedFixture
} from '../../sandbox/index.js'
import { clientFor, denyDocument } from './helpers.js'

const YAML_SEED = `
users:
  - alice
  - name: bob
    path: /staff/
    groups: [data-scientists]
groups:
  - name: data-scientists
    members: [carol]
  - ml-platform
roles:
  - NotebookUsers
  - { name: MlflowUsers, path: /service-role/ }
policies:
  - name: allowlist-office
    path: /ip-allowlist/
    description: Office ranges
    document:
      Version: "2012-10-17"
      Statement:
        - Sid: DenyOutsideOffice
          Effect: Deny
          Action: sagemaker:CreatePresignedNotebookInstanceUrl
          Resource: "*"
          Condition:
            NotIpAddress:
              aws:SourceIp: [192.0.2.0/24]
    extraVersions:
      - '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}'
    tags:
      managed-by: sagemaker-ip-allowlist
      revision: 3
    attach:
      users: [alice]
      groups: [data-scientists]
      roles: [NotebookUsers]
`

describe('seed fixtures', () => {
  let dir: string

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'iam-sandbox-seed-'))
    // An extra user who is a member only through the group's list.
    writeFileSync(
      join(dir, 'seed.yaml'),
      YAML_SEED.replace('  - alice\n', '  - alice\n  - carol\n')
    )
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  const write = (name: string, text: string) => {
    const file = join(dir, name)
    writeFileSync(file, text)
    return file
  }

  it('loads users, groups, members, roles, policies, versions, tags and attachments from YAML', async () => {
    const sandbox = await startIamSandbox({ seed: join(dir, 'seed.yaml') })
    const iam = clientFor(sandbox.url, { maxAttempts: 1 })
    const state = sandbox.snapshot()

    expect(state.users.map(u => [u.name, u.path, u.groups])).toEqual([
      ['alice', '/', []],
      ['bob', '/staff/', ['data-scientists']],
      ['carol', '/', ['data-scientists']]
    ])
    expect(state.groups.map(g => [g.name, g.members])).toEqual([
      ['data-scientists', ['bob', 'carol']],
      ['ml-platform', []]
    ])
    expect(state.roles.map(r => r.arn)).toEqual([
      'arn:aws:iam::123456789012:role/service-role/MlflowUsers',
      'arn:aws:iam::123456789012:role/NotebookUsers'
    ])
    const [policy] = state.policies
    expect(policy).toMatchObject({
      name: 'allowlist-office',
      description: 'Office ranges',
      defaultVersionId: 'v2',
      tags: { 'managed-by': 'sagemaker-ip-allowlist', revision: '3' },
      attachments: {
        users: ['alice'],
        groups: ['data-scientists'],
        roles: ['NotebookUsers']
      }
    })
    expect(policy.versions.map(v => [v.versionId, v.isDefault])).toEqual([
      ['v1', false],
      ['v2', true]
    ])

    // And the SDK sees the same.
    const { Policy } = await iam.send(
      new GetPolicyCommand({ PolicyArn: policy.arn })
    )
    expect(Policy?.AttachmentCount).toBe(3)
    const { PolicyVersion } = await iam.send(
      new GetPolicyVersionCommand({ PolicyArn: policy.arn, VersionId: 'v2' })
    )
    const document = JSON.parse(
      decodeURIComponent(PolicyVersion?.Document ?? '')
    ) as {
      Statement: { Sid: string; Condition: unknown }[]
    }
    expect(document.Statement[0].Sid).toBe('DenyOutsideOffice')
    expect(document.Statement[0].Condition).toEqual({
      NotIpAddress: { 'aws:SourceIp': ['192.0.2.0/24'] }
    })
    const { Groups } = await iam.send(
      new ListGroupsForUserCommand({ UserName: 'carol' })
    )
    expect(Groups?.map(g => g.GroupName)).toEqual(['data-scientists'])

    iam.destroy()
    await sandbox.close()
  })

  it('loads JSON and treats .yml like .yaml', () => {
    const fixture: SeedFixture = {
      users: ['alice'],
      policies: [
        { name: 'p', document: denyDocument(), attach: { users: ['alice'] } }
      ]
    }
    const json = loadSeedFile(write('seed.json', JSON.stringify(fixture)))
    expect(json).toEqual(fixture)
    const yml = loadSeedFile(write('seed.yml', 'users: [alice]\n'))
    expect(yml).toEqual({ users: ['alice'] })
    expect(loadSeedFile(write('empty.yml', ''))).toEqual({})
  })

  it('loads the demo seed in examples/', async () => {
    const sandbox = await startIamSandbox({ seed: 'examples/sandbox-seed.yml' })
    const state = sandbox.snapshot()
    await sandbox.close()

    expect(state.users.map(u => u.name)).toEqual([
      'alice',
      'bob',
      'carol',
      'dave'
    ])
    expect(state.groups.map(g => [g.name, g.members])).toEqual([
      ['data-scientists', ['bob', 'carol']],
      ['ml-platform', ['dave']]
    ])
    expect(state.roles.map(r => r.name)).toEqual([
      'MlflowUsers',
      'NotebookUsers'
    ])
    expect(state.policies).toEqual([])
  })

  it('accepts an account id for every ARN', async () => {
    const sandbox = await startIamSandbox({
      accountId: '210987654321',
      seed: {
        users: ['alice'],
        policies: [{ name: 'p', document: denyDocument() }]
      }
    })
    const state = sandbox.snapshot()
    await sandbox.close()
    expect(state.users[0].arn).toBe('arn:aws:iam::210987654321:user/alice')
    expect(state.policies[0].arn).toBe('arn:aws:iam::210987654321:policy/p')
  })

  it.each([
    [
      'an unknown extension',
      'seed.txt',
      'users: []',
      "unknown extension '.txt'"
    ],
    ['broken YAML', 'bad.yml', 'users: [alice', 'bad.yml'],
    ['broken JSON', 'bad.json', '{"users": [', 'bad.json'],
    [
      'an unknown top-level key',
      'key.yml',
      'people: [alice]',
      "unknown key 'people'"
    ],
    [
      'a list that is not a list',
      'list.yml',
      'users: alice',
      'users must be a list'
    ],
    [
      'an unknown key in an entry',
      'entry.yml',
      'users:\n  - name: alice\n    group: x\n',
      "users[0] (alice): unknown key 'group'"
    ],
    [
      'a policy without a document',
      'doc.yml',
      'policies:\n  - name: p\n',
      "policies[0] (p): 'document' must be an object or a JSON string"
    ]
  ])(
    'rejects %s and names the file and the entry',
    (_label, name, text, message) => {
      const file = write(name, text)
      expect(() => loadSeedFile(file)).toThrow(message)
      expect(() => loadSeedFile(file)).toThrow(file)
    }
  )

  it('rejects a missing file', () => {
    expect(() => loadSeedFile(join(dir, 'missing.yml'))).toThrow(
      'cannot be read'
    )
  })

  it.each([
    [
      'a member who does not exist',
      { groups: [{ name: 'g', members: ['ghost'] }] },
      'groups[0]: NoSuchEntity'
    ],
    [
      'a malformed document',
      { policies: [{ name: 'p', document: { Statement: 'x' } }] },
      'policies[0] (p): MalformedPolicyDocument'
    ],
    [
      'an attachment to a missing role',
      {
        policies: [
          { name: 'p', document: denyDocument(), attach: { roles: ['R'] } }
        ]
      },
      'policies[0] (p): NoSuchEntity'
    ],
    [
      'more than five versions',
      {
        policies: [
          {
            name: 'p',
            document: denyDocument(),
            extraVersions: Array.from({ length: 5 }, () => denyDocument())
          }
        ]
      },
      'policies[0] (p): 6 versions; a policy holds at most 5'
    ],
    ['a name IAM refuses', { users: ['a b'] }, 'users[0]: ValidationError']
  ])('refuses a fixture with %s', async (_label, fixture, message) => {
    await expect(
      startIamSandbox({ seed: fixture as SeedFixture })
    ).rejects.toThrow(message)
  })
})
