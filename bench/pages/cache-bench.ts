// Cache benchmarks, run in the page by bench/run.mjs: flush, load and query
// of many records in OPFS, and what the cache's bookkeeping adds to cat.
import { createApi } from '../../src/api/app.ts'
import { OpfsCacheFiles } from '../../src/node/cache/cache-files.ts'
import { CidCache } from '../../src/node/cache/cid-cache.ts'
import { createNode } from '../../src/node/create-node.ts'
import { standaloneHost } from '../../src/node/host-info.ts'
import { openBrowserStores } from '../../src/node/stores/browser-stores.ts'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { create as createDigest } from 'multiformats/hashes/digest'
import { deleteDatabases, median, randomBytes, removeOpfs } from './bench-util.ts'

const DAY = 86_400_000
export interface RecordsResult {
  records: number
  partitions: number
  bytes_on_disk: number
  insert_ms: number
  flush_ms: number
  /** The page's longest task while the flush ran (0: none of 50 ms or more). */
  flush_longest_task_ms: number
  load_ms: number
  load_longest_task_ms: number
  read_ms: number
  decode_ms: number
  query_scan_ms: number
  query_indexed_ms: number
  query_rows: number
}

/** `fn`'s result, and the longest task the page ran meanwhile (tasks under 50 ms are not reported: 0 then). */
async function withLongestTask<T> (fn: () => Promise<T>): Promise<{ value: T, longestMs: number }> {
  // the task that called may be long itself (the records were just made): it is not the one measured
  await new Promise(resolve => setTimeout(resolve, 0))
  let longestMs = 0
  const observer = new PerformanceObserver((list) => { for (const entry of list.getEntries()) longestMs = Math.max(longestMs, entry.duration) })
  observer.observe({ type: 'longtask' })
  try {
    const value = await fn()
    // the last task's entry comes after it ends
    await new Promise(resolve => setTimeout(resolve, 0))
    for (const entry of observer.takeRecords()) longestMs = Math.max(longestMs, entry.duration)
    return { value, longestMs }
  } finally {
    observer.disconnect()
  }
}

/** `n` records added over a week, flushed to OPFS, loaded by a fresh cache, queried by a size range. */
export async function records (n: number): Promise<RecordsResult> {
  const dir = `bench-cache-${crypto.randomUUID()}`
  let clock = Date.now() - 7 * DAY
  const config = { flushDebounceMs: 1e9, flushMaxDelayMs: 1e9 }
  try {
    const cache = new CidCache({ files: new OpfsCacheFiles(`${dir}/cid-cache`), config, now: () => clock })
    await cache.ready()
    const sizes = new Uint32Array(n)
    for (let i = 0; i < n; i += 16384) crypto.getRandomValues(sizes.subarray(i, i + 16384))
    let started = performance.now()
    for (let i = 0; i < n; i++) {
      const hash = new Uint8Array(32)
      crypto.getRandomValues(hash)
      cache.noteAdded(CID.createV1(raw.code, createDigest(0x12, hash)), { size: sizes[i] % 100_000_000, filename: `file-${i}.bin`, source: 'add' })
      clock += (7 * DAY) / n
    }
    const insertMs = performance.now() - started
    started = performance.now()
    const flushed = await withLongestTask(async () => cache.flush())
    const flushMs = performance.now() - started
    const stats = cache.stats()

    const loaded = new CidCache({ files: new OpfsCacheFiles(`${dir}/cid-cache`), config, now: () => clock })
    started = performance.now()
    const load = await withLongestTask(async () => loaded.ready())
    const loadMs = performance.now() - started
    const phases = loaded.stats().load_phases
    if (loaded.stats().records !== n) throw new Error(`loaded ${loaded.stats().records} records of ${n}`)

    const query = { filters: [{ column: 'size_bytes', op: '>=' as const, value: 10_000_000 }, { column: 'size_bytes', op: '<' as const, value: 11_000_000 }], limit: 100 }
    const timeQueries = async (): Promise<{ ms: number, rows: number }> => {
      // batches of 20 queries: the browser's clock is too coarse for one indexed query
      const times: number[] = []
      let rows = 0
      for (let i = 0; i < 11; i++) {
        const t = performance.now()
        for (let j = 0; j < 20; j++) rows = (await loaded.query(query)).total
        times.push((performance.now() - t) / 20)
      }
      return { ms: median(times), rows }
    }
    const scan = await timeQueries()
    await loaded.optimize()
    const indexed = await timeQueries()
    if (indexed.rows !== scan.rows) throw new Error('the indexed query found other rows')
    return { read_ms: phases.read_ms, decode_ms: phases.decode_ms, records: n, partitions: stats.partitions, bytes_on_disk: stats.bytes_on_disk, insert_ms: insertMs, flush_ms: flushMs, flush_longest_task_ms: flushed.longestMs, load_ms: loadMs, load_longest_task_ms: load.longestMs, query_scan_ms: scan.ms, query_indexed_ms: indexed.ms, query_rows: scan.rows }
  } finally {
    await removeOpfs(dir)
  }
}

/**
 * Median ms of `reps` cats of a `size`-byte file through the API, alternating
 * between a node without cache bookkeeping, one with it but no promotion to
 * the memory tier (the bookkeeping's own cost), and one as configured by
 * default (which promotes the file once it is hot).
 */
export async function catOverhead (size: number, reps: number): Promise<{ without_ms: number, with_ms: number, memory_tier_ms: number }> {
  const prefix = `bench-cat-${crypto.randomUUID()}`
  const data = randomBytes(size)
  const configs = [
    { name: 'without', cache: { recordAccess: false } },
    { name: 'with', cache: { promoteHeat: Infinity } },
    { name: 'memory', cache: {} }
  ]
  const variants = await Promise.all(configs.map(async ({ name, cache }) => {
    const stores = await openBrowserStores(`${prefix}-${name}`)
    const node = await createNode({ stores, cache })
    const app = createApi({ node, host: standaloneHost() })
    const added = await (await app.fetch(new Request('http://bench/api/v0/mcp/ipfs/add', { method: 'POST', body: data as BodyInit, headers: { 'Content-Type': 'application/octet-stream' } }))).json() as { cid: string }
    return { name, node, app, cid: added.cid, times: [] as number[] }
  }))
  try {
    for (let r = 0; r < reps; r++) {
      for (const v of r % 2 === 0 ? variants : [...variants].reverse()) {
        const t = performance.now()
        const response = await v.app.fetch(new Request(`http://bench/api/v0/mcp/ipfs/cat/${v.cid}`))
        const bytes = (await response.arrayBuffer()).byteLength
        v.times.push(performance.now() - t)
        if (bytes !== size) throw new Error(`cat gave ${bytes} bytes, not ${size}`)
      }
    }
    return { without_ms: median(variants[0].times), with_ms: median(variants[1].times), memory_tier_ms: median(variants[2].times) }
  } finally {
    for (const v of variants) await v.node.stop()
    await deleteDatabases(prefix)
    for (const v of variants) await removeOpfs(`${prefix}-${v.name}`)
  }
}
