/**
 * A body streamed between the service worker and the leader over a port of
 * its own, one chunk per pull, each chunk's buffer transferred: a reply's
 * from the leader to the worker, a request's from the worker to the leader.
 * Chromium clones every chunk of a transferred ReadableStream; handing the
 * buffers over instead measured about 1.3× the rate (64 MiB in 1 MiB chunks),
 * and a request body streamed so reaches the node while it still arrives,
 * where a Blob had to arrive whole first.
 */

/** Worker → leader on a body's port. */
export type BodyRequest = { type: 'pull' } | { type: 'cancel', reason: string }
/** Leader → worker on a body's port. */
export type BodyMessage = { type: 'chunk', value: Uint8Array } | { type: 'done' } | { type: 'error', message: string }

/** A body being served on a port. */
export interface SentBody {
  /** To transfer to the side that reads the body. */
  port: MessagePort
  /** True once the reader has asked for a chunk: the body can no longer be sent anew. */
  readonly started: boolean
}

export interface SendBodyOptions {
  /**
   * Gather the source's chunks into chunks of this size (the last may be
   * shorter): a request body arrives in pieces of a few KiB, and a message
   * for each cost more than the bytes.
   */
  chunkBytes?: number
}

/**
 * Serves what `reader` reads on a new port, one chunk per pull. Several
 * ports may serve one reader in turn (a request sent anew to another tab);
 * each stops once its reader is done, fails or is cancelled.
 */
export function sendBody (reader: ReadableStreamDefaultReader<Uint8Array>, options: SendBodyOptions = {}): SentBody {
  const { port1, port2 } = new MessageChannel()
  const next = options.chunkBytes != null ? gathered(reader, options.chunkBytes) : async () => reader.read()
  // gathered chunks are fresh buffers of our own; a source's chunk may be a view of a buffer others hold (a block in the memory tier)
  const owned = options.chunkBytes != null
  const sent = { port: port2, started: false }
  const post = (message: BodyMessage, transfer: Transferable[] = []): void => { port1.postMessage(message, transfer) }
  port1.onmessage = async (event: MessageEvent<BodyRequest>) => {
    sent.started = true
    if (event.data.type === 'cancel') {
      port1.close()
      await reader.cancel(event.data.reason).catch(() => {})
      return
    }
    try {
      const { value, done } = await next()
      if (done === true) {
        post({ type: 'done' })
        port1.close()
        return
      }
      const chunk = owned ? value : value.slice()
      post({ type: 'chunk', value: chunk }, [chunk.buffer])
    } catch (err) {
      post({ type: 'error', message: err instanceof Error ? err.message : String(err) })
      port1.close()
    }
  }
  return sent
}

/** Reads from `reader` into fresh chunks of `size` bytes (the last shorter). */
function gathered (reader: ReadableStreamDefaultReader<Uint8Array>, size: number): () => Promise<ReadableStreamReadResult<Uint8Array>> {
  let rest: Uint8Array | undefined
  return async () => {
    const out = new Uint8Array(size)
    let filled = 0
    while (filled < size) {
      let piece = rest
      rest = undefined
      if (piece == null) {
        const { value, done } = await reader.read()
        if (done) break
        piece = value
      }
      const n = Math.min(piece.byteLength, size - filled)
      out.set(piece.subarray(0, n), filled)
      filled += n
      if (n < piece.byteLength) rest = piece.subarray(n)
    }
    if (filled === 0) return { done: true, value: undefined }
    return { done: false, value: filled === size ? out : out.slice(0, filled) }
  }
}

/** How often a worker waiting for a chunk checks that the leader is still there. */
const WATCH_MS = 1_000

/**
 * The body arriving on `port`. A sender that goes away while the body is
 * read (`gone` says so, when given) errors the stream rather than leave the
 * reader hanging; without it, the reader's own deadline ends the wait.
 */
export function receiveBody (port: MessagePort, gone?: () => Promise<boolean>): ReadableStream<Uint8Array> {
  let next: ((message: BodyMessage) => void) | undefined
  port.onmessage = (event: MessageEvent<BodyMessage>) => {
    const deliver = next
    next = undefined
    deliver?.(event.data)
  }
  const request = (message: BodyRequest): void => { port.postMessage(message) }
  return new ReadableStream<Uint8Array>({
    async pull (controller) {
      const message = await new Promise<BodyMessage>((resolve) => {
        const watch = gone == null
          ? undefined
          : setInterval(() => {
            void gone().then((isGone) => {
              if (isGone) resolve({ type: 'error', message: 'the other side went away while it sent the body' })
            })
          }, WATCH_MS)
        next = (received) => { clearInterval(watch); resolve(received) }
        request({ type: 'pull' })
      })
      if (message.type === 'chunk') {
        controller.enqueue(message.value)
      } else if (message.type === 'done') {
        port.close()
        controller.close()
      } else {
        port.close()
        controller.error(new Error(message.message))
      }
    },
    cancel (reason) {
      request({ type: 'cancel', reason: String(reason) })
      port.close()
    }
  }, { highWaterMark: 2 })
}
