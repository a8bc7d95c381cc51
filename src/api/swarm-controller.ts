import { z } from '@hono/zod-openapi'
import { connectPeer, disconnectPeer, listConnections, parseDialTarget } from '../node/models/network/peers.ts'
import { ok } from './envelope.ts'
import { addRoute } from './route.ts'
import { parseJsonBody } from './validate.ts'
import type { ApiDeps, ApiEnv } from './env.ts'
import type { OpenAPIHono } from '@hono/zod-openapi'

const AddressBody = z.object({ address: z.string().min(1).openapi({ description: 'A multiaddr (with /p2p/<id>) or a peer id' }) })

/** Connections: /ipfs/swarm/*. */
export function registerSwarmRoutes (app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  const { helia } = deps.node
  const tags = ['swarm']

  addRoute(app, { operation: 'swarm_peers', network: true, method: 'get', path: '/ipfs/swarm/peers', summary: 'Open connections: peer, address, type (webrtc, relayed, websockets), direction', tags }, (c) => {
    const peers = listConnections(helia).map(p => ({ ...p, opened: p.opened / 1000 }))
    return ok(c, { peers, count: peers.length })
  })

  addRoute(app, { operation: 'swarm_connect', network: true, method: 'post', path: '/ipfs/swarm/connect', summary: 'Dial a peer; the reply gives the connection\'s real address and type', tags, request: { body: { required: true, content: { 'application/json': { schema: AddressBody } } } } }, async (c) => {
    const { address } = await parseJsonBody(c, AddressBody)
    const connection = await connectPeer(helia, parseDialTarget(address), { signal: c.var.signal })
    return ok(c, { connected: true, ...connection, opened: connection.opened / 1000 })
  })

  addRoute(app, { operation: 'swarm_disconnect', network: true, method: 'post', path: '/ipfs/swarm/disconnect', summary: 'Close every connection to a peer', tags, request: { body: { required: true, content: { 'application/json': { schema: AddressBody } } } } }, async (c) => {
    const { address } = await parseJsonBody(c, AddressBody)
    await disconnectPeer(helia, parseDialTarget(address), { signal: c.var.signal })
    return ok(c, { disconnected: true, address })
  })
}
