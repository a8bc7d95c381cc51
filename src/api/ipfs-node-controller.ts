import { agentVersion, API_VERSION } from '../version.ts'
import { countPins } from '../node/models/ipfs/pins.ts'
import { collectGarbage, nodeCollectorComponents } from '../node/models/ipfs/repo-gc.ts'
import { ok } from './envelope.ts'
import { addRoute } from './route.ts'
import type { ApiDeps, ApiEnv } from './env.ts'
import type { OpenAPIHono } from '@hono/zod-openapi'

/** Removed CIDs listed in a gc reply; the count is always whole. */
const GC_LISTED = 1000

/** Node identity, versions and statistics. */
export function registerNodeRoutes (app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  const { node, host, versions } = deps
  const { helia } = node

  addRoute(app, {
    operation: 'ipfs_id', network: true,
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
      agent_version: agentVersion(versions),
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
    const [repo, storage, pins] = await Promise.all([node.stores.blockstore.stat({ signal: c.var.signal }), host.storage(), countPins(helia, { signal: c.var.signal })])
    const requests = deps.stats.snapshot()
    return ok(c, {
      operations: requests.operations,
      totals: requests.totals,
      repo: { size_bytes: repo.bytes, object_count: repo.blocks, pin_count: pins },
      storage,
      uptime_seconds: (Date.now() - node.startedAt) / 1000
    })
  })

  addRoute(app, {
    operation: 'ipfs_repo_gc',
    method: 'post',
    path: '/ipfs/repo/gc',
    summary: 'Remove every block no pin and no MFS path reaches, and drop their cache records',
    description: 'Waits for adds and writes in progress to finish, and holds new ones until it is done.',
    tags: ['ipfs'],
    // collectGarbage takes the lock itself, exclusively
    holdsRepoLock: false
  }, async (c) => {
    const result = await collectGarbage(nodeCollectorComponents(node), { signal: c.var.signal })
    return ok(c, {
      removed: result.removed.length,
      removed_cids: result.removed.slice(0, GC_LISTED).map(cid => cid.toString()),
      removed_cids_truncated: result.removed.length > GC_LISTED,
      freed_bytes: result.freed_bytes,
      kept: result.kept,
      roots: result.roots,
      records_dropped: result.records_dropped,
      duration_ms: Math.round(result.duration_ms)
    })
  })
}
