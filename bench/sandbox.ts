import { pathToFileURL } from 'node:url'
import { GetPolicyVersionCommand, IAMClient } from '@aws-sdk/client-iam'
import { startIamSandbox } from '../sandbox/index.js'

// Prints how fast the IAM sandbox answers GetPolicyVersion with no fault
// injected: end to end through the real SDK client, and the sandbox's own
// handling time per call from its call log. Benchmarks of the tool against
// the sandbox are only meaningful while the latter is a small fraction of
// the former.

/** Timed calls per run; bounded so the benchmark ends in seconds. */
const CALLS = 2_000

/** Untimed calls first, so the JIT and the keep-alive sockets have settled. */
const WARM_UP_CALLS = 300

/** Calls in flight at once in the concurrent run. */
const CONCURRENCY = 16

/** The sandbox's own time per simple call should stay well under this. */
const TARGET_OWN_MS = 1

const DOCUMENT = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'DenyOutsideAllowlist',
      Effect: 'Deny',
      Action: 'sagemaker:CreatePresignedNotebookInstanceUrl',
      Resource: '*',
      Condition: {
        NotIpAddress: {
          'aws:SourceIp': Array.from(
            { length: 40 },
            (_, i) => `198.51.${i}.0/24`
          )
        }
      }
    }
  ]
})

/** Runs the benchmark and prints one line per figure. */
export async function run(): Promise<void> {
  const sandbox = await startIamSandbox({
    seed: { policies: [{ name: 'bench-allowlist', document: DOCUMENT }] }
  })
  const iam = new IAMClient({
    region: 'us-east-1',
    endpoint: sandbox.url,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    maxAttempts: 1
  })
  const arn = sandbox.snapshot().policies[0].arn
  const getVersion = async () => {
    const { PolicyVersion } = await iam.send(
      new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v1' })
    )
    if (decodeURIComponent(PolicyVersion?.Document ?? '') !== DOCUMENT) {
      throw new Error('GetPolicyVersion returned another document')
    }
  }

  try {
    for (let i = 0; i < WARM_UP_CALLS; i++) await getVersion()

    sandbox.clearCalls()
    const sequential = await timed(async () => {
      for (let i = 0; i < CALLS; i++) await getVersion()
    })
    const own = sandbox.calls().map(c => c.durationMs)

    sandbox.clearCalls()
    const concurrent = await timed(async () => {
      let next = 0
      const worker = async () => {
        while (next++ < CALLS) await getVersion()
      }
      await Promise.all(Array.from({ length: CONCURRENCY }, worker))
    })
    const ownConcurrent = sandbox.calls().map(c => c.durationMs)

    const label = `sandbox GetPolicyVersion ${CALLS} calls`
    console.log(
      `${label} via SDK, one at a time: ${rate(sequential)} calls/s, ` +
        `${(sequential / CALLS).toFixed(3)} ms/call`
    )
    console.log(
      `${label} via SDK, ${CONCURRENCY} in flight: ${rate(concurrent)} calls/s`
    )
    for (const [name, times] of [
      ['one at a time', own],
      [`${CONCURRENCY} in flight`, ownConcurrent]
    ] as const) {
      const mean = times.reduce((a, b) => a + b, 0) / times.length
      const p99 = percentile(times, 0.99)
      console.log(
        `${label} sandbox own time (${name}): mean ${mean.toFixed(3)} ms, ` +
          `p50 ${percentile(times, 0.5).toFixed(3)} ms, ` +
          `p99 ${p99.toFixed(3)} ms, max ${Math.max(...times).toFixed(3)} ms ` +
          `(target p99 < ${TARGET_OWN_MS} ms: ${p99 < TARGET_OWN_MS ? 'met' : 'MISSED'})`
      )
    }
    console.log(
      `${label}: sandbox own time is ` +
        `${((100 * own.reduce((a, b) => a + b, 0)) / sequential).toFixed(1)}% ` +
        'of the wall time one at a time'
    )
  } finally {
    iam.destroy()
    await sandbox.close()
  }
}

async function timed(work: () => Promise<void>): Promise<number> {
  const start = performance.now()
  await work()
  return performance.now() - start
}

function rate(totalMs: number): string {
  return Math.round((CALLS * 1000) / totalMs).toLocaleString('en-US')
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]
}

if (
  process.argv[1] &&
  import.meta.url === pathToFileURL(process.argv[1]).href
) {
  await run()
}
