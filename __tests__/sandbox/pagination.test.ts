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
  DeletePolicyCommand,
  DetachUserPolicyCommand,
  GetGroupCommand,
  ListAttachedUserPoliciesCommand,
  ListEntitiesForPolicyCommand,
  ListGroupsForUserCommand,
  ListPoliciesCommand,
  ListPolicyTagsCommand,
  ListPolicyVersionsCommand,
  paginateListPolicies,
  type IAMClient
} from '@aws-sdk/client-iam'
import { startIamSandbox, type IamSandbox } from '../../sandbox/index.js'
import type { SeedFixture } from '../../sandbox/index.js'
import { clientFor, denyDocument, failure, policyArn } from './helpers.js'

const POLICY_COUNT = 7

const fixture: SeedFixture = {
  users: ['u1', 'u2', 'u3', 'u4', 'u5'],
  groups: [
    { name: 'g1', members: ['u1', 'u2', 'u3', 'u4', 'u5'] },
    { name: 'g2', members: ['u1'] },
    { name: 'g3', members: ['u1'] }
  ],
  roles: ['r1', 'r2'],
  policies: Array.from({ length: POLICY_COUNT }, (_, i) => ({
    name: `allowlist-${i}`,
    path: '/ip-allowlist/',
    document: denyDocument([`192.0.2.${i}/32`]),
    tags: { a: '1', b: '2', c: '3' },
    extraVersions: i === 0 ? [denyDocument(), denyDocument()] : [],
    attach:
      i === 0
        ? { users: ['u1', 'u2'], groups: ['g1', 'g2'], roles: ['r1'] }
        : { users: ['u1'] }
  }))
}

describe('pagination', () => {
  let sandbox: IamSandbox
  let iam: IAMClient

  beforeAll(async () => {
    sandbox = await startIamSandbox({ seed: fixture })
    iam = clientFor(sandbox.url, { maxAttempts: 1 })
  })
  afterAll(async () => {
    iam.destroy()
    await sandbox.close()
  })
  beforeEach(() => sandbox.reset())

  it('ListPolicies pages with Marker while IsTruncated', async () => {
    const names: string[] = []
    const markers = new Set<string>()
    let marker: string | undefined
    let pages = 0
    do {
      const page = await iam.send(
        new ListPoliciesCommand({
          Scope: 'Local',
          PathPrefix: '/ip-allowlist/',
          MaxItems: 3,
          Marker: marker
        })
      )
      pages++
      expect(page.Policies?.length).toBeLessThanOrEqual(3)
      names.push(...(page.Policies ?? []).map(p => p.PolicyName ?? ''))
      marker = page.IsTruncated ? page.Marker : undefined
      if (page.IsTruncated) {
        expect(page.Marker).toEqual(expect.any(String))
        markers.add(page.Marker ?? '')
      } else {
        expect(page.Marker).toBeUndefined()
      }
    } while (marker)

    expect(pages).toBe(3)
    expect(markers.size).toBe(2)
    expect(names).toEqual(
      Array.from({ length: POLICY_COUNT }, (_, i) => `allowlist-${i}`)
    )
  })

  it('the SDK paginator collects every policy', async () => {
    const names: string[] = []
    let pages = 0
    for await (const page of paginateListPolicies(
      { client: iam, pageSize: 2 },
      { Scope: 'Local' }
    )) {
      pages++
      names.push(...(page.Policies ?? []).map(p => p.PolicyName ?? ''))
    }
    expect(pages).toBe(4)
    expect(names).toHaveLength(POLICY_COUNT)
  })

  it('a page stays correct when an item before the marker is deleted', async () => {
    const first = await iam.send(new ListPoliciesCommand({ MaxItems: 3 }))
    expect(first.Policies?.map(p => p.PolicyName)).toEqual([
      'allowlist-0',
      'allowlist-1',
      'allowlist-2'
    ])
    const deleted = policyArn('allowlist-2', '/ip-allowlist/')
    await iam.send(
      new DetachUserPolicyCommand({ UserName: 'u1', PolicyArn: deleted })
    )
    await iam.send(new DeletePolicyCommand({ PolicyArn: deleted }))
    const second = await iam.send(
      new ListPoliciesCommand({ MaxItems: 3, Marker: first.Marker })
    )
    expect(second.Policies?.map(p => p.PolicyName)).toEqual([
      'allowlist-3',
      'allowlist-4',
      'allowlist-5'
    ])
  })

  it('pages every other list the tool reads', async () => {
    const arn = policyArn('allowlist-0', '/ip-allowlist/')

    const entities = await iam.send(
      new ListEntitiesForPolicyCommand({ PolicyArn: arn, MaxItems: 2 })
    )
    expect(entities.IsTruncated).toBe(true)
    const seen = [
      ...(entities.PolicyGroups ?? []).map(g => g.GroupName),
      ...(entities.PolicyRoles ?? []).map(r => r.RoleName),
      ...(entities.PolicyUsers ?? []).map(u => u.UserName)
    ]
    expect(seen).toHaveLength(2)
    const rest = await iam.send(
      new ListEntitiesForPolicyCommand({
        PolicyArn: arn,
        MaxItems: 10,
        Marker: entities.Marker
      })
    )
    expect(rest.IsTruncated).toBe(false)
    seen.push(
      ...(rest.PolicyGroups ?? []).map(g => g.GroupName),
      ...(rest.PolicyRoles ?? []).map(r => r.RoleName),
      ...(rest.PolicyUsers ?? []).map(u => u.UserName)
    )
    expect(seen.sort()).toEqual(['g1', 'g2', 'r1', 'u1', 'u2'])

    const versions = await iam.send(
      new ListPolicyVersionsCommand({ PolicyArn: arn, MaxItems: 2 })
    )
    expect(versions.Versions?.map(v => v.VersionId)).toEqual(['v3', 'v2'])
    const older = await iam.send(
      new ListPolicyVersionsCommand({
        PolicyArn: arn,
        MaxItems: 2,
        Marker: versions.Marker
      })
    )
    expect(older.Versions?.map(v => v.VersionId)).toEqual(['v1'])
    expect(older.IsTruncated).toBe(false)

    const tags = await iam.send(
      new ListPolicyTagsCommand({ PolicyArn: arn, MaxItems: 2 })
    )
    expect(tags.Tags?.map(t => t.Key)).toEqual(['a', 'b'])
    expect(tags.IsTruncated).toBe(true)

    const members = await iam.send(
      new GetGroupCommand({ GroupName: 'g1', MaxItems: 4 })
    )
    expect(members.Users).toHaveLength(4)
    expect(members.IsTruncated).toBe(true)
    const lastMember = await iam.send(
      new GetGroupCommand({ GroupName: 'g1', Marker: members.Marker })
    )
    expect(lastMember.Users?.map(u => u.UserName)).toEqual(['u5'])

    const groups = await iam.send(
      new ListGroupsForUserCommand({ UserName: 'u1', MaxItems: 2 })
    )
    expect(groups.Groups?.map(g => g.GroupName)).toEqual(['g1', 'g2'])
    expect(groups.IsTruncated).toBe(true)

    const attached = await iam.send(
      new ListAttachedUserPoliciesCommand({ UserName: 'u1', MaxItems: 5 })
    )
    expect(attached.AttachedPolicies).toHaveLength(5)
    expect(attached.IsTruncated).toBe(true)
  })

  it('rejects a marker from another list and a forged marker', async () => {
    const policies = await iam.send(new ListPoliciesCommand({ MaxItems: 1 }))
    const wrongList = await failure(
      iam.send(
        new ListPolicyVersionsCommand({
          PolicyArn: policyArn('allowlist-0', '/ip-allowlist/'),
          Marker: policies.Marker
        })
      )
    )
    expect(wrongList).toMatchObject({ code: 'InvalidInput', status: 400 })

    const forged = await failure(
      iam.send(new ListPoliciesCommand({ Marker: 'not-a-marker' }))
    )
    expect(forged.code).toBe('InvalidInput')
  })

  it('rejects MaxItems outside 1..1000', async () => {
    for (const MaxItems of [0, 1001]) {
      const err = await failure(iam.send(new ListPoliciesCommand({ MaxItems })))
      expect(err).toMatchObject({ code: 'ValidationError', status: 400 })
    }
  })

  it('defaults to pages of 100', async () => {
    for (let i = 0; i < 100; i++) {
      await iam.send(
        new CreatePolicyCommand({
          PolicyName: `bulk-${String(i).padStart(3, '0')}`,
          PolicyDocument: denyDocument()
        })
      )
    }
    const page = await iam.send(new ListPoliciesCommand({}))
    expect(page.Policies).toHaveLength(100)
    expect(page.IsTruncated).toBe(true)
  })
})
