import { z } from '@hono/zod-openapi'
import { connectWebRTC, webrtcAddresses, webrtcCapabilities, webrtcConnections } from '../node/models/network/webrtc.ts'
import { ok } from './envelope.ts'
import { addRoute } from './route.ts'
import { parseJsonBody } from './validate.ts'
import type { ApiDeps, ApiEnv } from './env.ts'
import type { OpenAPIHono } from '@hono/zod-openapi'

const ConnectBody = z.object({
  peer_id: z.string().min(1).optional(),
  multiaddr: z.string().min(1).optional()
}).refine(b => b.peer_id != null || b.multiaddr != null, { message: 'give "peer_id" or "multiaddr"', path: ['peer_id'] })

/** Native WebRTC between browsers: /webrtc/*. */
export function registerWebRTCRoutes (app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  const { node } = deps
  const { helia } = node
  const tags = ['webrtc']

  addRoute(app, { operation: 'webrtc_capabilities', method: 'get', path: '/webrtc/capabilities', summary: 'What this browser supports: RTCPeerConnection, data channels, codecs', tags }, (c) => {
    return ok(c, { ...webrtcCapabilities() })
  })

  addRoute(app, { operation: 'webrtc_status', method: 'get', path: '/webrtc/status', summary: 'WebRTC listen addresses and active WebRTC connections', tags }, (c) => {
    const connections = webrtcConnections(helia).map(x => ({ ...x, opened: x.opened / 1000 }))
    return ok(c, { listen_addresses: webrtcAddresses(helia), connections, active_connections: connections.length })
  })

  addRoute(app, { operation: 'webrtc_peers', method: 'get', path: '/webrtc/peers', summary: 'Peers connected over WebRTC', tags }, (c) => {
    const peers = [...new Set(webrtcConnections(helia).map(x => x.peer))]
    return ok(c, { peers, count: peers.length })
  })

  addRoute(app, { operation: 'webrtc_connect', method: 'post', path: '/webrtc/connect', summary: 'Dial a peer over WebRTC through the relay; the reply is the real connection', tags, request: { body: { required: true, content: { 'application/json': { schema: ConnectBody } } } } }, async (c) => {
    const body = await parseJsonBody(c, ConnectBody)
    const connection = await connectWebRTC(helia, body.multiaddr ?? body.peer_id!, { signal: c.var.signal })
    return ok(c, { ...connection, opened: connection.opened / 1000, is_webrtc: connection.type === 'webrtc' })
  })

  addRoute(app, { operation: 'webrtc_check', method: 'get', path: '/webrtc/check', summary: 'Can this node do WebRTC now, and if not, why not', tags }, (c) => {
    const capabilities = webrtcCapabilities()
    const addresses = webrtcAddresses(helia)
    const networked = node.announcer != null
    const missing = [
      ...(capabilities.rtc_peer_connection ? [] : ['RTCPeerConnection is not available in this environment']),
      ...(networked ? [] : ['the node runs without the network (no transports)']),
      ...(addresses.length > 0 || !networked ? [] : ['no relay reservation yet, so no WebRTC address to be reached at'])
    ]
    return ok(c, { webrtc_available: missing.length === 0, rtc_peer_connection: capabilities.rtc_peer_connection, networked, listen_addresses: addresses, missing })
  })
}
