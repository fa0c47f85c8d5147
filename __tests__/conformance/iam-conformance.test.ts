/**
 * The IAM behaviours this tool relies on, each stated as a test through the
 * real SDK client.
 *
 * By default the tests run against the local sandbox. Set
 * IAM_CONFORMANCE_ENDPOINT to an IAM-compatible endpoint (another emulator,
 * or IAM itself with credentials in the environment) to run the very same
 * tests there: the sandbox is then not started, and all state is created
 * through IAM API calls under names unique to the run, then removed.
 *
 * Behaviours of policy evaluation (two Deny policies intersect, a missing
 * aws:SourceIp matches NotIpAddress, ...) are not API behaviour and are not
 * checked here; nor are throttling and eventual consistency, which no
 * endpoint can be made to show on demand.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
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
  DetachGroupPolicyCommand,
  DetachRolePolicyCommand,
  DetachUserPolicyCommand,
  GetAccountSummaryCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetUserCommand,
  IAMClient,
  ListEntitiesForPolicyCommand,
  ListGroupsForUserCommand,
  ListPoliciesCommand,
  ListPolicyVersionsCommand,
  RemoveUserFromGroupCommand,
  type IAMClientConfig,
  type Policy
} from '@aws-sdk/client-iam'
import { ConfiguredRetryStrategy } from '@smithy/core/retry'
import { startIamSandbox, type IamSandbox } from '../../sandbox/index.js'

const EXTERNAL_ENDPOINT = process.env.IAM_CONFORMANCE_ENDPOINT
const RUN = `conf${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`
const PATH = `/conformance/${RUN}/`

const TRUST_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Service: 'sagemaker.amazonaws.com' },
      Action: 'sts:AssumeRole'
    }
  ]
})

function denyDocument(cidrs: string[] = ['192.0.2.0/24']): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DenyOutsideAllowlist',
        Effect: 'Deny',
        Action: 'sagemaker:CreatePresignedNotebookInstanceUrl',
        Resource: '*',
        Condition: { NotIpAddress: { 'aws:SourceIp': cidrs } }
      }
    ]
  })
}

interface WireError {
  name: string
  code?: string
  status?: number
}

async function failure(call: Promise<unknown>): Promise<WireError> {
  try {
    await call
  } catch (error) {
    const e = error as {
      name: string
      Code?: string
      $metadata?: { httpStatusCode?: number }
    }
    return { name: e.name, code: e.Code, status: e.$metadata?.httpStatusCode }
  }
  throw new Error('expected the call to fail, but it succeeded')
}

describe(`IAM conformance (${EXTERNAL_ENDPOINT ?? 'local sandbox'})`, () => {
  let sandbox: IamSandbox | undefined
  let endpoint: string
  let iam: IAMClient
  const policies: string[] = []
  const users: string[] = []
  const groups: string[] = []
  const user = `${RUN}-alice`
  const group = `${RUN}-team`
  const role = `${RUN}-notebook`

  const clientConfig = (): IAMClientConfig => ({
    region: process.env.AWS_REGION ?? 'us-east-1',
    // The SDK retries LimitExceeded as if it were throttling; locally there
    // is nothing to wait for, elsewhere back off as the SDK would.
    retryStrategy: new ConfiguredRetryStrategy(3, attempt =>
      EXTERNAL_ENDPOINT ? 100 * 2 ** attempt : 0
    ),
    // Against a real endpoint, credentials come from the environment.
    ...(EXTERNAL_ENDPOINT && process.env.AWS_ACCESS_KEY_ID
      ? {}
      : { credentials: { accessKeyId: 'test', secretAccessKey: 'test' } })
  })

  const createPolicy = async (
    label: string,
    document = denyDocument(),
    extra: { Tags?: { Key: string; Value: string }[] } = {}
  ): Promise<Policy> => {
    const { Policy } = await iam.send(
      new CreatePolicyCommand({
        PolicyName: `${RUN}-${label}`,
        Path: PATH,
        PolicyDocument: document,
        ...extra
      })
    )
    if (!Policy?.Arn) throw new Error(`CreatePolicy ${label} returned no ARN`)
    policies.push(Policy.Arn)
    return Policy
  }

  const newVersion = async (arn: string, setAsDefault = false) =>
    (
      await iam.send(
        new CreatePolicyVersionCommand({
          PolicyArn: arn,
          PolicyDocument: denyDocument(['198.51.100.0/24']),
          SetAsDefault: setAsDefault
        })
      )
    ).PolicyVersion

  beforeAll(async () => {
    if (EXTERNAL_ENDPOINT) {
      endpoint = EXTERNAL_ENDPOINT
    } else {
      sandbox = await startIamSandbox()
      endpoint = sandbox.url
    }
    iam = new IAMClient({ ...clientConfig(), endpoint })

    await iam.send(new CreateUserCommand({ UserName: user, Path: PATH }))
    users.push(user)
    await iam.send(new CreateGroupCommand({ GroupName: group, Path: PATH }))
    await iam.send(
      new AddUserToGroupCommand({ GroupName: group, UserName: user })
    )
    await iam.send(
      new CreateRoleCommand({
        RoleName: role,
        Path: PATH,
        AssumeRolePolicyDocument: TRUST_POLICY
      })
    )
  })

  afterAll(async () => {
    // Best effort: leave nothing behind on a shared endpoint.
    const quietly = <T>(call: Promise<T>) => call.catch(() => undefined)
    for (const arn of policies) {
      await quietly(
        iam.send(
          new DetachUserPolicyCommand({ UserName: user, PolicyArn: arn })
        )
      )
      for (const name of [group, ...groups]) {
        await quietly(
          iam.send(
            new DetachGroupPolicyCommand({ GroupName: name, PolicyArn: arn })
          )
        )
      }
      await quietly(
        iam.send(
          new DetachRolePolicyCommand({ RoleName: role, PolicyArn: arn })
        )
      )
      const versions = await quietly(
        iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }))
      )
      for (const version of versions?.Versions ?? []) {
        if (version.IsDefaultVersion) continue
        await quietly(
          iam.send(
            new DeletePolicyVersionCommand({
              PolicyArn: arn,
              VersionId: version.VersionId
            })
          )
        )
      }
      await quietly(iam.send(new DeletePolicyCommand({ PolicyArn: arn })))
    }
    await quietly(
      iam.send(
        new RemoveUserFromGroupCommand({ GroupName: group, UserName: user })
      )
    )
    for (const name of users)
      await quietly(iam.send(new DeleteUserCommand({ UserName: name })))
    for (const name of [group, ...groups]) {
      await quietly(iam.send(new DeleteGroupCommand({ GroupName: name })))
    }
    await quietly(iam.send(new DeleteRoleCommand({ RoleName: role })))
    iam.destroy()
    await sandbox?.close()
  })

  describe('policy documents', () => {
    it('GetPolicyVersion returns the document URL-encoded (RFC 3986)', async () => {
      const document = denyDocument(['192.0.2.0/24', '2001:db8::/32'])
      const policy = await createPolicy('encoded', document)
      const { PolicyVersion } = await iam.send(
        new GetPolicyVersionCommand({ PolicyArn: policy.Arn, VersionId: 'v1' })
      )
      const returned = PolicyVersion?.Document ?? ''

      // The SDK does not decode it: callers must.
      expect(returned.startsWith('%7B')).toBe(true)
      expect(returned).not.toMatch(/[{}"]/)
      expect(JSON.parse(decodeURIComponent(returned))).toEqual(
        JSON.parse(document)
      )
    })

    it('a document that is not JSON is MalformedPolicyDocument', async () => {
      const err = await failure(
        createPolicy('not-json', '{"Version": "2012-10-17",')
      )
      expect(err).toMatchObject({
        name: 'MalformedPolicyDocumentException',
        code: 'MalformedPolicyDocument',
        status: 400
      })
    })

    it('a document without Statement is MalformedPolicyDocument', async () => {
      const err = await failure(
        createPolicy('no-statement', '{"Version":"2012-10-17"}')
      )
      expect(err.code).toBe('MalformedPolicyDocument')
    })

    it('a Sid may hold only A-Z, a-z and 0-9', async () => {
      const document = denyDocument().replace(
        'DenyOutsideAllowlist',
        'deny-outside'
      )
      const err = await failure(createPolicy('bad-sid', document))
      expect(err.code).toBe('MalformedPolicyDocument')
    })

    it('a Sid must be unique in the policy', async () => {
      const statement = JSON.parse(denyDocument()).Statement[0] as object
      const document = JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          statement,
          { ...statement, Action: 'sagemaker:CreatePresignedDomainUrl' }
        ]
      })
      const err = await failure(createPolicy('dup-sid', document))
      expect(err.code).toBe('MalformedPolicyDocument')
    })

    it('a managed policy holds 6,144 characters, whitespace not counted', async () => {
      const cidrs = (n: number) =>
        Array.from(
          { length: n },
          (_, i) => `10.${Math.floor(i / 250)}.${i % 250}.0/24`
        )
      const size = (text: string) => text.replace(/\s/g, '').length
      let n = 1
      while (size(denyDocument(cidrs(n + 1))) <= 6144) n++

      // At the limit, with indentation that takes it past 6,144 in all.
      const padded = JSON.stringify(JSON.parse(denyDocument(cidrs(n))), null, 4)
      expect(padded.length).toBeGreaterThan(6144)
      const policy = await createPolicy('at-limit', padded)
      expect(policy.DefaultVersionId).toBe('v1')

      // IAM names the quota in a LimitExceeded error (seen, not documented).
      const err = await failure(
        createPolicy('over-limit', denyDocument(cidrs(n + 1)))
      )
      expect(err).toMatchObject({ code: 'LimitExceeded', status: 409 })
    })
  })

  describe('versions', () => {
    it('CreatePolicyVersion with SetAsDefault switches the live document', async () => {
      const policy = await createPolicy('switch')
      const version = await newVersion(policy.Arn ?? '', true)
      expect(version?.IsDefaultVersion).toBe(true)

      const { Policy } = await iam.send(
        new GetPolicyCommand({ PolicyArn: policy.Arn })
      )
      expect(Policy?.DefaultVersionId).toBe(version?.VersionId)
      const live = await iam.send(
        new GetPolicyVersionCommand({
          PolicyArn: policy.Arn,
          VersionId: version?.VersionId
        })
      )
      expect(decodeURIComponent(live.PolicyVersion?.Document ?? '')).toContain(
        '198.51.100.0/24'
      )
    })

    it('the sixth CreatePolicyVersion fails with LimitExceeded', async () => {
      const policy = await createPolicy('five')
      for (let i = 0; i < 4; i++) await newVersion(policy.Arn ?? '')
      const err = await failure(newVersion(policy.Arn ?? ''))
      expect(err).toMatchObject({
        name: 'LimitExceededException',
        code: 'LimitExceeded',
        status: 409
      })
    })

    it('the default version cannot be deleted', async () => {
      const policy = await createPolicy('keep-default')
      const err = await failure(
        iam.send(
          new DeletePolicyVersionCommand({
            PolicyArn: policy.Arn,
            VersionId: 'v1'
          })
        )
      )
      expect(err).toMatchObject({ code: 'DeleteConflict', status: 409 })
    })

    it('version ids are never reused', async () => {
      const policy = await createPolicy('ids')
      const arn = policy.Arn ?? ''
      expect((await newVersion(arn))?.VersionId).toBe('v2')
      await iam.send(
        new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v2' })
      )
      expect((await newVersion(arn))?.VersionId).toBe('v3')
    })
  })

  describe('deleting a policy', () => {
    it('fails with DeleteConflict while attached, until detached', async () => {
      const policy = await createPolicy('attached')
      await iam.send(
        new AttachRolePolicyCommand({ RoleName: role, PolicyArn: policy.Arn })
      )
      const err = await failure(
        iam.send(new DeletePolicyCommand({ PolicyArn: policy.Arn }))
      )
      expect(err).toMatchObject({
        name: 'DeleteConflictException',
        code: 'DeleteConflict',
        status: 409
      })

      await iam.send(
        new DetachRolePolicyCommand({ RoleName: role, PolicyArn: policy.Arn })
      )
      await iam.send(new DeletePolicyCommand({ PolicyArn: policy.Arn }))
    })

    it('fails with DeleteConflict while non-default versions exist, until deleted', async () => {
      const policy = await createPolicy('versioned')
      const arn = policy.Arn ?? ''
      await newVersion(arn, true)
      const err = await failure(
        iam.send(new DeletePolicyCommand({ PolicyArn: arn }))
      )
      expect(err.code).toBe('DeleteConflict')

      await iam.send(
        new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v1' })
      )
      await iam.send(new DeletePolicyCommand({ PolicyArn: arn }))
      const gone = await failure(
        iam.send(new GetPolicyCommand({ PolicyArn: arn }))
      )
      expect(gone.code).toBe('NoSuchEntity')
    })
  })

  describe('listing', () => {
    it('ListPolicies with Scope Local and PathPrefix lists only ours, without tags', async () => {
      const tags = [{ Key: 'managed-by', Value: 'sagemaker-ip-allowlist' }]
      const a = await createPolicy('list-a', denyDocument(), { Tags: tags })
      const b = await createPolicy('list-b', denyDocument(), { Tags: tags })
      const c = await createPolicy('list-c', denyDocument(), { Tags: tags })

      const found: Policy[] = []
      let marker: string | undefined
      let pages = 0
      do {
        const page = await iam.send(
          new ListPoliciesCommand({
            Scope: 'Local',
            PathPrefix: PATH,
            MaxItems: 1,
            Marker: marker
          })
        )
        pages++
        // A page may be shorter than MaxItems, never longer.
        expect(page.Policies?.length ?? 0).toBeLessThanOrEqual(1)
        found.push(...(page.Policies ?? []))
        marker = page.IsTruncated ? page.Marker : undefined
      } while (marker)

      const ours = [a.Arn, b.Arn, c.Arn]
      expect(found.every(p => p.Path === PATH)).toBe(true)
      expect(found.map(p => p.Arn)).toEqual(expect.arrayContaining(ours))
      expect(pages).toBeGreaterThanOrEqual(3)
      expect(
        found.every(p => p.Tags === undefined || p.Tags.length === 0)
      ).toBe(true)

      // GetPolicy does return them.
      const { Policy } = await iam.send(
        new GetPolicyCommand({ PolicyArn: a.Arn })
      )
      expect(Policy?.Tags).toEqual(tags)
    })

    it('ListEntitiesForPolicy lists the users, groups and roles a policy is attached to', async () => {
      const policy = await createPolicy('entities')
      await iam.send(
        new AttachUserPolicyCommand({ UserName: user, PolicyArn: policy.Arn })
      )
      await iam.send(
        new AttachGroupPolicyCommand({
          GroupName: group,
          PolicyArn: policy.Arn
        })
      )
      await iam.send(
        new AttachRolePolicyCommand({ RoleName: role, PolicyArn: policy.Arn })
      )

      const entities = await iam.send(
        new ListEntitiesForPolicyCommand({ PolicyArn: policy.Arn })
      )
      expect(entities.PolicyUsers?.map(u => u.UserName)).toEqual([user])
      expect(entities.PolicyGroups?.map(g => g.GroupName)).toEqual([group])
      expect(entities.PolicyRoles?.map(r => r.RoleName)).toEqual([role])
      expect(entities.PolicyUsers?.[0].UserId).toMatch(/^AIDA/)

      const { Policy } = await iam.send(
        new GetPolicyCommand({ PolicyArn: policy.Arn })
      )
      expect(Policy?.AttachmentCount).toBe(3)
    })

    it("ListGroupsForUser gives a user's groups", async () => {
      const { Groups } = await iam.send(
        new ListGroupsForUserCommand({ UserName: user })
      )
      expect(Groups?.map(g => g.GroupName)).toEqual([group])
      expect(Groups?.[0].Path).toBe(PATH)
    })
  })

  describe('errors', () => {
    it('a missing entity is NoSuchEntity (404)', async () => {
      const err = await failure(
        iam.send(new GetUserCommand({ UserName: `${RUN}-nobody` }))
      )
      expect(err).toMatchObject({
        name: 'NoSuchEntityException',
        code: 'NoSuchEntity',
        status: 404
      })
      const policy = await failure(
        iam.send(
          new GetPolicyCommand({
            PolicyArn: policies[0].replace(/[^/]+$/, `${RUN}-none`)
          })
        )
      )
      expect(policy.code).toBe('NoSuchEntity')
    })

    it('an existing name is EntityAlreadyExists (409)', async () => {
      const first = await createPolicy('twice')
      expect(first.PolicyName).toBe(`${RUN}-twice`)
      const err = await failure(createPolicy('twice'))
      expect(err).toMatchObject({
        name: 'EntityAlreadyExistsException',
        code: 'EntityAlreadyExists',
        status: 409
      })
    })
  })

  // A name or path outside its documented constraints gets IAM's common
  // ValidationError (HTTP 400), not InvalidInput.
  describe('limits', () => {
    it('a group holds at most 10 managed policies', async () => {
      // A group of its own, so attachments made by other tests do not count.
      const full = `${RUN}-full`
      await iam.send(new CreateGroupCommand({ GroupName: full, Path: PATH }))
      groups.push(full)
      const arns: string[] = []
      for (let i = 0; i < 11; i++) {
        arns.push((await createPolicy(`many-${i}`)).Arn ?? '')
      }
      for (const arn of arns.slice(0, 10)) {
        await iam.send(
          new AttachGroupPolicyCommand({ GroupName: full, PolicyArn: arn })
        )
      }
      const err = await failure(
        iam.send(
          new AttachGroupPolicyCommand({ GroupName: full, PolicyArn: arns[10] })
        )
      )
      expect(err).toMatchObject({ code: 'LimitExceeded', status: 409 })
    })

    it('a policy name is 1-128 characters of [\\w+=,.@-]', async () => {
      const longest = `${RUN}-`.padEnd(128, 'x')
      const { Policy } = await iam.send(
        new CreatePolicyCommand({
          PolicyName: longest,
          Path: PATH,
          PolicyDocument: denyDocument()
        })
      )
      policies.push(Policy?.Arn ?? '')
      expect(Policy?.PolicyName).toBe(longest)

      for (const bad of [`${longest}x`, `${RUN} space`, `${RUN}/slash`]) {
        const err = await failure(
          iam.send(
            new CreatePolicyCommand({
              PolicyName: bad,
              Path: PATH,
              PolicyDocument: denyDocument()
            })
          )
        )
        expect(err).toMatchObject({ code: 'ValidationError', status: 400 })
      }
    })

    it('user and role names are up to 64 characters, group names up to 128', async () => {
      const longestUser = `${RUN}-`.padEnd(64, 'u')
      await iam.send(
        new CreateUserCommand({ UserName: longestUser, Path: PATH })
      )
      users.push(longestUser)

      const tooLong = [
        iam.send(
          new CreateUserCommand({ UserName: `${longestUser}u`, Path: PATH })
        ),
        iam.send(
          new CreateRoleCommand({
            RoleName: `${RUN}-`.padEnd(65, 'r'),
            Path: PATH,
            AssumeRolePolicyDocument: TRUST_POLICY
          })
        ),
        iam.send(
          new CreateGroupCommand({
            GroupName: `${RUN}-`.padEnd(129, 'g'),
            Path: PATH
          })
        )
      ]
      for (const call of tooLong) {
        const err = await failure(call)
        expect(err).toMatchObject({ code: 'ValidationError', status: 400 })
      }
    })

    it('a path starts and ends with / and is up to 512 characters', async () => {
      for (const Path of [`/${RUN}`, `${RUN}/`, `/${'p'.repeat(511)}/`]) {
        const err = await failure(
          iam.send(
            new CreatePolicyCommand({
              PolicyName: `${RUN}-path`,
              Path,
              PolicyDocument: denyDocument()
            })
          )
        )
        expect(err).toMatchObject({ code: 'ValidationError', status: 400 })
      }
    })

    it("GetAccountSummary returns the account's quotas", async () => {
      const { SummaryMap } = await iam.send(new GetAccountSummaryCommand({}))
      expect(SummaryMap?.PolicySizeQuota).toBe(6144)
      expect(SummaryMap?.VersionsPerPolicyQuota).toBe(5)
      expect(SummaryMap?.AttachedPoliciesPerGroupQuota).toBe(10)
      // Raisable quotas: at least the default.
      expect(SummaryMap?.AttachedPoliciesPerUserQuota).toBeGreaterThanOrEqual(
        10
      )
      expect(SummaryMap?.AttachedPoliciesPerRoleQuota).toBeGreaterThanOrEqual(
        10
      )
      expect(SummaryMap?.PoliciesQuota).toBeGreaterThanOrEqual(1500)
    })
  })

  describe('the SDK', () => {
    it('honours AWS_ENDPOINT_URL_IAM with no code change', async () => {
      const saved = process.env.AWS_ENDPOINT_URL_IAM
      process.env.AWS_ENDPOINT_URL_IAM = endpoint
      const fromEnv = new IAMClient(clientConfig())
      try {
        const { User } = await fromEnv.send(
          new GetUserCommand({ UserName: user })
        )
        expect(User?.UserName).toBe(user)
      } finally {
        fromEnv.destroy()
        if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_IAM
        else process.env.AWS_ENDPOINT_URL_IAM = saved
      }
    })
  })
})
