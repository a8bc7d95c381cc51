import { describe, expect, it } from 'vitest'
import { PULLS_AHEAD, receiveBody, sendBody } from '../../src/sw/body-port.ts'
import { filledChunks } from '../../src/sw/filled-chunks.ts'
import { bytes, joinBytes, readAll, sameBytes } from './helpers.ts'

/** Short waits, so a side that went away is found out within the test. */
const quick = { quietMs: 50, answerMs: 100 }

describe('a body on a port', () => {
  it('arrives whole and in order, and the sender keeps the buffers it read from', async () => {
    const data = bytes(3 * 1024 * 1024 + 5, 3)
    // views of one buffer, as a cached block's bytes would be
    const views = [data.subarray(0, 1024 * 1024), data.subarray(1024 * 1024, 3 * 1024 * 1024), data.subarray(3 * 1024 * 1024)]
    const source = new ReadableStream<Uint8Array>({ start (c) { for (const v of views) c.enqueue(v); c.close() } })
    expect(sameBytes(await readAll(receiveBody(sendBody(source.getReader()).port)), data)).toBe(true)
    expect(data.buffer.byteLength).toBe(3 * 1024 * 1024 + 5)
  })

  it('the reader asks a few chunks ahead, yet the source is read no further than that, and gathered chunks keep their order', async () => {
    let reads = 0
    const pieces = 200
    const source = new ReadableStream<Uint8Array>({
      // pieces of uneven sizes, each its own value, as a request body arrives
      pull (c) {
        if (reads === pieces) { c.close(); return }
        c.enqueue(new Uint8Array(1000 + reads).fill(reads++))
      }
    }, { highWaterMark: 0 })
    const expected = joinBytes(Array.from({ length: pieces }, (_, i) => new Uint8Array(1000 + i).fill(i % 256)))
    const body = receiveBody(sendBody(filledChunks(source, 4096), { owned: true }).port)
    const reader = body.getReader()
    const first = await reader.read()
    await new Promise(resolve => setTimeout(resolve, 50))
    // the first chunk read, one queued in the stream and PULLS_AHEAD asked ahead (one being filled): no more of the source
    expect(first.value?.byteLength).toBe(4096)
    expect(reads).toBeGreaterThan(PULLS_AHEAD * 4)
    expect(reads).toBeLessThanOrEqual(Math.ceil((PULLS_AHEAD + 3) * 4096 / 1000))
    const rest: Uint8Array[] = [first.value!]
    for (let r = await reader.read(); r.done !== true; r = await reader.read()) rest.push(r.value)
    expect(sameBytes(joinBytes(rest), expected)).toBe(true)
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
    await expect(readAll(receiveBody(sendBody(source.getReader()).port))).rejects.toThrow('the block is damaged')
  })

  it('a reader that stops cancels the source, with its reason', async () => {
    const cancelled = Promise.withResolvers<unknown>()
    const source = new ReadableStream<Uint8Array>({
      pull (c) { c.enqueue(new Uint8Array(1024)) },
      cancel (reason) { cancelled.resolve(reason) }
    })
    const reader = receiveBody(sendBody(source.getReader()).port).getReader()
    expect((await reader.read()).value?.byteLength).toBe(1024)
    await reader.cancel('the client went away')
    expect(await cancelled.promise).toBe('the client went away')
  })

  it('a slow sender that still answers is waited for; one that went away errors the body instead of leaving it hanging', async () => {
    // a source that gives its second chunk late: the reader asks meanwhile, and the sender answers
    const late = new ReadableStream<Uint8Array>({
      start (c) { c.enqueue(new Uint8Array(8)) },
      async pull (c) { await new Promise(resolve => setTimeout(resolve, 400)); c.enqueue(new Uint8Array(4)); c.close() }
    })
    expect((await readAll(receiveBody(sendBody(late.getReader(), { liveness: quick }).port, { liveness: quick }))).byteLength).toBe(12)

    // a sender whose side is gone: its port closed with the body unfinished
    const { port1, port2 } = new MessageChannel()
    port1.onmessage = () => { port1.close() }
    await expect(readAll(receiveBody(port2, { liveness: quick }))).rejects.toThrow(/went away/)
  })

  it('a reader that went away without a word has its source cancelled', async () => {
    const cancelled = Promise.withResolvers<unknown>()
    const source = new ReadableStream<Uint8Array>({ pull (c) { c.enqueue(new Uint8Array(1)) }, cancel (reason) { cancelled.resolve(reason) } })
    const sent = sendBody(source.getReader(), { liveness: quick })
    // the reading side closes its end and never answers
    sent.port.close()
    expect(String(await cancelled.promise)).toMatch(/went away/)
  })

  it('an aborted request ends its body, and tells the sender', async () => {
    const cancelled = Promise.withResolvers<unknown>()
    const source = new ReadableStream<Uint8Array>({ pull () { return new Promise(() => {}) }, cancel (reason) { cancelled.resolve(reason) } })
    const abort = new AbortController()
    const reader = receiveBody(sendBody(source.getReader()).port, { signal: abort.signal }).getReader()
    const read = reader.read()
    abort.abort(new Error('the deadline passed'))
    await expect(read).rejects.toThrow(/deadline passed/)
    expect(String(await cancelled.promise)).toMatch(/deadline passed/)
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
    const sent = sendBody(filledChunks(source, 1024 * 1024), { owned: true })
    expect(sent.started).toBe(false)
    const sizes: number[] = []
    const chunks: Uint8Array[] = []
    for await (const chunk of receiveBody(sent.port) as unknown as AsyncIterable<Uint8Array>) { sizes.push(chunk.byteLength); chunks.push(chunk) }
    expect(sent.started).toBe(true)
    expect(sizes).toEqual([1024 * 1024, 1024 * 1024, 300])
    expect(sameBytes(await readAll(new ReadableStream({ start (c) { for (const x of chunks) c.enqueue(x); c.close() } })), data)).toBe(true)
  })

  it('a body not yet begun can be served again on a new port, from where it is', async () => {
    const reader = filledChunks(new ReadableStream<Uint8Array>({ start (c) { c.enqueue(new Uint8Array([1, 2])); c.enqueue(new Uint8Array([3])); c.close() } }), 4)
    const first = sendBody(reader, { owned: true })
    // the first leader went away without reading it, and the worker gives that port up
    first.port.close()
    first.abandon()
    expect(first.started).toBe(false)
    expect(await readAll(receiveBody(sendBody(reader, { owned: true }).port))).toEqual(new Uint8Array([1, 2, 3]))
  })
})
