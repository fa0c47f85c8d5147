/**
 * The read-back after the writes, and IAM changing under apply's feet: a
 * write that does not stick, a read-back that lags, a policy another run
 * (or a person) pruned between apply's read and its write, a version
 * another run created first, a write whose answer was lost.
 */
import { describe, expect, it } from '@jest/globals'
import type { IamSandbox } from '../../sandbox/index.js'
import { applyConfigFile } from '../../src/apply/apply.js'
import { IamCallError } from '../../src/iam/errors.js'
import { OWNER_TAG_KEY, OWNER_TAG_VALUE } from '../../src/ownership.js'
import { applyHeadline } from '../../src/report/apply-report.js'
import {
  apply,
  arnOf,
  cli,
  fastGateway,
  liveEqualsFile,
  nameOf,
  overrideGateway,
  pruneBehindTheBack,
  useMixedScenario
} from './helpers.js'

let sandbox: IamSandbox
let file: string

useMixedScenario(scenario => ({ sandbox, file } = scenario))

/** A gateway whose attach of NotebookUsers is acknowledged but not kept. */
function droppingNotebookUsers(onDrop?: () => void) {
  const base = fastGateway()
  return overrideGateway(base, {
    attach: async (type, name, arn) => {
      if (type === 'role' && name === 'NotebookUsers') {
        onDrop?.()
        return
      }
      return base.attach(type, name, arn)
    }
  })
}

describe('the read-back after apply', () => {
  it('reports a write that did not stick as unverified, naming the policy', async () => {
    const { report } = await apply(file, { iam: droppingNotebookUsers() })
    expect(report.status).toBe('unverified')
    expect(report.outcomes.every(o => o.status === 'done')).toBe(true)
    expect(report.verification?.ok).toBe(false)
    expect(applyHeadline(report)).toContain(nameOf('data-science'))
    expect(applyHeadline(report)).not.toContain(nameOf('ml-platform'))
  })

  it('makes the CLI exit 1 and name the policy when the read-back differs', async () => {
    const run = await cli(
      ['apply', '--config', file, '--format', 'json'],
      droppingNotebookUsers()
    )
    expect(run.code).toBe(1)
    const json = JSON.parse(run.stdout) as {
      status: string
      message: string
      verified: boolean
    }
    expect(json.status).toBe('unverified')
    expect(json.verified).toBe(false)
    expect(json.message).toContain(nameOf('data-science'))
  })

  it('reads back again before a lagging read-back counts as a difference', async () => {
    // The attach lands late, as IAM's eventual consistency can make it
    // look: only once apply has waited before its second read-back.
    let pending: (() => Promise<void>) | undefined
    const base = fastGateway()
    const iam = droppingNotebookUsers(() => {
      pending = () =>
        base.attach('role', 'NotebookUsers', arnOf('data-science'))
    })
    const waits: number[] = []
    const report = await applyConfigFile(file, {
      iam,
      verifyDelayMs: 5,
      sleep: async ms => {
        waits.push(ms)
        await pending?.()
        pending = undefined
      }
    })
    expect(report.status).toBe('applied')
    expect(waits).toEqual([5])
    expect(await liveEqualsFile(file)).toBe(true)
  })
})

describe('IAM changed by someone else while apply runs', () => {
  it('finishes when the policy it is pruning was pruned by another run first', async () => {
    const base = fastGateway()
    let done = false
    const iam = overrideGateway(base, {
      listEntitiesForPolicy: async arn => {
        if (arn === arnOf('legacy') && !done) {
          done = true
          await pruneBehindTheBack(sandbox, arn)
        }
        return base.listEntitiesForPolicy(arn)
      }
    })
    const { report } = await apply(file, { iam })
    const prune = report.outcomes.find(o => o.change.action === 'delete')
    expect(prune?.error).toBeUndefined()
    expect(prune?.status).toBe('done')
    expect(report.status).toBe('applied')
  })

  it('finishes when another run deletes the policy between detaching and listing its versions', async () => {
    const base = fastGateway()
    let done = false
    const iam = overrideGateway(base, {
      listPolicyVersions: async arn => {
        if (
          arn === arnOf('legacy') &&
          !done &&
          sandbox.calls().some(c => c.action === 'DetachRolePolicy')
        ) {
          done = true
          await pruneBehindTheBack(sandbox, arn)
        }
        return base.listPolicyVersions(arn)
      }
    })
    const { report } = await apply(file, { iam })
    const prune = report.outcomes.find(o => o.change.action === 'delete')
    expect(prune?.error).toBeUndefined()
    expect(report.status).toBe('applied')
  })

  it('plans and applies when a listed policy is deleted before its details are read', async () => {
    const base = fastGateway()
    let done = false
    const iam = overrideGateway(base, {
      listPolicies: async prefix => {
        const listed = await base.listPolicies(prefix)
        if (!done) {
          done = true
          await pruneBehindTheBack(sandbox, arnOf('legacy'))
        }
        return listed
      }
    })
    const { report } = await apply(file, { iam })
    expect(report.status).toBe('applied')
    expect(await liveEqualsFile(file)).toBe(true)
  })

  it('plans and applies when a listed policy is deleted after its details were read', async () => {
    const base = fastGateway()
    let done = false
    const iam = overrideGateway(base, {
      getPolicy: async arn => {
        const details = await base.getPolicy(arn)
        if (arn === arnOf('legacy') && details && !done) {
          done = true
          await pruneBehindTheBack(sandbox, arn)
        }
        return details
      }
    })
    const { report } = await apply(file, { iam })
    expect(report.status).toBe('applied')
    expect(await liveEqualsFile(file)).toBe(true)
  })

  it('re-reads after a LimitExceeded from a version another run just created, without retrying it as throttling', async () => {
    const base = fastGateway()
    const arn = arnOf('data-science')
    let done = false
    const iam = overrideGateway(base, {
      createPolicyVersion: async (target, document) => {
        if (target === arn && !done) {
          // The other run, applying the same file, gets its version in
          // first: the policy is back at 5 versions.
          done = true
          await base.createPolicyVersion(target, document)
        }
        return base.createPolicyVersion(target, document)
      }
    })
    const { report } = await apply(file, { iam })
    expect(report.status).toBe('applied')
    const live = sandbox.snapshot().policies.find(p => p.arn === arn)!
    expect(live.versions).toHaveLength(5)
    // IAM's LimitExceeded does not go away by waiting: asking again is
    // pointless (and the SDK's throttling backoff makes it slow). One
    // answer, then a re-read that finds the document already there.
    const limited = sandbox
      .calls()
      .filter(
        c => c.action === 'CreatePolicyVersion' && c.code === 'LimitExceeded'
      ).length
    expect(limited).toBe(1)
  })

  it('counts a detach IAM says is already undone as done, and does not log it as failed', async () => {
    const base = fastGateway()
    const iam = overrideGateway(base, {
      detach: async (type, name, arn) => {
        // Someone detached it a moment before apply's own call.
        if (type === 'group' && name === 'data-scientists')
          await base.detach(type, name, arn)
        return base.detach(type, name, arn)
      }
    })
    const { report, log } = await apply(file, { iam })
    expect(report.status).toBe('applied')
    const line = log.find(l =>
      l.startsWith(`detach group data-scientists from ${nameOf('ml-platform')}`)
    )
    expect(line).toBeDefined()
    expect(line).not.toMatch(/failed/)
  })
})

describe('a write IAM carried out but whose answer was lost', () => {
  it('finds a policy whose CreatePolicy went through but whose answer was lost, and creates it once', async () => {
    const base = fastGateway()
    const iam = overrideGateway(base, {
      createPolicy: async policy => {
        await base.createPolicy(policy)
        throw new IamCallError(
          'CreatePolicy',
          `policy ${policy.path}${policy.name}`,
          'ECONNRESET',
          'socket hang up',
          true
        )
      }
    })
    const { report } = await apply(file, { iam })
    expect(report.status).toBe('applied')
    const created = sandbox
      .calls()
      .filter(c => c.action === 'CreatePolicy' && c.status === 200).length
    expect(created).toBe(1)
    const live = sandbox
      .snapshot()
      .policies.find(p => p.arn === arnOf('contractors'))!
    expect(live.tags[OWNER_TAG_KEY]).toBe(OWNER_TAG_VALUE)
    expect(live.description).toBe('Contractors, VPN only')
  })

  it('re-reads after a CreatePolicyVersion whose answer was lost, and adds no second version', async () => {
    const base = fastGateway()
    const arn = arnOf('data-science')
    const iam = overrideGateway(base, {
      createPolicyVersion: async (target, document) => {
        await base.createPolicyVersion(target, document)
        throw new IamCallError(
          'CreatePolicyVersion',
          target,
          'ECONNRESET',
          'socket hang up',
          true
        )
      }
    })
    const { report } = await apply(file, { iam })
    expect(report.status).toBe('applied')
    const live = sandbox.snapshot().policies.find(p => p.arn === arn)!
    expect(live.versions.map(v => v.versionId)).toEqual([
      'v2',
      'v3',
      'v4',
      'v5',
      'v6'
    ])
    expect(live.defaultVersionId).toBe('v6')
  })
})
