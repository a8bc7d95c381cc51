import { API_VERSION } from '../version.ts'
import { ok } from './envelope.ts'
import { addRoute } from './route.ts'
import type { ApiDeps, ApiEnv } from './env.ts'
import type { OpenAPIHono } from '@hono/zod-openapi'

/** Node identity, versions and statistics. */
export function registerNodeRoutes (app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  const { node, host, versions } = deps
  const { helia } = node

  addRoute(app, {
    operation: 'ipfs_id',
    method: 'get',
    path: '/ipfs/id',
    summary: 'Node id, addresses, agent and protocols',
    tags: ['ipfs']
  }, (c) => {
    const libp2p = helia.libp2p
    return ok(c, {
      id: libp2p.peerId.toString(),
      peer_id: libp2p.peerId.toString(),
      public_key: libp2p.peerId.publicKey != null ? btoa(String.fromCharCode(...libp2p.peerId.publicKey.raw)) : null,
      addresses: libp2p.getMultiaddrs().map(String),
      agent_version: `mcp-browser-node/${versions.app} helia/${versions.helia} libp2p/${versions.libp2p}`,
      protocols: libp2p.getProtocols()
    })
  })

  addRoute(app, {
    operation: 'ipfs_version',
    method: 'get',
    path: '/ipfs/version',
    summary: 'Versions of the node software',
    tags: ['ipfs']
  }, (c) => ok(c, { version: versions.helia, helia: versions.helia, libp2p: versions.libp2p, app: versions.app, api_version: API_VERSION }))

  addRoute(app, {
    operation: 'ipfs_stats',
    method: 'get',
    path: '/ipfs/stats',
    summary: 'Per-operation counts, errors, bytes and latency; repo size; storage; uptime',
    tags: ['ipfs']
  }, async (c) => {
    const [repo, storage] = await Promise.all([node.stores.blockstore.stat({ signal: c.var.signal }), host.storage()])
    let pins = 0
    for await (const _ of helia.pins.ls({ signal: c.var.signal })) pins++
    const requests = deps.stats.snapshot()
    return ok(c, {
      operations: requests.operations,
      totals: requests.totals,
      repo: { size_bytes: repo.bytes, object_count: repo.blocks, pin_count: pins },
      storage,
      uptime_seconds: (Date.now() - node.startedAt) / 1000
    })
  })
}
