/**
 * Kubo's RPC API (`/api/v0/*`, beside the MCP API at `/api/v0/mcp`): the
 * wire format of `ipfs` daemons, so `kubo-rpc-client` and every app built on
 * it works against the browser node. Each command is a thin face over the
 * same models the MCP routes call; none is implemented twice.
 */
import { Hono } from 'hono'
import { observeRequests } from '../app.ts'
import { raceDeadline } from '../deadline.ts'
import { apiRouter } from '../route.ts'
import { registerKuboContent } from './kubo-content.ts'
import { kuboError } from './kubo-errors.ts'
import { registerKuboFiles } from './kubo-files.ts'
import { registerKuboNamesAndNode } from './kubo-names-node.ts'
import { registerKuboPinsBlocksDag } from './kubo-pins-blocks-dag.ts'
import type { ApiDeps, ApiEnv } from '../env.ts'
import type { Hono as HonoApp } from 'hono'

/** The app a command group registers on: its paths are relative to `/api/v0`. */
export type KuboApp = HonoApp<ApiEnv>

/** Commands that take the repo lock themselves (exclusively) and so must not run inside a shared hold. */
const OWN_LOCK = new Set(['/repo/gc'])
/** Commands that need libp2p: they wait for the node's network to have started (it goes on after the node answers). */
const NEEDS_NETWORK = /^\/(id|ping|swarm\/.*|routing\/.*)$/

export const KUBO_PREFIX = '/api/v0'

export function createKuboApi (deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>({ strict: false, router: apiRouter() }).basePath(KUBO_PREFIX)
  app.use(observeRequests(deps, kuboError))
  // as Kubo does: a request another origin's page sent (its Origin header says so) is refused, or any site could drive the node
  app.use(async (c, next) => {
    const origin = c.req.header('origin')
    if (origin != null && origin !== new URL(c.req.url).origin) {
      return c.json({ Message: `403 - Forbidden: requests from ${origin} are not allowed`, Code: 1, Type: 'error' }, 403)
    }
    await next()
  })
  // Kubo answers every command on POST only, and GET with 405
  app.get('*', (c) => c.json({ Message: `method GET not allowed on ${new URL(c.req.url).pathname}: use POST`, Code: 1, Type: 'error' }, 405))
  // as the MCP routes do: every command holds the repo lock shared (garbage collection waits for it) and
  // answers by its deadline; a reply that streams on after the handler returns takes its own share
  app.use(async (c, next) => {
    const command = new URL(c.req.url).pathname.slice(KUBO_PREFIX.length)
    c.set('operation', `kubo_${command.replace(/^\//, '').replaceAll('/', '_')}`)
    c.set('route', `${KUBO_PREFIX}${command}`)
    try {
      if (NEEDS_NETWORK.test(command)) await raceDeadline(c.var.network.ready({ signal: c.var.signal }), c.var.signal, c.var.timeoutMs)
      if (OWN_LOCK.has(command)) await raceDeadline(next(), c.var.signal, c.var.timeoutMs)
      else await raceDeadline(c.var.repoLock.shared(async () => { c.var.signal.throwIfAborted(); await next() }), c.var.signal, c.var.timeoutMs)
    } finally {
      // an unknown command must not become a metrics label
      if (c.res.status === 404 && c.res.headers.get('content-type')?.startsWith('text/plain') === true) {
        c.set('operation', 'unknown')
        c.set('route', 'unmatched')
      }
    }
  })
  registerKuboContent(app, deps)
  registerKuboPinsBlocksDag(app, deps)
  registerKuboFiles(app, deps)
  registerKuboNamesAndNode(app, deps)
  app.notFound((c) => c.text('404 page not found', 404))
  app.onError((err, c) => kuboError(c, err))
  return app
}
