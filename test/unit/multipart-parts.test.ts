import { describe, expect, it } from 'vitest'
import { boundaryOf, partText, streamParts } from '../../src/api/multipart-parts.ts'
import { bytes, joinBytes, sameBytes } from './helpers.ts'
import type { StreamedPart } from '../../src/api/multipart-parts.ts'

const encoder = new TextEncoder()

/** A form as the platform writes it (its body and boundary). */
async function encodedForm (form: FormData): Promise<{ body: Uint8Array<ArrayBuffer>, boundary: string }> {
  const request = new Request('http://localhost/', { method: 'POST', body: form })
  return { body: new Uint8Array(await request.arrayBuffer()), boundary: boundaryOf(request.headers.get('content-type') ?? '') }
}

/** `body` as a stream of fresh chunks of `size` bytes (each filling its own buffer). */
function chunked (body: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let at = 0
  return new ReadableStream({
    pull (controller) {
      if (at >= body.byteLength) {
        controller.close()
        return
      }
      controller.enqueue(body.slice(at, at + size))
      at += size
    }
  })
}

interface ReadPart { name: string, filename?: string, type: string, bytes: Uint8Array }

async function readParts (stream: ReadableStream<Uint8Array>, boundary: string): Promise<ReadPart[]> {
  const parts: ReadPart[] = []
  for await (const part of streamParts(stream, boundary)) {
    const chunks: Uint8Array[] = []
    for await (const chunk of part.content) chunks.push(chunk.slice())
    const { content: _, ...rest } = part
    parts.push({ ...rest, bytes: joinBytes(chunks) })
  }
  return parts
}

describe('streamParts', () => {
  it('reads every part of a browser-made form, however the body is cut', async () => {
    const big = bytes(300_000, 5)
    // content that looks like the start of a boundary, and line breaks, must come through as they are
    const tricky = encoder.encode('a\r\n-\r\n--\r\n--not-the-boundary\r\n\r\n--')
    const form = new FormData()
    form.append('pin', 'false')
    form.append('file', new Blob([big], { type: 'application/x-big' }), 'dir/big.bin')
    form.append('file', new Blob([tricky]), 'tricky.txt')
    form.append('file', new Blob([]), 'empty.txt')
    const { body, boundary } = await encodedForm(form)
    for (const size of [1, 2, 3, 7, 41, 1000, 65_536, body.byteLength]) {
      const parts = await readParts(chunked(body, size), boundary)
      expect(parts.map(p => [p.name, p.filename, p.type, p.bytes.byteLength]), `cut every ${size} bytes`).toEqual([
        ['pin', undefined, 'text/plain', 5],
        ['file', 'dir/big.bin', 'application/x-big', big.byteLength],
        ['file', 'tricky.txt', 'application/octet-stream', tricky.byteLength],
        ['file', 'empty.txt', 'application/octet-stream', 0]
      ])
      expect(new TextDecoder().decode(parts[0].bytes)).toBe('false')
      expect(sameBytes(parts[1].bytes, big)).toBe(true)
      expect(sameBytes(parts[2].bytes, tricky)).toBe(true)
    }
  })

  it('finds the boundary in content full of its own beginnings, cut anywhere', async () => {
    const boundary = 'AaB03x'
    const delimiter = `\r\n--${boundary}`
    // pieces of the delimiter (never all of it), and bytes of every value
    let seed = 7
    const random = (n: number): number => { seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31; return seed % n }
    const contents = [0, 1, 2].map(() => {
      const pieces: Uint8Array[] = []
      for (let i = 0; i < 400; i++) {
        pieces.push(random(2) === 0 ? encoder.encode(delimiter.slice(0, 1 + random(delimiter.length - 1))) : bytes(1 + random(20), random(1000)))
      }
      return joinBytes(pieces)
    })
    const body = joinBytes([
      ...contents.flatMap((content, i) => [encoder.encode(`--${boundary}\r\nContent-Disposition: form-data; name="f${i}"; filename="f${i}"\r\n\r\n`), content, encoder.encode('\r\n')]),
      encoder.encode(`--${boundary}--\r\n`)
    ])
    for (const size of [1, 5, 9, 13, 64, 333, 4096]) {
      const parts = await readParts(chunked(body, size), boundary)
      expect(parts.map(p => p.name), `cut every ${size} bytes`).toEqual(['f0', 'f1', 'f2'])
      parts.forEach((part, i) => { expect(sameBytes(part.bytes, contents[i]), `part ${i}, cut every ${size}`).toBe(true) })
    }
  })

  it('passes over a preamble, transport padding, parts left unread and the epilogue', async () => {
    const body = encoder.encode([
      'a preamble to ignore',
      '--XyZ   ',
      'Content-Disposition: form-data; name="skipped"',
      '',
      'never read',
      '--XyZ',
      'content-disposition: form-data; name="f"; filename="x.txt"',
      'CONTENT-TYPE: text/x-thing',
      '',
      'wanted',
      '--XyZ--',
      'an epilogue to ignore'
    ].join('\r\n'))
    const seen: Array<[string, string]> = []
    for await (const part of streamParts(chunked(body, 5), 'XyZ')) {
      if (part.name === 'f') seen.push([part.type, await partText(part)])
    }
    expect(seen).toEqual([['text/x-thing', 'wanted']])
  })

  it('decodes a filename* (RFC 5987) and keeps a percent-encoded filename as sent', async () => {
    const body = encoder.encode([
      '--b',
      'Content-Disposition: form-data; name="file"; filename*=UTF-8\'\'caf%C3%A9.txt',
      '',
      '1',
      '--b',
      'Content-Disposition: form-data; name="file"; filename="m%2Fa.txt"',
      '',
      '2',
      '--b--'
    ].join('\r\n'))
    const names: Array<string | undefined> = []
    for await (const part of streamParts(chunked(body, 3), 'b')) names.push(part.filename)
    expect(names).toEqual(['café.txt', 'm%2Fa.txt'])
  })

  it('fails with a 400 where the body breaks the grammar, after the parts before it', async () => {
    const cases: Array<[string, string, number]> = [
      // [body, what the error says, parts read before it]
      ['--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nno closing boundary', 'ended inside a part', 0],
      ['no boundary at all', 'has no boundary line', 0],
      ['--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--b\r\nNoColon\r\n\r\nx\r\n--b--', 'has no name', 1],
      ['--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--', 'no Content-Disposition', 0],
      ['--bXX\r\n', 'other than a line break', 0],
      [`--b\r\nContent-Disposition: form-data; name="a"\r\nX-Long: ${'y'.repeat(20_000)}\r\n\r\nx\r\n--b--`, 'over 16384 bytes', 0]
    ]
    for (const [text, message, before] of cases) {
      let read = 0
      const error = await (async () => {
        for await (const part of streamParts(chunked(encoder.encode(text), 4), 'b')) {
          await partText(part)
          read++
        }
      })().catch((e: Error) => e)
      expect(error, text.slice(0, 40)).toMatchObject({ name: 'InvalidRequestError', message: expect.stringContaining(message) })
      expect(read).toBe(before)
    }
  })

  it('hands on a chunk that is all content as the body\'s own buffer, and never reads it again', async () => {
    const content = bytes(4 * 65_536, 9)
    const form = new FormData()
    form.append('file', new Blob([content]), 'x.bin')
    const { body, boundary } = await encodedForm(form)
    const chunks: Uint8Array[] = []
    let whole = 0
    for await (const part of streamParts(chunked(body, 65_536), boundary)) {
      for await (const chunk of part.content) {
        chunks.push(chunk.slice())
        if (chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength) {
          whole++
          // as a store in a worker takes such a buffer: it is gone from here
          structuredClone(chunk.buffer, { transfer: [chunk.buffer as ArrayBuffer] })
        }
      }
    }
    expect(whole).toBeGreaterThan(0)
    expect(sameBytes(joinBytes(chunks), content)).toBe(true)
  })

  it('stops reading the body when the reader stops, and refuses a part read after the next was asked for', async () => {
    const form = new FormData()
    form.append('file', new Blob([bytes(200_000, 1)]), 'a.bin')
    form.append('file', new Blob([bytes(10, 2)]), 'b.bin')
    form.append('file', new Blob([bytes(200_000, 3)]), 'c.bin')
    const { body, boundary } = await encodedForm(form)
    let pulled = 0
    let cancelled = false
    const source = chunked(body, 1000).getReader()
    const stream = new ReadableStream<Uint8Array>({
      async pull (controller) {
        pulled++
        const { value, done } = await source.read()
        if (done) controller.close()
        else controller.enqueue(value)
      },
      cancel () { cancelled = true }
    })
    const parts: StreamedPart[] = []
    for await (const part of streamParts(stream, boundary)) {
      parts.push(part)
      const first = await part.content[Symbol.asyncIterator]().next()
      expect(first.done).toBe(false)
      if (parts.length === 2) break
    }
    expect(cancelled).toBe(true)
    expect(pulled).toBeLessThan(body.byteLength / 1000)
    await expect(parts[0].content[Symbol.asyncIterator]().next()).rejects.toThrow(/after the next part was asked for/)
  })

  it('takes the boundary from a Content-Type, quoted or not, and refuses one without', () => {
    expect(boundaryOf('multipart/form-data; boundary=abc')).toBe('abc')
    expect(boundaryOf('multipart/form-data; charset=utf-8; boundary="a b:c"')).toBe('a b:c')
    expect(() => boundaryOf('multipart/form-data')).toThrow(/names no boundary/)
    expect(() => boundaryOf(`multipart/form-data; boundary=${'x'.repeat(71)}`)).toThrow(/names no boundary/)
  })
})

describe('partText', () => {
  it('refuses a field longer than its limit', async () => {
    const body = encoder.encode('--b\r\nContent-Disposition: form-data; name="long"\r\n\r\n12345\r\n--b--')
    const error = await (async () => {
      for await (const part of streamParts(chunked(body, 100), 'b')) await partText(part, 4)
    })().catch((e: Error) => e)
    expect(error).toMatchObject({ name: 'InvalidRequestError', message: expect.stringContaining('"long" is over 4 bytes') })
  })

  it('reads a stream from a Response the same as its bytes', async () => {
    const form = new FormData()
    form.append('note', 'héllo')
    const { body, boundary } = await encodedForm(form)
    const texts: string[] = []
    for await (const part of streamParts(new Response(body).body!, boundary)) texts.push(await partText(part))
    expect(texts).toEqual(['héllo'])
  })
})
