import { describe, expect, it } from 'vitest'
import { bodyToForward } from '../../src/sw/reply-body.ts'

const text = (buffer: ArrayBuffer): string => new TextDecoder().decode(buffer)

async function readAll (stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text()
}

describe('bodyToForward', () => {
  it('sends a JSON envelope whole, as one buffer', async () => {
    const body = await bodyToForward(Response.json({ success: true, status: 'ok' }))
    expect(body).toBeInstanceOf(ArrayBuffer)
    expect(JSON.parse(text(body as ArrayBuffer))).toEqual({ success: true, status: 'ok' })
  })

  it('hands on Kubo\'s chunked JSON as the stream it is, without waiting for its end', async () => {
    let push!: ReadableStreamDefaultController<Uint8Array>
    const never = new ReadableStream<Uint8Array>({ start (c) { push = c } })
    const response = new Response(never, { headers: { 'Content-Type': 'application/json', 'X-Chunked-Output': '1' } })
    const body = await bodyToForward(response)
    expect(body).toBeInstanceOf(ReadableStream)
    push.enqueue(new TextEncoder().encode('{"In":1}\n'))
    push.close()
    expect(await readAll(body as ReadableStream<Uint8Array>)).toBe('{"In":1}\n')
  })

  it('streams a JSON reply larger than a buffer, starting with what it read', async () => {
    const big = JSON.stringify({ items: Array.from({ length: 20_000 }, (_, i) => `item-${i}`) })
    const chunks = [big.slice(0, 50_000), big.slice(50_000, 100_000), big.slice(100_000)]
    const stream = new ReadableStream<Uint8Array>({
      start (c) { for (const part of chunks) c.enqueue(new TextEncoder().encode(part)); c.close() }
    })
    const body = await bodyToForward(new Response(stream, { headers: { 'Content-Type': 'application/json' } }))
    expect(body).toBeInstanceOf(ReadableStream)
    expect(await readAll(body as ReadableStream<Uint8Array>)).toBe(big)
  })

  it('leaves any other body as its stream, and no body as none', async () => {
    const bytes = new Response(new Uint8Array([1, 2, 3]), { headers: { 'Content-Type': 'application/octet-stream' } })
    expect(await bodyToForward(bytes)).toBe(bytes.body)
    expect(await bodyToForward(new Response(null, { status: 204 }))).toBeNull()
  })
})
