import { randomUUID } from 'node:crypto'
import {
  createServer,
  type IncomingMessage,
  type ServerResponse
} from 'node:http'
import type { AddressInfo } from 'node:net'
import { performance } from 'node:perf_hooks'
import { ACTIONS, SANDBOX_ACTIONS } from './actions.js'
import { handleAdmin, ADMIN_PREFIX } from './admin-routes.js'
import { FaultInjector, type FaultDecision } from './faults.js'
import { IamError } from './iam-error.js'
import { QueryParams } from './query-params.js'
import { applySeed, buildStore, resolveSeed } from './seed.js'
import type { IamStore } from './store.js'
import type {
  CallRecord,
  FaultRule,
  IamSandbox,
  SandboxOptions,
  SeedFixture
} from './types.js'
import { errorXml, responseXml } from './xml.js'

/** The only address the sandbox listens on. */
export const SANDBOX_HOST = '127.0.0.1'
/** Account id used in ARNs unless another is given. */
export const DEFAULT_ACCOUNT_ID = '123456789012'
/** The IAM API version every request must name (or leave out). */
export const IAM_API_VERSION = '2010-05-08'
/** Oldest records are dropped past this many, so a long demo stays small. */
export const MAX_CALL_LOG = 100_000
/** How long an idle keep-alive connection is kept. */
export const KEEP_ALIVE_MS = 120_000
/** Largest request body accepted; IAM's own documents are far smaller. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024

/** The controls an admin route may use; a superset of the public handle. */
export interface SandboxControls extends IamSandbox {
  seed(fixture: SeedFixture, source: string): void
  faults(): FaultRule[]
  actions(): string[]
}

/**
 * Starts an IAM endpoint on 127.0.0.1 that the AWS SDK can be pointed at
 * with `endpoint` or `AWS_ENDPOINT_URL_IAM`.
 */
export async function startIamSandbox(
  options: SandboxOptions = {}
): Promise<IamSandbox> {
  const accountId = options.accountId ?? DEFAULT_ACCOUNT_ID
  const initialSeed = resolveSeed(options.seed)
  let store: IamStore = buildStore(initialSeed, accountId)
  const injector = new FaultInjector(options.faults, options.randomSeed)
  let log: CallRecord[] = []
  const pendingHolds = new Set<() => void>()

  const controls: SandboxControls = {
    url: '',
    calls: () =>
      log.map(c => ({
        ...c,
        params: { ...c.params },
        ...(c.faults ? { faults: [...c.faults] } : {})
      })),
    clearCalls: () => {
      log = []
    },
    snapshot: () => store.snapshot(),
    setFaults: (rules, randomSeed) => injector.set(rules, randomSeed),
    reset: seed => {
      store = buildStore(
        seed === undefined ? initialSeed : resolveSeed(seed),
        accountId
      )
    },
    seed: (fixture, source) => applySeed(store, resolveSeed(fixture), source),
    faults: () => injector.list(),
    actions: () => [...SANDBOX_ACTIONS],
    close: async () => {
      for (const cancel of [...pendingHolds]) cancel()
      await new Promise<void>(resolve => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
    }
  }

  const record = (entry: CallRecord) => {
    if (log.length >= MAX_CALL_LOG) log.shift()
    log.push(entry)
  }

  // Holds a call back; false when the client left or the sandbox closed.
  const hold = (ms: number, res: ServerResponse) =>
    new Promise<boolean>(resolve => {
      const finish = (completed: boolean) => {
        clearTimeout(timer)
        res.off('close', onClose)
        pendingHolds.delete(cancel)
        resolve(completed)
      }
      const onClose = () => finish(false)
      const cancel = () => finish(false)
      const timer = setTimeout(() => finish(true), ms)
      res.on('close', onClose)
      pendingHolds.add(cancel)
    })

  const serveIam = async (
    req: IncomingMessage,
    res: ServerResponse,
    body: string,
    query: string,
    arrivedAt: number
  ) => {
    let started = performance.now()
    const params = QueryParams.parse(body, query)
    if (options.pageSize !== undefined) params.pageCap = options.pageSize
    const action = params.optional('Action') ?? ''
    const entry: CallRecord = {
      action,
      params: params.toRecord(),
      status: 0,
      at: arrivedAt,
      durationMs: 0
    }
    record(entry)
    const decision = injector.decide(action)
    if (decision.fired.length > 0) entry.faults = decision.fired
    let ownMs = performance.now() - started

    const waitMs =
      decision.delayMs + (decision.terminal === 'hang' ? decision.hangMs : 0)
    if (waitMs > 0) {
      entry.injectedMs = waitMs
      const completed = await hold(waitMs, res)
      if (!completed) {
        // The client gave up or the sandbox closed: the call is never applied.
        entry.code = decision.terminal === 'hang' ? 'Hung' : 'ClientClosed'
        entry.durationMs = ownMs
        res.destroy()
        return
      }
    }

    started = performance.now()
    if (decision.terminal === 'drop') {
      // Dropped before IAM saw it: the call is not applied.
      entry.code = 'ConnectionDropped'
      req.socket.destroy()
    } else {
      const requestId = randomUUID()
      const { status, xml, code } = answer(action, params, decision, requestId)
      entry.status = status
      if (code !== undefined) entry.code = code
      res.writeHead(status, {
        'Content-Type': 'text/xml',
        'Content-Length': Buffer.byteLength(xml),
        'x-amzn-RequestId': requestId
      })
      res.end(xml)
    }
    ownMs += performance.now() - started
    entry.durationMs = ownMs
  }

  const answer = (
    action: string,
    params: QueryParams,
    decision: FaultDecision,
    requestId: string
  ): { status: number; xml: string; code?: string } => {
    try {
      const fault = faultError(decision, action, accountId)
      if (fault) throw fault
      const handler = ACTIONS[action]
      if (handler === undefined) {
        throw new IamError(
          'InvalidAction',
          `Could not find operation ${action} for version ${IAM_API_VERSION}. ` +
            'The IAM sandbox answers only the actions listed at GET /_sandbox.'
        )
      }
      const version = params.optional('Version')
      if (version !== undefined && version !== IAM_API_VERSION) {
        throw new IamError(
          'InvalidAction',
          `Could not find operation ${action} for version ${version}.`
        )
      }
      const result = handler(params, store)
      return { status: 200, xml: responseXml(action, result, requestId) }
    } catch (error) {
      const iamError =
        error instanceof IamError
          ? error
          : new IamError(
              'ServiceFailure',
              `The IAM sandbox failed on ${action}: ${String(error)}`
            )
      return {
        status: iamError.status,
        xml: errorXml(iamError, requestId),
        code: iamError.code
      }
    }
  }

  const server = createServer((req, res) => {
    const arrivedAt = Date.now()
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size <= MAX_BODY_BYTES) chunks.push(chunk)
    })
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const url = req.url ?? '/'
      const q = url.indexOf('?')
      const path = q < 0 ? url : url.slice(0, q)
      const query = q < 0 ? '' : url.slice(q + 1)

      if (size > MAX_BODY_BYTES) {
        res.writeHead(413, { 'Content-Type': 'text/plain' })
        res.end(`Request body over ${MAX_BODY_BYTES} bytes.\n`)
      } else if (path.startsWith(ADMIN_PREFIX)) {
        handleAdmin(req, res, path, body, controls)
      } else {
        serveIam(req, res, body, query, arrivedAt).catch(() => res.destroy())
      }
    })
  })

  // Idle keep-alive sockets stay open well past any pause in a test or a
  // demo: a socket closed just as the SDK reuses it would show up as a
  // spurious ECONNRESET. close() ends them all at once anyway.
  server.keepAliveTimeout = KEEP_ALIVE_MS
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, SANDBOX_HOST, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  controls.url = `http://${SANDBOX_HOST}:${port}`
  return controls
}

function faultError(
  decision: FaultDecision,
  action: string,
  accountId: string
): IamError | undefined {
  switch (decision.terminal) {
    case 'throttle':
      return new IamError('Throttling', 'Rate exceeded')
    // As IAM words it for a caller whose policies do not allow the action.
    case 'access-denied':
      return new IamError(
        'AccessDenied',
        `User: arn:aws:iam::${accountId}:user/sandbox is not authorized to perform: iam:${action} because no identity-based policy allows the iam:${action} action`
      )
    case 'status-500':
      return new IamError(
        'ServiceFailure',
        'The request processing has failed because of an unknown error, exception or failure.'
      )
    // IAM documents no body for a 503; the sandbox sends its usual envelope.
    case 'status-503':
      return new IamError(
        'ServiceUnavailable',
        'Service is unavailable. Please try again later.'
      )
    default:
      return undefined
  }
}
