import { describe, expect, it } from 'vitest'
import { filledChunks, formFileStart } from '../../src/sw/filled-chunks.ts'
import { bytes, joinBytes, sameBytes } from './helpers.ts'

/** Pieces a byte stream wrote into its reader's buffer. */
let writtenInPlace = 0

/** `data` in pieces of uneven sizes, as a request body arrives: a byte stream (as fetch's) or not. */
function arriving (data: Uint8Array<ArrayBuffer>, type: 'bytes' | undefined): ReadableStream<Uint8Array> {
  let at = 0
  let n = 0
  const next = (): Uint8Array<ArrayBuffer> | undefined => {
    if (at >= data.byteLength) return undefined
    const piece = data.slice(at, at + 1000 + 37 * (n++ % 50))
    at += piece.byteLength
    return piece
  }
  if (type === 'bytes') {
    return new ReadableStream({
      type: 'bytes',
      pull (c) {
        const piece = next()
        if (piece == null) {
          c.close()
          c.byobRequest?.respond(0)
          return
        }
        // written into the reader's own buffer where it gave one, as a browser's body does
        const view = c.byobRequest?.view
        if (view != null && view.byteLength >= piece.byteLength) {
          new Uint8Array(view.buffer, view.byteOffset, piece.byteLength).set(piece)
          c.byobRequest!.respond(piece.byteLength)
          writtenInPlace++
        } else {
          c.enqueue(piece)
        }
      }
    })
  }
  return new ReadableStream<Uint8Array>({ pull (c) { const piece = next(); if (piece == null) c.close(); else c.enqueue(piece) } })
}

async function chunksOf (reader: ReadableStreamDefaultReader<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = []
  for (let r = await reader.read(); r.done !== true; r = await reader.read()) out.push(r.value)
  return out
}

describe('a body read into chunks of one size', () => {
  for (const type of ['bytes', undefined] as const) {
    it(`gives whole buffers of the size, the last shorter, with every byte in order (${type === 'bytes' ? 'a byte stream, written in place' : 'a stream of pieces, copied in'})`, async () => {
      const data = bytes(300_000 + 123, 9)
      writtenInPlace = 0
      const chunks = await chunksOf(filledChunks(arriving(data, type), 65_536))
      expect(chunks.map(c => c.byteLength)).toEqual([65_536, 65_536, 65_536, 65_536, 37_979])
      for (const chunk of chunks) {
        expect(chunk.byteOffset).toBe(0)
        expect(chunk.buffer.byteLength).toBe(chunk.byteLength)
      }
      expect(sameBytes(joinBytes(chunks), data)).toBe(true)
      // a byte stream wrote its pieces straight into the chunks (all that fit what was left of one)
      if (type === 'bytes') expect(writtenInPlace).toBeGreaterThan(100)
      else expect(writtenInPlace).toBe(0)
    })

    it(`starts the next chunk with what was carried, and goes on in whole chunks from there (${type ?? 'pieces'})`, async () => {
      const data = bytes(300_000, 4)
      const reader = filledChunks(arriving(data, type), 65_536)
      const first = await reader.read()
      // the first chunk given out cut at 1000, the rest of it carried
      const head = first.value!.slice(0, 1000)
      reader.carry(first.value!.subarray(1000))
      const rest = await chunksOf(reader)
      expect(rest.map(c => c.byteLength)).toEqual([65_536, 65_536, 65_536, 65_536, 300_000 - 1000 - 4 * 65_536])
      expect(rest.every(c => c.byteOffset === 0 && c.buffer.byteLength === c.byteLength)).toBe(true)
      expect(sameBytes(joinBytes([head, ...rest]), data)).toBe(true)
    })

    it(`gives nothing for an empty body, and one short chunk for a small one (${type ?? 'pieces'})`, async () => {
      expect(await chunksOf(filledChunks(arriving(new Uint8Array(0), type), 1024))).toEqual([])
      const small = await chunksOf(filledChunks(arriving(bytes(10, 2), type), 1024))
      expect(small.length).toBe(1)
      expect(sameBytes(small[0], bytes(10, 2))).toBe(true)
      expect(small[0].buffer.byteLength).toBe(10)
    })
  }

  it('cancelling the chunks cancels the body, with the reason', async () => {
    const cancelled = Promise.withResolvers<unknown>()
    const body = new ReadableStream({ type: 'bytes', pull (c) { c.enqueue(new Uint8Array(100)) }, cancel (reason) { cancelled.resolve(reason) } })
    const reader = filledChunks(body, 1000)
    expect((await reader.read()).value?.byteLength).toBe(1000)
    await reader.cancel('the client went away')
    expect(await cancelled.promise).toBe('the client went away')
  })
})

describe('formFileStart', () => {
  it('finds where a form\'s first file begins, after any fields before it', async () => {
    const content = bytes(5000, 6)
    const form = new FormData()
    form.append('to_files', '/x/')
    form.append('file', new Blob([content]), 'a.bin')
    const request = new Request('http://localhost/', { method: 'POST', body: form })
    const type = request.headers.get('content-type')!
    const body = new Uint8Array(await request.arrayBuffer())
    const start = formFileStart(type, body)!
    expect(sameBytes(body.subarray(start, start + content.byteLength), content)).toBe(true)
    expect(formFileStart('application/octet-stream', body)).toBeUndefined()
    // the file's headers not all in the chunk: no place to cut
    expect(formFileStart(type, body.subarray(0, start - 1))).toBeUndefined()
    expect(formFileStart(type, body.subarray(0, start))).toBeUndefined()
  })
})
