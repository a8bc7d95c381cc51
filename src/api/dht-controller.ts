import { z } from '@hono/zod-openapi'
import { parseCid } from '../node/models/ipfs/content-path.ts'
import { findPeer, findProviders, provide } from '../node/models/network/dht.ts'
import { parsePeerId } from '../node/models/network/peers.ts'
import { ok } from './envelope.ts'
import { addRoute } from './route.ts'
import { timeoutParam } from './schemas.ts'
import { parseJsonBody, parseParams } from './validate.ts'
import type { ApiDeps, ApiEnv } from './env.ts'
import type { OpenAPIHono } from '@hono/zod-openapi'

const FindPeerParams = z.object({ peer_id: z.string().min(1), timeout: timeoutParam })
const FindProvsParams = z.object({ cid: z.string().min(1), num_providers: z.coerce.number().int().min(1).max(100).optional(), timeout: timeoutParam })
const ProvideBody = z.object({ cid: z.string().min(1) })

/** The DHT: /ipfs/dht/*. */
export function registerDhtRoutes (app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  const { helia } = deps.node
  const tags = ['dht']
  for (const method of ['get', 'post'] as const) {
    addRoute(app, { operation: 'dht_findpeer', network: true, method, path: '/ipfs/dht/findpeer', summary: 'A peer\'s addresses', tags, request: { query: FindPeerParams } }, async (c) => {
      const p = await parseParams(c, FindPeerParams)
      const found = await findPeer(helia, parsePeerId(p.peer_id), { signal: c.var.signal })
      return ok(c, { peer_id: found.id, addresses: found.addresses, Responses: [{ ID: found.id, Addrs: found.addresses }] })
    })
    addRoute(app, { operation: 'dht_findprovs', network: true, method, path: '/ipfs/dht/findprovs', summary: 'Providers of a CID (those found before the deadline)', tags, request: { query: FindProvsParams } }, async (c) => {
      const p = await parseParams(c, FindProvsParams)
      const providers = await findProviders(helia, parseCid(p.cid), p.num_providers ?? 20, { signal: c.var.signal })
      return ok(c, { cid: p.cid, providers, count: providers.length })
    })
  }
  addRoute(app, { operation: 'dht_provide', network: true, method: 'post', path: '/ipfs/dht/provide', summary: 'Announce that this node provides a CID', tags, request: { body: { required: true, content: { 'application/json': { schema: ProvideBody } } } } }, async (c) => {
    const body = await parseJsonBody(c, ProvideBody)
    const cid = parseCid(body.cid)
    await provide(helia, cid, { signal: c.var.signal })
    return ok(c, { cid: cid.toString(), provided: true })
  })
}
