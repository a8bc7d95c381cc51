// `npm run bench`: measures the API in real Chromium beside the limits it
// chases, measured in the same run (a ratio holds on a noisy machine; an
// absolute time does not). Prints a table and writes bench/results.json.
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { BROWSER_ARGS, findBrowser } from '../tools/find-browser.mjs'

const PORT = 4180
const VITE = fileURLToPath(new URL('../node_modules/vite/bin/vite.js', import.meta.url))
const ORIGIN = `http://127.0.0.1:${PORT}`
const MIB = 1024 * 1024
const SIZE = 64 * MIB
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3)

const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]

/** `vite preview` of a build (the app, or the benchmark pages with `-c bench/vite.config.ts`). */
async function startServer (port, extraArgs = []) {
  const server = spawn(process.execPath, [VITE, 'preview', ...extraArgs, '--port', String(port), '--strictPort', '--host', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'inherit'] })
  await new Promise((resolve, reject) => {
    server.stdout.on('data', (chunk) => { if (String(chunk).includes(String(port))) resolve() })
    server.on('exit', (code) => { reject(new Error(`vite preview exited with ${code}`)) })
  })
  return server
}

/** Runs in the page: the raw IndexedDB put rate, 16 × 256 KiB blocks per transaction. */
async function rawIdbPut (size) {
  const name = `bench-raw-${Math.random()}`
  const db = await new Promise((resolve, reject) => {
    const req = indexedDB.open(name, 1)
    req.onupgradeneeded = () => req.result.createObjectStore('blocks')
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error)
  })
  const block = 256 * 1024
  const blocks = Array.from({ length: size / block }, (_, i) => { const b = new Uint8Array(block); b[0] = i & 0xff; b[1] = i >> 8; crypto.getRandomValues(b.subarray(2, 4098)); return b })
  const started = performance.now()
  for (let i = 0; i < blocks.length; i += 16) {
    const tx = db.transaction('blocks', 'readwrite')
    const store = tx.objectStore('blocks')
    for (let j = i; j < Math.min(i + 16, blocks.length); j++) store.put(blocks[j], `k${j}`)
    await new Promise((resolve, reject) => { tx.oncomplete = resolve; tx.onerror = () => reject(tx.error) })
  }
  const ms = performance.now() - started
  db.close()
  await new Promise((resolve) => { const req = indexedDB.deleteDatabase(name); req.onsuccess = resolve; req.onerror = resolve })
  return ms
}

/** Runs in the page: add then cat of `size` fresh random-ish bytes through the API. */
async function apiAddCat (size) {
  const data = new Uint8Array(size)
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(data.subarray(i, i + 65536))
  const body = new Blob([data])
  let started = performance.now()
  const added = await (await fetch('/api/v0/mcp/ipfs/add?pin=false', { method: 'POST', body, headers: { 'Content-Type': 'application/octet-stream' } })).json()
  const addMs = performance.now() - started
  if (!added.success) throw new Error(added.error)
  started = performance.now()
  const response = await fetch(`/api/v0/mcp/ipfs/cat/${added.cid}`)
  const reader = response.body.getReader()
  let read = 0
  while (true) { const { value, done } = await reader.read(); if (done) break; read += value.byteLength }
  const catMs = performance.now() - started
  if (read !== size) throw new Error(`cat returned ${read} bytes, expected ${size}`)
  return { addMs, catMs }
}

const mbps = (bytes, ms) => (bytes / MIB) / (ms / 1000)

const RECORDS = Number(process.env.BENCH_RECORDS ?? 100_000)
const BENCH_PORT = 4181

/** One table row: a figure, its unit, and (when there is one) its ratio to the limit measured in the same run. */
function row (measure, value, unit, extra = {}) {
  return { measure, value, unit, ...extra }
}

async function apiRows (browser) {
  const page = await (await browser.newContext()).newPage()
  await page.goto(ORIGIN)
  await page.getByRole('status').filter({ hasText: 'The node is up.' }).waitFor({ timeout: 30_000 })
  const raw = []
  const add = []
  const cat = []
  for (let i = 0; i < REPEATS; i++) {
    raw.push(mbps(SIZE, await page.evaluate(rawIdbPut, SIZE)))
    const { addMs, catMs } = await page.evaluate(apiAddCat, SIZE)
    add.push(mbps(SIZE, addMs))
    cat.push(mbps(SIZE, catMs))
  }
  await page.context().close()
  return {
    rows: [
      row('raw IndexedDB put, 16 × 256 KiB per transaction (limit)', median(raw), 'MB/s', { ratio: 1 }),
      row('API add of 64 MiB, persisted (IndexedDB)', median(add), 'MB/s', { ratio: median(add) / median(raw), target: '≥ 0.8×' }),
      row('API cat of 64 MiB', median(cat), 'MB/s', { ratio: median(cat) / median(raw) })
    ],
    samples: { raw, add, cat }
  }
}

async function cacheRows (browser) {
  const page = await (await browser.newContext()).newPage()
  await page.goto(`http://127.0.0.1:${BENCH_PORT}/`)
  await page.waitForFunction(() => document.title === 'bench ready')
  // the first flush compiles parquet-wasm: warm it up so the runs measure the steady state
  await page.evaluate(async () => globalThis.bench.records(100))
  const runs = []
  for (let i = 0; i < REPEATS; i++) runs.push(await page.evaluate(async (n) => globalThis.bench.records(n), RECORDS))
  const small = await page.evaluate(async () => globalThis.bench.catOverhead(1024, 201))
  const large = await page.evaluate(async () => globalThis.bench.catOverhead(4 * 1024 * 1024, 21))
  await page.context().close()
  const m = (key) => median(runs.map(r => r[key]))
  const n = RECORDS.toLocaleString('en')
  return {
    rows: [
      row(`cache: note ${n} records in memory`, m('insert_ms'), 'ms'),
      row(`cache: flush ${n} records to OPFS (${runs[0].partitions} files, ${(runs[0].bytes_on_disk / 1024 / 1024).toFixed(1)} MiB)`, m('flush_ms'), 'ms'),
      row(`cache: load ${n} records from OPFS`, m('load_ms'), 'ms', { target: '≤ 500 ms' }),
      row('  of which reading the files', m('read_ms'), 'ms'),
      row('  of which decoding them (parquet-wasm, arrow, records)', m('decode_ms'), 'ms'),
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

async function main () {
  const executablePath = findBrowser()
  if (executablePath == null) throw new Error('no Chromium found: run `node tools/ensure-tools.mjs`')
  const server = await startServer(PORT)
  const benchServer = await startServer(BENCH_PORT, ['-c', 'bench/vite.config.ts'])
  const browser = await chromium.launch({ executablePath, args: BROWSER_ARGS })
  try {
    // BENCH_ONLY=cache or BENCH_ONLY=api runs one part
    const only = process.env.BENCH_ONLY
    const api = only === 'cache' ? { rows: [], samples: {} } : await apiRows(browser)
    const cache = only === 'api' ? { rows: [], samples: {} } : await cacheRows(browser)
    const rows = [...api.rows, ...cache.rows]
    console.log(`\nmedians of ${REPEATS} runs (cat bookkeeping: of 201 and 21 alternating reads), Chromium ${browser.version()}\n`)
    console.log(`${'measure'.padEnd(72)} ${'value'.padStart(9)} ${'unit'.padEnd(5)} ${'× limit'.padStart(8)}  target`)
    for (const r of rows) {
      console.log(`${r.measure.padEnd(72)} ${r.value.toFixed(r.value < 1 ? 3 : r.value < 10 ? 2 : 1).padStart(9)} ${r.unit.padEnd(5)} ${(r.ratio == null ? '' : r.ratio.toFixed(2)).padStart(8)}  ${r.target ?? ''}`)
    }
    writeFileSync(new URL('./results.json', import.meta.url), JSON.stringify({ date: new Date().toISOString(), repeats: REPEATS, rows, samples: { ...api.samples, ...cache.samples } }, null, 2))
  } finally {
    await browser.close()
    server.kill()
    benchServer.kill()
  }
}

main().catch((err) => { console.error(err); process.exit(1) })
