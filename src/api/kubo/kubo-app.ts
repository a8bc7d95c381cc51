/**
 * Kubo's RPC API (`/api/v0/*`, beside the MCP API at `/api/v0/mcp`): the
 * wire format of `ipfs` daemons, so `kubo-rpc-client` and every app built on
 * it works against the browser node. Each command is a thin face over the
 * same models the MCP routes call; none is implemented twice.
 */
import { Hono } from 'hono'
import { observeRequests } from '../app.ts'
import { kuboError } from './kubo-errors.ts'
import type { ApiDeps, ApiEnv } from '../env.ts'

export const KUBO_PREFIX = '/api/v0'

export function createKuboApi (deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>({ strict: false }).basePath(KUBO_PREFIX)
  app.use(observeRequests(deps, kuboError))
  // Kubo answers every command on POST only, and GET with 405
  app.get('*', (c) => c.json({ Message: `method GET not allowed on ${new URL(c.req.url).pathname}: use POST`, Code: 1, Type: 'error' }, 405))
  app.notFound((c) => c.text('404 page not found', 404))
  app.onError((err, c) => kuboError(c, err))
  return app
}
