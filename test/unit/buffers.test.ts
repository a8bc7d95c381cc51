import { describe, expect, it } from 'vitest'
import { releaseBuffer } from '../../src/buffers.ts'

const canTransfer = typeof (ArrayBuffer.prototype as { transfer?: unknown }).transfer === 'function'

describe('releasing a buffer', () => {
  it.skipIf(!canTransfer)('empties it at once, where the runtime can transfer an ArrayBuffer', () => {
    const bytes = new Uint8Array(1024).fill(7)
    const view = bytes.subarray(10, 20)
    releaseBuffer(bytes)
    expect(bytes.byteLength).toBe(0)
    expect(bytes.buffer.byteLength).toBe(0)
    // every view on it goes with it: only for a buffer nothing reads again
    expect(view.byteLength).toBe(0)
  })

  it.skipIf(canTransfer)('leaves it to the collector where the runtime cannot (Node before 21)', () => {
    const bytes = new Uint8Array(16).fill(7)
    releaseBuffer(bytes)
    expect(bytes.byteLength).toBe(16)
  })
})
