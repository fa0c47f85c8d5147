import { ADMIN_PREFIX } from './admin-routes.js'
import type {
  CallRecord,
  FaultRule,
  SeedFixture,
  StateSnapshot
} from './types.js'

/** The admin routes of a sandbox that may run in another process. */
export interface RemoteSandbox {
  url: string
  calls(): Promise<CallRecord[]>
  clearCalls(): Promise<void>
  snapshot(): Promise<StateSnapshot>
  setFaults(rules: FaultRule[], randomSeed?: number): Promise<void>
  /** Back to the start-up seed, or to `fixture` when given. */
  reset(fixture?: SeedFixture): Promise<void>
  /** Adds a fixture to the current state. */
  seed(fixture: SeedFixture): Promise<void>
}

/** Drives a running sandbox (e.g. one started by `npm run sandbox`) by URL. */
export function connectIamSandbox(url: string): RemoteSandbox {
  const base = url.replace(/\/+$/, '')

  const call = async (method: string, route: string, body?: unknown) => {
    const response = await fetch(`${base}${ADMIN_PREFIX}${route}`, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body)
    })
    const data: unknown = await response.json()
    if (!response.ok) {
      const message = (data as { error?: string }).error ?? response.statusText
      throw new Error(`IAM sandbox at ${base}: ${message}`)
    }
    return data
  }

  return {
    url: base,
    calls: async () => (await call('GET', '/calls')) as CallRecord[],
    clearCalls: async () => {
      await call('DELETE', '/calls')
    },
    snapshot: async () => (await call('GET', '/state')) as StateSnapshot,
    setFaults: async (rules, randomSeed) => {
      await call('POST', '/faults', { rules, randomSeed })
    },
    reset: async fixture => {
      await call('POST', '/reset', fixture)
    },
    seed: async fixture => {
      await call('POST', '/seed', fixture)
    }
  }
}
