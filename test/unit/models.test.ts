import { describe, expect, it } from 'vitest'
import { parseTimeout } from '../../src/api/deadline.ts'
import { OperationLog } from '../../src/node/models/core/operation-log.ts'
import { RequestStats } from '../../src/node/models/core/request-stats.ts'
import { parseContentPath } from '../../src/node/models/ipfs/content-path.ts'
import { sniffContentType } from '../../src/node/models/ipfs/content-type.ts'
import { tarStream } from '../../src/node/models/ipfs/tar.ts'

describe('OperationLog', () => {
  it('keeps the newest records, oldest dropped first, and counts all', () => {
    const log = new OperationLog(3)
    for (let i = 0; i < 5; i++) log.record({ operation: `op${i}`, method: 'GET', path: '/', status: 200, duration_ms: 1, timestamp: i })
    expect(log.recent().map(r => r.operation)).toEqual(['op4', 'op3', 'op2'])
    expect(log.recent(1).map(r => r.operation)).toEqual(['op4'])
    expect(log.count).toBe(5)
  })
})

describe('RequestStats', () => {
  it('reports counts, errors, bytes and percentiles', () => {
    const stats = new RequestStats()
    for (let i = 1; i <= 100; i++) stats.record('cat', i, i > 90, 10)
    stats.addBytesOut('cat', 500)
    const { operations, totals } = stats.snapshot()
    expect(operations.cat).toEqual({ count: 100, errors: 10, bytes_in: 1000, bytes_out: 500, latency_ms: { p50: 50, p95: 95 } })
    expect(totals.count).toBe(100)
  })
})

describe('parseTimeout', () => {
  it('reads milliseconds and units, refuses the rest', () => {
    expect(parseTimeout(undefined)).toBe(60_000)
    expect(parseTimeout('250')).toBe(250)
    expect(parseTimeout('1.5s')).toBe(1500)
    expect(parseTimeout('2m')).toBe(120_000)
    expect(() => parseTimeout('-1')).toThrow(/timeout/)
    expect(() => parseTimeout('0')).toThrow(/more than 0/)
    expect(() => parseTimeout('1d')).toThrow(/timeout/)
  })
})

describe('parseContentPath', () => {
  it('takes bare CIDs and /ipfs/ paths with encoded segments', () => {
    const p = parseContentPath('/ipfs/bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e/a%20b/c')
    expect(p.cid.toString()).toBe('bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e')
    expect(p.segments).toEqual(['a b', 'c'])
    expect(() => parseContentPath('')).toThrow(/CID is required/)
  })
})

describe('sniffContentType', () => {
  it('prefers the extension, then magic bytes, then a text check', () => {
    expect(sniffContentType('a.json', undefined)).toMatch(/^application\/json/)
    expect(sniffContentType(undefined, new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31]))).toBe('application/pdf')
    expect(sniffContentType(undefined, new Uint8Array([0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70, 0x69, 0x73, 0x6f, 0x6d]))).toBe('video/mp4')
    expect(sniffContentType(undefined, new TextEncoder().encode('héllo\n'))).toBe('text/plain; charset=utf-8')
    expect(sniffContentType(undefined, new Uint8Array([1, 2, 3, 0]))).toBe('application/octet-stream')
  })
})

describe('tarStream', () => {
  it('writes ustar headers with checksums, padding and a PAX header for long names', async () => {
    const long = `${'d'.repeat(90)}/${'f'.repeat(30)}.txt`
    const chunks: Uint8Array[] = []
    for await (const c of tarStream((async function * () {
      yield { path: 'dir', type: 'directory' as const, size: 0 }
      yield { path: long, type: 'file' as const, size: 3, content: (async function * () { yield new Uint8Array([1, 2, 3]) })() }
    })())) chunks.push(c)
    const tar = new Uint8Array(await new Blob(chunks as BlobPart[]).arrayBuffer())
    expect(tar.byteLength % 512).toBe(0)
    const text = (o: number, n: number): string => new TextDecoder().decode(tar.subarray(o, o + n)).replace(/\0.*$/s, '')
    expect(text(0, 100)).toBe('dir/')
    expect(text(156, 1)).toBe('5')
    let sum = 0
    for (let i = 0; i < 512; i++) sum += (i >= 148 && i < 156) ? 0x20 : tar[i]
    expect(parseInt(text(148, 7), 8)).toBe(sum)
    expect(text(512 + 156, 1)).toBe('x')
    expect(text(1024, 512)).toBe(`135 path=${long}\n`)
    expect(Array.from(tar.subarray(2048, 2051))).toEqual([1, 2, 3])
  })
})

describe('connectionType', () => {
  it('tells WebRTC, relayed and WebSocket links apart by their remote address', async () => {
    const { connectionType } = await import('../../src/node/models/network/peers.ts')
    const relay = '/ip4/127.0.0.1/tcp/9090/ws/p2p/12D3KooWRucyCMH7yfApJsXsLcZETqv1w5hGFjiuRxRTSEuSZqCp'
    expect(connectionType(`${relay}/p2p-circuit/webrtc/p2p/12D3KooWLptRe6wgVzeurSaTTUEHreiiUmaQyGVL6waL7PNzkjLd`)).toBe('webrtc')
    expect(connectionType(`${relay}/p2p-circuit/p2p/12D3KooWLptRe6wgVzeurSaTTUEHreiiUmaQyGVL6waL7PNzkjLd`)).toBe('relayed')
    expect(connectionType(relay)).toBe('websockets')
    expect(connectionType('/ip4/127.0.0.1/tcp/4001')).toBe('other')
  })
})

describe('parseDuration', () => {
  it('reads Go durations as Kubo takes them and refuses the rest', async () => {
    const { parseDuration } = await import('../../src/node/models/network/duration.ts')
    expect(parseDuration('24h', 'lifetime')).toBe(86_400_000)
    expect(parseDuration('1h30m', 'lifetime')).toBe(5_400_000)
    expect(parseDuration('500ms', 'ttl')).toBe(500)
    expect(() => parseDuration('forever', 'lifetime')).toThrow(/lifetime "forever"/)
    expect(() => parseDuration('5x', 'ttl')).toThrow(/duration/)
  })
})
