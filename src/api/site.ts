/**
 * Everything the service worker forwards, by path: the MCP API
 * (`/api/v0/mcp/*`), Kubo's RPC API (`/api/v0/*`) and the path gateway
 * (`/ipfs/*`, `/ipns/*`). The three share one set of dependencies, so the
 * operation log, statistics and metrics count every request once.
 */
import { createApi, createApiDeps } from './app.ts'
import { createGateway } from './gateway/gateway-app.ts'
import { createKuboApi, KUBO_PREFIX } from './kubo/kubo-app.ts'
import { API_PREFIX } from './route.ts'
import type { CreateApiInit } from './app.ts'
import type { GatewayOptions } from './gateway/gateway-app.ts'

export interface Site {
  fetch(request: Request): Response | Promise<Response>
}

export function createSite (init: CreateApiInit, options: { gateway?: GatewayOptions } = {}): Site {
  const deps = createApiDeps(init)
  const mcp = createApi(deps)
  const kubo = createKuboApi(deps)
  const gateway = createGateway(deps, options.gateway)
  return {
    fetch (request) {
      const { pathname } = new URL(request.url)
      if (pathname === API_PREFIX || pathname.startsWith(`${API_PREFIX}/`)) return mcp.fetch(request)
      if (pathname.startsWith(`${KUBO_PREFIX}/`)) return kubo.fetch(request)
      return gateway.fetch(request)
    }
  }
}
