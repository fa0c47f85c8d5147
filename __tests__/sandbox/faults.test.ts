import {
  afterAll,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it
} from '@jest/globals'
import {
  GetUserCommand,
  ListUsersCommand,
  CreateUserCommand,
  type IAMClient
} from '@aws-sdk/client-iam'
import { NodeHttpHandler } from '@smithy/node-http-handler'
import {
  startIamSandbox,
  type FaultRule,
  type IamSandbox
} from '../../sandbox/index.js'
import { clientFor, failure, noWaitRetries } from './helpers.js'

describe('fault injection', () => {
  let sandbox: IamSandbox
  let once: IAMClient
  let retrying: IAMClient

  beforeAll(async () => {
    sandbox = await startIamSandbox({ seed: { users: ['alice', 'bob'] } })
    once = clientFor(sandbox.url, { maxAttempts: 1 })
    retrying = clientFor(sandbox.url, { retryStrategy: noWaitRetries(3) })
  })
  afterAll(async () => {
    once.destroy()
    retrying.destroy()
    await sandbox.close()
  })
  beforeEach(() => {
    sandbox.setFaults([])
    sandbox.reset()
    sandbox.clearCalls()
  })

  const getAlice = (client: IAMClient) =>
    client.send(new GetUserCommand({ UserName: 'alice' }))

  it('throttle answers Throttling with HTTP 400, which the SDK retries', async () => {
    sandbox.setFaults([{ kind: 'throttle', nth: [1] }])
    const err = await failure(getAlice(once))
    expect(err).toMatchObject({
      name: 'Throttling',
      message: 'Rate exceeded',
      status: 400
    })

    sandbox.setFaults([{ kind: 'throttle', nth: [1, 2] }])
    const ok = await getAlice(retrying)
    expect(ok.User?.UserName).toBe('alice')
    expect(ok.$metadata.attempts).toBe(3)
    expect(sandbox.calls().map(c => c.code ?? c.status)).toEqual([
      'Throttling',
      'Throttling',
      'Throttling',
      200
    ])
  })

  it('status-500 answers ServiceFailure with HTTP 500', async () => {
    sandbox.setFaults([{ kind: 'status-500' }])
    const err = await failure(getAlice(once))
    expect(err).toMatchObject({
      name: 'ServiceFailureException',
      code: 'ServiceFailure',
      status: 500,
      fault: 'server'
    })
  })

  it('status-503 answers ServiceUnavailable with HTTP 503, retried', async () => {
    sandbox.setFaults([{ kind: 'status-503', nth: [1] }])
    const err = await failure(getAlice(once))
    expect(err).toMatchObject({ name: 'ServiceUnavailable', status: 503 })

    sandbox.setFaults([{ kind: 'status-503', nth: [1] }])
    const ok = await getAlice(retrying)
    expect(ok.$metadata.attempts).toBe(2)
  })

  it('latency holds the call back and then answers it', async () => {
    sandbox.setFaults([{ kind: 'latency', latencyMs: 150 }])
    const ok = await getAlice(once)
    expect(ok.User?.UserName).toBe('alice')
    const [call] = sandbox.calls()
    expect(call).toMatchObject({
      status: 200,
      faults: ['latency'],
      injectedMs: 150
    })
    // The sandbox's own time leaves the injected delay out.
    expect(call.durationMs).toBeLessThan(150)
  })

  it('latency adds up with other rules and a terminal fault still fires', async () => {
    sandbox.setFaults([
      { kind: 'latency', latencyMs: 5 },
      { kind: 'latency', latencyMs: 7 },
      { kind: 'throttle' },
      { kind: 'status-500' }
    ])
    const err = await failure(getAlice(once))
    expect(err.name).toBe('Throttling')
    expect(sandbox.calls()[0]).toMatchObject({
      injectedMs: 12,
      faults: ['latency', 'latency', 'throttle', 'status-500'],
      code: 'Throttling'
    })
  })

  it('drop closes the connection without an answer and does not apply the call', async () => {
    sandbox.setFaults([{ kind: 'drop', actions: ['CreateUser'], nth: [1] }])
    const err = await failure(
      once.send(new CreateUserCommand({ UserName: 'carol' }))
    )
    expect(err.message).toMatch(/socket hang up|ECONNRESET/)
    expect(sandbox.snapshot().users.map(u => u.name)).toEqual(['alice', 'bob'])
    expect(sandbox.calls()[0]).toMatchObject({
      status: 0,
      code: 'ConnectionDropped'
    })

    // The SDK retries a dropped connection.
    const ok = await retrying.send(new CreateUserCommand({ UserName: 'carol' }))
    expect(ok.User?.UserName).toBe('carol')
  })

  it('hang outlasts a client timeout; the call is not applied', async () => {
    const impatient = clientFor(sandbox.url, {
      maxAttempts: 1,
      requestHandler: new NodeHttpHandler({
        requestTimeout: 100,
        throwOnRequestTimeout: true
      })
    })
    sandbox.setFaults([{ kind: 'hang', actions: ['CreateUser'] }])
    const err = await failure(
      impatient.send(new CreateUserCommand({ UserName: 'carol' }))
    )
    impatient.destroy()

    expect(err.name).toBe('TimeoutError')
    // The sandbox notices the client leaving and records the abandoned call.
    await waitFor(() => sandbox.calls()[0]?.code === 'Hung')
    expect(sandbox.calls()[0]).toMatchObject({
      status: 0,
      faults: ['hang'],
      injectedMs: 60_000
    })
    expect(sandbox.snapshot().users).toHaveLength(2)
  })

  it('a short hang answers a patient client', async () => {
    sandbox.setFaults([{ kind: 'hang', latencyMs: 30 }])
    const ok = await getAlice(once)
    expect(ok.User?.UserName).toBe('alice')
    expect(sandbox.calls()[0]).toMatchObject({ status: 200, injectedMs: 30 })
  })

  it('close() ends hung connections', async () => {
    const own = await startIamSandbox({ faults: [{ kind: 'hang' }] })
    const client = clientFor(own.url, { maxAttempts: 1 })
    const pending = failure(client.send(new ListUsersCommand({})))
    await waitFor(() => own.calls().length === 1)

    await own.close()
    const err = await pending
    client.destroy()
    expect(err.message).toMatch(/socket hang up|ECONNRESET/)
    expect(own.calls()[0]).toMatchObject({ status: 0, code: 'Hung' })
  })

  it('nth counts per rule among the calls it matches', async () => {
    sandbox.setFaults([{ kind: 'throttle', actions: ['GetUser'], nth: [2] }])
    await getAlice(once)
    await once.send(new ListUsersCommand({}))
    await once.send(new ListUsersCommand({}))
    const err = await failure(getAlice(once))
    expect(err.name).toBe('Throttling')
    await getAlice(once)
    expect(sandbox.calls().map(c => `${c.action}:${c.status}`)).toEqual([
      'GetUser:200',
      'ListUsers:200',
      'ListUsers:200',
      'GetUser:400',
      'GetUser:200'
    ])
  })

  it('a rule for some actions leaves the others alone', async () => {
    sandbox.setFaults([{ kind: 'status-500', actions: ['CreateUser'] }])
    await getAlice(once)
    const err = await failure(
      once.send(new CreateUserCommand({ UserName: 'carol' }))
    )
    expect(err.status).toBe(500)
  })

  it('rate 0 never fires and rate 1 always fires', async () => {
    sandbox.setFaults([{ kind: 'throttle', rate: 0 }])
    for (let i = 0; i < 5; i++) await getAlice(once)
    sandbox.setFaults([{ kind: 'status-500', rate: 1 }])
    for (let i = 0; i < 3; i++) await failure(getAlice(once))
    expect(sandbox.calls().map(c => c.status)).toEqual([
      200, 200, 200, 200, 200, 500, 500, 500
    ])
  })

  it('the same seed gives the same fault sequence; another seed another', async () => {
    const rules: FaultRule[] = [
      { kind: 'throttle', rate: 0.3 },
      { kind: 'status-500', rate: 0.2, actions: ['GetUser'] }
    ]
    const run = async (seed: number) => {
      sandbox.setFaults(rules, seed)
      sandbox.clearCalls()
      for (let i = 0; i < 30; i++) {
        const call =
          i % 3 === 0 ? once.send(new ListUsersCommand({})) : getAlice(once)
        await call.catch(() => undefined)
      }
      return sandbox
        .calls()
        .map(c => c.code ?? 'ok')
        .join(',')
    }

    const first = await run(42)
    const replay = await run(42)
    const other = await run(7)
    expect(replay).toBe(first)
    expect(other).not.toBe(first)
    expect(first).toContain('Throttling')
    expect(first).toContain('ok')
  })

  it('rejects a rule it cannot follow, saying which and why', () => {
    expect(() =>
      sandbox.setFaults([{ kind: 'latency' }, { kind: 'throttle', rate: 2 }])
    ).toThrow('fault rule 2: rate must be a number from 0 to 1')
    expect(() =>
      sandbox.setFaults([{ kind: 'explode' } as unknown as FaultRule])
    ).toThrow("fault rule 1: unknown kind 'explode'")
    expect(() => sandbox.setFaults([{ kind: 'drop', nth: [0] }])).toThrow(
      'nth must list call numbers from 1 up'
    )
  })

  it('faults given at start-up apply from the first call', async () => {
    const own = await startIamSandbox({
      seed: { users: ['alice'] },
      faults: [{ kind: 'throttle', nth: [1] }]
    })
    const client = clientFor(own.url, { maxAttempts: 1 })
    const err = await failure(getAlice(client))
    expect(err.name).toBe('Throttling')
    expect((await getAlice(client)).User?.UserName).toBe('alice')
    client.destroy()
    await own.close()
  })
})

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) {
    await new Promise(resolve => setTimeout(resolve, 10))
  }
  expect(condition()).toBe(true)
}
