import { releaseBuffer } from '../buffers.ts'

/** Where the next chunk of a body comes from: undefined once it has ended. */
interface ChunkSource {
  next(): Promise<Uint8Array | undefined>
  cancel(reason: unknown): Promise<void>
  /** Starts the next chunk with `bytes`, the rest of it read from the body. */
  carry(bytes: Uint8Array): void
}

/** A body's chunks, read one at a time. */
export interface FilledChunks extends ReadableStreamDefaultReader<Uint8Array> {
  /**
   * Starts the next chunk with `bytes` (the end of a chunk given out, cut
   * short where its reader wants the chunks after it to start), the rest of
   * that chunk read from the body.
   */
  carry(bytes: Uint8Array): void
}

/**
 * A body read into fresh chunks of `size` bytes, each a whole buffer of its
 * own, only the last shorter: a request body arrives in pieces of a few KiB,
 * and a message for each between threads cost more than the bytes. Where the
 * body is a byte stream (a fetch body in Chromium) the browser writes each
 * chunk in place, through a reader given the chunk's buffer (BYOB); else the
 * pieces are copied in, each freed once copied: the stream's pieces are read
 * here alone. 64 MiB took 76–81 ms in place against 120–267 ms copied
 * (measured in Chromium 156), and the copying made the service worker the
 * add's busiest thread.
 */
export function filledChunks (stream: ReadableStream<Uint8Array>, size: number): FilledChunks {
  const source = inPlace(stream, size) ?? copiedIn(stream.getReader(), size)
  const reader = new ReadableStream<Uint8Array>({
    async pull (controller) {
      const chunk = await source.next()
      if (chunk == null) controller.close()
      else controller.enqueue(chunk)
    },
    async cancel (reason) { await source.cancel(reason) }
  }, { highWaterMark: 0 }).getReader()
  return Object.assign(reader, { carry (bytes: Uint8Array) { source.carry(bytes) } })
}

/** The first chunk is searched this far for the headers of a form's first file. */
const FORM_HEAD_BYTES = 64 * 1024
const FILENAME = new TextEncoder().encode('filename=')
const HEADERS_END = new TextEncoder().encode('\r\n\r\n')

/**
 * Where the content of a multipart form's first file begins in the body's
 * first chunk, if its headers are there. Cut at that point, with the rest
 * carried into the next chunk, the file's bytes come in whole chunks from
 * its first byte on: the add's leaves are those chunks themselves, rather
 * than copies joined from the ends of two (64 MiB joined cost the page
 * about 100 ms, measured in Chromium 156).
 */
export function formFileStart (contentType: string, first: Uint8Array): number | undefined {
  if (!/^multipart\/form-data/i.test(contentType)) return undefined
  const head = first.subarray(0, FORM_HEAD_BYTES)
  const named = indexOf(head, FILENAME, 0)
  if (named === -1) return undefined
  const end = indexOf(head, HEADERS_END, named)
  return end === -1 || end + HEADERS_END.byteLength >= first.byteLength ? undefined : end + HEADERS_END.byteLength
}

function indexOf (haystack: Uint8Array, needle: Uint8Array, from: number): number {
  for (let i = haystack.indexOf(needle[0], from); i !== -1 && i + needle.byteLength <= haystack.byteLength; i = haystack.indexOf(needle[0], i + 1)) {
    let j = 1
    while (j < needle.byteLength && haystack[i + j] === needle[j]) j++
    if (j === needle.byteLength) return i
  }
  return -1
}

function inPlace (stream: ReadableStream<Uint8Array>, size: number): ChunkSource | undefined {
  let reader: ReadableStreamBYOBReader
  try {
    reader = stream.getReader({ mode: 'byob' })
  } catch {
    // not a byte stream
    return undefined
  }
  let ended = false
  let carried: Uint8Array | undefined
  return {
    async next () {
      let buffer = new ArrayBuffer(size)
      let filled = 0
      if (carried != null) {
        new Uint8Array(buffer).set(carried)
        filled = carried.byteLength
        carried = undefined
      }
      while (!ended && filled < size) {
        // the reader takes the buffer and gives it back with what it wrote
        const { value, done } = await reader.read(new Uint8Array(buffer, filled, size - filled))
        if (value != null) {
          buffer = value.buffer as ArrayBuffer
          filled += value.byteLength
        }
        if (done) {
          ended = true
          break
        }
      }
      if (filled === 0) return undefined
      return filled === size ? new Uint8Array(buffer) : new Uint8Array(buffer, 0, filled).slice()
    },
    async cancel (reason) { await reader.cancel(reason) },
    carry (bytes) { carried = bytes }
  }
}

function copiedIn (reader: ReadableStreamDefaultReader<Uint8Array>, size: number): ChunkSource {
  /** Pieces to copy in before any more are read: a carried chunk end, then what is left of a piece. */
  const waiting: Uint8Array[] = []
  return {
    async next () {
      const out = new Uint8Array(size)
      let filled = 0
      while (filled < size) {
        let piece = waiting.shift()
        if (piece == null) {
          const { value, done } = await reader.read()
          if (done) break
          piece = value
        }
        const n = Math.min(piece.byteLength, size - filled)
        out.set(piece.subarray(0, n), filled)
        filled += n
        if (n < piece.byteLength) waiting.unshift(piece.subarray(n))
        else releaseBuffer(piece)
      }
      if (filled === 0) return undefined
      return filled === size ? out : out.slice(0, filled)
    },
    async cancel (reason) { await reader.cancel(reason) },
    carry (bytes) { waiting.unshift(bytes) }
  }
}
