import { z } from '@hono/zod-openapi'
import { ANNOUNCE_TOPIC } from '../node/models/network/announcer.ts'
import { describePeers, discoverPeers, networkStatus } from '../node/models/network/distributed.ts'
import { parseDialTarget } from '../node/models/network/peers.ts'
import { pingPeer } from '../node/models/network/ping.ts'
import { ok } from './envelope.ts'
import { addRoute } from './route.ts'
import { parseJsonBody } from './validate.ts'
import type { ApiDeps, ApiEnv } from './env.ts'
import type { OpenAPIHono } from '@hono/zod-openapi'

const PingBody = z.object({ peer_id: z.string().min(1).openapi({ description: 'A peer id or a multiaddr' }), count: z.number().int().min(1).max(20).optional() })
const DiscoverBody = z.object({ max_peers: z.number().int().min(1).max(100).optional(), timeout_seconds: z.number().positive().max(120).optional() })

/** The node among its peers: /distributed/*. */
export function registerDistributedRoutes (app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  const { node } = deps
  const { helia } = node
  const tags = ['distributed']

  addRoute(app, { operation: 'distributed_status', network: true, method: 'get', path: '/distributed/status', summary: 'This node\'s id and role, connection counts by type, relay reservations, DHT routing table size', tags }, (c) => {
    const leader = deps.host.leader()
    return ok(c, { ...networkStatus(helia), role: 'browser-node', networked: node.networked, online: node.online, leader_tab: leader.tab_id })
  })

  addRoute(app, {
    operation: 'distributed_peers', network: true,
    method: 'get',
    path: '/distributed/peers',
    aliases: ['/distributed/peers/list'],
    summary: 'Connected peers: addresses, connection type, direction, latency, protocols',
    tags
  }, async (c) => {
    const peers = (await describePeers(helia)).map(p => ({ ...p, connections: p.connections.map(x => ({ ...x, opened: x.opened / 1000 })) }))
    return ok(c, { peers, count: peers.length })
  })

  addRoute(app, { operation: 'distributed_ping', network: true, method: 'post', path: '/distributed/ping', summary: 'libp2p ping round-trip times', tags, request: { body: { required: true, content: { 'application/json': { schema: PingBody } } } } }, async (c) => {
    const body = await parseJsonBody(c, PingBody)
    const rtts = await pingPeer(helia, parseDialTarget(body.peer_id), body.count ?? 3, { signal: c.var.signal })
    return ok(c, { peer_id: body.peer_id, rtts_ms: rtts, count: rtts.length, average_ms: rtts.reduce((a, b) => a + b, 0) / rtts.length })
  })

  addRoute(app, { operation: 'distributed_discover', network: true, method: 'post', path: '/distributed/peers/discover', summary: 'Walk the DHT from a random key and report the peers found', tags, request: { body: { content: { 'application/json': { schema: DiscoverBody } } } } }, async (c) => {
    const body = c.req.header('content-type') != null ? await parseJsonBody(c, DiscoverBody) : {}
    const signal = AbortSignal.any([c.var.signal, AbortSignal.timeout((body.timeout_seconds ?? 10) * 1000)])
    const peers = await discoverPeers(helia, body.max_peers ?? 20, signal)
    return ok(c, { peers, count: peers.length, method: 'dht-random-walk' })
  })

  addRoute(app, { operation: 'distributed_nodes', network: true, method: 'get', path: '/distributed/nodes/list', summary: 'Nodes of this app heard on the announcement topic, with role and capabilities', tags }, (c) => {
    const nodes = (node.announcer?.list() ?? []).map(n => ({ ...n, last_seen: n.last_seen / 1000 }))
    return ok(c, { nodes, count: nodes.length, topic: ANNOUNCE_TOPIC })
  })
}
