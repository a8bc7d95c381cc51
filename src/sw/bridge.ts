import { servedBody } from '../api/direct-body.ts'
import { receiveBody, sendBody } from './body-port.ts'
import { bodyToForward } from './reply-body.ts'
import type { ForwardedRequest, ForwardedResponse, LeaderAnnouncement, PortReply, WorkerToLeader, WorkerToPage } from './protocol.ts'

export interface RequestHandler {
  fetch(request: Request): Response | Promise<Response>
}

export interface Bridge {
  /** Tell the service worker this tab leads. */
  announce(since: number): Promise<void>
  resign(): Promise<void>
  /** Resolves once this tab has answered its first request (the worker holds those made while no tab led). */
  readonly firstAnswer: Promise<void>
}

/**
 * The page side of the service worker: answers forwarded requests with the
 * API while this tab leads, and tells the worker who leads when asked. Each
 * announcement hands the worker a port of its own, on which requests come
 * and replies go. The worker asks again only when it has lost its leader
 * (it restarted, or gave up on this tab), so a port from an earlier
 * announcement only answers what was already sent on it.
 */
export function answerServiceWorker (tabId: string, handler: () => RequestHandler | undefined): Bridge {
  let leaderSince: number | undefined
  const container = navigator.serviceWorker
  const answered = Promise.withResolvers<void>()

  async function post (message: LeaderAnnouncement | { type: 'mcp:resign', tabId: string }, transfer: Transferable[] = []): Promise<void> {
    const registration = await container.ready
    ;(container.controller ?? registration.active)?.postMessage(message, transfer)
  }

  async function announce (since: number): Promise<void> {
    const channel = new MessageChannel()
    const aborts = new Map<number, AbortController>()
    channel.port1.onmessage = (event: MessageEvent<WorkerToLeader>) => {
      const message = event.data
      if (message?.type === 'mcp:request') void answer(message, channel.port1, aborts, handler()).then(() => { answered.resolve() })
      else if (message?.type === 'mcp:abort') aborts.get(message.id)?.abort()
    }
    await post({ type: 'mcp:leader', tabId, since }, [channel.port2])
  }

  // the question last answered: a worker asks again every quarter second while requests wait
  let lastQuestion = ''
  container.addEventListener('message', (event: MessageEvent<WorkerToPage>) => {
    const message = event.data
    if (message?.type !== 'mcp:who-leads' || leaderSince == null || handler() == null || message.asking === lastQuestion) return
    lastQuestion = message.asking
    void announce(leaderSince)
  })
  container.startMessages()

  return {
    async announce (since: number) {
      leaderSince = since
      await announce(since)
    },
    async resign () {
      leaderSince = undefined
      await post({ type: 'mcp:resign', tabId })
    },
    firstAnswer: answered.promise
  }
}

/**
 * How a reply's stream goes to the worker: for a file's bytes, a Blob of
 * the store's files or a port the blockstore's worker serves itself
 * (direct-body.ts), so they never cross this page's thread; else a port of
 * this page's, reading the stream.
 */
async function streamedBody (stream: ReadableStream<Uint8Array>): Promise<MessagePort | Blob> {
  const served = await servedBody(stream)
  if (served == null) return sendBody(stream.getReader()).port
  stream.cancel('the blockstore\'s worker sends it').catch(() => {})
  return served
}

async function answer (message: ForwardedRequest, port: MessagePort, aborts: Map<number, AbortController>, handler: RequestHandler | undefined): Promise<void> {
  const { id } = message
  if (handler == null) {
    port.postMessage({ type: 'mcp:not-leader', id } satisfies PortReply)
    return
  }
  const abort = new AbortController()
  aborts.set(id, abort)
  const request = new Request(message.url, {
    method: message.method,
    headers: message.headers,
    // a large body streams from the worker as it arrives there; an abort ends it
    body: message.body instanceof MessagePort ? receiveBody(message.body, { signal: abort.signal }) : message.body,
    signal: abort.signal,
    duplex: 'half'
  } as RequestInit)
  let reply: ForwardedResponse
  try {
    const response = await handler.fetch(request)
    const forwarded = await bodyToForward(response)
    reply = {
      type: 'mcp:response',
      id,
      status: response.status,
      statusText: response.statusText,
      headers: [...response.headers],
      body: forwarded instanceof ReadableStream ? await streamedBody(forwarded) : forwarded
    }
  } catch (err) {
    // the API answers its own errors; reaching here is a bug, and the worker must still get a reply
    const body = new TextEncoder().encode(JSON.stringify({ success: false, operation: 'bridge', timestamp: Date.now() / 1000, error: String(err), error_type: 'InternalError' }))
    reply = { type: 'mcp:response', id, status: 500, statusText: '', headers: [['content-type', 'application/json']], body: body.buffer }
  } finally {
    // an abort that comes later reaches the reply's stream (the worker cancels it), not the handler
    aborts.delete(id)
  }
  // the body is handed over, not copied: a buffer is transferred, and so is the port a stream goes on; a Blob
  // is a reference to bytes the browser holds (a file's), which the worker's reply reads from there
  port.postMessage(reply, reply.body instanceof ArrayBuffer || reply.body instanceof MessagePort ? [reply.body] : [])
}
