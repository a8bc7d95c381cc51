import { describe, expect, it } from 'vitest'
import { releaseBuffer } from '../../src/buffers.ts'

describe('releasing a buffer', () => {
  it('empties it at once, and every view on it', () => {
    const bytes = new Uint8Array(1024).fill(7)
    const view = bytes.subarray(10, 20)
    releaseBuffer(bytes)
    expect(bytes.byteLength).toBe(0)
    expect(bytes.buffer.byteLength).toBe(0)
    // only for a buffer nothing reads again
    expect(view.byteLength).toBe(0)
  })
})
