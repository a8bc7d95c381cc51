/**
 * `GET`/`HEAD` `/ipfs/<cid>[/path]` and `/ipns/<name>[/path]`: resolves the
 * name (with the model `name/resolve` uses), then hands the content to the
 * responder for the format asked for. Only reads, so it takes no share of
 * the repo lock.
 */
import { parseCid, parseContentPath } from '../../node/models/ipfs/content-path.ts'
import { parseIpnsName, resolveName } from '../../node/models/network/names.ts'
import { contentReads } from '../content-reads.ts'
import { contentResponse } from './content-response.ts'
import { IMMUTABLE_CACHE_CONTROL, ipnsCacheControl } from './http-cache.ts'
import { parseGatewayPath } from './request-path.ts'
import { negotiateFormat, parseDagScope } from './response-format.ts'
import { tarResponse } from './tar-response.ts'
import { carResponse, rawBlockResponse } from './trustless-response.ts'
import { textReply } from './gateway-request.ts'
import type { ApiDeps, ApiEnv } from '../env.ts'
import type { GatewayRequest } from './gateway-request.ts'
import type { Namespace } from './request-path.ts'
import type { Context, Hono } from 'hono'

const OPERATIONS: Readonly<Record<Namespace, { operation: string, route: string }>> = {
  ipfs: { operation: 'gateway_ipfs', route: '/ipfs/{cid}' },
  ipns: { operation: 'gateway_ipns', route: '/ipns/{name}' }
}

export function registerGatewayRoutes (app: Hono<ApiEnv>, deps: ApiDeps): void {
  for (const namespace of ['ipfs', 'ipns'] as const) {
    const pattern = `/${namespace}/*`
    app.use(pattern, async (c, next) => {
      // labels that never hold a CID or a name, set before anything can fail
      c.set('operation', OPERATIONS[namespace].operation)
      c.set('route', OPERATIONS[namespace].route)
      await next()
    })
    // hono answers HEAD with the GET handler and drops the body; the handler also reads nothing it need not
    app.get(pattern, async (c) => gatewayResponse(c, deps))
    app.all(pattern, (c) => textReply(405, `${c.req.method} is not allowed here: the gateway only reads (GET, HEAD)`, { Allow: 'GET, HEAD' }))
  }
}

async function gatewayResponse (c: Context<ApiEnv>, deps: ApiDeps): Promise<Response> {
  const path = parseGatewayPath(c.req.url)
  const format = negotiateFormat(c.req.query('format'), c.req.header('accept'))
  const read = contentReads(c, deps.node)
  const base = { c, deps, path, read, head: c.req.method === 'HEAD' }
  let req: GatewayRequest
  if (path.namespace === 'ipns') {
    const resolved = await resolveName(deps.node.names, parseIpnsName(path.root), read)
    const named = parseContentPath(resolved.path)
    req = { ...base, target: { cid: named.cid, segments: [...named.segments, ...path.segments] }, cacheControl: ipnsCacheControl(resolved.ttlMs) }
  } else {
    req = { ...base, target: { cid: parseCid(path.root), segments: path.segments }, cacheControl: IMMUTABLE_CACHE_CONTROL }
  }
  if (format === 'raw') return rawBlockResponse(req)
  if (format === 'car') return carResponse(req, parseDagScope(c.req.query('dag-scope') ?? (c.req.query('entity-bytes') != null ? 'entity' : undefined)))
  if (format === 'tar') return tarResponse(req)
  return contentResponse(req)
}
