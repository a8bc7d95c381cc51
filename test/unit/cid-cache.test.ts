import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { describe, expect, it } from 'vitest'
import { MemoryCacheFiles } from '../../src/node/cache/cache-files.ts'
import { CidCache } from '../../src/node/cache/cid-cache.ts'
import { heatScore } from '../../src/node/cache/heat.ts'
import { MemoryTier } from '../../src/node/cache/memory-tier.ts'
import { decodeRecords, encodeRecords } from '../../src/node/cache/parquet-codec.ts'
import { runQuery } from '../../src/node/cache/query.ts'
import { SortedIndex } from '../../src/node/cache/sorted-index.ts'
import { newRecord } from '../../src/node/cache/record.ts'
import type { CacheBlocks } from '../../src/node/cache/cid-cache.ts'
import type { CidRecord } from '../../src/node/cache/schema.ts'

const HOUR = 3_600_000
const T0 = Date.parse('2026-11-20T10:00:00Z')

async function cidOf (text: string): Promise<CID> {
  return CID.createV1(raw.code, await sha256.digest(new TextEncoder().encode(text)))
}

/** A clock the test moves by hand. */
function clock (start = T0): { now: () => number, advance: (ms: number) => void } {
  let t = start
  return { now: () => t, advance: (ms) => { t += ms } }
}

describe('heat score', () => {
  it('is 0.6·min(10, n)/10 + 0.4·2^(−age_h/12)', () => {
    expect(heatScore({ added_timestamp: T0, access_count: 0 }, T0)).toBeCloseTo(0.4, 10)
    expect(heatScore({ added_timestamp: T0, access_count: 5 }, T0)).toBeCloseTo(0.7, 10)
    expect(heatScore({ added_timestamp: T0, access_count: 10 }, T0 + 12 * HOUR)).toBeCloseTo(0.6 + 0.2, 10)
    expect(heatScore({ added_timestamp: T0, access_count: 25 }, T0 + 24 * HOUR)).toBeCloseTo(0.6 + 0.1, 10)
    expect(heatScore({ added_timestamp: T0, access_count: 1 }, T0 + 36 * HOUR)).toBeCloseTo(0.06 + 0.05, 10)
  })
})

describe('CID cache', () => {
  it('counts reads and heat, and keeps them across a flush and a fresh load', async () => {
    const files = new MemoryCacheFiles()
    const time = clock()
    const cache = new CidCache({ files, now: time.now })
    const a = await cidOf('a')
    cache.noteAdded(a, { size: 1234, filename: 'dir/Photo.JPG', mimetype: 'image/jpeg', pinned: true, source: 'add' })
    time.advance(12 * HOUR)
    cache.noteRead(a, 'indexeddb', { source: 'cat' })
    cache.noteRead(a, 'indexeddb', { source: 'cat' })
    const record = await cache.get(a)
    expect(record).toMatchObject({
      cid: a.toString(), size_bytes: 1234, filename: 'Photo.JPG', extension: 'jpg', mimetype: 'image/jpeg',
      is_pinned: true, access_count: 2, added_timestamp: T0, last_accessed: T0 + 12 * HOUR, source: 'add',
      cid_version: 1, multihash_type: 'sha2-256', storage_tier: 'indexeddb', valid: true
    })
    expect(record.heat_score).toBeCloseTo(0.6 * 0.2 + 0.4 * 0.5, 6)
    await cache.stop()

    const again = new CidCache({ files, now: time.now })
    const loaded = await again.get(a)
    expect(loaded.access_count).toBe(2)
    expect(loaded.last_accessed).toBe(T0 + 12 * HOUR)
    expect(loaded.heat_score).toBeCloseTo(0.32, 5)
    expect(again.stats()).toMatchObject({ loaded: true, records: 1, partitions: 1, schema_version: 2 })
  })

  it('applies changes made before loading finished on top of what was loaded', async () => {
    const files = new MemoryCacheFiles()
    const first = new CidCache({ files, now: () => T0 })
    const a = await cidOf('a')
    first.noteAdded(a, { source: 'add' })
    first.noteRead(a, 'indexeddb', { source: 'cat' })
    await first.stop()

    const second = new CidCache({ files })
    second.noteRead(a, 'indexeddb', { source: 'cat' })
    expect(second.stats().loaded).toBe(false)
    expect((await second.get(a)).access_count).toBe(2)
  })

  it('rolls a partition over to a new file at max_partition_rows', async () => {
    const files = new MemoryCacheFiles()
    const time = clock()
    const cache = new CidCache({ files, now: time.now, config: { maxPartitionRows: 3 } })
    for (let i = 0; i < 7; i++) {
      cache.noteAdded(await cidOf(`r${i}`), { source: 'add' })
      time.advance(1000)
    }
    await cache.flush()
    const parquet = (await files.list()).filter(f => !f.path.startsWith('_')).map(f => f.path).sort()
    expect(parquet).toEqual(['day=2026-11-20/part-00000.g1.parquet', 'day=2026-11-20/part-00001.g1.parquet', 'day=2026-11-20/part-00002.g1.parquet'])
    const rows = await Promise.all(parquet.map(async p => (await decodeRecords((await files.read(p))!)).records.length))
    expect(rows).toEqual([3, 3, 1])
    expect(cache.stats().partitions).toBe(3)

    // one more record lands in the last file only: it alone is rewritten (as generation 2), and the old one goes
    cache.noteAdded(await cidOf('r7'), { source: 'add' })
    await cache.flush()
    const after = (await files.list()).filter(f => !f.path.startsWith('_')).map(f => f.path).sort()
    expect(after).toEqual(['day=2026-11-20/part-00000.g1.parquet', 'day=2026-11-20/part-00001.g1.parquet', 'day=2026-11-20/part-00002.g2.parquet'])
    expect((await decodeRecords((await files.read(after[2]))!)).records.length).toBe(2)
  })

  it('a flush cut short leaves the previous generation whole, and the next load tidies up', async () => {
    const files = new MemoryCacheFiles()
    const first = new CidCache({ files, now: () => T0 })
    const a = await cidOf('a')
    first.noteAdded(a, { source: 'add' })
    await first.flush()
    first.noteRead(a, 'indexeddb', { source: 'cat' })
    // the tab dies after the new partition file is written, before the manifest names it
    const write = files.write.bind(files)
    files.write = async (path, bytes) => {
      if (path === '_manifest.json') throw new Error('the tab closed')
      await write(path, bytes)
    }
    await expect(first.flush()).rejects.toThrow('the tab closed')
    files.write = write
    expect((await files.list()).map(f => f.path).filter(p => p.endsWith('.parquet')).sort()).toEqual(['day=2026-11-20/part-00000.g1.parquet', 'day=2026-11-20/part-00000.g2.parquet'])

    const second = new CidCache({ files, now: () => T0 })
    expect((await second.get(a)).access_count).toBe(0)
    expect((await files.list()).map(f => f.path).filter(p => p.endsWith('.parquet'))).toEqual(['day=2026-11-20/part-00000.g1.parquet'])
  })

  it('records dropped by garbage collection stay dropped after a reload', async () => {
    const files = new MemoryCacheFiles()
    const cache = new CidCache({ files })
    const [a, b] = await Promise.all([cidOf('a'), cidOf('b')])
    cache.noteAdded(a, { source: 'add' })
    cache.noteAdded(b, { source: 'add' })
    await cache.flush()
    cache.forget([a.toString()])
    await cache.flush()
    const reloaded = new CidCache({ files })
    await expect(reloaded.get(a)).rejects.toMatchObject({ name: 'RecordNotFoundError' })
    expect((await reloaded.get(b)).cid).toBe(b.toString())
  })

  it('a file that cannot be read makes the cache write nothing, so nothing on disk is lost', async () => {
    const files = new MemoryCacheFiles()
    const cache = new CidCache({ files })
    cache.noteAdded(await cidOf('a'), { source: 'add' })
    await cache.flush()
    const before = new Map(files.files)
    files.read = async (path) => { if (path.endsWith('.parquet')) throw new Error('disk error'); return before.get(path) }
    const broken = new CidCache({ files })
    broken.noteAdded(await cidOf('b'), { source: 'add' })
    await broken.flush()
    expect(broken.stats()).toMatchObject({ read_only: true, load_errors: 1, records: 1 })
    expect(files.files).toEqual(before)
  })

  it('partitions by size or by heat when asked', async () => {
    const files = new MemoryCacheFiles()
    const cache = new CidCache({ files, config: { partitionStrategy: 'size' } })
    cache.noteAdded(await cidOf('s'), { size: 10, source: 'add' })
    cache.noteAdded(await cidOf('l'), { size: 200 * 1024 * 1024, source: 'add' })
    await cache.flush()
    expect((await files.list()).map(f => f.path).filter(p => p.endsWith('.parquet') && !p.startsWith('_')).sort())
      .toEqual(['size=large/part-00000.g1.parquet', 'size=tiny/part-00000.g1.parquet'])
  })

  it('reads a file of an older schema version through the compatibility view, then rewrites it', async () => {
    const files = new MemoryCacheFiles()
    const a = await cidOf('old')
    const v2 = newRecord(a, { size: 5, filename: 'old.txt', source: 'add', now: T0, properties: { k: 'v' } })
    await files.write('day=2026-11-20/part-00000.parquet', await encodeRecords([v2], { version: 1 }))
    const decoded = await decodeRecords((await files.read('day=2026-11-20/part-00000.parquet'))!)
    expect(decoded.version).toBe(1)
    expect(decoded.records[0]).toMatchObject({ cid: a.toString(), size_bytes: 5, cid_version: null, multihash_type: null, valid: null, properties: null })

    const cache = new CidCache({ files })
    const record = await cache.get(a)
    // what the CID itself says is filled in; the rest stays null
    expect(record).toMatchObject({ cid_version: 1, multihash_type: 'sha2-256', valid: null, properties: null, filename: 'old.txt' })
    expect(cache.stats().files_by_version).toEqual({ 1: 1 })
    await cache.flush()
    expect(await files.read('day=2026-11-20/part-00000.parquet')).toBeUndefined()
    expect((await decodeRecords((await files.read('day=2026-11-20/part-00000.g1.parquet'))!)).version).toBe(2)
    const current = JSON.parse(new TextDecoder().decode(await files.read('_schema_versions/current.json')))
    expect(current.version).toBe(2)
    expect(await files.read('_schema_versions/v1.json')).toBeDefined()
  })

  it('queries with filters, sort and limit, with and without an index', async () => {
    const now = T0 + 3 * 24 * HOUR
    const records: CidRecord[] = []
    for (let i = 0; i < 20; i++) {
      const r = newRecord(await cidOf(`q${i}`), { size: i * 1024 * 1024, filename: i % 2 === 0 ? `f${i}.mp4` : `f${i}.txt`, source: 'add', now: T0 + i * 6 * HOUR })
      r.access_count = i % 5
      records.push(r)
    }
    const query = {
      filters: [
        { column: 'size_bytes', op: '>', value: 10 * 1024 * 1024 },
        { column: 'added_timestamp', op: '>=', value: new Date(now - 2 * 24 * HOUR).toISOString() },
        { column: 'extension', op: 'in', value: ['mp4'] }
      ],
      sort: { column: 'size_bytes', order: 'desc' },
      limit: 2
    } as const
    const plain = runQuery(records, query)
    expect(plain.total).toBe(4)
    expect(plain.records.map(r => r.filename)).toEqual(['f18.mp4', 'f16.mp4'])

    const cache = new CidCache({ files: new MemoryCacheFiles(), now: () => now })
    for (const r of records) cache.noteAdded(CID.parse(r.cid), { size: r.size_bytes!, filename: r.filename!, source: 'add' })
    for (let i = 0; i < 6; i++) await cache.query({ filters: [{ column: 'size_bytes', op: '>', value: 0 }] })
    const report = await cache.optimize()
    expect(report.indexed_columns).toEqual(['size_bytes'])
    expect(report.workload_type).toBe('write-heavy')
    expect(report.unused_columns).toContain('mimetype')
    const indexed = await cache.query({ filters: [{ column: 'size_bytes', op: '>=', value: 18 * 1024 * 1024 }], sort: { column: 'size_bytes' } })
    expect(indexed.used_indexes).toEqual(['size_bytes'])
    expect(indexed.records.map(r => r.filename)).toEqual(['f18.mp4', 'f19.txt'])
    await expect(cache.query({ filters: [{ column: 'nope', op: '=', value: 1 }] })).rejects.toThrow(/no column "nope"/)
    await expect(cache.query({ filters: [{ column: 'size_bytes', op: '>', value: 'big' }] })).rejects.toMatchObject({ name: 'InvalidParametersError' })
  })

  it('finds a dag-pb record under either CID version', async () => {
    const cache = new CidCache({ files: new MemoryCacheFiles() })
    const v0 = CID.parse('Qmf412jQZiuVUtdgnB36FXFX7xg5V6KEbSJ4dpQuhkLyfD')
    cache.noteAdded(v0, { size: 11, source: 'add' })
    expect((await cache.get(v0.toV1())).cid).toBe(v0.toString())
    // a read or a pin under the other version updates the same record
    cache.noteRead(v0.toV1(), 'indexeddb', { source: 'cat' })
    cache.notePinned(v0.toV1(), true)
    expect(await cache.get(v0)).toMatchObject({ access_count: 1, is_pinned: true })
    expect(cache.stats().records).toBe(1)
  })

  it('saves the sorted index beside the files and uses it after a load', async () => {
    const files = new MemoryCacheFiles()
    const cache = new CidCache({ files })
    for (let i = 0; i < 10; i++) cache.noteAdded(await cidOf(`i${i}`), { size: (10 - i) * 100, source: 'add' })
    for (let i = 0; i < 5; i++) await cache.query({ sort: { column: 'size_bytes' } })
    expect((await cache.optimize()).indexed_columns).toEqual(['size_bytes'])
    await cache.flush()
    expect(await files.read('_indexes/size_bytes.parquet')).toBeDefined()

    const loaded = new CidCache({ files })
    await loaded.ready()
    expect(loaded.stats().indexed_columns).toEqual(['size_bytes'])
    const result = await loaded.query({ filters: [{ column: 'size_bytes', op: '<=', value: 300 }, { column: 'size_bytes', op: '>', value: 100 }], sort: { column: 'size_bytes' } })
    expect(result.used_indexes).toEqual(['size_bytes'])
    expect(result.records.map(r => r.size_bytes)).toEqual([200, 300])
  })

  it('saves an index earned while the cache was empty, and loads it', async () => {
    const files = new MemoryCacheFiles()
    const cache = new CidCache({ files })
    for (let i = 0; i < 5; i++) await cache.query({ sort: { column: 'size_bytes' } })
    expect((await cache.optimize()).indexed_columns).toEqual(['size_bytes'])
    await cache.flush()
    expect(cache.stats().flush_errors).toBe(0)
    const loaded = new CidCache({ files })
    await loaded.ready()
    expect(loaded.stats().indexed_columns).toEqual(['size_bytes'])
    expect((await loaded.query({ sort: { column: 'size_bytes' } })).records).toEqual([])
  })

  it('an index sorts descending ties as the plain sort does', async () => {
    const records: CidRecord[] = []
    for (let i = 0; i < 12; i++) records.push(newRecord(await cidOf(`t${i}`), { size: i % 3, source: 'add', now: T0 }))
    const index = new SortedIndex('size_bytes')
    index.build(records)
    for (const order of ['asc', 'desc'] as const) {
      const plain = runQuery(records, { sort: { column: 'size_bytes', order }, limit: 5 })
      const indexed = runQuery(records, { sort: { column: 'size_bytes', order }, limit: 5 }, new Map([['size_bytes', index]]))
      expect(indexed.used_indexes).toEqual(['size_bytes'])
      expect(indexed.records.map(r => r.cid)).toEqual(plain.records.map(r => r.cid))
    }
  })

  it('lists the hottest first', async () => {
    const time = clock()
    const cache = new CidCache({ files: new MemoryCacheFiles(), now: time.now })
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map(cidOf))
    for (const cid of [a, b, c]) cache.noteAdded(cid, { source: 'add' })
    for (let i = 0; i < 3; i++) cache.noteRead(b, 'indexeddb', { source: 'cat' })
    cache.noteRead(c, 'indexeddb', { source: 'cat' })
    expect((await cache.hot(2)).map(r => r.cid)).toEqual([b.toString(), c.toString()])
  })
})

describe('memory tier', () => {
  async function blocksOf (text: string, size: number): Promise<Array<{ cid: CID, bytes: Uint8Array }>> {
    const bytes = new Uint8Array(size).fill(text.charCodeAt(0))
    return [{ cid: CID.createV1(raw.code, await sha256.digest(bytes)), bytes }]
  }

  it('promotes, evicts the coldest record first when full, and demotes', async () => {
    const dags = new Map<string, Array<{ cid: CID, bytes: Uint8Array }>>()
    let cache: CidCache | undefined
    const memory = new MemoryTier({ maxBytes: 250, heatOf: (owner) => cache!.heatOf(owner) })
    const blocks: CacheBlocks = {
      memory,
      hasLocal: async () => true,
      readDag: async (cid, maxBytes) => {
        const dag = dags.get(cid.toString())!
        if (dag.reduce((n, b) => n + b.bytes.byteLength, 0) > maxBytes) throw new RangeError('too big')
        return dag
      }
    }
    cache = new CidCache({ files: new MemoryCacheFiles(), blocks, config: { promoteHeat: 2 } })
    const roots: CID[] = []
    for (const [name, size] of [['hot', 100], ['cold', 100], ['new', 100], ['huge', 300]] as const) {
      const dag = await blocksOf(name, size)
      dags.set(dag[0].cid.toString(), dag)
      roots.push(dag[0].cid)
      cache.noteAdded(dag[0].cid, { size, source: 'add' })
    }
    const [hot, cold, fresh, huge] = roots
    for (let i = 0; i < 5; i++) cache.noteRead(hot, 'indexeddb', { source: 'cat' })

    expect(await cache.promote(hot)).toMatchObject({ storage_tier: 'memory', bytes: 100, evicted: [] })
    expect(await cache.promote(cold)).toMatchObject({ storage_tier: 'memory', evicted: [] })
    expect(await cache.lookup(hot)).toBe('memory')
    // full: the coldest (never read) goes, the hot one stays
    expect(await cache.promote(fresh)).toMatchObject({ evicted: [cold.toString()] })
    expect((await cache.get(cold)).storage_tier).toBe('indexeddb')
    expect((await cache.get(hot)).storage_tier).toBe('memory')
    expect(memory.stats()).toMatchObject({ bytes: 200, records: 2 })
    await expect(cache.promote(huge)).rejects.toMatchObject({ name: 'TierCapacityError' })

    expect(await cache.demote(hot)).toMatchObject({ storage_tier: 'indexeddb', bytes: 100 })
    expect(await cache.lookup(hot)).toBe('indexeddb')
    expect(memory.stats()).toMatchObject({ bytes: 100, records: 1 })
  })

  it('forgets a block deleted under another CID of it (garbage collection deletes raw CIDv1s)', async () => {
    const memory = new MemoryTier({ maxBytes: 1000, heatOf: () => 0 })
    const block = new Uint8Array([1, 2, 3])
    const asDagPb = CID.createV1(0x70, await sha256.digest(block))
    memory.admit('root', [{ cid: asDagPb, bytes: block }])
    expect(memory.get(CID.createV1(raw.code, asDagPb.multihash))).toEqual(block)
    memory.delete(CID.createV1(raw.code, asDagPb.multihash))
    expect(memory.get(asDagPb)).toBeUndefined()
    expect(memory.stats()).toMatchObject({ bytes: 0, blocks: 0 })
  })

  it('demotes what went cold when heats are refreshed', async () => {
    const time = clock()
    const dag = await blocksOf('c', 10)
    let cache: CidCache | undefined
    const memory = new MemoryTier({ maxBytes: 1000, heatOf: (owner) => cache!.heatOf(owner) })
    cache = new CidCache({ files: new MemoryCacheFiles(), now: time.now, blocks: { memory, hasLocal: async () => true, readDag: async () => dag } })
    cache.noteAdded(dag[0].cid, { size: 10, source: 'add' })
    await cache.promote(dag[0].cid)
    expect(memory.holds(dag[0].cid.toString())).toBe(true)
    // two days on, unread: heat 0.4·2^-4 = 0.025, under the demotion threshold
    time.advance(48 * HOUR)
    expect((await cache.hot(1))[0]).toMatchObject({ storage_tier: 'indexeddb' })
    expect(memory.holds(dag[0].cid.toString())).toBe(false)
  })

  it('promotes in the background once a record is hot enough', async () => {
    const dag = await blocksOf('x', 10)
    let cache: CidCache | undefined
    const memory = new MemoryTier({ maxBytes: 1000, heatOf: (owner) => cache!.heatOf(owner) })
    cache = new CidCache({
      files: new MemoryCacheFiles(),
      now: () => T0,
      blocks: { memory, hasLocal: async () => true, readDag: async () => dag }
    })
    cache.noteAdded(dag[0].cid, { size: 10, source: 'add' })
    for (let i = 0; i < 4; i++) cache.noteRead(dag[0].cid, 'indexeddb', { source: 'cat' })
    await new Promise(resolve => setTimeout(resolve, 20))
    expect(memory.holds(dag[0].cid.toString())).toBe(false)
    // the fifth read brings the heat to 0.7
    cache.noteRead(dag[0].cid, 'indexeddb', { source: 'cat' })
    await expect.poll(() => memory.holds(dag[0].cid.toString())).toBe(true)
    expect((await cache.get(dag[0].cid)).storage_tier).toBe('memory')
  })
})
