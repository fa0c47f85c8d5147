import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import {
  AttachUserPolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  GetUserCommand,
  type IAMClient
} from '@aws-sdk/client-iam'
import {
  isWriteAction,
  SANDBOX_ACTIONS,
  startIamSandbox,
  type IamSandbox
} from '../../sandbox/index.js'
import { clientFor, denyDocument, failure } from './helpers.js'

describe('call log and snapshot', () => {
  let sandbox: IamSandbox
  let iam: IAMClient

  beforeAll(async () => {
    sandbox = await startIamSandbox({
      seed: { users: ['alice'], groups: [{ name: 'team', members: ['alice'] }] }
    })
    iam = clientFor(sandbox.url, { maxAttempts: 1 })
  })
  afterAll(async () => {
    iam.destroy()
    await sandbox.close()
  })

  it('records action, parameters, result and time of every call in order', async () => {
    sandbox.clearCalls()
    const before = Date.now()
    await iam.send(
      new CreatePolicyCommand({
        PolicyName: 'office',
        Path: '/ip-allowlist/',
        PolicyDocument: denyDocument(),
        Tags: [{ Key: 'managed-by', Value: 'sagemaker-ip-allowlist' }]
      })
    )
    await failure(iam.send(new GetUserCommand({ UserName: 'nobody' })))

    const calls = sandbox.calls()
    expect(calls).toHaveLength(2)
    expect(calls[0]).toMatchObject({
      action: 'CreatePolicy',
      status: 200,
      params: {
        PolicyName: 'office',
        Path: '/ip-allowlist/',
        PolicyDocument: denyDocument(),
        'Tags.member.1.Key': 'managed-by',
        'Tags.member.1.Value': 'sagemaker-ip-allowlist'
      }
    })
    expect(calls[0].code).toBeUndefined()
    expect(calls[0].params.Action).toBeUndefined()
    expect(calls[0].params.Version).toBeUndefined()
    expect(calls[1]).toMatchObject({
      action: 'GetUser',
      params: { UserName: 'nobody' },
      status: 404,
      code: 'NoSuchEntity'
    })
    expect(calls[0].at).toBeGreaterThanOrEqual(before)
    expect(calls[1].at).toBeGreaterThanOrEqual(calls[0].at)
    for (const call of calls) {
      expect(call.durationMs).toBeGreaterThan(0)
    }
  })

  it('hands out copies and clears on demand', () => {
    const calls = sandbox.calls()
    calls[0].params.PolicyName = 'changed'
    calls.pop()
    expect(sandbox.calls()).toHaveLength(2)
    expect(sandbox.calls()[0].params.PolicyName).toBe('office')
    sandbox.clearCalls()
    expect(sandbox.calls()).toEqual([])
  })

  it('snapshots users, groups, roles and policies as plain JSON', async () => {
    const arn = 'arn:aws:iam::123456789012:policy/ip-allowlist/office'
    await iam.send(
      new CreatePolicyVersionCommand({
        PolicyArn: arn,
        PolicyDocument: denyDocument(['203.0.113.0/24']),
        SetAsDefault: true
      })
    )
    await iam.send(
      new AttachUserPolicyCommand({ UserName: 'alice', PolicyArn: arn })
    )

    const state = sandbox.snapshot()
    expect(JSON.parse(JSON.stringify(state))).toEqual(state)
    expect(state.accountId).toBe('123456789012')
    expect(state.users).toEqual([
      expect.objectContaining({
        name: 'alice',
        path: '/',
        arn: 'arn:aws:iam::123456789012:user/alice',
        groups: ['team'],
        attachedPolicies: [arn]
      })
    ])
    expect(state.groups[0]).toMatchObject({ name: 'team', members: ['alice'] })
    expect(state.policies).toEqual([
      expect.objectContaining({
        name: 'office',
        path: '/ip-allowlist/',
        arn,
        defaultVersionId: 'v2',
        tags: { 'managed-by': 'sagemaker-ip-allowlist' },
        attachments: { users: ['alice'], groups: [], roles: [] },
        versions: [
          expect.objectContaining({
            versionId: 'v1',
            isDefault: false,
            document: denyDocument()
          }),
          expect.objectContaining({
            versionId: 'v2',
            isDefault: true,
            document: denyDocument(['203.0.113.0/24'])
          })
        ]
      })
    ])

    // A snapshot is a copy: changing it changes nothing.
    state.users.pop()
    expect(sandbox.snapshot().users).toHaveLength(1)
  })

  it('isWriteAction tells changes from reads', () => {
    const writes = [
      'CreatePolicy',
      'CreatePolicyVersion',
      'DeletePolicyVersion',
      'AttachRolePolicy',
      'DetachGroupPolicy',
      'SetDefaultPolicyVersion',
      'TagPolicy',
      'UntagPolicy',
      'AddUserToGroup',
      'RemoveUserFromGroup',
      'PutUserPolicy',
      'UpdateAssumeRolePolicy'
    ]
    const reads = [
      'GetPolicy',
      'GetPolicyVersion',
      'ListPolicies',
      'ListEntitiesForPolicy',
      'GetAccountSummary',
      'Settle',
      'Tagged',
      ''
    ]
    expect(writes.filter(isWriteAction)).toEqual(writes)
    expect(reads.filter(isWriteAction)).toEqual([])
    expect(SANDBOX_ACTIONS.filter(isWriteAction)).toContain('CreatePolicy')
    expect(SANDBOX_ACTIONS.filter(isWriteAction)).not.toContain('GetUser')
  })
})
