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
  CreateRoleCommand,
  CreateUserCommand,
  DeleteGroupCommand,
  DeleteRoleCommand,
  DeleteUserCommand,
  DetachGroupPolicyCommand,
  DetachRolePolicyCommand,
  DetachUserPolicyCommand,
  GetAccountSummaryCommand,
  GetGroupCommand,
  GetPolicyCommand,
  GetRoleCommand,
  GetUserCommand,
  ListAttachedGroupPoliciesCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListEntitiesForPolicyCommand,
  ListGroupsCommand,
  ListGroupsForUserCommand,
  ListRolesCommand,
  ListUsersCommand,
  RemoveUserFromGroupCommand,
  type IAMClient
} from '@aws-sdk/client-iam'
import { startIamSandbox, type IamSandbox } from '../../sandbox/index.js'
import { clientFor, denyDocument, policyArn } from './helpers.js'

const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Service: 'sagemaker.amazonaws.com' },
      Action: 'sts:AssumeRole'
    }
  ]
})

describe('users, groups, roles and attachments', () => {
  let sandbox: IamSandbox
  let iam: IAMClient
  const office = policyArn('allowlist-office', '/ip-allowlist/')

  beforeAll(async () => {
    sandbox = await startIamSandbox({
      seed: {
        users: ['alice', { name: 'bob', path: '/staff/' }, 'carol'],
        groups: [{ name: 'data-scientists', members: ['bob', 'carol'] }],
        roles: ['NotebookUsers'],
        policies: [
          {
            name: 'allowlist-office',
            path: '/ip-allowlist/',
            document: JSON.parse(denyDocument()) as object
          }
        ]
      }
    })
    iam = clientFor(sandbox.url, { maxAttempts: 1 })
  })
  afterAll(async () => {
    iam.destroy()
    await sandbox.close()
  })
  beforeEach(() => sandbox.reset())

  it('CreateUser and GetUser round-trip path, ARN, id and tags', async () => {
    const { User } = await iam.send(
      new CreateUserCommand({
        UserName: 'erin',
        Path: '/contractors/',
        Tags: [{ Key: 'team', Value: 'ml' }]
      })
    )
    expect(User).toMatchObject({
      UserName: 'erin',
      Path: '/contractors/',
      Arn: 'arn:aws:iam::123456789012:user/contractors/erin'
    })
    expect(User?.UserId).toMatch(/^AIDA[A-Z2-7]{17}$/)

    const got = await iam.send(new GetUserCommand({ UserName: 'erin' }))
    expect(got.User?.UserId).toBe(User?.UserId)
    expect(got.User?.CreateDate).toBeInstanceOf(Date)
    expect(got.User?.Tags).toEqual([{ Key: 'team', Value: 'ml' }])
  })

  it('CreateGroup, AddUserToGroup and GetGroup list the members', async () => {
    const { Group } = await iam.send(
      new CreateGroupCommand({ GroupName: 'ml-platform', Path: '/teams/' })
    )
    expect(Group?.Arn).toBe('arn:aws:iam::123456789012:group/teams/ml-platform')
    expect(Group?.GroupId).toMatch(/^AGPA/)
    await iam.send(
      new AddUserToGroupCommand({ GroupName: 'ml-platform', UserName: 'alice' })
    )
    // Adding a member twice changes nothing.
    await iam.send(
      new AddUserToGroupCommand({ GroupName: 'ml-platform', UserName: 'alice' })
    )

    const got = await iam.send(
      new GetGroupCommand({ GroupName: 'ml-platform' })
    )
    expect(got.Group?.GroupName).toBe('ml-platform')
    expect(got.Users?.map(u => u.UserName)).toEqual(['alice'])
    expect(got.Users?.[0].Arn).toBe('arn:aws:iam::123456789012:user/alice')
    expect(got.IsTruncated).toBe(false)

    const seeded = await iam.send(
      new GetGroupCommand({ GroupName: 'data-scientists' })
    )
    expect(seeded.Users?.map(u => u.UserName)).toEqual(['bob', 'carol'])
    expect(seeded.Users?.[0].Path).toBe('/staff/')
  })

  it('RemoveUserFromGroup takes a member out', async () => {
    await iam.send(
      new RemoveUserFromGroupCommand({
        GroupName: 'data-scientists',
        UserName: 'bob'
      })
    )
    const got = await iam.send(
      new GetGroupCommand({ GroupName: 'data-scientists' })
    )
    expect(got.Users?.map(u => u.UserName)).toEqual(['carol'])
  })

  it('CreateRole and GetRole return the trust policy URL-encoded', async () => {
    const { Role } = await iam.send(
      new CreateRoleCommand({
        RoleName: 'MlflowUsers',
        Path: '/service-role/',
        AssumeRolePolicyDocument: TRUST,
        Description: 'MLflow'
      })
    )
    expect(Role?.Arn).toBe(
      'arn:aws:iam::123456789012:role/service-role/MlflowUsers'
    )
    expect(Role?.RoleId).toMatch(/^AROA/)

    const got = await iam.send(new GetRoleCommand({ RoleName: 'MlflowUsers' }))
    expect(got.Role?.RoleName).toBe('MlflowUsers')
    expect(got.Role?.Description).toBe('MLflow')
    expect(got.Role?.MaxSessionDuration).toBe(3600)
    expect(decodeURIComponent(got.Role?.AssumeRolePolicyDocument ?? '')).toBe(
      TRUST
    )
  })

  it('ListGroupsForUser lists the groups of a user', async () => {
    const bob = await iam.send(
      new ListGroupsForUserCommand({ UserName: 'bob' })
    )
    expect(bob.Groups?.map(g => g.GroupName)).toEqual(['data-scientists'])
    expect(bob.Groups?.[0].Arn).toBe(
      'arn:aws:iam::123456789012:group/data-scientists'
    )
    const alice = await iam.send(
      new ListGroupsForUserCommand({ UserName: 'alice' })
    )
    expect(alice.Groups).toEqual([])
  })

  it('attaches to users, groups and roles and lists both ways', async () => {
    await iam.send(
      new AttachUserPolicyCommand({ UserName: 'alice', PolicyArn: office })
    )
    await iam.send(
      new AttachGroupPolicyCommand({
        GroupName: 'data-scientists',
        PolicyArn: office
      })
    )
    await iam.send(
      new AttachRolePolicyCommand({
        RoleName: 'NotebookUsers',
        PolicyArn: office
      })
    )
    // Attaching twice changes nothing.
    await iam.send(
      new AttachUserPolicyCommand({ UserName: 'alice', PolicyArn: office })
    )

    const attachedPolicy = { PolicyName: 'allowlist-office', PolicyArn: office }
    const user = await iam.send(
      new ListAttachedUserPoliciesCommand({ UserName: 'alice' })
    )
    expect(user.AttachedPolicies).toEqual([attachedPolicy])
    const group = await iam.send(
      new ListAttachedGroupPoliciesCommand({ GroupName: 'data-scientists' })
    )
    expect(group.AttachedPolicies).toEqual([attachedPolicy])
    const role = await iam.send(
      new ListAttachedRolePoliciesCommand({ RoleName: 'NotebookUsers' })
    )
    expect(role.AttachedPolicies).toEqual([attachedPolicy])
    expect(role.IsTruncated).toBe(false)

    const { Policy } = await iam.send(
      new GetPolicyCommand({ PolicyArn: office })
    )
    expect(Policy?.AttachmentCount).toBe(3)

    const entities = await iam.send(
      new ListEntitiesForPolicyCommand({ PolicyArn: office })
    )
    const ids = sandbox.snapshot()
    expect(entities.PolicyUsers).toEqual([
      { UserName: 'alice', UserId: ids.users[0].id }
    ])
    expect(entities.PolicyGroups).toEqual([
      { GroupName: 'data-scientists', GroupId: ids.groups[0].id }
    ])
    expect(entities.PolicyRoles).toEqual([
      { RoleName: 'NotebookUsers', RoleId: ids.roles[0].id }
    ])

    const rolesOnly = await iam.send(
      new ListEntitiesForPolicyCommand({
        PolicyArn: office,
        EntityFilter: 'Role'
      })
    )
    expect(rolesOnly.PolicyRoles).toHaveLength(1)
    expect(rolesOnly.PolicyUsers).toEqual([])
    expect(rolesOnly.PolicyGroups).toEqual([])
  })

  it('filters attached policies and entities by PathPrefix', async () => {
    await iam.send(
      new AttachUserPolicyCommand({ UserName: 'alice', PolicyArn: office })
    )
    await iam.send(
      new AttachUserPolicyCommand({ UserName: 'bob', PolicyArn: office })
    )
    const staff = await iam.send(
      new ListEntitiesForPolicyCommand({
        PolicyArn: office,
        PathPrefix: '/staff/'
      })
    )
    expect(staff.PolicyUsers?.map(u => u.UserName)).toEqual(['bob'])
    const none = await iam.send(
      new ListAttachedUserPoliciesCommand({
        UserName: 'alice',
        PathPrefix: '/other/'
      })
    )
    expect(none.AttachedPolicies).toEqual([])
  })

  it('detaches from users, groups and roles', async () => {
    await iam.send(
      new AttachUserPolicyCommand({ UserName: 'alice', PolicyArn: office })
    )
    await iam.send(
      new AttachGroupPolicyCommand({
        GroupName: 'data-scientists',
        PolicyArn: office
      })
    )
    await iam.send(
      new AttachRolePolicyCommand({
        RoleName: 'NotebookUsers',
        PolicyArn: office
      })
    )
    await iam.send(
      new DetachUserPolicyCommand({ UserName: 'alice', PolicyArn: office })
    )
    await iam.send(
      new DetachGroupPolicyCommand({
        GroupName: 'data-scientists',
        PolicyArn: office
      })
    )
    await iam.send(
      new DetachRolePolicyCommand({
        RoleName: 'NotebookUsers',
        PolicyArn: office
      })
    )

    const entities = await iam.send(
      new ListEntitiesForPolicyCommand({ PolicyArn: office })
    )
    expect(entities.PolicyUsers).toEqual([])
    expect(entities.PolicyGroups).toEqual([])
    expect(entities.PolicyRoles).toEqual([])
    expect(sandbox.snapshot().policies[0].attachments).toEqual({
      users: [],
      groups: [],
      roles: []
    })
  })

  it('ListUsers, ListGroups and ListRoles list with PathPrefix', async () => {
    const users = await iam.send(new ListUsersCommand({}))
    expect(users.Users?.map(u => u.UserName)).toEqual(['alice', 'bob', 'carol'])
    const staff = await iam.send(new ListUsersCommand({ PathPrefix: '/staff' }))
    expect(staff.Users?.map(u => u.UserName)).toEqual(['bob'])
    const groups = await iam.send(new ListGroupsCommand({}))
    expect(groups.Groups?.map(g => g.GroupName)).toEqual(['data-scientists'])
    const roles = await iam.send(new ListRolesCommand({}))
    expect(roles.Roles?.map(r => r.RoleName)).toEqual(['NotebookUsers'])
  })

  it('deletes users, groups and roles once they are free', async () => {
    await iam.send(
      new RemoveUserFromGroupCommand({
        GroupName: 'data-scientists',
        UserName: 'bob'
      })
    )
    await iam.send(new DeleteUserCommand({ UserName: 'bob' }))
    await iam.send(
      new RemoveUserFromGroupCommand({
        GroupName: 'data-scientists',
        UserName: 'carol'
      })
    )
    await iam.send(new DeleteGroupCommand({ GroupName: 'data-scientists' }))
    await iam.send(new DeleteRoleCommand({ RoleName: 'NotebookUsers' }))

    const state = sandbox.snapshot()
    expect(state.users.map(u => u.name)).toEqual(['alice', 'carol'])
    expect(state.groups).toEqual([])
    expect(state.roles).toEqual([])
  })

  it('GetAccountSummary counts entities and reports IAM quotas', async () => {
    await iam.send(
      new CreatePolicyCommand({
        PolicyName: 'second',
        PolicyDocument: denyDocument()
      })
    )
    const { SummaryMap } = await iam.send(new GetAccountSummaryCommand({}))
    expect(SummaryMap).toMatchObject({
      Users: 3,
      Groups: 1,
      Roles: 1,
      Policies: 2,
      PolicyVersionsInUse: 2,
      PolicySizeQuota: 6144,
      VersionsPerPolicyQuota: 5,
      AttachedPoliciesPerUserQuota: 10,
      AttachedPoliciesPerGroupQuota: 10,
      AttachedPoliciesPerRoleQuota: 10,
      PoliciesQuota: 1500,
      GroupsPerUserQuota: 10
    })
  })
})
