import { parquetReadObjects } from 'hyparquet'
import { base32 } from 'multiformats/bases/base32'
import { CID } from 'multiformats/cid'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { bytes, postJson, startTestApi } from './helpers.ts'
import type { TestApi } from './helpers.ts'

async function addRaw (api: TestApi, data: Uint8Array<ArrayBuffer>, query = ''): Promise<string> {
  const r = await api.json(`/ipfs/add${query}`, { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: data })
  expect(r.status).toBe(200)
  return r.body.cid
}

describe('cache API', () => {
  let api: TestApi
  beforeEach(async () => { api = await startTestApi() })
  afterEach(async () => { await api.stop() })

  it('add and cat update the record; a promoted CID is read from memory', async () => {
    const added = await api.json('/ipfs/add', postJson({ content: 'hello cache', filename: 'Hello.TXT' }))
    const cid: string = added.body.cid
    const first = await api.request(`/ipfs/cat/${cid}`)
    expect(await first.text()).toBe('hello cache')
    expect(first.headers.get('x-cache-hit')).toBe('false')
    expect(first.headers.get('x-cache-tier')).toBe('indexeddb')
    await (await api.request(`/ipfs/cat/${cid}`)).arrayBuffer()

    const { status, body } = await api.json(`/cache/get/${cid}`)
    expect(status).toBe(200)
    expect(body.record).toMatchObject({
      cid, size_bytes: 11, filename: 'Hello.TXT', extension: 'txt', mimetype: 'text/plain', is_pinned: true,
      access_count: 2, source: 'add', storage_tier: 'indexeddb', cid_version: 1, multihash_type: 'sha2-256', valid: true
    })
    expect(body.record.heat_score).toBeGreaterThan(0.5)

    const promoted = await api.json('/cache/tiers/promote', postJson({ cid }))
    expect(promoted.status).toBe(200)
    expect(promoted.body).toMatchObject({ cid, storage_tier: 'memory', bytes: 11 })
    const hot = await api.request(`/ipfs/cat/${cid}`)
    expect(await hot.text()).toBe('hello cache')
    expect(hot.headers.get('x-cache-hit')).toBe('true')
    const stats = (await api.json('/cache/stats')).body.stats
    expect(stats.tiers.memory).toMatchObject({ hits: 1, misses: 2, records: 1, bytes: 11 })
    expect(stats.tiers.indexeddb).toMatchObject({ hits: 2, misses: 0 })
    expect(stats).toMatchObject({ loaded: true, records: 1, schema_version: 2 })

    const demoted = await api.json('/cache/tiers/demote', postJson({ cid }))
    expect(demoted.body).toMatchObject({ storage_tier: 'indexeddb', bytes: 11 })
    expect((await api.request(`/ipfs/cat/${cid}`)).headers.get('x-cache-hit')).toBe('false')
  })

  it('pin, unpin, MFS writes and block puts keep records', async () => {
    const cid = await addRaw(api, bytes(1000), '?pin=false')
    expect((await api.json(`/cache/get/${cid}`)).body.record.is_pinned).toBe(false)
    await api.json('/ipfs/pin/add', postJson({ cid }))
    expect((await api.json(`/cache/get/${cid}`)).body.record.is_pinned).toBe(true)
    await api.json('/ipfs/pin/rm', postJson({ cid }))
    expect((await api.json(`/cache/get/${cid}`)).body.record.is_pinned).toBe(false)

    const written = await api.json('/ipfs/files/write?path=/docs/a.md&parents=true', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '# title' })
    expect((await api.json(`/cache/get/${written.body.cid}`)).body.record).toMatchObject({ source: 'mfs', filename: 'a.md', extension: 'md', size_bytes: 7 })
    const block = await api.json('/ipfs/block/put', { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: bytes(10, 7) })
    expect((await api.json(`/cache/get/${block.body.cid}`)).body.record).toMatchObject({ source: 'block', size_bytes: 10 })
  })

  it('queries, hot list and optimize report', async () => {
    const big = await addRaw(api, bytes(300_000, 2), '?filename=big.bin')
    const small = await addRaw(api, bytes(100, 3), '?filename=small.txt')
    for (let i = 0; i < 3; i++) await (await api.request(`/ipfs/cat/${small}`)).arrayBuffer()

    const q = await api.json('/cache/query', postJson({
      filters: [{ column: 'size_bytes', op: '>', value: 1000 }, { column: 'added_timestamp', op: '>=', value: new Date(Date.now() - 7 * 86400_000).toISOString() }],
      sort: { column: 'size_bytes', order: 'desc' },
      limit: 20
    }))
    expect(q.status).toBe(200)
    expect(q.body.records.map((r: { cid: string }) => r.cid)).toEqual([big])
    expect(q.body).toMatchObject({ count: 1, total: 1 })

    const hot = await api.json('/cache/hot?limit=1')
    expect(hot.body.records.map((r: { cid: string }) => r.cid)).toEqual([small])

    for (let i = 0; i < 5; i++) await api.json('/cache/query', postJson({ filters: [{ column: 'extension', op: '=', value: 'txt' }] }))
    const report = await api.json('/cache/optimize', { method: 'POST' })
    expect(report.body.report.indexed_columns).toEqual(['extension'])
    expect(report.body.report.unused_columns).toContain('mimetype')
    expect(['read-heavy', 'analytical', 'mixed']).toContain(report.body.report.workload_type)
    const indexed = await api.json('/cache/query', postJson({ filters: [{ column: 'extension', op: '=', value: 'txt' }] }))
    expect(indexed.body).toMatchObject({ count: 1, used_indexes: ['extension'] })
    expect(indexed.body.records[0].cid).toBe(small)
  })

  it('refuses bad input with 4xx JSON errors', async () => {
    const cases: Array<[string, RequestInit | undefined, number, string]> = [
      ['/cache/get/not-a-cid', undefined, 400, 'InvalidCIDError'],
      ['/cache/get/bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e', undefined, 404, 'RecordNotFoundError'],
      ['/cache/query', postJson({ filters: [{ column: 'nope', op: '=', value: 1 }] }), 400, 'InvalidParametersError'],
      ['/cache/query', postJson({ filters: [{ column: 'size_bytes', op: 'like', value: 1 }] }), 400, 'InvalidRequestError'],
      ['/cache/query', postJson({ filters: [{ column: 'size_bytes', op: '>', value: 'ten' }] }), 400, 'InvalidParametersError'],
      ['/cache/query', postJson({ limit: -1 }), 400, 'InvalidRequestError'],
      ['/cache/query', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{' }, 400, 'InvalidJSONError'],
      ['/cache/tiers/promote', postJson({ cid: 'bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e' }), 404, 'RecordNotFoundError'],
      ['/cache/hot?limit=abc', undefined, 400, 'InvalidRequestError']
    ]
    for (const [path, init, status, type] of cases) {
      const r = await api.json(path, init)
      expect([path, r.status, r.body.error_type]).toEqual([path, status, type])
      expect(r.body.success).toBe(false)
    }
  })

  it('exports one Parquet file that another reader reads back with the same rows', async () => {
    const cids = [await addRaw(api, bytes(500, 4), '?filename=a.bin'), await addRaw(api, bytes(600, 5), '?filename=b.bin')]
    await (await api.request(`/ipfs/cat/${cids[1]}`)).arrayBuffer()
    const response = await api.request('/cache/export')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/vnd.apache.parquet')
    expect(response.headers.get('content-disposition')).toMatch(/attachment; filename="cid-cache-.*\.parquet"/)
    const rows = await parquetReadObjects({ file: await response.arrayBuffer() })
    expect(rows.map(r => [r.cid, Number(r.size_bytes), r.filename, r.access_count]).sort()).toEqual([
      [cids[0], 500, 'a.bin', 0],
      [cids[1], 600, 'b.bin', 1]
    ].sort())
  })

  it('repo gc removes what no pin or MFS path reaches, and its records', async () => {
    const loose = await addRaw(api, bytes(300_000, 6), '?pin=false&chunker=size-65536')
    const pinned = await addRaw(api, bytes(1000, 7))
    const written = await api.json('/ipfs/files/write?path=/kept.bin', { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: bytes(2000, 8) })
    const before = (await api.json('/ipfs/stats')).body.repo.object_count

    const gc = await api.json('/ipfs/repo/gc', { method: 'POST' })
    expect(gc.status).toBe(200)
    // the loose file's five 64 KiB leaves and its root, and the empty MFS root the write replaced
    expect(gc.body).toMatchObject({ success: true, removed: 7, records_dropped: 1 })
    expect(gc.body.freed_bytes).toBeGreaterThan(300_000)
    // keyed by multihash, so listed as raw CIDv1 (as Kubo lists them)
    const multihash = (cid: string): string => base32.encode(CID.parse(cid).multihash.bytes)
    expect(gc.body.removed_cids.map(multihash)).toContain(multihash(loose))
    expect((await api.json('/ipfs/stats')).body.repo.object_count).toBe(before - 7)

    expect((await api.json(`/ipfs/cat/${loose}?timeout=2s`)).status).toBe(404)
    expect((await api.json(`/cache/get/${loose}`)).status).toBe(404)
    expect((await api.request(`/ipfs/cat/${pinned}`)).status).toBe(200)
    expect((await api.request(`/ipfs/cat/${written.body.cid}`)).status).toBe(200)
    expect((await api.json('/ipfs/repo/gc', { method: 'POST' })).body.removed).toBe(0)
  })

  it('gc waits for an add in progress, so the add keeps its blocks', async () => {
    let release!: () => void
    const gate = new Promise<void>(resolve => { release = resolve })
    const data = bytes(200_000, 9)
    const body = new ReadableStream<Uint8Array>({
      async start (controller) {
        controller.enqueue(data.subarray(0, 100_000))
        await gate
        controller.enqueue(data.subarray(100_000))
        controller.close()
      }
    })
    const adding = api.json('/ipfs/add?chunker=size-16384', { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body, duplex: 'half' } as RequestInit)
    await new Promise(resolve => setTimeout(resolve, 50))
    const collecting = api.json('/ipfs/repo/gc', { method: 'POST' })
    await new Promise(resolve => setTimeout(resolve, 50))
    release()
    const [added, gc] = await Promise.all([adding, collecting])
    expect(added.status).toBe(200)
    expect(gc.body.removed).toBe(0)
    const back = new Uint8Array(await (await api.request(`/ipfs/cat/${added.body.cid}`)).arrayBuffer())
    expect(back).toEqual(data)
  })
})
