import type { ForwardedRequest, ForwardedResponse, LeaderAnnouncement, WorkerToPage } from './protocol.ts'

export interface RequestHandler {
  fetch(request: Request): Response | Promise<Response>
}

export interface Bridge {
  /** Tell the service worker this tab leads. */
  announce(since: number): Promise<void>
  resign(): Promise<void>
}

/**
 * The page side of the service worker: answers forwarded requests with the
 * API while this tab leads, and tells the worker who leads when asked.
 */
export function answerServiceWorker (tabId: string, handler: () => RequestHandler | undefined): Bridge {
  let leaderSince: number | undefined
  const container = navigator.serviceWorker

  async function post (message: LeaderAnnouncement | { type: 'mcp:resign', tabId: string }): Promise<void> {
    const registration = await container.ready
    ;(container.controller ?? registration.active)?.postMessage(message)
  }

  container.addEventListener('message', (event: MessageEvent<WorkerToPage>) => {
    const message = event.data
    if (message?.type === 'mcp:who-leads') {
      if (leaderSince != null && handler() != null) void post({ type: 'mcp:leader', tabId, since: leaderSince })
    } else if (message?.type === 'mcp:request') {
      void answer(message, event.ports[0], handler())
    }
  })
  container.startMessages()

  return {
    async announce (since: number) {
      leaderSince = since
      await post({ type: 'mcp:leader', tabId, since })
    },
    async resign () {
      leaderSince = undefined
      await post({ type: 'mcp:resign', tabId })
    }
  }
}

async function answer (message: ForwardedRequest, port: MessagePort, handler: RequestHandler | undefined): Promise<void> {
  if (handler == null) {
    port.postMessage({ type: 'mcp:not-leader' })
    return
  }
  const abort = new AbortController()
  port.onmessage = (event) => {
    if ((event.data as { type?: string })?.type === 'mcp:abort') abort.abort()
  }
  const request = new Request(message.url, {
    method: message.method,
    headers: message.headers,
    body: message.body,
    signal: abort.signal,
    // the body is a Blob; half duplex is what a streamed body would need and harmless here
    duplex: 'half'
  } as RequestInit)
  let response: Response
  try {
    response = await handler.fetch(request)
  } catch (err) {
    // the API answers its own errors; reaching here is a bug, and the worker must still get a reply
    response = Response.json({ success: false, operation: 'bridge', timestamp: Date.now() / 1000, error: String(err), error_type: 'InternalError' }, { status: 500 })
  }
  const body = isJson(response) ? await wholeIfSmall(response.body) : response.body
  const reply: ForwardedResponse = {
    type: 'mcp:response',
    status: response.status,
    statusText: response.statusText,
    headers: [...response.headers],
    body
  }
  // either way the body is handed over, not copied: a buffer is transferred, and so is a stream (Chromium pipes it to the worker)
  port.postMessage(reply, body != null ? [body as unknown as Transferable] : [])
}

/** Bodies up to this size are sent whole, in one buffer. */
const SMALL_BODY_BYTES = 64 * 1024

/**
 * A JSON reply (an envelope, not NDJSON: that one streams as it is made) is
 * written in one piece, and most are a few hundred bytes. Setting up a
 * transferred stream for each cost more than the rest of the round trip, so
 * one that ends within SMALL_BODY_BYTES is sent as one buffer; a longer one
 * goes on as a stream that starts with what was read.
 */
async function wholeIfSmall (body: ReadableStream<Uint8Array> | null): Promise<ArrayBuffer | ReadableStream<Uint8Array> | null> {
  if (body == null) return null
  const reader = body.getReader()
  const read: Uint8Array[] = []
  let size = 0
  while (size <= SMALL_BODY_BYTES) {
    let next: ReadableStreamReadResult<Uint8Array>
    try {
      next = await reader.read()
    } catch {
      // a body that fails at once: hand over a stream that fails the same way
      break
    }
    if (next.done) return joined(read, size)
    read.push(next.value)
    size += next.value.byteLength
  }
  return new ReadableStream<Uint8Array>({
    start (controller) { for (const chunk of read) controller.enqueue(chunk) },
    async pull (controller) {
      try {
        const { value, done } = await reader.read()
        if (done) controller.close()
        else controller.enqueue(value)
      } catch (err) {
        controller.error(err)
      }
    },
    async cancel (reason) { await reader.cancel(reason) }
  }, { highWaterMark: 0 })
}

function isJson (response: Response): boolean {
  return (response.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase() === 'application/json'
}

function joined (chunks: Uint8Array[], size: number): ArrayBuffer {
  const out = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.byteLength
  }
  return out.buffer
}
