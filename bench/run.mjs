// `npm run bench`: measures the API in real Chromium beside the limits it
// chases, measured in the same run (a ratio holds on a noisy machine; an
// absolute time does not). Prints a table and writes bench/results.json.
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { chromium } from 'playwright-core'
import { BROWSER_ARGS, findBrowser } from '../tools/find-browser.mjs'

const PORT = 4180
const ORIGIN = `http://127.0.0.1:${PORT}`
const MIB = 1024 * 1024
const SIZE = 64 * MIB
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3)

const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]

async function startServer () {
  const server = spawn('npx', ['vite', 'preview', '--port', String(PORT), '--strictPort', '--host', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'inherit'] })
  await new Promise((resolve, reject) => {
    server.stdout.on('data', (chunk) => { if (String(chunk).includes(String(PORT))) resolve() })
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

async function main () {
  const executablePath = findBrowser()
  if (executablePath == null) throw new Error('no Chromium found: run `node tools/ensure-tools.mjs`')
  const server = await startServer()
  const browser = await chromium.launch({ executablePath, args: BROWSER_ARGS })
  try {
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
    const rows = [
      { measure: 'raw IndexedDB put, 16 × 256 KiB per transaction (limit)', mb_s: median(raw), ratio: 1 },
      { measure: 'API add of 64 MiB, persisted (IndexedDB)', mb_s: median(add), ratio: median(add) / median(raw) },
      { measure: 'API cat of 64 MiB', mb_s: median(cat), ratio: median(cat) / median(raw) }
    ]
    console.log(`\nmedians of ${REPEATS} runs, Chromium ${browser.version()}\n`)
    console.log(`${'measure'.padEnd(58)} ${'MB/s'.padStart(8)} ${'× limit'.padStart(8)}`)
    for (const r of rows) console.log(`${r.measure.padEnd(58)} ${r.mb_s.toFixed(1).padStart(8)} ${r.ratio.toFixed(2).padStart(8)}`)
    writeFileSync(new URL('./results.json', import.meta.url), JSON.stringify({ date: new Date().toISOString(), repeats: REPEATS, rows, samples: { raw, add, cat } }, null, 2))
  } finally {
    await browser.close()
    server.kill()
  }
}

main().catch((err) => { console.error(err); process.exit(1) })
