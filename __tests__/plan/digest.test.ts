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
  AttachUserPolicyCommand,
  CreatePolicyVersionCommand,
  TagPolicyCommand
} from '@aws-sdk/client-iam'
import { readFileSync } from 'node:fs'
import { startIamSandbox, type IamSandbox } from '../../sandbox/index.js'
import { planConfigFile } from '../../src/run-plan.js'
import {
  arnOf,
  configFile,
  denyDocument,
  EXAMPLE_CONFIG,
  Gateways,
  PEOPLE,
  PREFIX,
  toolPolicy,
  useSandboxEnv
} from './helpers.js'

const DS = `${PREFIX}data-science`

describe('plan digest', () => {
  let sandbox: IamSandbox
  let restore: () => void
  const gateways = new Gateways()
  const seed = {
    ...PEOPLE,
    policies: [toolPolicy(EXAMPLE_CONFIG, 'data-science')]
  }

  beforeAll(async () => {
    sandbox = await startIamSandbox({ port: 0, seed })
    restore = useSandboxEnv(sandbox.url)
  })
  afterAll(async () => {
    gateways.destroy()
    restore()
    await sandbox.close()
  })
  beforeEach(() => sandbox.reset(seed))

  const digestOf = async (file = EXAMPLE_CONFIG, concurrency?: number) => {
    const { plan } = await planConfigFile(file, {
      iam: gateways.make(),
      ...(concurrency ? { concurrency } : {})
    })
    return plan!.digest
  }

  it('is the same for two plans of the same state, whatever the read order', async () => {
    const first = await digestOf()
    expect(await digestOf()).toBe(first)
    expect(await digestOf(EXAMPLE_CONFIG, 1)).toBe(first)
    expect(await digestOf(EXAMPLE_CONFIG, 64)).toBe(first)
    // A second sandbox seeded alike gives the same digest.
    const twin = await startIamSandbox({ port: 0, seed })
    const undo = useSandboxEnv(twin.url)
    try {
      expect(await digestOf()).toBe(first)
    } finally {
      undo()
      await twin.close()
    }
  })

  it('changes when a live attachment changes', async () => {
    const before = await digestOf()
    await gateways
      .client()
      .send(
        new AttachUserPolicyCommand({ UserName: 'dave', PolicyArn: arnOf(DS) })
      )
    expect(await digestOf()).not.toBe(before)
  })

  it('changes when a named group gains a member', async () => {
    const before = await digestOf()
    await gateways.client().send(
      new AddUserToGroupCommand({
        GroupName: 'ml-platform',
        UserName: 'alice'
      })
    )
    expect(await digestOf()).not.toBe(before)
  })

  it('changes when the live document is edited by hand', async () => {
    const before = await digestOf()
    await gateways.client().send(
      new CreatePolicyVersionCommand({
        PolicyArn: arnOf(DS),
        PolicyDocument: JSON.stringify(denyDocument(['203.0.113.0/24'])),
        SetAsDefault: true
      })
    )
    expect(await digestOf()).not.toBe(before)
  })

  it('changes when the ownership tag is removed', async () => {
    const before = await digestOf()
    await gateways.client().send(
      new TagPolicyCommand({
        PolicyArn: arnOf(DS),
        Tags: [{ Key: 'managed-by', Value: 'someone-else' }]
      })
    )
    expect(await digestOf()).not.toBe(before)
  })

  it('changes when the file changes', async () => {
    const text = readFileSync(EXAMPLE_CONFIG, 'utf8')
    const before = await digestOf(configFile(text))
    expect(before).toBe(await digestOf())
    const moreCidrs = configFile(
      text.replace('- 192.0.2.0/24', '- 192.0.2.0/24\n    - 233.252.0.0/24')
    )
    expect(await digestOf(moreCidrs)).not.toBe(before)
    const moreUsers = configFile(
      text.replace('users: [alice]', 'users: [alice, bob]')
    )
    expect(await digestOf(moreUsers)).not.toBe(before)
    const prune = configFile(text.replace('prune: false', 'prune: true'))
    expect(await digestOf(prune)).not.toBe(before)
  })

  it('does not change when the file only respells a CIDR or drops a comment', async () => {
    const text = readFileSync(EXAMPLE_CONFIG, 'utf8')
    const before = await digestOf(configFile(text))
    const respelled = text
      .replace(' # a bare address is /32', '')
      .replace('- 198.51.100.7', '- 198.51.100.7/32')
    expect(respelled).not.toBe(text)
    expect(await digestOf(configFile(respelled))).toBe(before)
  })

  it('does not change when the file only lists its policies in another order', async () => {
    const text = readFileSync(EXAMPLE_CONFIG, 'utf8')
    const before = await digestOf(configFile(text))
    const ml = text.indexOf('  ml-platform:')
    const ds = text.indexOf('  data-science:')
    const reordered =
      text.slice(0, ds) + text.slice(ml) + '\n' + text.slice(ds, ml)
    expect(await digestOf(configFile(reordered))).toBe(before)
  })
})
