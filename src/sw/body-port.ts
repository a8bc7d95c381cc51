/**
 * A body streamed between the service worker and the leader over a port of
 * its own, one chunk per pull, each chunk's buffer transferred: a reply's
 * from the leader to the worker, a request's from the worker to the leader.
 * Chromium clones every chunk of a transferred ReadableStream; handing the
 * buffers over instead measured about 1.3× the rate (64 MiB in 1 MiB chunks),
 * and a request body streamed so reaches the node while it still arrives,
 * where a Blob had to arrive whole first.
 *
 * A port says nothing when the side holding its other end goes away (a tab
 * closed, a worker stopped: Chromium fires no close event here), and a
 * transferred stream used to be torn down by the browser then. So each side
 * asks the other whether it is still there when it has heard nothing for a
 * while, and gives up on a body whose other side does not answer.
 */
import { fillsItsBuffer } from '../buffers.ts'

/** Reader → sender on a body's port. */
export type BodyRequest = { type: 'pull' } | { type: 'cancel', reason: string } | { type: 'ping' } | { type: 'pong' }
/** Sender → reader on a body's port. */
export type BodyMessage = { type: 'chunk', value: Uint8Array } | { type: 'done' } | { type: 'error', message: string } | { type: 'ping' } | { type: 'pong' }

/** How long a side waits before it asks whether the other is still there, and for the answer. */
export interface LivenessTimes {
  /** Quiet this long, a side asks. */
  quietMs: number
  /** Asked, the other side has this long to answer before the body is given up. */
  answerMs: number
}

const LIVENESS: LivenessTimes = { quietMs: 5_000, answerMs: 10_000 }

/**
 * Asks whether the other side is still there after `quietMs` with nothing
 * heard, and calls `lost` if it does not answer within `answerMs`. Anything
 * heard (`heard()`) starts the wait over.
 */
class Liveness {
  readonly #ask: () => void
  readonly #lost: () => void
  readonly #times: LivenessTimes
  #timer: ReturnType<typeof setTimeout> | undefined
  #asked = false

  constructor (ask: () => void, lost: () => void, times: LivenessTimes = LIVENESS) {
    this.#ask = ask
    this.#lost = lost
    this.#times = times
  }

  /** Starts (or restarts) the wait. */
  heard (): void {
    this.stop()
    this.#asked = false
    this.#timer = setTimeout(() => { this.#quiet() }, this.#times.quietMs)
  }

  stop (): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
  }

  #quiet (): void {
    if (this.#asked) {
      this.#timer = undefined
      this.#lost()
      return
    }
    this.#asked = true
    this.#ask()
    this.#timer = setTimeout(() => { this.#quiet() }, this.#times.answerMs)
  }
}

/** A body being served on a port. */
export interface SentBody {
  /** To transfer to the side that reads the body. */
  port: MessagePort
  /** True once the reader has asked for a chunk: the body can no longer be sent anew. */
  readonly started: boolean
  /** Gives this port up (its reader never came), leaving the source to be served on another. */
  abandon(): void
}

export interface SendBodyOptions {
  /** The source's chunks are fresh buffers of the sender's own: handed over as they are, not copied. */
  owned?: boolean
  liveness?: LivenessTimes
}

/**
 * Serves what `reader` reads on a new port, one chunk per pull. Several
 * ports may serve one reader in turn (a request sent anew to another tab);
 * each stops once its reader is done, fails or is cancelled, or once the
 * reading side has gone away (and then cancels the source).
 */
export function sendBody (reader: ReadableStreamDefaultReader<Uint8Array>, options: SendBodyOptions = {}): SentBody {
  const { port1, port2 } = new MessageChannel()
  const served = serveBody(port1, reader, options)
  return {
    port: port2,
    get started () { return served.started },
    abandon: served.abandon
  }
}

/** Serves what `reader` reads on `port` (whose other end the reader of the body holds), as sendBody does. */
export function serveBody (port1: MessagePort, reader: ReadableStreamDefaultReader<Uint8Array>, options: SendBodyOptions = {}): Omit<SentBody, 'port'> {
  // a source's chunk may be a view of a buffer others hold (a block in the memory tier)
  const owned = options.owned === true
  let open = true
  const close = (): void => {
    open = false
    liveness.stop()
    port1.close()
  }
  const sent = { started: false, abandon: close }
  const post = (message: BodyMessage, transfer: Transferable[] = []): void => { if (open) port1.postMessage(message, transfer) }
  const liveness = new Liveness(() => { post({ type: 'ping' }) }, () => {
    close()
    reader.cancel(new Error('the side reading the body went away')).catch(() => {})
  }, options.liveness)
  port1.onmessage = async (event: MessageEvent<BodyRequest>) => {
    if (!open) return
    liveness.heard()
    const message = event.data
    if (message.type === 'ping') {
      post({ type: 'pong' })
      return
    }
    if (message.type === 'pong') return
    sent.started = true
    if (message.type === 'cancel') {
      close()
      await reader.cancel(message.reason).catch(() => {})
      return
    }
    // pulls come several at once (PULLS_AHEAD): each is answered in turn, its chunk after the one before
    serving = serving.then(answerPull)
  }
  let serving = Promise.resolve()
  const answerPull = async (): Promise<void> => {
    if (!open) return
    try {
      const { value, done } = await reader.read()
      if (done === true) {
        post({ type: 'done' })
        close()
        return
      }
      const chunk = owned && fillsItsBuffer(value) ? value : value.slice()
      post({ type: 'chunk', value: chunk }, [chunk.buffer])
    } catch (err) {
      post({ type: 'error', message: err instanceof Error ? err.message : String(err) })
      close()
    }
  }
  liveness.heard()
  return sent
}

/**
 * Chunks a reader asks for before it has read the ones asked already: one
 * at a time, the sender sat idle while each chunk and the next pull crossed
 * between threads. As many as an add's importer takes at once (16 leaves,
 * which it hashes before it reads more): with 4, the service worker stopped
 * reading the upload while the page hashed, and the two took turns (a 64
 * MiB add into IndexedDB, profiled: 612 ms with 4, 493 ms with 16).
 */
export const PULLS_AHEAD = 16

export interface ReceiveBodyOptions {
  /** Ends the body with its reason (the request was given up): nothing then waits on a chunk that will not come. */
  signal?: AbortSignal
  liveness?: LivenessTimes
}

/**
 * The body arriving on `port`. It errors if the sending side goes away (it
 * stops answering), or when `signal` aborts.
 */
export function receiveBody (port: MessagePort, options: ReceiveBodyOptions = {}): ReadableStream<Uint8Array> {
  /** What has arrived and not yet been read, in order. */
  const arrived: BodyMessage[] = []
  let pending: { resolve(message: BodyMessage): void } | undefined
  /** Pulls asked and not yet answered with a chunk. */
  let asked = 0
  let ended = false
  let open = true
  const settle = (message: BodyMessage): void => {
    const waiting = pending
    pending = undefined
    if (waiting != null) waiting.resolve(message)
    else arrived.push(message)
  }
  const request = (message: BodyRequest): void => { if (open) port.postMessage(message) }
  /** Keeps PULLS_AHEAD chunks asked for or waiting to be read, so the sender is not idle while one crosses. */
  const askAhead = (): void => {
    while (open && !ended && asked + arrived.length < PULLS_AHEAD) {
      asked++
      request({ type: 'pull' })
    }
  }
  /** Done with the port; `reason`, when the body did not end: the sender stops reading its source. */
  const close = (reason?: string): void => {
    if (reason != null) request({ type: 'cancel', reason })
    open = false
    liveness.stop()
    port.close()
    options.signal?.removeEventListener('abort', onAbort)
  }
  const liveness = new Liveness(() => { request({ type: 'ping' }) }, () => {
    settle({ type: 'error', message: 'the side sending the body went away' })
  }, options.liveness)
  const onAbort = (): void => {
    // an abort goes before whatever has arrived: the body ends with its reason now
    arrived.length = 0
    settle({ type: 'error', message: String(options.signal?.reason ?? 'aborted') })
  }
  options.signal?.addEventListener('abort', onAbort, { once: true })
  port.onmessage = (event: MessageEvent<BodyMessage>) => {
    const message = event.data
    if (message.type === 'ping') {
      request({ type: 'pong' })
      return
    }
    if (message.type === 'pong') {
      if (pending != null) liveness.heard()
      return
    }
    if (message.type === 'chunk') asked--
    else ended = true
    if (pending != null) liveness.heard()
    settle(message)
  }
  return new ReadableStream<Uint8Array>({
    async pull (controller) {
      if (options.signal?.aborted === true) onAbort()
      askAhead()
      const message = arrived.shift() ?? (open
        ? await new Promise<BodyMessage>((resolve) => {
          pending = { resolve }
          if (options.signal?.aborted === true) {
            onAbort()
            return
          }
          liveness.heard()
        })
        : { type: 'error' as const, message: 'the body was closed' })
      liveness.stop()
      if (message.type === 'chunk') {
        controller.enqueue(message.value)
        askAhead()
        return
      }
      if (message.type === 'done') {
        close()
        controller.close()
        return
      }
      const error = message.type === 'error' ? message.message : 'unexpected message'
      close(error)
      controller.error(new Error(error))
    },
    cancel (reason) {
      settle({ type: 'error', message: 'cancelled' })
      close(String(reason))
    }
  }, { highWaterMark: 1 })
}
