/// <reference lib="webworker" />
import { DEFAULT_TIMEOUT_MS, timeoutMs } from '../api/timeout.ts'
import { AppCache } from './app-files.ts'
import { receiveBody, sendBody } from './body-port.ts'
import { filledChunks, formFileStart } from './filled-chunks.ts'
import { FORWARDED_PREFIXES, GATEWAY_PREFIXES, LEADER_WAIT_MS, NAVIGATION_LEADER_WAIT_MS, REWRITTEN_PATHS } from './protocol.ts'
import type { AppFiles } from './app-files.ts'
import type { ForwardedRequest, LeaderQuery, PageToWorker, PortReply, WorkerToLeader } from './protocol.ts'

/**
 * The service worker: it answers `/api/v0/*` (the MCP and Kubo APIs) and the
 * `/ipfs/*`, `/ipns/*` gateway by handing each Request to
 * the leader tab (which runs the node) and streaming the reply back, and
 * serves the app's own files from its copy of them (app-files.ts). It keeps
 * nothing of the node's: only which tab leads (and the port it gave), and
 * the requests waiting on that tab, rebuilt by asking the clients whenever
 * the browser has restarted the worker.
 */
declare const self: ServiceWorkerGlobalScope
/** The build's file list, written in by vite.sw.config.ts. */
declare const __APP_FILES__: AppFiles

interface Leader {
  /** The page itself, from its announcement: asking the browser for it again per request cost a round trip each. */
  client: Client
  clientId: string
  tabId: string
  since: number
  /** The port the page handed over with its announcement: requests go out and replies come back on it. */
  port: MessagePort
}

/** How often a waiting request re-asks the clients, and checks that its leader is still open. */
const POLL_MS = 250
/** Added to a request's own deadline before the worker gives up on the leader. */
const REPLY_GRACE_MS = 5_000

let leader: Leader | undefined
const leaderWaiters = new Set<() => void>()
/** This worker, and how many times it has been without a leader: each time is a new question (protocol.ts, LeaderQuery). */
const WORKER_ID = crypto.randomUUID()
let leaderless = 0
/** Requests sent to a leader, by id, until their reply comes (on whichever leader's port they went out on). */
const awaitingReply = new Map<number, (reply: PortReply) => void>()
let nextRequestId = 0
const appCache = new AppCache(__APP_FILES__)

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    await appCache.install()
    // the first worker takes the pages at once, and so does one after a worker that kept no copy of
    // the app (its pages were served from the server, so they run this build already). A newer one
    // waits until the app asks for it (the open pages run the older build's files and messages),
    // and then every tab of the app reloads.
    if (self.registration.active == null || !(await appCache.earlierBuildCached())) await self.skipWaiting()
  })())
})

self.addEventListener('activate', (event) => {
  // claim open pages so the very first visit is served without a reload
  event.waitUntil(Promise.all([self.clients.claim(), appCache.removeOthers()]))
})

self.addEventListener('message', (event) => {
  const message = event.data as PageToWorker
  const source = event.source as Client | null
  if (message?.type === 'mcp:leader' && source != null && event.ports[0] != null) {
    const port = event.ports[0]
    port.onmessage = (reply: MessageEvent<PortReply>) => {
      const settle = awaitingReply.get(reply.data?.id)
      awaitingReply.delete(reply.data?.id)
      settle?.(reply.data)
    }
    leader = { client: source, clientId: source.id, tabId: message.tabId, since: message.since, port }
    for (const wake of leaderWaiters) wake()
  } else if (message?.type === 'mcp:resign' && leader?.tabId === message.tabId) {
    forgetLeader()
  } else if (message?.type === 'mcp:activate-update') {
    void self.skipWaiting()
  }
})

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url)
  if (url.origin !== self.location.origin) return
  const rewritten = REWRITTEN_PATHS[url.pathname]
  if (rewritten != null) url.pathname = rewritten
  if (!FORWARDED_PREFIXES.some(p => url.pathname === p || url.pathname.startsWith(p))) {
    const app = appCache.respond(event.request, url)
    if (app != null) event.respondWith(app)
    return
  }
  if (refusedNavigation(event.request, url)) {
    event.respondWith(errorResponse(403, 'ForbiddenError', 'the API answers scripts on this origin, not page navigations (a form or link from another site must not drive the node)'))
    return
  }
  event.respondWith(forward(event.request, url))
})

/**
 * A navigation (a link, a form, a redirect) reaches the worker whoever
 * started it, another site included, and Kubo's commands take their
 * arguments in the URL: only GET navigations to the MCP API's read routes
 * (downloads, the metrics page) are let through; the gateway is for viewing.
 */
function refusedNavigation (request: Request, url: URL): boolean {
  if (request.mode !== 'navigate' || GATEWAY_PREFIXES.some(p => url.pathname.startsWith(p))) return false
  return request.method !== 'GET' || !url.pathname.startsWith('/api/v0/mcp')
}

async function forward (request: Request, url: URL): Promise<Response> {
  const deadlineMs = requestDeadline(url)
  // opening /ipfs/… in a tab when no tab runs the node: the app itself answers, starts the node and shows the content
  const gatewayNavigation = request.mode === 'navigate' && GATEWAY_PREFIXES.some(p => url.pathname.startsWith(p))
  const waitUntil = Date.now() + (gatewayNavigation ? NAVIGATION_LEADER_WAIT_MS : Math.min(LEADER_WAIT_MS, deadlineMs))
  const body = await bodyOf(request)
  while (true) {
    const current = await findLeader(waitUntil)
    if (current == null && gatewayNavigation) return appCache.shell()
    if (current == null) {
      return errorResponse(503, 'NodeNotReadyError', `no tab is running the node: none answered within ${Math.round(Math.min(LEADER_WAIT_MS, deadlineMs))} ms. Open the app to start it.`)
    }
    // a large body streams to the leader as it arrives; once it has begun to, it cannot go to another
    const sent = body instanceof ArrayBuffer || body == null ? undefined : sendBody(body, { owned: true })
    const reply = await sendToLeader(current, request, url, sent?.port ?? body as ArrayBuffer | null, deadlineMs + REPLY_GRACE_MS)
    if (reply.type === 'mcp:response') {
      // a reply body that stops coming because its tab went away errors (body-port.ts asks the tab); a Blob
      // (a file's bytes, kept in files) is read by the browser itself, whatever becomes of the tab
      const body = reply.body instanceof MessagePort ? receiveBody(reply.body) : reply.body
      return new Response(body, { status: reply.status, statusText: reply.statusText, headers: reply.headers })
    }
    // the tab stopped leading (or closed) before answering: try the next leader while there is time
    if (leader?.clientId === current.clientId) forgetLeader()
    if (Date.now() >= waitUntil || sent?.started === true) {
      return errorResponse(503, 'NodeNotReadyError', 'the tab running the node went away while answering; retry the request')
    }
    // the body goes to the next leader on a port of its own
    sent?.abandon()
  }
}

/** A body up to this size is sent whole, in one message; a larger one streams. */
const SMALL_BODY_BYTES = 64 * 1024
/** A streamed body goes in chunks of this size: the add's own chunk size. */
const BODY_CHUNK_BYTES = 1024 * 1024

/**
 * The request's body: none, a small one whole (it can be sent again should
 * the leader change before it answers), or a reader of a large one in
 * chunks of BODY_CHUNK_BYTES, which streams to the leader while it still
 * arrives. Waiting for a large body whole (as a Blob) held the node back
 * until the last byte came.
 */
async function bodyOf (request: Request): Promise<ArrayBuffer | ReadableStreamDefaultReader<Uint8Array> | null> {
  if (request.method === 'GET' || request.method === 'HEAD' || request.body == null) return null
  const chunks = filledChunks(request.body, BODY_CHUNK_BYTES)
  const first = await chunks.read()
  if (first.done) return null
  // a chunk is short only where the body ends: this one is all of it
  if (first.value.byteLength < BODY_CHUNK_BYTES && first.value.byteLength <= SMALL_BODY_BYTES) return first.value.buffer as ArrayBuffer
  // a form's first file is carried in chunks from its first byte on
  const cut = formFileStart(request.headers.get('content-type') ?? '', first.value)
  const head = cut == null ? first.value : first.value.slice(0, cut)
  if (cut != null) chunks.carry(first.value.subarray(cut))
  // the chunk read to tell, then the rest
  return new ReadableStream<Uint8Array>({
    start (controller) { controller.enqueue(head) },
    async pull (controller) {
      const { value, done } = await chunks.read()
      if (done) controller.close()
      else controller.enqueue(value)
    },
    async cancel (reason) { await chunks.cancel(reason) }
  }, { highWaterMark: 0 }).getReader()
}

function forgetLeader (): void {
  leader = undefined
  leaderless++
}

/**
 * The leader, asking every open page when none is known. A leader that
 * closed without resigning (a crash) is found out by sendToLeader's watch,
 * which then forgets it.
 */
async function findLeader (waitUntil: number): Promise<Leader | undefined> {
  while (true) {
    if (leader != null) return leader
    const remaining = waitUntil - Date.now()
    if (remaining <= 0) return undefined
    const pages = await self.clients.matchAll({ type: 'window', includeUncontrolled: true })
    for (const page of pages) page.postMessage({ type: 'mcp:who-leads', asking: `${WORKER_ID}/${leaderless}` } satisfies LeaderQuery)
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

/** Posts the request on the leader's port; resolves with the reply, or `not-leader` if the tab vanishes. */
async function sendToLeader (to: Leader, request: Request, url: URL, body: ArrayBuffer | MessagePort | null, limitMs: number): Promise<PortReply> {
  const id = nextRequestId++
  const message: ForwardedRequest = {
    type: 'mcp:request',
    id,
    method: request.method,
    url: url.href,
    headers: [...request.headers],
    body
  }
  const onAbort = (): void => { to.port.postMessage({ type: 'mcp:abort', id } satisfies WorkerToLeader) }
  request.signal.addEventListener('abort', onAbort, { once: true })
  try {
    return await new Promise<PortReply>((resolve) => {
      const started = Date.now()
      const watch = setInterval(() => {
        // a leader that closed, or that lost the lock to another tab, will never answer
        void self.clients.get(to.clientId).then((still) => {
          if (still == null || (leader != null && leader.clientId !== to.clientId) || Date.now() - started > limitMs) {
            awaitingReply.delete(id)
            clearInterval(watch)
            resolve({ type: 'mcp:not-leader', id })
          }
        })
      }, POLL_MS * 4)
      awaitingReply.set(id, (reply) => {
        clearInterval(watch)
        resolve(reply)
      })
      // a body's port is handed over; a small body is copied, so it can be sent again to another leader
      to.port.postMessage(message satisfies WorkerToLeader, body instanceof MessagePort ? [body] : [])
      // a client that gave up while its body was read, or while no tab led, has no listener to tell
      if (request.signal.aborted) onAbort()
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
