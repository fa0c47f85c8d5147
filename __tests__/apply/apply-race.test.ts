/**
 * Two applies of the same file racing: two child processes running the CLI
 * against one sandbox, with seeded latency so their calls interleave. Both
 * must end with exit 0, IAM equal to the file and no policy over 5 versions.
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import {
  afterAll,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it
} from '@jest/globals'
import type { FaultRule, IamSandbox, SeedFixture } from '../../sandbox/index.js'
import {
  apply,
  denyDocument,
  liveEqualsFile,
  MIXED_CONFIG,
  MIXED_SEED,
  overVersioned,
  ownedPolicy,
  PRINCIPALS,
  sandboxEnv,
  startSandbox,
  tempDir,
  unguarded,
  writeConfig,
  writes
} from './helpers.js'

/** A race waits out the CLI's own backoff and read-back delays. */
const RACE_TIMEOUT_MS = 60_000

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const CHILD = fileURLToPath(new URL('./fixtures/cli-on-go.ts', import.meta.url))

/** 0, 5, 10 or 15 ms added to each call, drawn from the seeded PRNG. */
const jitter = (): FaultRule[] => [
  { kind: 'latency', rate: 0.5, latencyMs: 5 },
  { kind: 'latency', rate: 0.5, latencyMs: 10 }
]

interface ChildRun {
  code: number | null
  stdout: string
  stderr: string
}

interface Racer {
  ready: Promise<void>
  go(): void
  done: Promise<ChildRun>
}

function racer(url: string, argv: string[]): Racer {
  const env: Record<string, string | undefined> = {
    ...process.env,
    ...sandboxEnv(url)
  }
  // Jest's --experimental-vm-modules is not for the child.
  delete env.NODE_OPTIONS
  const child = spawn(
    process.execPath,
    ['--no-warnings', '--import', 'tsx', CHILD, ...argv],
    { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] }
  )
  let stdout = ''
  let stderr = ''
  let signalReady: () => void = () => {}
  const ready = new Promise<void>(resolve => (signalReady = resolve))
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString()
    if (stdout.startsWith('ready\n')) signalReady()
  })
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const done = new Promise<ChildRun>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', code => {
      signalReady()
      resolve({ code, stdout: stdout.replace(/^ready\n/, ''), stderr })
    })
  })
  return { ready, go: () => child.stdin.end('go\n'), done }
}

let sandbox: IamSandbox
let stop: () => Promise<void>
let dir: string
let cleanup: () => void

beforeAll(async () => {
  ;({ sandbox, stop } = await startSandbox(PRINCIPALS))
  ;({ dir, cleanup } = tempDir())
})
afterAll(async () => {
  await stop()
  cleanup()
})
beforeEach(() => {
  sandbox.setFaults([])
  sandbox.clearCalls()
})

/**
 * Races two CLI applies of `file` from `seed`, then checks what a race must
 * leave behind, whoever won each call.
 */
async function raceAndCheck(
  seed: SeedFixture,
  file: string,
  randomSeed: number
): Promise<void> {
  sandbox.reset(seed)
  const before = sandbox.snapshot()
  const argv = ['apply', '--config', file]
  const runs = [racer(sandbox.url, argv), racer(sandbox.url, argv)]
  await Promise.all(runs.map(r => r.ready))
  sandbox.setFaults(jitter(), randomSeed)
  sandbox.clearCalls()
  runs.forEach(r => r.go())
  const results = await Promise.all(runs.map(r => r.done))
  sandbox.setFaults([])

  // Shown whole when a run did not exit 0, with what it printed.
  expect(results.map(r => (r.code === 0 ? 0 : r))).toEqual([0, 0])
  expect(await liveEqualsFile(file)).toBe(true)
  const after = sandbox.snapshot()
  expect(overVersioned(after)).toEqual([])
  expect(unguarded(before, after)).toEqual([])
  sandbox.clearCalls()
  expect((await apply(file)).report.status).toBe('no-changes')
  expect(writes(sandbox.calls())).toEqual([])
}

const FRESH_CONFIG = `version: 1
allowlists:
  office: [192.0.2.0/24]
policies:
  data-science:
    description: Notebooks of the data science team
    allow: [office, 198.51.100.7]
    attach:
      users: [alice]
      groups: [data-scientists]
      roles: [NotebookUsers]
  ml-platform:
    allow: [office]
    actions: [mlflow]
    attach:
      groups: [ml-platform]
      roles: [MlflowUsers]
`

const fiveVersions = (base: string) =>
  [1, 2, 3, 4].map(i => denyDocument([`${base}.${i}/32`]))

/** Both policies at 5 versions; the file changes both documents. */
const FULL_SEED: SeedFixture = {
  ...PRINCIPALS,
  policies: [
    ownedPolicy(
      'data-science',
      ['192.0.2.0/24'],
      { users: ['alice'], groups: ['data-scientists'] },
      { extraVersions: fiveVersions('192.0.2') }
    ),
    ownedPolicy(
      'ml-platform',
      ['203.0.113.0/24'],
      { groups: ['ml-platform'], roles: ['NotebookUsers'] },
      { extraVersions: fiveVersions('203.0.113') }
    )
  ]
}

describe('two applies of the same file at once', () => {
  for (const randomSeed of [1, 2]) {
    it(
      `create the same new policies (seed ${randomSeed})`,
      async () => {
        await raceAndCheck(
          PRINCIPALS,
          writeConfig(dir, FRESH_CONFIG),
          randomSeed
        )
      },
      RACE_TIMEOUT_MS
    )
  }

  for (const randomSeed of [3, 4]) {
    it(
      `update policies that already have 5 versions (seed ${randomSeed})`,
      async () => {
        // NotebookUsers moves from ml-platform to data-science.
        await raceAndCheck(
          FULL_SEED,
          writeConfig(dir, FRESH_CONFIG),
          randomSeed
        )
      },
      RACE_TIMEOUT_MS
    )
  }

  for (const randomSeed of [5, 6, 7]) {
    it(
      `create, update at 5 versions, move and prune (seed ${randomSeed})`,
      async () => {
        await raceAndCheck(
          MIXED_SEED,
          writeConfig(dir, MIXED_CONFIG),
          randomSeed
        )
      },
      RACE_TIMEOUT_MS
    )
  }
})
