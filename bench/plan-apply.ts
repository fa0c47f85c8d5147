import { pathToFileURL } from 'node:url'
import { dirname } from 'node:path'
import {
  isWriteAction,
  type CallRecord,
  type RemoteSandbox
} from '../sandbox/index.js'
import { startRemoteSandbox } from './remote-sandbox.js'
import { applyConfigFile } from '../src/apply/apply.js'
import { createIamClient } from '../src/iam/client.js'
import { SdkIamGateway } from '../src/iam/gateway.js'
import { planConfigFile } from '../src/run-plan.js'
import { benchFixture, CIDRS_PER_POLICY, POLICY_COUNT } from './iam-fixture.js'

// Plan and apply of a 100-policy file against the local IAM endpoint with
// 50 ms injected on every call, compared with the latency lower bound: the
// calls of each dependent step spread over the concurrency, one round trip
// per slot.

const LATENCY_MS = 50
const CONCURRENCY = 8

function gateway(): SdkIamGateway {
  return new SdkIamGateway(createIamClient({ retryDelayMs: () => 10 }))
}

/**
 * The lower bound of a run whose calls fall into steps that depend on each
 * other (a step starts when the previous one's answers are in): each step
 * needs at least ceil(calls / concurrency) round trips.
 */
function lowerBoundMs(steps: number[], concurrency: number): number {
  return (
    steps.reduce((sum, calls) => sum + Math.ceil(calls / concurrency), 0) *
    LATENCY_MS
  )
}

function count(calls: CallRecord[], actions: string[]): number {
  return calls.filter(c => actions.includes(c.action)).length
}

const PRINCIPAL_READS = [
  'ListAttachedUserPolicies',
  'ListAttachedGroupPolicies',
  'ListAttachedRolePolicies',
  'GetGroup',
  'GetAccountSummary'
]
const POLICY_READS = [
  'GetPolicy',
  'GetPolicyVersion',
  'ListPolicyVersions',
  'ListEntitiesForPolicy'
]

/**
 * A plan's reads form two dependent steps: ListPolicies (its pages one after
 * another) with the principal reads beside it, then four reads per policy.
 */
function planSteps(calls: CallRecord[]): number[] {
  const pages = count(calls, ['ListPolicies'])
  const first = count(calls, PRINCIPAL_READS) + pages
  // The pages themselves are sequential: the first step lasts at least that long.
  return [Math.max(first, pages * CONCURRENCY), count(calls, POLICY_READS)]
}

async function timed<T>(
  body: () => Promise<T>
): Promise<{ ms: number; value: T }> {
  const start = performance.now()
  const value = await body()
  return { ms: performance.now() - start, value }
}

async function measurePlan(
  sandbox: RemoteSandbox,
  file: string,
  concurrency: number
) {
  await sandbox.clearCalls()
  const { ms, value } = await timed(() =>
    planConfigFile(file, { iam: gateway(), concurrency })
  )
  if (!value.plan) throw new Error('the benchmark file did not plan')
  const calls = await sandbox.calls()
  return {
    ms,
    calls,
    bound: lowerBoundMs(planSteps(calls), concurrency),
    changes: value.plan.changes.length
  }
}

export async function run(): Promise<void> {
  const { file, seed } = benchFixture()
  const sandbox = await startRemoteSandbox(seed, dirname(file))
  process.env.AWS_ENDPOINT_URL_IAM = sandbox.url
  process.env.AWS_ACCESS_KEY_ID ??= 'bench'
  process.env.AWS_SECRET_ACCESS_KEY ??= 'bench'
  process.env.AWS_REGION ??= 'us-east-1'
  const label = `${POLICY_COUNT} policies x ${CIDRS_PER_POLICY} CIDRs x 3 principals`
  try {
    // Apply to the empty account, with latency.
    await sandbox.setFaults([{ kind: 'latency', latencyMs: LATENCY_MS }])
    await sandbox.clearCalls()
    const applied = await timed(() =>
      applyConfigFile(file, { iam: gateway(), concurrency: CONCURRENCY })
    )
    if (applied.value.status !== 'applied')
      throw new Error(`apply ended ${applied.value.status}`)
    const applyCalls = await sandbox.calls()
    const writes = applyCalls.filter(c => isWriteAction(c.action))
    // Steps: the read of the empty account (with root-path probes), creates,
    // attaches, then the read-back.
    const firstRead = applyCalls.slice(
      0,
      applyCalls.findIndex(c => isWriteAction(c.action))
    )
    const probes = count(firstRead, ['GetPolicy'])
    const readBack = applyCalls.length - firstRead.length - writes.length
    const applySteps = [
      ...planSteps(firstRead).filter(n => n > 0),
      probes,
      count(writes, ['CreatePolicy']),
      writes.length - count(writes, ['CreatePolicy'])
    ].filter(n => n > 0)
    const applyBound =
      lowerBoundMs(applySteps, CONCURRENCY) +
      lowerBoundMs(planSteps(applyCalls.slice(-readBack)), CONCURRENCY)
    console.log(
      `apply ${label} to an empty account, ${LATENCY_MS} ms latency, concurrency ${CONCURRENCY}: ` +
        `${(applied.ms / 1000).toFixed(2)} s, ${applyCalls.length} IAM calls (${writes.length} writes), ` +
        `lower bound ${(applyBound / 1000).toFixed(2)} s, ratio ${(applied.ms / applyBound).toFixed(2)} (target <= 1.5)`
    )

    // Plan (and a no-change re-apply) of the applied state.
    const fast = await measurePlan(sandbox, file, CONCURRENCY)
    const slow = await measurePlan(sandbox, file, 1)
    console.log(
      `plan ${label}, ${LATENCY_MS} ms latency, concurrency ${CONCURRENCY}: ${(fast.ms / 1000).toFixed(2)} s, ` +
        `${fast.calls.length} IAM calls, lower bound ${(fast.bound / 1000).toFixed(2)} s, ratio ${(fast.ms / fast.bound).toFixed(2)} (target <= 1.5)`
    )
    console.log(
      `plan at concurrency 1: ${(slow.ms / 1000).toFixed(2)} s; concurrency ${CONCURRENCY} is ${(slow.ms / fast.ms).toFixed(1)}x faster (target >= 8)`
    )
    // Even with no overhead at all, the speed-up cannot exceed the calls
    // over the round trips the dependent steps need at this concurrency.
    const rounds = fast.bound / LATENCY_MS
    console.log(
      `  ceiling of that speed-up: ${fast.calls.length} calls in ${rounds} round trips of ${CONCURRENCY} = ${(fast.calls.length / rounds).toFixed(2)}x`
    )
    await sandbox.clearCalls()
    const reapply = await timed(() =>
      applyConfigFile(file, { iam: gateway(), concurrency: CONCURRENCY })
    )
    const reapplyCalls = await sandbox.calls()
    console.log(
      `re-apply with no changes: ${(reapply.ms / 1000).toFixed(2)} s, ${reapplyCalls.length} IAM calls, ` +
        `${reapplyCalls.filter(c => isWriteAction(c.action)).length} writes (status ${reapply.value.status}; a plan made ${fast.calls.length} calls)`
    )

    // The tool's own cost: no latency.
    await sandbox.setFaults([])
    const runs: number[] = []
    for (let i = 0; i < 6; i++)
      runs.push((await measurePlan(sandbox, file, CONCURRENCY)).ms)
    runs.shift()
    runs.sort((a, b) => a - b)
    console.log(
      `plan ${label}, no latency: ${runs[Math.floor(runs.length / 2)].toFixed(0)} ms median of ${runs.length} (target < 500 ms)`
    )
  } finally {
    await sandbox.close()
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await run()
}
