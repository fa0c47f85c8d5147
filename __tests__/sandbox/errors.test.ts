import {
  afterAll,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it
} from '@jest/globals'
import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteGroupCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DeleteRoleCommand,
  DeleteUserCommand,
  DetachUserPolicyCommand,
  GetGroupCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetUserCommand,
  ListGroupsForUserCommand,
  SetDefaultPolicyVersionCommand,
  TagPolicyCommand,
  type IAMClient
} from '@aws-sdk/client-iam'
import { startIamSandbox, type IamSandbox } from '../../sandbox/index.js'
import {
  clientFor,
  denyDocument,
  failure,
  noWaitRetries,
  policyArn
} from './helpers.js'

const office = policyArn('office')

function statementDocument(statement: Record<string, unknown>): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: [statement] })
}

describe('IAM errors and limits', () => {
  let sandbox: IamSandbox
  let iam: IAMClient

  beforeAll(async () => {
    sandbox = await startIamSandbox({
      seed: {
        users: ['alice'],
        groups: [{ name: 'team', members: ['alice'] }],
        roles: ['NotebookUsers'],
        policies: [{ name: 'office', document: denyDocument() }]
      }
    })
    iam = clientFor(sandbox.url, { maxAttempts: 1 })
  })
  afterAll(async () => {
    iam.destroy()
    await sandbox.close()
  })
  beforeEach(() => sandbox.reset())

  const createPolicy = (PolicyName: string, PolicyDocument = denyDocument()) =>
    iam.send(new CreatePolicyCommand({ PolicyName, PolicyDocument }))

  describe('NoSuchEntity (404)', () => {
    it.each([
      ['GetUser', () => iam.send(new GetUserCommand({ UserName: 'nobody' }))],
      [
        'GetGroup',
        () => iam.send(new GetGroupCommand({ GroupName: 'nobody' }))
      ],
      ['GetRole', () => iam.send(new GetRoleCommand({ RoleName: 'nobody' }))],
      [
        'GetPolicy',
        () => iam.send(new GetPolicyCommand({ PolicyArn: policyArn('x') }))
      ],
      [
        'GetPolicyVersion',
        () =>
          iam.send(
            new GetPolicyVersionCommand({ PolicyArn: office, VersionId: 'v9' })
          )
      ],
      [
        'ListGroupsForUser',
        () => iam.send(new ListGroupsForUserCommand({ UserName: 'nobody' }))
      ],
      [
        'AttachUserPolicy to a missing user',
        () =>
          iam.send(
            new AttachUserPolicyCommand({
              UserName: 'nobody',
              PolicyArn: office
            })
          )
      ],
      [
        'AttachUserPolicy of a missing policy',
        () =>
          iam.send(
            new AttachUserPolicyCommand({
              UserName: 'alice',
              PolicyArn: policyArn('missing')
            })
          )
      ],
      [
        'DetachUserPolicy of a policy not attached',
        () =>
          iam.send(
            new DetachUserPolicyCommand({
              UserName: 'alice',
              PolicyArn: office
            })
          )
      ],
      [
        'a policy in another account',
        () =>
          iam.send(
            new GetPolicyCommand({
              PolicyArn: 'arn:aws:iam::210987654321:policy/office'
            })
          )
      ]
    ])('%s', async (_label, command) => {
      const err = await failure(command())
      expect(err).toMatchObject({
        name: 'NoSuchEntityException',
        code: 'NoSuchEntity',
        status: 404,
        fault: 'client'
      })
      expect(err.message.length).toBeGreaterThan(10)
    })
  })

  describe('EntityAlreadyExists (409)', () => {
    it.each([
      [
        'CreateUser',
        () => iam.send(new CreateUserCommand({ UserName: 'alice' }))
      ],
      [
        'CreateUser, other case',
        () => iam.send(new CreateUserCommand({ UserName: 'ALICE' }))
      ],
      [
        'CreateGroup',
        () => iam.send(new CreateGroupCommand({ GroupName: 'team' }))
      ],
      [
        'CreateRole',
        () =>
          iam.send(
            new CreateRoleCommand({
              RoleName: 'NotebookUsers',
              AssumeRolePolicyDocument: statementDocument({
                Effect: 'Allow',
                Principal: { Service: 'sagemaker.amazonaws.com' },
                Action: 'sts:AssumeRole'
              })
            })
          )
      ],
      [
        'CreatePolicy, same name on another path',
        () =>
          iam.send(
            new CreatePolicyCommand({
              PolicyName: 'office',
              Path: '/other/',
              PolicyDocument: denyDocument()
            })
          )
      ]
    ])('%s', async (_label, command) => {
      const err = await failure(command())
      expect(err).toMatchObject({
        name: 'EntityAlreadyExistsException',
        code: 'EntityAlreadyExists',
        status: 409
      })
    })
  })

  describe('LimitExceeded (409)', () => {
    it('on the sixth version of a policy', async () => {
      for (let i = 2; i <= 5; i++) {
        const { PolicyVersion } = await iam.send(
          new CreatePolicyVersionCommand({
            PolicyArn: office,
            PolicyDocument: denyDocument([`198.51.100.${i}/32`])
          })
        )
        expect(PolicyVersion?.VersionId).toBe(`v${i}`)
      }
      const err = await failure(
        iam.send(
          new CreatePolicyVersionCommand({
            PolicyArn: office,
            PolicyDocument: denyDocument()
          })
        )
      )
      expect(err).toMatchObject({
        name: 'LimitExceededException',
        code: 'LimitExceeded',
        status: 409
      })

      // Deleting a non-default version makes room; ids keep counting.
      await iam.send(
        new DeletePolicyVersionCommand({ PolicyArn: office, VersionId: 'v2' })
      )
      const { PolicyVersion } = await iam.send(
        new CreatePolicyVersionCommand({
          PolicyArn: office,
          PolicyDocument: denyDocument(),
          SetAsDefault: true
        })
      )
      expect(PolicyVersion?.VersionId).toBe('v6')
    })

    it('is retried by the SDK as if it were throttling', async () => {
      const retrying = clientFor(sandbox.url, {
        retryStrategy: noWaitRetries(3)
      })
      for (let i = 2; i <= 5; i++) {
        await retrying.send(
          new CreatePolicyVersionCommand({
            PolicyArn: office,
            PolicyDocument: denyDocument()
          })
        )
      }
      sandbox.clearCalls()
      const err = await failure(
        retrying.send(
          new CreatePolicyVersionCommand({
            PolicyArn: office,
            PolicyDocument: denyDocument()
          })
        )
      )
      retrying.destroy()
      expect(err).toMatchObject({ code: 'LimitExceeded', attempts: 3 })
      expect(sandbox.calls().map(c => c.code)).toEqual([
        'LimitExceeded',
        'LimitExceeded',
        'LimitExceeded'
      ])
    })

    it('past 6,144 non-whitespace characters, whitespace not counted', async () => {
      const ip = (i: number) => `10.${Math.floor(i / 250)}.${i % 250}.0/24`
      // Each CIDR costs its length plus two quotes and a comma.
      const fits = (count: number) =>
        denyDocument(Array.from({ length: count }, (_, i) => ip(i)))
      let count = 1
      while (nonSpace(fits(count + 1)) <= 6144) count++
      const atLimit = fits(count)
      const overLimit = fits(count + 1)
      expect(nonSpace(atLimit)).toBeLessThanOrEqual(6144)
      expect(nonSpace(overLimit)).toBeGreaterThan(6144)

      const padded = JSON.stringify(JSON.parse(atLimit), null, 8)
      expect(padded.length).toBeGreaterThan(6144)
      const ok = await createPolicy('at-limit', padded)
      expect(ok.Policy?.DefaultVersionId).toBe('v1')

      const err = await failure(createPolicy('over-limit', overLimit))
      expect(err).toMatchObject({ code: 'LimitExceeded', status: 409 })
      const version = await failure(
        iam.send(
          new CreatePolicyVersionCommand({
            PolicyArn: office,
            PolicyDocument: overLimit
          })
        )
      )
      expect(version.code).toBe('LimitExceeded')
    })

    it('past 10 managed policies on a user, a group or a role', async () => {
      for (let i = 0; i < 10; i++) {
        const arn = (await createPolicy(`p${i}`)).Policy?.Arn
        await iam.send(
          new AttachUserPolicyCommand({ UserName: 'alice', PolicyArn: arn })
        )
        await iam.send(
          new AttachGroupPolicyCommand({ GroupName: 'team', PolicyArn: arn })
        )
        await iam.send(
          new AttachRolePolicyCommand({
            RoleName: 'NotebookUsers',
            PolicyArn: arn
          })
        )
      }
      const attachments = [
        () =>
          iam.send(
            new AttachUserPolicyCommand({
              UserName: 'alice',
              PolicyArn: office
            })
          ),
        () =>
          iam.send(
            new AttachGroupPolicyCommand({
              GroupName: 'team',
              PolicyArn: office
            })
          ),
        () =>
          iam.send(
            new AttachRolePolicyCommand({
              RoleName: 'NotebookUsers',
              PolicyArn: office
            })
          )
      ]
      for (const attach of attachments) {
        const err = await failure(attach())
        expect(err).toMatchObject({ code: 'LimitExceeded', status: 409 })
      }
      // Re-attaching one already there is not a new attachment.
      await iam.send(
        new AttachUserPolicyCommand({
          UserName: 'alice',
          PolicyArn: policyArn('p0')
        })
      )
    })

    it('past 50 tags on a policy', async () => {
      const tags = (from: number, count: number) =>
        Array.from({ length: count }, (_, i) => ({
          Key: `k${from + i}`,
          Value: 'v'
        }))
      await iam.send(
        new TagPolicyCommand({ PolicyArn: office, Tags: tags(0, 50) })
      )
      const err = await failure(
        iam.send(new TagPolicyCommand({ PolicyArn: office, Tags: tags(50, 1) }))
      )
      expect(err.code).toBe('LimitExceeded')
      // Overwriting an existing key does not add a tag.
      await iam.send(
        new TagPolicyCommand({ PolicyArn: office, Tags: tags(0, 1) })
      )
    })

    it('past 10 groups for one user', async () => {
      for (let i = 0; i < 9; i++) {
        await iam.send(new CreateGroupCommand({ GroupName: `g${i}` }))
        await iam.send(
          new AddUserToGroupCommand({ GroupName: `g${i}`, UserName: 'alice' })
        )
      }
      await iam.send(new CreateGroupCommand({ GroupName: 'eleventh' }))
      const err = await failure(
        iam.send(
          new AddUserToGroupCommand({
            GroupName: 'eleventh',
            UserName: 'alice'
          })
        )
      )
      expect(err.code).toBe('LimitExceeded')
    })
  })

  describe('DeleteConflict (409)', () => {
    it('DeletePolicy while attached', async () => {
      await iam.send(
        new AttachRolePolicyCommand({
          RoleName: 'NotebookUsers',
          PolicyArn: office
        })
      )
      const err = await failure(
        iam.send(new DeletePolicyCommand({ PolicyArn: office }))
      )
      expect(err).toMatchObject({
        name: 'DeleteConflictException',
        code: 'DeleteConflict',
        status: 409
      })
    })

    it('DeletePolicy while non-default versions exist', async () => {
      await iam.send(
        new CreatePolicyVersionCommand({
          PolicyArn: office,
          PolicyDocument: denyDocument(),
          SetAsDefault: true
        })
      )
      const err = await failure(
        iam.send(new DeletePolicyCommand({ PolicyArn: office }))
      )
      expect(err.code).toBe('DeleteConflict')

      await iam.send(
        new DeletePolicyVersionCommand({ PolicyArn: office, VersionId: 'v1' })
      )
      await iam.send(new DeletePolicyCommand({ PolicyArn: office }))
      expect(sandbox.snapshot().policies).toEqual([])
    })

    it('DeletePolicyVersion of the default version', async () => {
      const err = await failure(
        iam.send(
          new DeletePolicyVersionCommand({ PolicyArn: office, VersionId: 'v1' })
        )
      )
      expect(err).toMatchObject({ code: 'DeleteConflict', status: 409 })
    })

    it('deleting a user in a group, a group with members or attached principals', async () => {
      const inGroup = await failure(
        iam.send(new DeleteUserCommand({ UserName: 'alice' }))
      )
      expect(inGroup.code).toBe('DeleteConflict')
      const withMembers = await failure(
        iam.send(new DeleteGroupCommand({ GroupName: 'team' }))
      )
      expect(withMembers.code).toBe('DeleteConflict')
      await iam.send(
        new AttachRolePolicyCommand({
          RoleName: 'NotebookUsers',
          PolicyArn: office
        })
      )
      const attached = await failure(
        iam.send(new DeleteRoleCommand({ RoleName: 'NotebookUsers' }))
      )
      expect(attached.code).toBe('DeleteConflict')
    })
  })

  describe('MalformedPolicyDocument (400)', () => {
    it.each([
      ['not JSON', '{"Version": "2012-10-17", '],
      ['a JSON array', '[]'],
      ['no Statement', '{"Version":"2012-10-17"}'],
      ['no Version', JSON.stringify({ Statement: [] })],
      [
        'an unknown Version',
        JSON.stringify({ Version: '2020-01-01', Statement: [] })
      ],
      [
        'an empty Statement list',
        JSON.stringify({ Version: '2012-10-17', Statement: [] })
      ],
      [
        'a bad Effect',
        statementDocument({ Effect: 'Maybe', Action: 's3:*', Resource: '*' })
      ],
      ['no Action', statementDocument({ Effect: 'Deny', Resource: '*' })],
      ['no Resource', statementDocument({ Effect: 'Deny', Action: 's3:*' })],
      [
        'a Principal in an identity policy',
        statementDocument({
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: '*'
        })
      ],
      [
        'a Sid that is not alphanumeric',
        statementDocument({
          Sid: 'deny-outside',
          Effect: 'Deny',
          Action: 's3:*',
          Resource: '*'
        })
      ],
      [
        'two statements with one Sid',
        JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Sid: 'A', Effect: 'Deny', Action: 's3:*', Resource: '*' },
            { Sid: 'A', Effect: 'Deny', Action: 'ec2:*', Resource: '*' }
          ]
        })
      ],
      [
        'a Condition that is not a map of maps',
        statementDocument({
          Effect: 'Deny',
          Action: 's3:*',
          Resource: '*',
          Condition: { NotIpAddress: '192.0.2.0/24' }
        })
      ]
    ])('%s', async (_label, document) => {
      const err = await failure(createPolicy('bad', document))
      expect(err).toMatchObject({
        name: 'MalformedPolicyDocumentException',
        code: 'MalformedPolicyDocument',
        status: 400
      })
      const version = await failure(
        iam.send(
          new CreatePolicyVersionCommand({
            PolicyArn: office,
            PolicyDocument: document
          })
        )
      )
      expect(version.code).toBe('MalformedPolicyDocument')
    })

    it('also on a role trust policy', async () => {
      const err = await failure(
        iam.send(
          new CreateRoleCommand({
            RoleName: 'Broken',
            AssumeRolePolicyDocument: 'nope'
          })
        )
      )
      expect(err.code).toBe('MalformedPolicyDocument')
    })
  })

  describe('InvalidInput (400)', () => {
    it.each([
      [
        'a malformed policy ARN',
        () => iam.send(new GetPolicyCommand({ PolicyArn: 'office' }))
      ],
      [
        'a reserved aws: tag key',
        () =>
          iam.send(
            new TagPolicyCommand({
              PolicyArn: office,
              Tags: [{ Key: 'aws:owner', Value: 'x' }]
            })
          )
      ],
      [
        'duplicate tag keys',
        () =>
          iam.send(
            new TagPolicyCommand({
              PolicyArn: office,
              Tags: [
                { Key: 'a', Value: '1' },
                { Key: 'a', Value: '2' }
              ]
            })
          )
      ]
    ])('%s', async (_label, command) => {
      const err = await failure(command())
      expect(err).toMatchObject({
        name: 'InvalidInputException',
        code: 'InvalidInput',
        status: 400
      })
    })
  })

  describe('name and path rules (ValidationError, 400)', () => {
    it.each([
      ['a policy name with a space', () => createPolicy('office vpn')],
      ['a policy name of 129 characters', () => createPolicy('p'.repeat(129))],
      ['an empty policy name', () => createPolicy('')],
      [
        'a user name of 65 characters',
        () => iam.send(new CreateUserCommand({ UserName: 'u'.repeat(65) }))
      ],
      [
        'a role name of 65 characters',
        () =>
          iam.send(
            new CreateRoleCommand({
              RoleName: 'r'.repeat(65),
              AssumeRolePolicyDocument: '{}'
            })
          )
      ],
      [
        'a group name of 129 characters',
        () => iam.send(new CreateGroupCommand({ GroupName: 'g'.repeat(129) }))
      ],
      [
        'a path without a trailing slash',
        () =>
          iam.send(
            new CreatePolicyCommand({
              PolicyName: 'p',
              Path: '/ip-allowlist',
              PolicyDocument: denyDocument()
            })
          )
      ],
      [
        'a path without a leading slash',
        () => iam.send(new CreateUserCommand({ UserName: 'x', Path: 'staff/' }))
      ],
      [
        'a path of 513 characters',
        () =>
          iam.send(
            new CreateGroupCommand({
              GroupName: 'x',
              Path: `/${'a'.repeat(511)}/`
            })
          )
      ],
      [
        'a malformed version id',
        () =>
          iam.send(
            new SetDefaultPolicyVersionCommand({
              PolicyArn: office,
              VersionId: '1'
            })
          )
      ]
    ])('%s', async (_label, call) => {
      const err = await failure(call())
      expect(err).toMatchObject({ code: 'ValidationError', status: 400 })
      expect(sandbox.snapshot().policies).toHaveLength(1)
    })

    it('accepts names at their longest and every allowed character', async () => {
      await createPolicy('p'.repeat(128))
      await createPolicy('Aa0_+=,.@-')
      await iam.send(new CreateUserCommand({ UserName: 'u'.repeat(64) }))
      await iam.send(
        new CreateUserCommand({
          UserName: 'deep',
          Path: `/${'a'.repeat(510)}/`
        })
      )
      expect(sandbox.snapshot().users).toHaveLength(3)
    })
  })
})

function nonSpace(text: string): number {
  return text.replace(/\s/g, '').length
}
