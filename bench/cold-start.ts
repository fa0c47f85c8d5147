import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { startIamSandbox } from '../sandbox/index.js'

// Cold start of the bundled action: from `node dist/index.js` to its first
// IAM call, beside an empty ncc-bundled action that only loads
// @actions/core and @actions/github (from start to its first line).

const RUNS = 10

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

/** Starts a process and resolves when `ready` says so, with the time taken. */
function timeUntil(
  script: string,
  env: NodeJS.ProcessEnv,
  ready: (startedAt: number, output: string) => Promise<number | undefined>
): Promise<number> {
  return new Promise((resolve, reject) => {
    const startedAt = Date.now()
    const child = spawn(process.execPath, [script], {
      env,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let output = ''
    let done = false
    const check = async () => {
      const at = await ready(startedAt, output)
      if (at !== undefined && !done) {
        done = true
        child.kill()
        resolve(at - startedAt)
      }
    }
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      void check()
    })
    child.on('exit', () => {
      void check().then(() => {
        if (!done)
          reject(new Error(`${script} ended before it was ready:\n${output}`))
      })
    })
  })
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-cold-'))
  execFileSync(
    process.execPath,
    [
      'node_modules/@vercel/ncc/dist/ncc/cli.js',
      'build',
      'bench/empty-action.ts',
      '-o',
      join(dir, 'empty'),
      '-q'
    ],
    {
      stdio: 'inherit'
    }
  )
  writeFileSync(join(dir, 'empty', 'package.json'), '{"type":"module"}\n')
  const eventPath = join(dir, 'event.json')
  writeFileSync(
    eventPath,
    JSON.stringify({
      inputs: {},
      ref: 'refs/heads/main',
      repository: { full_name: 'o/r', default_branch: 'main' }
    })
  )

  const sandbox = await startIamSandbox({ seed: 'examples/sandbox-seed.yml' })
  const env = {
    ...process.env,
    AWS_ENDPOINT_URL_IAM: sandbox.url,
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_REGION: 'us-east-1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    GITHUB_EVENT_NAME: 'workflow_dispatch',
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: 'o/r',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_SHA: '0'.repeat(40),
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
    RUNNER_TEMP: dir,
    INPUT_CONFIG: 'examples/sagemaker-ip-allowlist.yml',
    INPUT_MODE: 'plan',
    INPUT_COMMENT: 'false',
    'INPUT_GITHUB-TOKEN': '',
    'INPUT_EXPECT-REVIEWED-PLAN': 'false',
    INPUT_CONCURRENCY: ''
  }
  try {
    const ours: number[] = []
    const empty: number[] = []
    for (let i = 0; i < RUNS; i++) {
      sandbox.clearCalls()
      ours.push(
        await timeUntil(
          'dist/index.js',
          env,
          async () => sandbox.calls()[0]?.at
        )
      )
      empty.push(
        await timeUntil(
          join(dir, 'empty', 'index.js'),
          env,
          async (_start, output) =>
            output.includes('ready') ? Date.now() : undefined
        )
      )
    }
    const size = (file: string) =>
      `${(statSync(file).size / 1024).toFixed(0)} KiB`
    console.log(
      `cold start of dist/index.js to its first IAM call: ${median(ours)} ms median of ${RUNS} (target < 300 ms), bundle ${size('dist/index.js')}`
    )
    console.log(
      `cold start of an empty ncc action (@actions/core + @actions/github) to its first line: ${median(empty)} ms, bundle ${size(join(dir, 'empty', 'index.js'))}`
    )
  } finally {
    await sandbox.close()
  }
}

if (
  process.argv[1] &&
  import.meta.url === pathToFileURL(process.argv[1]).href
) {
  await run()
}
