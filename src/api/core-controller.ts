import { z } from '@hono/zod-openapi'
import { API_VERSION } from '../version.ts'
import { ok } from './envelope.ts'
import { addRoute } from './route.ts'
import { count, timeoutParam } from './schemas.ts'
import { parseQuery } from './validate.ts'
import type { ApiDeps, ApiEnv } from './env.ts'
import type { McpNode } from '../node/create-node.ts'
import type { NetworkStatus } from '../node/network-start.ts'
import type { OpenAPIHono } from '@hono/zod-openapi'

const OperationsQuery = z.object({
  limit: count.max(1000).optional().openapi({ description: 'How many of the most recent operations (default 100, at most 1000)' }),
  timeout: timeoutParam
})

/** Names of the models this API serves. */
const MODELS = ['ipfs', 'mfs', 'fs_journal', 'ipns', 'dht', 'swarm', 'distributed', 'webrtc']

/** The network's state as the API reports it: `offline` for a node started without one. */
function networkState (node: McpNode): NetworkStatus | 'offline' {
  return node.networked ? node.network.status : 'offline'
}

/** Health, debug, the operations log, node/leader state and versions. */
export function registerCoreRoutes (app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  const { node, host, versions } = deps

  addRoute(app, {
    operation: 'health',
    method: 'get',
    path: '/health',
    summary: 'Is the node up',
    tags: ['core']
  }, (c) => ok(c, {
    status: 'ok',
    node_id: node.peerId.toString(),
    // the node answers from its stores while its network is still starting
    node_started: true,
    network: networkState(node),
    api_version: API_VERSION,
    version: versions.app
  }))

  addRoute(app, {
    operation: 'debug',
    method: 'get',
    path: '/debug',
    summary: 'Server info, models, storage and node configuration (no secrets)',
    tags: ['core']
  }, async (c) => ok(c, {
    server_info: {
      start_time: deps.startedAt / 1000,
      uptime_seconds: (Date.now() - deps.startedAt) / 1000,
      operation_count: deps.operations.count,
      api_version: API_VERSION,
      versions
    },
    models: MODELS,
    storage: await host.storage(),
    node: {
      peer_id: node.peerId.toString(),
      status: 'started',
      network: networkState(node),
      network_error: node.network.error?.message ?? null,
      online: node.online,
      started_at: node.startedAt / 1000,
      listen_addresses: node.network.status === 'started' ? node.helia.libp2p.getMultiaddrs().map(String) : [],
      protocols: node.network.status === 'started' ? node.helia.libp2p.getProtocols() : [],
      stores: { blocks: node.stores.blockstore.location ?? 'memory', datastore: 'IndexedDB' }
    },
    leader: host.leader()
  }))

  addRoute(app, {
    operation: 'list_operations',
    method: 'get',
    path: '/operations',
    summary: 'The most recent operations (a ring buffer of 1000)',
    tags: ['core'],
    request: { query: OperationsQuery }
  }, (c) => {
    const { limit } = parseQuery(c, OperationsQuery)
    const operations = deps.operations.recent(limit ?? 100)
    return ok(c, { operations, count: operations.length, total: deps.operations.count })
  })

  addRoute(app, {
    operation: 'daemon_status',
    method: 'get',
    path: '/daemon/status',
    aliases: ['/ipfs/daemon/status'],
    summary: 'Node and leader state',
    description: 'There is no daemon process: the node runs inside the leader browser tab, which holds the Web Lock "mcp-node".',
    tags: ['core']
  }, (c) => {
    const leader = host.leader()
    return ok(c, {
      daemon: 'none',
      note: 'No separate daemon exists or can be started: the IPFS node runs in the page of the leader tab (the holder of the Web Lock "mcp-node"); other tabs reach it through the service worker.',
      node_running: true,
      node_status: 'started',
      network: networkState(node),
      node_id: node.peerId.toString(),
      leader,
      uptime_seconds: (Date.now() - node.startedAt) / 1000
    })
  })

  addRoute(app, {
    operation: 'cli_version',
    method: 'get',
    path: '/cli/version',
    summary: 'Versions of the app, helia, libp2p and the API',
    tags: ['cli']
  }, (c) => ok(c, { version: versions.app, versions, api_version: API_VERSION }))
}
