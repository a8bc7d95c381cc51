import { OpenAPIHono } from '@hono/zod-openapi'
import { OperationLog } from '../node/models/core/operation-log.ts'
import { RequestStats } from '../node/models/core/request-stats.ts'
import { createLogger } from '../logger.ts'
import { VERSIONS } from '../version.ts'
import { registerCacheRoutes } from './cache-controller.ts'
import { registerCliRoutes } from './cli-controller.ts'
import { registerCredentialRoutes } from './credentials-controller.ts'
import { registerMetricsRoutes } from './metrics-controller.ts'
import { ApiMetrics } from './metrics.ts'
import { RunningAdds } from './running-adds.ts'
import { registerCoreRoutes } from './core-controller.ts'
import { armDeadline, parseTimeout } from './deadline.ts'
import { errorBody, jsonReply, unixSeconds } from './envelope.ts'
import { classifyError, RouteNotFoundError } from './errors.ts'
import { registerBlockRoutes } from './ipfs-blocks-controller.ts'
import { registerContentRoutes } from './ipfs-content-controller.ts'
import { registerFsJournalRoutes } from './fs-journal-controller.ts'
import { registerDagRoutes } from './ipfs-dag-controller.ts'
import { registerNodeRoutes } from './ipfs-node-controller.ts'
import { API_PREFIX, apiRouter } from './route.ts'
import { isWholeJson } from './whole-json.ts'
import { registerPinRoutes } from './ipfs-pins-controller.ts'
import { registerMfsRoutes } from './mfs-controller.ts'
import { registerSwarmRoutes } from './swarm-controller.ts'
import { registerNameRoutes } from './names-controller.ts'
import { registerDhtRoutes } from './dht-controller.ts'
import { registerDistributedRoutes } from './distributed-controller.ts'
import { registerWebRTCRoutes } from './webrtc-controller.ts'
import type { ApiDeps, ApiEnv } from './env.ts'
import type { McpNode } from '../node/create-node.ts'
import type { HostInfo } from '../node/host-info.ts'
import type { Context, MiddlewareHandler } from 'hono'

export { API_PREFIX }

const log = createLogger('mcp:api')

export interface CreateApiInit {
  node: McpNode
  host: HostInfo
}

/** What every face of the API shares: the node, the operation log, the statistics and the metrics. */
export function createApiDeps (init: CreateApiInit): ApiDeps {
  return {
    ...init,
    versions: VERSIONS,
    operations: new OperationLog(),
    stats: new RequestStats(),
    metrics: new ApiMetrics(init.node, VERSIONS, Date.now()),
    adds: new RunningAdds(),
    startedAt: Date.now()
  }
}

/** How a face of the API writes an error: the MCP envelope, Kubo's `{Message, Code, Type}`, or the gateway's text. */
export type ErrorWriter = (c: Context<ApiEnv>, err: unknown) => Response

/** The error's message and type, read back from whichever JSON shape a face wrote it in. */
function failureOf (body: Record<string, unknown> | undefined): { error: string, error_type: string } | undefined {
  if (body == null) return undefined
  if (typeof body.error === 'string') return { error: body.error, error_type: typeof body.error_type === 'string' ? body.error_type : 'Error' }
  if (typeof body.Message === 'string') return { error: body.Message, error_type: typeof body.error_type === 'string' ? body.error_type : 'Error' }
  return undefined
}

/**
 * The middleware every face runs first: the request's deadline and signal,
 * the repo lock, errors written in the face's own shape, and one record per
 * request in the operation log, the statistics and the metrics.
 */
export interface ObserveOptions {
  /**
   * A fixed deadline instead of `?timeout=`: the gateway's query string
   * belongs to the content it serves (as Kubo's Gateway.RetrievalTimeout,
   * the time to the first byte is a setting, not a request parameter).
   */
  fixedTimeoutMs?: number
}

/** HTTP methods a label may carry; any other token is counted as `other`, so a label's values stay few. */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'])

export function observeRequests (deps: ApiDeps, writeError: ErrorWriter, options: ObserveOptions = {}): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const started = performance.now()
    const timestamp = unixSeconds()
    c.set('operation', 'unknown')
    c.set('route', 'unmatched')
    c.set('repoLock', deps.node.repoLock)
    c.set('network', deps.node.network)
    let failure: { error: string, error_type: string } | undefined
    let bytesIn = 0
    let body: TransformStreamDefaultController<Uint8Array> | undefined
    if (c.req.raw.body != null) {
      // count what the handler actually reads: Content-Length is absent for streamed bodies
      const counted = c.req.raw.body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
        start (controller) { body = controller },
        transform (chunk, controller) {
          bytesIn += chunk.byteLength
          controller.enqueue(chunk)
        }
      }))
      c.req.raw = new Request(c.req.raw, { body: counted, duplex: 'half' } as RequestInit)
    }
    let disarm = (): void => {}
    try {
      const timeoutMs = options.fixedTimeoutMs ?? parseTimeout(c.req.query('timeout'))
      const deadline = armDeadline(c.req.raw.signal, timeoutMs)
      disarm = deadline.disarm
      c.set('timeoutMs', timeoutMs)
      c.set('signal', deadline.signal)
      // a body still being read when the request is given up fails its reader, which lets go of what it holds
      // (the repo lock): a body that stopped coming would otherwise keep it waiting
      deadline.signal.addEventListener('abort', () => { body?.error(deadline.signal.reason) }, { once: true })
      await next()
    } catch (err) {
      c.res = writeError(c, err)
    } finally {
      disarm()
    }
    if (c.res.status >= 400 && c.res.headers.get('content-type')?.includes('json') === true) {
      failure = failureOf(await c.res.clone().json().catch(() => undefined) as Record<string, unknown> | undefined)
    }
    const operation = c.var.operation
    const duration = performance.now() - started
    deps.operations.record({
      operation,
      method: c.req.method,
      path: new URL(c.req.url).pathname,
      status: c.res.status,
      duration_ms: Math.round(duration * 1000) / 1000,
      timestamp,
      ...failure
    })
    deps.stats.record(operation, duration, c.res.status >= 400, bytesIn)
    const method = KNOWN_METHODS.has(c.req.method) ? c.req.method : 'other'
    deps.metrics.observeRequest({ route: c.var.route, method, status: c.res.status, operation, seconds: duration / 1000, bytesIn })
    // the request's body is done with once the reply is (a handler that replies while it still reads,
    // as a progress reply does, reads within its reply's stream): what is left unread is let go, and
    // its sender may stop sending it
    const bodyDone = (): void => { body?.error(new DOMException('the request was answered before its body was read', 'AbortError')) }
    await countBytesOut(c, (n) => {
      deps.stats.addBytesOut(operation, n)
      deps.metrics.addBytesOut(operation, n)
    }, bodyDone)
  }
}

/** The MCP API as a Hono app: `app.fetch(Request)` answers any `/api/v0/mcp/*` request. */
export function createApi (init: CreateApiInit | ApiDeps): OpenAPIHono<ApiEnv> {
  const deps = 'operations' in init ? init : createApiDeps(init)
  const app = new OpenAPIHono<ApiEnv>({
    router: apiRouter(),
    strict: false
  }).basePath(API_PREFIX)

  app.use(observeRequests(deps, errorResponse))

  registerCoreRoutes(app, deps)
  registerContentRoutes(app, deps)
  registerPinRoutes(app, deps)
  registerBlockRoutes(app, deps)
  registerDagRoutes(app, deps)
  registerNodeRoutes(app, deps)
  registerMfsRoutes(app, deps)
  registerFsJournalRoutes(app, deps)
  registerSwarmRoutes(app, deps)
  registerNameRoutes(app, deps)
  registerDhtRoutes(app, deps)
  registerDistributedRoutes(app, deps)
  registerWebRTCRoutes(app, deps)
  registerCacheRoutes(app, deps)
  registerMetricsRoutes(app, deps)
  registerCredentialRoutes(app, deps)
  registerCliRoutes(app, deps)

  app.use('/openapi.json', async (c, next) => {
    c.set('operation', 'openapi')
    c.set('route', '/openapi.json')
    await next()
  })
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'MCP browser node API',
      version: deps.versions.app,
      description: 'The Model-Controller-Persistence API of an IPFS node running in the browser, answered by a service worker.'
    },
    servers: [{ url: '/' }]
  })

  app.notFound((c) => c.json(errorBody('unknown', {
    status: 404,
    error: `no route for ${c.req.method} ${new URL(c.req.url).pathname}`,
    error_type: RouteNotFoundError.name
  }), 404))
  app.onError((err, c) => errorResponse(c, err))
  return app
}

function errorResponse (c: Context<ApiEnv>, err: unknown): Response {
  const classified = classifyError(err)
  if (classified.status === 500) {
    // a real bug: keep its detail in the console of the leader tab, not in the reply
    log.error(`unhandled error in ${c.var.operation}`, err)
  }
  return jsonReply(c, errorBody(c.var.operation ?? 'unknown', classified), classified.status)
}

/**
 * Counts the bytes of a reply as they leave, without holding a stream back.
 * A JSON reply made in one piece is in memory already: it is read whole and
 * given its Content-Length (and the bridge then hands it over as one buffer),
 * where a counting stream cost more than the rest of a small request.
 */
async function countBytesOut (c: Context<ApiEnv>, add: (n: number) => void, ended: () => void): Promise<void> {
  const length = Number(c.res.headers.get('content-length'))
  if (c.res.body == null || (Number.isFinite(length) && length > 0 && c.res.headers.has('content-length'))) {
    if (c.res.body != null) add(length)
    ended()
    return
  }
  if (isWholeJson(c.res)) {
    const bytes = await c.res.arrayBuffer()
    add(bytes.byteLength)
    const headers = new Headers(c.res.headers)
    headers.set('content-length', String(bytes.byteLength))
    c.res = new Response(bytes, { status: c.res.status, statusText: c.res.statusText, headers })
    ended()
    return
  }
  const counted = c.res.body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
    transform (chunk, controller) {
      add(chunk.byteLength)
      controller.enqueue(chunk)
    },
    flush () { ended() },
    cancel () { ended() }
  } as Transformer<Uint8Array, Uint8Array>))
  c.res = new Response(counted, c.res)
}
