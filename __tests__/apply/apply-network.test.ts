/**
 * Apply when the network, not IAM, fails: connections dropped before an
 * answer, and an answer slower than the client's request timeout. Both
 * leave the caller not knowing whether the write happened, which is what
 * the re-reads after a retryable failure are for. Seeded, so a failure
 * replays with the seed in the test name.
 */
import { describe, expect, it } from '@jest/globals'
import type { FaultRule, IamSandbox } from '../../sandbox/index.js'
import { createIamClient } from '../../src/iam/client.js'
import { SdkIamGateway } from '../../src/iam/gateway.js'
import {
  apply,
  liveEqualsFile,
  MIXED_SEED,
  overVersioned,
  unguarded,
  useMixedScenario
} from './helpers.js'

let sandbox: IamSandbox
let file: string

useMixedScenario(scenario => ({ sandbox, file } = scenario))

/** A gateway whose client gives up on an answer after `timeoutMs`. */
function impatientGateway(timeoutMs: number): SdkIamGateway {
  return new SdkIamGateway(
    createIamClient({ retryDelayMs: () => 1, requestTimeoutMs: timeoutMs }),
    { sleep: async () => {} }
  )
}

async function converges(faults: FaultRule[], seed: number, timeoutMs = 2_000) {
  sandbox.reset(MIXED_SEED)
  const before = sandbox.snapshot()
  sandbox.setFaults(faults, seed)
  const { report } = await apply(file, { iam: impatientGateway(timeoutMs) })
  sandbox.setFaults([])
  expect(report.status).toBe('applied')
  expect(await liveEqualsFile(file)).toBe(true)
  expect(overVersioned(sandbox.snapshot())).toEqual([])
  expect(unguarded(before, sandbox.snapshot())).toEqual([])
}

describe('apply over a failing network', () => {
  for (const seed of [11, 12, 13]) {
    it(`converges with 20% of connections dropped (seed ${seed})`, async () => {
      await converges([{ kind: 'drop', rate: 0.2 }], seed)
      const dropped = sandbox
        .calls()
        .filter(c => c.code === 'ConnectionDropped')
      expect(dropped.length).toBeGreaterThan(0)
    })
  }

  it('converges when writes hang past the request timeout', async () => {
    await converges(
      [
        {
          actions: ['CreatePolicy', 'CreatePolicyVersion', 'AttachUserPolicy'],
          kind: 'hang',
          nth: [1],
          latencyMs: 5_000
        }
      ],
      21,
      300
    )
    const hung = sandbox
      .calls()
      .filter(c => c.code === 'Hung' || c.code === 'ClientClosed')
    expect(hung.length).toBeGreaterThan(0)
  })
})
