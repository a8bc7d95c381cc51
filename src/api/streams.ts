/**
 * Turns an async iterable of bytes into a pull-driven ReadableStream
 * (backpressure, cancel). With `ahead` 0 nothing is read until the stream is
 * (a body another thread may send instead: it must not start reading here).
 */
export function toReadableStream (source: AsyncIterable<Uint8Array>, onBytes?: (n: number) => void, ahead = 1): ReadableStream<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]()
  return new ReadableStream<Uint8Array>({
    async pull (controller) {
      try {
        const { value, done } = await iterator.next()
        if (done === true) {
          controller.close()
          return
        }
        onBytes?.(value.byteLength)
        controller.enqueue(value)
      } catch (err) {
        controller.error(err)
      }
    },
    async cancel () {
      await iterator.return?.()
    }
  }, { highWaterMark: ahead })
}

/**
 * Reads a web ReadableStream as an async iterable (Chromium's streams are not
 * async-iterable everywhere). The stream is taken at once, so a handler that
 * replies before it reads (a progress reply) has claimed its body. An abort
 * cancels the stream, which also ends a read that is waiting on a slow
 * sender, and the iteration then throws: a stream cut short must never look
 * like one that ended.
 */
export function iterateStream (stream: ReadableStream<Uint8Array>, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader()
  return (async function * () {
    const onAbort = (): void => { reader.cancel(signal?.reason).catch(() => {}) }
    signal?.addEventListener('abort', onAbort, { once: true })
    try {
      while (true) {
        signal?.throwIfAborted()
        const { value, done } = await reader.read()
        signal?.throwIfAborted()
        if (done) return
        yield value
      }
    } finally {
      signal?.removeEventListener('abort', onAbort)
      reader.releaseLock()
    }
  })()
}

/** The first chunk of a stream (for sniffing) and an iterable that yields it again followed by the rest. */
export async function peek (source: AsyncIterable<Uint8Array>): Promise<{ first: Uint8Array | undefined, all: AsyncIterable<Uint8Array> }> {
  const iterator = source[Symbol.asyncIterator]()
  const head = await iterator.next()
  const first = head.done === true ? undefined : head.value
  return {
    first,
    all: (async function * () {
      if (first === undefined) return
      yield first
      while (true) {
        const next = await iterator.next()
        if (next.done === true) return
        yield next.value
      }
    })()
  }
}

/** Reads a body whole, giving up with `onTooLarge()` as soon as it passes `max` bytes. */
export async function readCapped (stream: ReadableStream<Uint8Array> | null, max: number, onTooLarge: (seen: number) => Error): Promise<Uint8Array> {
  if (stream == null) return new Uint8Array(0)
  const chunks: Uint8Array[] = []
  let total = 0
  for await (const chunk of iterateStream(stream)) {
    total += chunk.byteLength
    if (total > max) {
      await stream.cancel().catch(() => {})
      throw onTooLarge(total)
    }
    chunks.push(chunk)
  }
  const out = new Uint8Array(total)
  let offset = 0
  for (const c of chunks) { out.set(c, offset); offset += c.byteLength }
  return out
}
