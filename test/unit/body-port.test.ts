import { describe, expect, it } from 'vitest'
import { receiveBody, sendBody } from '../../src/sw/body-port.ts'
import { bytes } from './helpers.ts'

async function readAll (stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = []
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) chunks.push(chunk)
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0))
  let at = 0
  for (const c of chunks) { out.set(c, at); at += c.byteLength }
  return out
}

const stillThere = async (): Promise<boolean> => false

/** Equal bytes (a deep equality over megabytes takes seconds). */
function sameBytes (a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))
}

describe('a reply body on a port', () => {
  it('arrives whole and in order, and the sender keeps the buffers it read from', async () => {
    const data = bytes(3 * 1024 * 1024 + 5, 3)
    // views of one buffer, as a cached block's bytes would be
    const views = [data.subarray(0, 1024 * 1024), data.subarray(1024 * 1024, 3 * 1024 * 1024), data.subarray(3 * 1024 * 1024)]
    const source = new ReadableStream<Uint8Array>({ start (c) { for (const v of views) c.enqueue(v); c.close() } })
    expect(sameBytes(await readAll(receiveBody(sendBody(source.getReader()).port, stillThere)), data)).toBe(true)
    expect(data.buffer.byteLength).toBe(3 * 1024 * 1024 + 5)
  })

  it('an error in the source ends the body with that error', async () => {
    let sent = false
    const source = new ReadableStream<Uint8Array>({
      pull (c) {
        if (sent) { c.error(new Error('the block is damaged')); return }
        sent = true
        c.enqueue(new Uint8Array([1, 2, 3]))
      }
    })
    await expect(readAll(receiveBody(sendBody(source.getReader()).port, stillThere))).rejects.toThrow('the block is damaged')
  })

  it('a reader that stops cancels the source, with its reason', async () => {
    const cancelled = Promise.withResolvers<unknown>()
    const source = new ReadableStream<Uint8Array>({
      pull (c) { c.enqueue(new Uint8Array(1024)) },
      cancel (reason) { cancelled.resolve(reason) }
    })
    const reader = receiveBody(sendBody(source.getReader()).port, stillThere).getReader()
    expect((await reader.read()).value?.byteLength).toBe(1024)
    await reader.cancel('the client went away')
    expect(await cancelled.promise).toBe('the client went away')
  })

  it('a sender that goes away mid-body errors the stream instead of leaving it hanging', async () => {
    // a source that never gives its next chunk, from a leader the worker then finds gone
    const source = new ReadableStream<Uint8Array>({ start (c) { c.enqueue(new Uint8Array(8)) }, pull () { return new Promise(() => {}) } })
    let leaderGone = false
    const reader = receiveBody(sendBody(source.getReader()).port, async () => leaderGone).getReader()
    expect((await reader.read()).value?.byteLength).toBe(8)
    leaderGone = true
    await expect(reader.read()).rejects.toThrow(/went away/)
  })

  it('a request body in small pieces goes in chunks of the size asked for, and says once it has begun', async () => {
    const data = bytes(2 * 1024 * 1024 + 300, 8)
    let at = 0
    // 16 KiB pieces, as a request body arrives
    const source = new ReadableStream<Uint8Array>({
      pull (c) {
        if (at >= data.byteLength) { c.close(); return }
        c.enqueue(data.slice(at, at + 16 * 1024))
        at += 16 * 1024
      }
    })
    const sent = sendBody(source.getReader(), { chunkBytes: 1024 * 1024 })
    expect(sent.started).toBe(false)
    const sizes: number[] = []
    const chunks: Uint8Array[] = []
    for await (const chunk of receiveBody(sent.port) as unknown as AsyncIterable<Uint8Array>) { sizes.push(chunk.byteLength); chunks.push(chunk) }
    expect(sent.started).toBe(true)
    expect(sizes).toEqual([1024 * 1024, 1024 * 1024, 300])
    expect(sameBytes(await readAll(new ReadableStream({ start (c) { for (const x of chunks) c.enqueue(x); c.close() } })), data)).toBe(true)
  })

  it('a body not yet begun can be served again on a new port, from where it is', async () => {
    const reader = new ReadableStream<Uint8Array>({ start (c) { c.enqueue(new Uint8Array([1, 2])); c.enqueue(new Uint8Array([3])); c.close() } }).getReader()
    const first = sendBody(reader, { chunkBytes: 4 })
    // the first leader went away without reading it
    first.port.close()
    expect(first.started).toBe(false)
    expect(await readAll(receiveBody(sendBody(reader, { chunkBytes: 4 }).port))).toEqual(new Uint8Array([1, 2, 3]))
  })
})
