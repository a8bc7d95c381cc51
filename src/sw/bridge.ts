import { bodyToForward } from './reply-body.ts'
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
  const body = await bodyToForward(response)
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
