import {
  afterAll,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it
} from '@jest/globals'
import {
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  ListPoliciesCommand,
  ListPolicyTagsCommand,
  ListPolicyVersionsCommand,
  SetDefaultPolicyVersionCommand,
  TagPolicyCommand,
  UntagPolicyCommand,
  type IAMClient
} from '@aws-sdk/client-iam'
import { startIamSandbox, type IamSandbox } from '../../sandbox/index.js'
import { clientFor, denyDocument, failure, policyArn } from './helpers.js'

describe('managed policy actions', () => {
  let sandbox: IamSandbox
  let iam: IAMClient

  beforeAll(async () => {
    sandbox = await startIamSandbox()
    iam = clientFor(sandbox.url, { maxAttempts: 1 })
  })
  afterAll(async () => {
    iam.destroy()
    await sandbox.close()
  })
  beforeEach(() => sandbox.reset())

  const create = (name = 'allowlist-office', path = '/ip-allowlist/') =>
    iam.send(
      new CreatePolicyCommand({
        PolicyName: name,
        Path: path,
        PolicyDocument: denyDocument(),
        Description: 'Office & VPN <ranges>',
        Tags: [
          { Key: 'managed-by', Value: 'sagemaker-ip-allowlist' },
          { Key: 'allowlist', Value: 'office' }
        ]
      })
    )

  it('CreatePolicy returns the new policy with ARN, id, v1 and tags', async () => {
    const { Policy } = await create()

    expect(Policy).toMatchObject({
      PolicyName: 'allowlist-office',
      Path: '/ip-allowlist/',
      Arn: policyArn('allowlist-office', '/ip-allowlist/'),
      DefaultVersionId: 'v1',
      AttachmentCount: 0,
      IsAttachable: true,
      Description: 'Office & VPN <ranges>',
      Tags: [
        { Key: 'managed-by', Value: 'sagemaker-ip-allowlist' },
        { Key: 'allowlist', Value: 'office' }
      ]
    })
    expect(Policy?.PolicyId).toMatch(/^ANPA[A-Z2-7]{17}$/)
    expect(Policy?.CreateDate).toBeInstanceOf(Date)
    expect(Policy?.CreateDate?.getTime()).toBe(Policy?.UpdateDate?.getTime())
  })

  it('CreatePolicy defaults the path to /', async () => {
    const { Policy } = await iam.send(
      new CreatePolicyCommand({
        PolicyName: 'plain',
        PolicyDocument: denyDocument()
      })
    )
    expect(Policy?.Path).toBe('/')
    expect(Policy?.Arn).toBe(policyArn('plain'))
    expect(Policy?.Description).toBeUndefined()
  })

  it('GetPolicy returns description and tags', async () => {
    const { Policy: created } = await create()
    const { Policy } = await iam.send(
      new GetPolicyCommand({ PolicyArn: created?.Arn })
    )
    expect(Policy?.PolicyId).toBe(created?.PolicyId)
    expect(Policy?.Description).toBe('Office & VPN <ranges>')
    expect(Policy?.Tags).toHaveLength(2)
  })

  it('GetPolicyVersion returns the document URL-encoded, byte for byte', async () => {
    const document = JSON.stringify(
      JSON.parse(denyDocument(['198.51.100.7/32', '2001:db8::/32'])),
      null,
      2
    )
    const { Policy } = await iam.send(
      new CreatePolicyCommand({
        PolicyName: 'pretty',
        PolicyDocument: document
      })
    )
    const { PolicyVersion } = await iam.send(
      new GetPolicyVersionCommand({ PolicyArn: Policy?.Arn, VersionId: 'v1' })
    )

    expect(PolicyVersion?.Document).toMatch(/^%7B%0A%20%20%22Version%22/)
    expect(PolicyVersion?.Document).not.toMatch(/[{}"*: ]/)
    expect(decodeURIComponent(PolicyVersion?.Document ?? '')).toBe(document)
    expect(PolicyVersion?.VersionId).toBe('v1')
    expect(PolicyVersion?.IsDefaultVersion).toBe(true)
    expect(PolicyVersion?.CreateDate).toBeInstanceOf(Date)
  })

  it('encodes the RFC 3986 reserved characters that encodeURIComponent leaves', async () => {
    const document = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Deny',
          Action: 'sagemaker:*',
          Resource: "arn:aws:sagemaker:*:*:notebook-instance/it's(!)"
        }
      ]
    })
    const { Policy } = await iam.send(
      new CreatePolicyCommand({ PolicyName: 'odd', PolicyDocument: document })
    )
    const { PolicyVersion } = await iam.send(
      new GetPolicyVersionCommand({ PolicyArn: Policy?.Arn, VersionId: 'v1' })
    )
    expect(PolicyVersion?.Document).toContain('%2A')
    expect(PolicyVersion?.Document).toContain('%27s%28%21%29')
    expect(decodeURIComponent(PolicyVersion?.Document ?? '')).toBe(document)
  })

  it('CreatePolicyVersion with SetAsDefault switches the live document', async () => {
    const { Policy } = await create()
    const arn = Policy?.Arn
    const next = denyDocument(['203.0.113.0/24'])

    const { PolicyVersion } = await iam.send(
      new CreatePolicyVersionCommand({
        PolicyArn: arn,
        PolicyDocument: next,
        SetAsDefault: true
      })
    )
    expect(PolicyVersion).toMatchObject({
      VersionId: 'v2',
      IsDefaultVersion: true
    })
    expect(PolicyVersion?.Document).toBeUndefined()

    const got = await iam.send(new GetPolicyCommand({ PolicyArn: arn }))
    expect(got.Policy?.DefaultVersionId).toBe('v2')
    const live = await iam.send(
      new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v2' })
    )
    expect(decodeURIComponent(live.PolicyVersion?.Document ?? '')).toBe(next)
    const old = await iam.send(
      new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v1' })
    )
    expect(old.PolicyVersion?.IsDefaultVersion).toBe(false)
  })

  it('CreatePolicyVersion without SetAsDefault keeps the default', async () => {
    const { Policy } = await create()
    const { PolicyVersion } = await iam.send(
      new CreatePolicyVersionCommand({
        PolicyArn: Policy?.Arn,
        PolicyDocument: denyDocument(['203.0.113.0/24'])
      })
    )
    expect(PolicyVersion?.IsDefaultVersion).toBe(false)
    const got = await iam.send(new GetPolicyCommand({ PolicyArn: Policy?.Arn }))
    expect(got.Policy?.DefaultVersionId).toBe('v1')
  })

  it('ListPolicyVersions lists versions newest first without documents', async () => {
    const { Policy } = await create()
    const arn = Policy?.Arn
    for (let i = 0; i < 2; i++) {
      await iam.send(
        new CreatePolicyVersionCommand({
          PolicyArn: arn,
          PolicyDocument: denyDocument([`203.0.113.${i}/32`]),
          SetAsDefault: i === 0
        })
      )
    }
    const { Versions, IsTruncated } = await iam.send(
      new ListPolicyVersionsCommand({ PolicyArn: arn })
    )
    expect(IsTruncated).toBe(false)
    expect(Versions?.map(v => [v.VersionId, v.IsDefaultVersion])).toEqual([
      ['v3', false],
      ['v2', true],
      ['v1', false]
    ])
    expect(Versions?.every(v => v.Document === undefined)).toBe(true)
    expect(Versions?.every(v => v.CreateDate instanceof Date)).toBe(true)
  })

  it('DeletePolicyVersion removes a non-default version; ids are not reused', async () => {
    const { Policy } = await create()
    const arn = Policy?.Arn
    const newVersion = async () =>
      (
        await iam.send(
          new CreatePolicyVersionCommand({
            PolicyArn: arn,
            PolicyDocument: denyDocument()
          })
        )
      ).PolicyVersion?.VersionId

    expect(await newVersion()).toBe('v2')
    await iam.send(
      new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v2' })
    )
    expect(await newVersion()).toBe('v3')

    const { Versions } = await iam.send(
      new ListPolicyVersionsCommand({ PolicyArn: arn })
    )
    expect(Versions?.map(v => v.VersionId)).toEqual(['v3', 'v1'])
    const gone = await failure(
      iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v2' }))
    )
    expect(gone.code).toBe('NoSuchEntity')
  })

  it('SetDefaultPolicyVersion moves the default and the update date', async () => {
    const { Policy } = await create()
    const arn = Policy?.Arn
    await iam.send(
      new CreatePolicyVersionCommand({
        PolicyArn: arn,
        PolicyDocument: denyDocument(['203.0.113.0/24']),
        SetAsDefault: true
      })
    )
    await iam.send(
      new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v1' })
    )
    const { Policy: after } = await iam.send(
      new GetPolicyCommand({ PolicyArn: arn })
    )
    expect(after?.DefaultVersionId).toBe('v1')
    expect(sandbox.snapshot().policies[0].versions).toMatchObject([
      { versionId: 'v1', isDefault: true },
      { versionId: 'v2', isDefault: false }
    ])
  })

  it('DeletePolicy removes a policy with one version and no attachments', async () => {
    const { Policy } = await create()
    await iam.send(new DeletePolicyCommand({ PolicyArn: Policy?.Arn }))

    const err = await failure(
      iam.send(new GetPolicyCommand({ PolicyArn: Policy?.Arn }))
    )
    expect(err.code).toBe('NoSuchEntity')
    expect(sandbox.snapshot().policies).toEqual([])
    // The name is free again.
    const again = await create()
    expect(again.Policy?.Arn).toBe(Policy?.Arn)
  })

  it('TagPolicy adds and overwrites, UntagPolicy removes, ListPolicyTags lists', async () => {
    const { Policy } = await create()
    const arn = Policy?.Arn
    await iam.send(
      new TagPolicyCommand({
        PolicyArn: arn,
        Tags: [
          { Key: 'allowlist', Value: 'vpn' },
          { Key: 'owner', Value: 'platform team' }
        ]
      })
    )
    await iam.send(
      new UntagPolicyCommand({ PolicyArn: arn, TagKeys: ['managed-by'] })
    )

    const { Tags, IsTruncated } = await iam.send(
      new ListPolicyTagsCommand({ PolicyArn: arn })
    )
    expect(IsTruncated).toBe(false)
    expect(Tags).toEqual([
      { Key: 'allowlist', Value: 'vpn' },
      { Key: 'owner', Value: 'platform team' }
    ])
    expect(sandbox.snapshot().policies[0].tags).toEqual({
      allowlist: 'vpn',
      owner: 'platform team'
    })
  })

  it('ListPolicies filters by Scope, PathPrefix and OnlyAttached and omits tags', async () => {
    await create('a-office', '/ip-allowlist/')
    await create('b-vpn', '/ip-allowlist/team/')
    await create('other', '/elsewhere/')

    const local = await iam.send(
      new ListPoliciesCommand({ Scope: 'Local', PathPrefix: '/ip-allowlist/' })
    )
    expect(local.Policies?.map(p => p.PolicyName)).toEqual([
      'a-office',
      'b-vpn'
    ])
    expect(local.Policies?.every(p => p.Tags === undefined)).toBe(true)
    expect(local.Policies?.every(p => p.Description === undefined)).toBe(true)
    expect(local.Policies?.[0]).toMatchObject({
      Arn: policyArn('a-office', '/ip-allowlist/'),
      DefaultVersionId: 'v1',
      AttachmentCount: 0
    })

    const all = await iam.send(new ListPoliciesCommand({}))
    expect(all.Policies).toHaveLength(3)
    const aws = await iam.send(new ListPoliciesCommand({ Scope: 'AWS' }))
    expect(aws.Policies).toEqual([])
    const attached = await iam.send(
      new ListPoliciesCommand({ OnlyAttached: true })
    )
    expect(attached.Policies).toEqual([])
  })
})
