import type { IncomingMessage, ServerResponse } from 'node:http'
import { parse as parseYaml } from 'yaml'
import type { SandboxControls } from './server.js'
import type { FaultRule, SeedFixture } from './types.js'

/** Every admin route lives under this path, which IAM never uses. */
export const ADMIN_PREFIX = '/_sandbox'

/**
 * Serves the admin routes, so a test can drive a sandbox that runs in
 * another process:
 *
 * - `GET /_sandbox` — URL, answered actions and fault rules
 * - `GET /_sandbox/calls`, `DELETE /_sandbox/calls` — the call log
 * - `GET /_sandbox/state` — the state snapshot
 * - `GET|POST /_sandbox/faults` — `{ rules, randomSeed? }` or a bare list
 * - `POST /_sandbox/reset` — empty body: back to the start-up seed;
 *   a JSON fixture: that state instead
 * - `POST /_sandbox/seed` — a JSON or YAML fixture added to the state; on
 *   an error, the entries before the failing one stay
 */
export function handleAdmin(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  body: string,
  sandbox: SandboxControls
): void {
  const route = `${req.method ?? 'GET'} ${path.replace(/\/+$/, '')}`
  try {
    switch (route) {
      case `GET ${ADMIN_PREFIX}`:
        return sendJson(res, 200, {
          url: sandbox.url,
          actions: sandbox.actions(),
          faults: sandbox.faults()
        })
      case `GET ${ADMIN_PREFIX}/calls`:
        return sendJson(res, 200, sandbox.calls())
      case `DELETE ${ADMIN_PREFIX}/calls`:
        sandbox.clearCalls()
        return sendJson(res, 200, { cleared: true })
      case `GET ${ADMIN_PREFIX}/state`:
        return sendJson(res, 200, sandbox.snapshot())
      case `GET ${ADMIN_PREFIX}/faults`:
        return sendJson(res, 200, { rules: sandbox.faults() })
      case `POST ${ADMIN_PREFIX}/faults`: {
        const { rules, randomSeed } = faultsFrom(readJson(body))
        sandbox.setFaults(rules, randomSeed)
        return sendJson(res, 200, { rules: sandbox.faults() })
      }
      case `POST ${ADMIN_PREFIX}/reset`:
        sandbox.reset(body.trim() === '' ? undefined : fixtureFrom(body))
        return sendJson(res, 200, sandbox.snapshot())
      case `POST ${ADMIN_PREFIX}/seed`:
        sandbox.seed(fixtureFrom(body, req), 'POST /_sandbox/seed')
        return sendJson(res, 200, sandbox.snapshot())
      default:
        return sendJson(res, 404, {
          error: `No admin route ${route}. Routes: GET ${ADMIN_PREFIX}, GET|DELETE ${ADMIN_PREFIX}/calls, GET ${ADMIN_PREFIX}/state, GET|POST ${ADMIN_PREFIX}/faults, POST ${ADMIN_PREFIX}/reset, POST ${ADMIN_PREFIX}/seed`
        })
    }
  } catch (error) {
    sendJson(res, 400, {
      error: `${route}: ${error instanceof Error ? error.message : String(error)}`
    })
  }
}

function faultsFrom(data: unknown): {
  rules: FaultRule[]
  randomSeed?: number
} {
  if (Array.isArray(data)) return { rules: data as FaultRule[] }
  if (typeof data === 'object' && data !== null && 'rules' in data) {
    const { rules, randomSeed } = data as {
      rules: unknown
      randomSeed?: unknown
    }
    if (!Array.isArray(rules)) throw new Error("'rules' must be a list")
    if (randomSeed !== undefined && typeof randomSeed !== 'number') {
      throw new Error("'randomSeed' must be a number")
    }
    return { rules: rules as FaultRule[], randomSeed }
  }
  throw new Error('expected { "rules": [...], "randomSeed"?: n } or a list')
}

// Only a fixture object: a string would be read as a file path.
function fixtureFrom(body: string, req?: IncomingMessage): SeedFixture {
  const type = req?.headers['content-type'] ?? ''
  const data: unknown = /yaml/i.test(type)
    ? (parseYaml(body) ?? {})
    : readJson(body)
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new Error(
      'expected a fixture: a mapping of users, groups, roles, policies'
    )
  }
  return data as SeedFixture
}

function readJson(body: string): unknown {
  try {
    return JSON.parse(body)
  } catch {
    throw new Error('the body is not valid JSON')
  }
}

function sendJson(res: ServerResponse, status: number, data: unknown): void {
  const text = JSON.stringify(data)
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text)
  })
  res.end(text)
}
