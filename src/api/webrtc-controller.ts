import { z } from '@hono/zod-openapi'
import { connectWebRTC, webrtcAddresses, webrtcCapabilities, webrtcConnections } from '../node/models/network/webrtc.ts'
import { NetworkUnavailableError, SessionNotFoundError } from '../node/errors.ts'
import { parseCid } from '../node/models/ipfs/content-path.ts'
import { parsePeerId } from '../node/models/network/peers.ts'
import { ok } from './envelope.ts'
import { addRoute } from './route.ts'
import { parseJsonBody } from './validate.ts'
import type { ApiDeps, ApiEnv } from './env.ts'
import type { ContentSession, ContentSessions } from '../node/models/network/content-sessions.ts'
import type { OpenAPIHono } from '@hono/zod-openapi'

const ConnectBody = z.object({
  peer_id: z.string().min(1).optional(),
  multiaddr: z.string().min(1).optional()
}).refine(b => b.peer_id != null || b.multiaddr != null, { message: 'give "peer_id" or "multiaddr"', path: ['peer_id'] })

const SessionBody = z.object({ cid: z.string().min(1), peer_id: z.string().min(1).optional() })

function requireSessions (sessions: ContentSessions | undefined): ContentSessions {
  if (sessions == null) throw new NetworkUnavailableError('this node runs without the network: it has no WebRTC sessions')
  return sessions
}

function sessionJson (s: ContentSession): Record<string, unknown> {
  const seconds = (ms: number | null): number | null => ms != null ? ms / 1000 : null
  return { ...s, created_at: s.created_at / 1000, started_at: seconds(s.started_at), finished_at: seconds(s.finished_at) }
}

/** Native WebRTC between browsers: /webrtc/*. */
export function registerWebRTCRoutes (app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  const { node } = deps
  const { helia } = node
  const tags = ['webrtc']

  addRoute(app, { operation: 'webrtc_capabilities', method: 'get', path: '/webrtc/capabilities', summary: 'What this browser supports: RTCPeerConnection, data channels, codecs', tags }, (c) => {
    return ok(c, { ...webrtcCapabilities() })
  })

  addRoute(app, { operation: 'webrtc_status', network: true, method: 'get', path: '/webrtc/status', summary: 'WebRTC listen addresses and active WebRTC connections', tags }, (c) => {
    const connections = webrtcConnections(helia).map(x => ({ ...x, opened: x.opened / 1000 }))
    const sessions = (node.sessions?.list() ?? []).map(sessionJson)
    return ok(c, { listen_addresses: webrtcAddresses(helia), connections, active_connections: connections.length, sessions })
  })

  addRoute(app, { operation: 'webrtc_peers', network: true, method: 'get', path: '/webrtc/peers', summary: 'Peers connected over WebRTC', tags }, (c) => {
    const peers = [...new Set(webrtcConnections(helia).map(x => x.peer))]
    return ok(c, { peers, count: peers.length })
  })

  addRoute(app, { operation: 'webrtc_connect', network: true, method: 'post', path: '/webrtc/connect', summary: 'Dial a peer over WebRTC through the relay; the reply is the real connection', tags, request: { body: { required: true, content: { 'application/json': { schema: ConnectBody } } } } }, async (c) => {
    const body = await parseJsonBody(c, ConnectBody)
    const connection = await connectWebRTC(helia, body.multiaddr ?? body.peer_id!, { signal: c.var.signal })
    return ok(c, { ...connection, opened: connection.opened / 1000, is_webrtc: connection.type === 'webrtc' })
  })

  addRoute(app, {
    operation: 'webrtc_session', network: true,
    method: 'post',
    path: '/webrtc/session',
    summary: 'A session streaming a CID\'s DAG to a peer over WebRTC; created only if the whole DAG is retrievable',
    tags,
    request: { body: { required: true, content: { 'application/json': { schema: SessionBody } } } }
  }, async (c) => {
    const body = await parseJsonBody(c, SessionBody)
    const sessions = requireSessions(node.sessions)
    const cid = parseCid(body.cid)
    if (body.peer_id != null) parsePeerId(body.peer_id)
    const session = await sessions.create(cid, body.peer_id, { signal: c.var.signal })
    return ok(c, { session: sessionJson(session) })
  })

  addRoute(app, { operation: 'webrtc_session_status', network: true, method: 'get', path: '/webrtc/connect/{session_id}', summary: 'A session\'s state: bytes and blocks sent or received, throughput, the connection used', tags, request: { params: z.object({ session_id: z.string() }) } }, (c) => {
    const session = requireSessions(node.sessions).get(c.req.param('session_id') ?? '')
    if (session == null) throw new SessionNotFoundError(`no session ${c.req.param('session_id') ?? ''}`)
    return ok(c, { session: sessionJson(session) })
  })

  addRoute(app, { operation: 'webrtc_check', network: true, method: 'get', path: '/webrtc/check', summary: 'Can this node do WebRTC now, and if not, why not', tags }, (c) => {
    const capabilities = webrtcCapabilities()
    const addresses = webrtcAddresses(helia)
    const networked = node.networked
    const missing = [
      ...(capabilities.rtc_peer_connection ? [] : ['RTCPeerConnection is not available in this environment']),
      ...(networked ? [] : ['the node runs without the network (no transports)']),
      ...(addresses.length > 0 || !networked ? [] : ['no relay reservation yet, so no WebRTC address to be reached at'])
    ]
    return ok(c, { webrtc_available: missing.length === 0, rtc_peer_connection: capabilities.rtc_peer_connection, networked, listen_addresses: addresses, missing })
  })
}
