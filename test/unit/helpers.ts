import { createApi } from '../../src/api/app.ts'
import { createSite } from '../../src/api/site.ts'
import { createNode, memoryStores } from '../../src/node/create-node.ts'
import { standaloneHost } from '../../src/node/host-info.ts'
import type { McpNode } from '../../src/node/create-node.ts'

export const BASE = 'http://localhost/api/v0/mcp'

export interface TestApi {
  node: McpNode
  request(path: string, init?: RequestInit): Promise<Response>
  json<T = Record<string, any>>(path: string, init?: RequestInit): Promise<{ status: number, body: T }>
  stop(): Promise<void>
}

/** A node on memory stores and the API over it, called with app.request (no server, no browser). */
export async function startTestApi (): Promise<TestApi> {
  const node = await createNode({ stores: memoryStores() })
  const app = createApi({ node, host: standaloneHost() })
  const request = async (path: string, init?: RequestInit): Promise<Response> => app.request(`${BASE}${path}`, init)
  return {
    node,
    request,
    async json (path, init) {
      const response = await request(path, init)
      return { status: response.status, body: await response.json() }
    },
    stop: async () => { await node.stop() }
  }
}

export function postJson (body: unknown): RequestInit {
  return { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }
}

export interface TestSite {
  node: McpNode
  /** A request to any path of the site: `/api/v0/mcp/…`, `/api/v0/…` (Kubo RPC) or `/ipfs/…` (the gateway). */
  request(path: string, init?: RequestInit): Promise<Response>
  stop(): Promise<void>
}

/** Everything the service worker forwards (MCP, Kubo RPC, gateway) on one node on memory stores. */
export async function startTestSite (): Promise<TestSite> {
  const node = await createNode({ stores: memoryStores() })
  const site = createSite({ node, host: standaloneHost() })
  return {
    node,
    request: async (path, init) => site.fetch(new Request(`http://localhost${path}`, init)),
    stop: async () => { await node.stop() }
  }
}
