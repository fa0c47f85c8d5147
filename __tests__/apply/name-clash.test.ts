import { afterEach, describe, expect, it } from '@jest/globals'
import type { IamSandbox } from '../../sandbox/index.js'
import {
  apply,
  denyDocument,
  nameOf,
  PRINCIPALS,
  startSandbox,
  tempDir,
  writeConfig,
  writes
} from './helpers.js'

// Policy names are unique in an account whatever the path. The plan probes
// the root path for a clash; one elsewhere surfaces when CreatePolicy fails.

const CONFIG = `version: 1
policies:
  team:
    allow: [192.0.2.0/24]
    attach:
      users: [alice]
`

let stop: (() => Promise<void>) | undefined
let cleanup: (() => void) | undefined

afterEach(async () => {
  await stop?.()
  cleanup?.()
})

async function setUp(
  path: string
): Promise<{ sandbox: IamSandbox; file: string }> {
  const started = await startSandbox({
    ...PRINCIPALS,
    policies: [
      {
        name: nameOf('team'),
        path,
        document: denyDocument(['198.51.100.0/24'])
      }
    ]
  })
  stop = started.stop
  const dir = tempDir()
  cleanup = dir.cleanup
  return { sandbox: started.sandbox, file: writeConfig(dir.dir, CONFIG) }
}

describe('a policy of the same name elsewhere in the account', () => {
  it('at the root path: the plan fails and nothing is written', async () => {
    const { sandbox, file } = await setUp('/')
    const { report } = await apply(file)
    expect(report.status).toBe('plan-failed')
    expect(report.plan?.errors[0].message).toMatch(
      /already exists outside \/sagemaker-ip-allowlist\//
    )
    expect(writes(sandbox.calls())).toEqual([])
  })

  it('at another path: apply stops at the create with the fix, and attaches nothing', async () => {
    const { sandbox, file } = await setUp('/elsewhere/')
    const { report, log } = await apply(file)
    expect(report.status).toBe('failed')
    const create = report.outcomes.find(o => o.change.action === 'create')
    expect(create?.status).toBe('failed')
    expect(create?.error).toMatch(
      /an IAM policy named sagemaker-ip-allowlist-team already exists at a path other than \/sagemaker-ip-allowlist\/; the tool never modifies it\. Rename/
    )
    expect(
      report.outcomes.find(o => o.change.action === 'attach')?.status
    ).toBe('skipped')
    expect(writes(sandbox.calls()).map(c => c.action)).toEqual(['CreatePolicy'])
    expect(log.filter(line => line.includes('failed'))).toHaveLength(1)
    const other = sandbox
      .snapshot()
      .policies.find(p => p.name === nameOf('team'))
    expect(other?.path).toBe('/elsewhere/')
    expect(other?.attachments.users).toEqual([])
  })
})
