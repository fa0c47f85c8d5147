import {
  afterAll,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it
} from '@jest/globals'
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { GetGroupCommand, GetUserCommand } from '@aws-sdk/client-iam'
import {
  connectIamSandbox,
  startIamSandbox,
  type CallRecord,
  type IamSandbox,
  type StateSnapshot
} from '../../sandbox/index.js'
import { clientFor, denyDocument, failure } from './helpers.js'

describe('admin routes', () => {
  let sandbox: IamSandbox

  beforeAll(async () => {
    sandbox = await startIamSandbox({ seed: { users: ['alice'] } })
  })
  afterAll(() => sandbox.close())
  beforeEach(() => {
    sandbox.reset()
    sandbox.clearCalls()
    sandbox.setFaults([])
  })

  const admin = async (
    method: string,
    route: string,
    body?: string,
    type?: string
  ) => {
    const response = await fetch(`${sandbox.url}/_sandbox${route}`, {
      method,
      body,
      headers: { 'Content-Type': type ?? 'application/json' }
    })
    return { status: response.status, data: (await response.json()) as unknown }
  }

  it('GET /_sandbox describes the sandbox', async () => {
    const { status, data } = await admin('GET', '')
    expect(status).toBe(200)
    expect(data).toMatchObject({ url: sandbox.url, faults: [] })
    expect((data as { actions: string[] }).actions).toEqual(
      expect.arrayContaining([
        'ListPolicies',
        'GetPolicyVersion',
        'GetAccountSummary'
      ])
    )
  })

  it('GET and DELETE /_sandbox/calls read and clear the log; admin calls are not logged', async () => {
    const iam = clientFor(sandbox.url)
    await iam.send(new GetUserCommand({ UserName: 'alice' }))
    iam.destroy()

    const { data } = await admin('GET', '/calls')
    expect((data as CallRecord[]).map(c => [c.action, c.status])).toEqual([
      ['GetUser', 200]
    ])
    expect((await admin('DELETE', '/calls')).status).toBe(200)
    expect((await admin('GET', '/calls')).data).toEqual([])
  })

  it('GET /_sandbox/state returns the snapshot', async () => {
    const { data } = await admin('GET', '/state')
    expect((data as StateSnapshot).users.map(u => u.name)).toEqual(['alice'])
    expect(data).toEqual(sandbox.snapshot())
  })

  it('POST /_sandbox/faults sets rules and their seed', async () => {
    const rules = [{ kind: 'throttle', actions: ['GetUser'], nth: [1] }]
    const set = await admin(
      'POST',
      '/faults',
      JSON.stringify({ rules, randomSeed: 5 })
    )
    expect(set).toEqual({ status: 200, data: { rules } })
    expect((await admin('GET', '/faults')).data).toEqual({ rules })

    const iam = clientFor(sandbox.url, { maxAttempts: 1 })
    const err = await failure(
      iam.send(new GetUserCommand({ UserName: 'alice' }))
    )
    iam.destroy()
    expect(err.name).toBe('Throttling')

    // A bare list works too.
    await admin('POST', '/faults', '[]')
    expect((await admin('GET', '/faults')).data).toEqual({ rules: [] })
  })

  it('rejects bad fault rules and bad JSON with 400 and a reason', async () => {
    const bad = await admin(
      'POST',
      '/faults',
      JSON.stringify([{ kind: 'meteor' }])
    )
    expect(bad.status).toBe(400)
    expect(bad.data).toEqual({
      error: expect.stringContaining("unknown kind 'meteor'")
    })
    const notJson = await admin('POST', '/faults', '{')
    expect(notJson.status).toBe(400)
    expect((notJson.data as { error: string }).error).toContain(
      'not valid JSON'
    )
  })

  it('POST /_sandbox/seed adds a JSON or YAML fixture to the state', async () => {
    const json = await admin(
      'POST',
      '/seed',
      JSON.stringify({ groups: [{ name: 'team', members: ['alice'] }] })
    )
    expect(json.status).toBe(200)
    const yaml = await admin(
      'POST',
      '/seed',
      'roles:\n  - NotebookUsers\nusers:\n  - bob\n',
      'application/yaml'
    )
    expect(yaml.status).toBe(200)

    const state = sandbox.snapshot()
    expect(state.users.map(u => u.name)).toEqual(['alice', 'bob'])
    expect(state.groups[0].members).toEqual(['alice'])
    expect(state.roles.map(r => r.name)).toEqual(['NotebookUsers'])
  })

  it('POST /_sandbox/seed says which entry is wrong', async () => {
    const duplicate = await admin(
      'POST',
      '/seed',
      JSON.stringify({ users: ['alice'] })
    )
    expect(duplicate.status).toBe(400)
    expect((duplicate.data as { error: string }).error).toContain(
      'users[0]: EntityAlreadyExists'
    )
  })

  it('POST /_sandbox/reset restores the start-up seed or loads a fixture', async () => {
    await admin('POST', '/seed', JSON.stringify({ users: ['bob'] }))
    const back = await admin('POST', '/reset')
    expect((back.data as StateSnapshot).users.map(u => u.name)).toEqual([
      'alice'
    ])

    const fresh = await admin(
      'POST',
      '/reset',
      JSON.stringify({
        users: ['zoe'],
        policies: [
          { name: 'p', document: denyDocument(), attach: { users: ['zoe'] } }
        ]
      })
    )
    expect((fresh.data as StateSnapshot).users.map(u => u.name)).toEqual([
      'zoe'
    ])
    expect(sandbox.snapshot().policies[0].attachments.users).toEqual(['zoe'])
  })

  it('answers an unknown admin route with 404 and the list of routes', async () => {
    const { status, data } = await admin('GET', '/nothing')
    expect(status).toBe(404)
    expect((data as { error: string }).error).toContain('GET /_sandbox/state')
  })

  it('connectIamSandbox drives the same routes', async () => {
    const remote = connectIamSandbox(`${sandbox.url}/`)
    await remote.seed({ users: ['bob'] })
    expect((await remote.snapshot()).users.map(u => u.name)).toEqual([
      'alice',
      'bob'
    ])

    await remote.setFaults([{ kind: 'status-500', nth: [1] }], 3)
    const iam = clientFor(sandbox.url, { maxAttempts: 1 })
    expect(
      (await failure(iam.send(new GetUserCommand({ UserName: 'bob' })))).status
    ).toBe(500)
    iam.destroy()
    expect((await remote.calls()).map(c => c.code)).toEqual(['ServiceFailure'])
    await remote.clearCalls()
    expect(await remote.calls()).toEqual([])

    await remote.reset()
    expect((await remote.snapshot()).users.map(u => u.name)).toEqual(['alice'])
    await expect(remote.setFaults([{ kind: 'drop', rate: 9 }])).rejects.toThrow(
      /rate must be a number from 0 to 1/
    )
  })
})

describe('npm run sandbox (sandbox/cli.ts)', () => {
  const cli = (args: string[]) =>
    spawn(process.execPath, ['--import', 'tsx', 'sandbox/cli.ts', ...args], {
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'pipe']
    })

  const output = async (child: ChildProcess) => {
    let stdout = ''
    let stderr = ''
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const [code] = (await once(child, 'exit')) as [number]
    return { code, stdout, stderr }
  }

  it('prints usage on --help', async () => {
    const { code, stdout } = await output(cli(['--help']))
    expect(code).toBe(0)
    expect(stdout).toContain('Usage: npm run sandbox')
    expect(stdout).toContain('--seed FILE')
  })

  it('refuses an unknown flag and a bad port with exit code 2', async () => {
    const unknown = await output(cli(['--bogus']))
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain("Unknown option '--bogus'")
    const port = await output(cli(['--port', 'eighty']))
    expect(port.code).toBe(2)
    expect(port.stderr).toContain("--port 'eighty' must be an integer")
  })

  it('serves the seed file, is driven from this process and stops on SIGINT', async () => {
    const child = cli(['--seed', 'examples/sandbox-seed.yml'])
    const done = output(child)
    let printed = ''
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        printed += chunk.toString()
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(printed)
        if (match) resolve(match[1])
      })
      child.once('exit', () => reject(new Error(`sandbox exited: ${printed}`)))
    })

    const iam = clientFor(url, { maxAttempts: 1 })
    const { Users } = await iam.send(
      new GetGroupCommand({ GroupName: 'data-scientists' })
    )
    iam.destroy()
    expect(Users?.map(u => u.UserName)).toEqual(['bob', 'carol'])
    const remote = connectIamSandbox(url)
    expect((await remote.calls()).map(c => c.action)).toEqual(['GetGroup'])

    child.kill('SIGINT')
    const { code, stdout } = await done
    expect(code).toBe(0)
    expect(stdout).toContain('IAM sandbox stopped.')
  })
})
