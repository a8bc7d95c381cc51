/// <reference lib="webworker" />
import { DEFAULT_TIMEOUT_MS, timeoutMs } from '../api/timeout.ts'
import { FORWARDED_PREFIXES, LEADER_WAIT_MS } from './protocol.ts'
import type { ForwardedRequest, PageToWorker, PortReply } from './protocol.ts'

/**
 * The service worker: it answers `/api/v0/mcp/*` by handing each Request to
 * the leader tab (which runs the node) and streaming the reply back. It keeps
 * no state but a cache of which client leads, rebuilt by asking the clients
 * whenever the browser has restarted the worker.
 */
declare const self: ServiceWorkerGlobalScope

interface Leader {
  clientId: string
  tabId: string
  since: number
}

/** Bodies up to this size are buffered so a request can be retried on a new leader. */
const BUFFERED_BODY_LIMIT = 1024 * 1024
/** How often a waiting request re-asks the clients, and checks that its leader is still open. */
const POLL_MS = 250
/** Added to a request's own deadline before the worker gives up on the leader. */
const REPLY_GRACE_MS = 5_000

let leader: Leader | undefined
const leaderWaiters = new Set<() => void>()

self.addEventListener('install', (event) => {
  event.waitUntil(self.skipWaiting())
})

self.addEventListener('activate', (event) => {
  // claim open pages so the very first visit is served without a reload
  event.waitUntil(self.clients.claim())
})

self.addEventListener('message', (event) => {
  const message = event.data as PageToWorker
  const source = event.source as Client | null
  if (message?.type === 'mcp:leader' && source != null) {
    leader = { clientId: source.id, tabId: message.tabId, since: message.since }
    for (const wake of leaderWaiters) wake()
  } else if (message?.type === 'mcp:resign' && leader?.tabId === message.tabId) {
    leader = undefined
  }
})

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url)
  if (url.origin !== self.location.origin) return
  if (!FORWARDED_PREFIXES.some(p => url.pathname === p || url.pathname.startsWith(p))) return
  event.respondWith(forward(event.request, url))
})

async function forward (request: Request, url: URL): Promise<Response> {
  const deadlineMs = requestDeadline(url)
  const waitUntil = Date.now() + Math.min(LEADER_WAIT_MS, deadlineMs)
  const body = await bodyOf(request)
  while (true) {
    const client = await findLeader(waitUntil)
    if (client == null) {
      return errorResponse(503, 'NodeNotReadyError', `no tab is running the node: none answered within ${Math.round(Math.min(LEADER_WAIT_MS, deadlineMs))} ms. Open the app to start it.`)
    }
    const sent = body instanceof ReadableStream ? body : body?.slice(0) ?? null
    const reply = await sendToLeader(client, request, url, sent, deadlineMs + REPLY_GRACE_MS)
    if (reply.type === 'mcp:response') {
      return new Response(reply.body, { status: reply.status, statusText: reply.statusText, headers: reply.headers })
    }
    // the tab stopped leading (or closed) before answering: try the next leader if the body allows it
    if (leader?.clientId === client.id) leader = undefined
    if (body instanceof ReadableStream || Date.now() >= waitUntil) {
      return errorResponse(503, 'NodeNotReadyError', 'the tab running the node went away while answering; retry the request')
    }
  }
}

async function bodyOf (request: Request): Promise<ReadableStream<Uint8Array> | ArrayBuffer | null> {
  if (request.method === 'GET' || request.method === 'HEAD') return null
  const length = Number(request.headers.get('content-length'))
  if (request.body != null && !(Number.isFinite(length) && length <= BUFFERED_BODY_LIMIT && request.headers.has('content-length'))) {
    return request.body
  }
  const buffer = await request.arrayBuffer()
  return buffer.byteLength === 0 ? null : buffer
}

/** The leader's client, asking every open page when the cached answer is missing or stale. */
async function findLeader (waitUntil: number): Promise<Client | undefined> {
  while (true) {
    if (leader != null) {
      const client = await self.clients.get(leader.clientId)
      if (client != null) return client
      leader = undefined
    }
    const remaining = waitUntil - Date.now()
    if (remaining <= 0) return undefined
    const pages = await self.clients.matchAll({ type: 'window', includeUncontrolled: true })
    for (const page of pages) page.postMessage({ type: 'mcp:who-leads' })
    await leaderAnnounced(Math.min(POLL_MS, remaining))
  }
}

async function leaderAnnounced (ms: number): Promise<void> {
  await new Promise<void>((resolve) => {
    const done = (): void => {
      clearTimeout(timer)
      leaderWaiters.delete(done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    leaderWaiters.add(done)
  })
}

/** Posts the request with its own reply port; resolves with the reply, or `not-leader` if the tab vanishes. */
async function sendToLeader (client: Client, request: Request, url: URL, body: ReadableStream<Uint8Array> | ArrayBuffer | null, limitMs: number): Promise<PortReply> {
  const channel = new MessageChannel()
  const message: ForwardedRequest = {
    type: 'mcp:request',
    method: request.method,
    url: url.href,
    headers: [...request.headers],
    body
  }
  const transfer: Transferable[] = [channel.port2]
  if (body != null) transfer.push(body as Transferable)
  const onAbort = (): void => { channel.port1.postMessage({ type: 'mcp:abort' }) }
  request.signal.addEventListener('abort', onAbort, { once: true })
  try {
    return await new Promise<PortReply>((resolve) => {
      const started = Date.now()
      const watch = setInterval(() => {
        // a leader that closed, or that lost the lock to another tab, will never answer
        void self.clients.get(client.id).then((still) => {
          if (still == null || (leader != null && leader.clientId !== client.id) || Date.now() - started > limitMs) {
            clearInterval(watch)
            resolve({ type: 'mcp:not-leader' })
          }
        })
      }, POLL_MS * 4)
      channel.port1.onmessage = (event: MessageEvent<PortReply>) => {
        clearInterval(watch)
        resolve(event.data)
      }
      client.postMessage(message, transfer)
    })
  } finally {
    request.signal.removeEventListener('abort', onAbort)
  }
}

function requestDeadline (url: URL): number {
  const text = url.searchParams.get('timeout')
  return (text == null ? undefined : timeoutMs(text)) ?? DEFAULT_TIMEOUT_MS
}

function errorResponse (status: number, type: string, message: string): Response {
  const operation = 'service_worker'
  return new Response(JSON.stringify({ success: false, operation, timestamp: Date.now() / 1000, error: message, error_type: type }), {
    status,
    headers: { 'Content-Type': 'application/json' }
  })
}
