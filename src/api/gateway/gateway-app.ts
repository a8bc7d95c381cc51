/**
 * The IPFS path gateway on the app's origin: `/ipfs/<cid>[/path]` and
 * `/ipns/<name>[/path]`, answered by the service worker like the APIs, so
 * `<img src="/ipfs/…">` works in any page of the site.
 */
import { Hono } from 'hono'
import { createLogger } from '../../logger.ts'
import { observeRequests } from '../app.ts'
import { apiRouter } from '../route.ts'
import { DEFAULT_TIMEOUT_MS } from '../timeout.ts'
import { classifyError } from '../errors.ts'
import { textReply } from './gateway-request.ts'
import { registerGatewayRoutes } from './gateway-routes.ts'
import type { ApiDeps, ApiEnv } from '../env.ts'
import type { Context } from 'hono'

const log = createLogger('mcp:gateway')

/** Gateway errors are plain text for a person (the status says the rest), as Kubo's gateway writes them. */
export function gatewayError (c: Context<ApiEnv>, err: unknown): Response {
  const classified = classifyError(err)
  if (classified.status === 500) {
    // a real bug: its detail goes to the leader tab's console, never into the reply
    log.error(`unhandled error in ${c.var.operation}`, err)
  }
  return textReply(classified.status, classified.error)
}

export interface GatewayOptions {
  /** How long a request may take to its first byte (default 60 s). */
  retrievalTimeoutMs?: number
}

export function createGateway (deps: ApiDeps, options: GatewayOptions = {}): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>({ strict: false, router: apiRouter() })
  app.use(observeRequests(deps, gatewayError, { fixedTimeoutMs: options.retrievalTimeoutMs ?? DEFAULT_TIMEOUT_MS }))
  registerGatewayRoutes(app, deps)
  app.notFound((c) => c.text('404 page not found\n', 404))
  app.onError((err, c) => gatewayError(c, err))
  return app
}
