/**
 * How a reply's body crosses from the leader to the service worker: a JSON
 * reply made in one piece as one buffer, anything else as the stream it is.
 */
import { isWholeJson } from '../api/whole-json.ts'

/** The body to post: a buffer, the response's own stream, or null. */
export async function bodyToForward (response: Response): Promise<ArrayBuffer | ReadableStream<Uint8Array> | null> {
  if (!isWholeJson(response)) return response.body
  // the API gives its JSON replies their length (it reads them whole to count them)
  const length = Number(response.headers.get('content-length') ?? NaN)
  if (Number.isFinite(length) && length <= SMALL_BODY_BYTES) return response.body == null ? null : response.arrayBuffer()
  return wholeIfSmall(response.body)
}

/** Bodies up to this size are sent whole, in one buffer. */
const SMALL_BODY_BYTES = 64 * 1024

/**
 * A JSON reply (an envelope, not NDJSON or Kubo's chunked output: those
 * stream as they are made) is written in one piece, and most are a few hundred bytes. Setting up a
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

function joined (chunks: Uint8Array[], size: number): ArrayBuffer {
  const out = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.byteLength
  }
  return out.buffer
}
