// Benchmarks that drive the node's modules directly in a page (no service
// worker): the add taken apart stage by stage, the journal's cost, the CID
// cache's Parquet files, and the OPFS limit.
import { benchCall, MIB, mbps, median, ratioRow, REPEATS, row } from './common.mjs'

const SIZE = 64 * MIB
const RECORDS = Number(process.env.BENCH_RECORDS ?? 100_000)
const MFS_WRITES = Number(process.env.BENCH_MFS_WRITES ?? 1000)

export async function stagesSection (bench) {
  const raw = []
  const opfs = []
  const runs = []
  for (let i = 0; i < REPEATS; i++) {
    raw.push(mbps(SIZE, await benchCall(bench, 'rawIdbPut', SIZE)))
    opfs.push(mbps(SIZE, await benchCall(bench, 'rawOpfsWrite', SIZE)))
    runs.push(await benchCall(bench, 'addStages', SIZE))
  }
  const catRuns = { indexeddb: [], opfs: [] }
  for (let i = 0; i < REPEATS; i++) {
    for (const blocks of ['indexeddb', 'opfs']) catRuns[blocks].push(await benchCall(bench, 'catStages', SIZE, blocks))
  }
  const catStage = (blocks, key) => mbps(SIZE, median(catRuns[blocks].map(r => r[key])))
  const catRows = ['indexeddb', 'opfs'].flatMap(blocks => [
    row(`  cat stage (${blocks}): every block read from the store, through its worker`, catStage(blocks, 'store_ms'), 'MB/s'),
    row(`  cat stage (${blocks}): the same through Helia's blockstore (local first, then the network)`, catStage(blocks, 'helia_blockstore_ms'), 'MB/s'),
    row(`  cat stage (${blocks}): the node's cat model (the exporter)`, catStage(blocks, 'model_ms'), 'MB/s'),
    row(`  cat stage (${blocks}): the API's cat called in the page, no service worker`, catStage(blocks, 'api_in_page_ms'), 'MB/s'),
    row(`  cat stage (${blocks}): the file as the bridge hands it to the service worker (a Blob of the blocks' Blobs)`, catStage(blocks, 'worker_port_ms'), 'MB/s')
  ])
  const limit = median(raw)
  const stage = (key) => mbps(SIZE, median(runs.map(r => r[key])))
  const of = (value) => ({ ratio: value / limit })
  return {
    rows: [
      row('raw IndexedDB put, 16 × 256 KiB per transaction (limit)', limit, 'MB/s', { ratio: 1 }),
      row('  add stage: importer only (chunk, hash; a store that keeps nothing)', stage('import_only_ms'), 'MB/s', of(stage('import_only_ms'))),
      row('  add stage: importer → blockstore-idb, called directly (reference)', stage('import_idb_ms'), 'MB/s', of(stage('import_idb_ms'))),
      row('  add stage: the node\'s add model (its store, pinned), no API', stage('model_ms'), 'MB/s', of(stage('model_ms'))),
      row('  add stage: the API\'s add called in the page, no service worker', stage('api_in_page_ms'), 'MB/s', of(stage('api_in_page_ms'))),
      row('raw OPFS sync-handle write in a dedicated worker, 256 KiB writes (limit)', median(opfs), 'MB/s', { ratio: 1 }),
      ratioRow('  add stage: the node\'s add model, blocks in OPFS, no API', stage('model_opfs_ms'), 'MB/s', median(opfs), { atLeast: 0.5 }),
      ...catRows
    ],
    samples: { raw_idb: raw, raw_opfs: opfs, stages: runs, cat_stages: catRuns }
  }
}

export async function journalSection (bench) {
  const journaled = []
  const bare = []
  for (let i = 0; i < REPEATS; i++) {
    // alternated, so drift in the machine's speed falls on both alike
    if (i % 2 === 0) {
      bare.push(await benchCall(bench, 'mfsWrites', MFS_WRITES, false))
      journaled.push(await benchCall(bench, 'mfsWrites', MFS_WRITES, true))
    } else {
      journaled.push(await benchCall(bench, 'mfsWrites', MFS_WRITES, true))
      bare.push(await benchCall(bench, 'mfsWrites', MFS_WRITES, false))
    }
  }
  const n = MFS_WRITES.toLocaleString('en')
  return {
    rows: [
      row(`${n} MFS writes of 100 bytes, journal kept in memory only (limit)`, median(bare), 'ms', { ratio: 1 }),
      ratioRow(`${n} MFS writes of 100 bytes, journaled in IndexedDB`, median(journaled), 'ms', median(bare), { atMost: 1.15 })
    ],
    samples: { journaled, bare }
  }
}

export async function cacheSection (bench) {
  // the first flush compiles parquet-wasm: warm it up so the runs measure the steady state
  await benchCall(bench, 'records', 100)
  const runs = []
  for (let i = 0; i < REPEATS; i++) runs.push(await benchCall(bench, 'records', RECORDS))
  const small = await benchCall(bench, 'catOverhead', 1024, 201)
  const large = await benchCall(bench, 'catOverhead', 4 * MIB, 21)
  const m = (key) => median(runs.map(r => r[key]))
  const n = RECORDS.toLocaleString('en')
  return {
    rows: [
      row(`cache: note ${n} records in memory`, m('insert_ms'), 'ms'),
      row(`cache: flush ${n} records to OPFS (${runs[0].partitions} files, ${(runs[0].bytes_on_disk / MIB).toFixed(1)} MiB)`, m('flush_ms'), 'ms'),
      row('  the page\'s longest task meanwhile (0: none of 50 ms)', m('flush_longest_task_ms'), 'ms'),
      row(`cache: load ${n} records from OPFS`, m('load_ms'), 'ms', { target: '≤ 500 ms', met: m('load_ms') <= 500 }),
      row('  of which reading the files', m('read_ms'), 'ms'),
      row('  of which decoding them (parquet-wasm, arrow, records)', m('decode_ms'), 'ms'),
      row('  the page\'s longest task meanwhile', m('load_longest_task_ms'), 'ms'),
      row(`cache: query by size range (${runs[0].query_rows} rows), scan`, m('query_scan_ms'), 'ms'),
      row('cache: the same query on the sorted index', m('query_indexed_ms'), 'ms', { ratio: m('query_indexed_ms') / m('query_scan_ms') }),
      row('API cat of 1 KiB without cache bookkeeping (limit)', small.without_ms, 'ms', { ratio: 1 }),
      row('API cat of 1 KiB with cache bookkeeping, no promotion', small.with_ms, 'ms', { ratio: small.with_ms / small.without_ms }),
      row('API cat of 1 KiB with bookkeeping, promoted to the memory tier', small.memory_tier_ms, 'ms', { ratio: small.memory_tier_ms / small.without_ms }),
      row('API cat of 4 MiB without cache bookkeeping (limit)', large.without_ms, 'ms', { ratio: 1 }),
      row('API cat of 4 MiB with cache bookkeeping, no promotion', large.with_ms, 'ms', { ratio: large.with_ms / large.without_ms }),
      row('API cat of 4 MiB with bookkeeping, promoted to the memory tier', large.memory_tier_ms, 'ms', { ratio: large.memory_tier_ms / large.without_ms })
    ],
    samples: { records: runs, cat_1kib: small, cat_4mib: large }
  }
}
