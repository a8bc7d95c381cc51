// The API through the app's service worker, beside the limits measured in
// the same run by the benchmark pages: add and cat of 64 MiB, the small
// request's round trip, a warm start, and the memory a large add takes.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { benchCall, MIB, mbps, median, openApp, ratioRow, REPEATS, row } from './common.mjs'
import { CORES, cpuCeiling, quiet, withCpu } from './cpu.mjs'

const SIZE = 64 * MIB
/** The files in the directory the listings list. */
const LISTED_FILES = 1000
/** The rows the Files page shows of a long folder before "Show more" (src/ui/components/shown-rows.tsx). */
const SHOWN_ROWS = 200
/** The files of a folder whose long names make it sharded (a HAMT: its links pass the importer's 256 KiB). */
const SHARDED_FILES = 3000
/** The 1 MB files of the folder listed beside them. */
const LISTED_PHOTOS = 100

/**
 * Runs in the app's page: unpins and collects what a repetition added, so
 * each starts from the same store; the ms the collection took, and the bytes it freed.
 */
async function release (cid) {
  const unpinned = await fetch('/api/v0/mcp/ipfs/unpin', { method: 'POST', body: JSON.stringify({ cid }), headers: { 'Content-Type': 'application/json' } })
  const started = performance.now()
  const collected = await fetch('/api/v0/mcp/ipfs/repo/gc', { method: 'POST' })
  if (!unpinned.ok || !collected.ok) throw new Error(`unpin ${unpinned.status}, gc ${collected.status}`)
  const reply = await collected.json()
  return { ms: performance.now() - started, freed: reply.freed_bytes }
}

/** Runs in the app's page: `size` random bytes, kept for the next add (made outside the add's time and CPU time). */
async function prepareUpload (size) {
  const data = new Uint8Array(size)
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(data.subarray(i, i + 65536))
  globalThis.benchUpload = new Blob([data])
}

/**
 * Runs in the app's page: add of the prepared bytes through the API (the
 * default profile, pinned), as a raw body, or (`asForm`) as the app's own
 * upload sends a file: a multipart form.
 */
async function addPrepared (asForm = false) {
  const blob = globalThis.benchUpload
  delete globalThis.benchUpload
  const form = new FormData()
  form.append('file', blob, 'upload.bin')
  const init = asForm ? { method: 'POST', body: form } : { method: 'POST', body: blob, headers: { 'Content-Type': 'application/octet-stream' } }
  const started = performance.now()
  const added = await (await fetch('/api/v0/mcp/ipfs/add', init)).json()
  const ms = performance.now() - started
  if (!added.success) throw new Error(added.error)
  return { ms, cid: added.cid }
}

/** Runs in the app's page: cat of `cid` through the API, read to the end; ms. */
async function catOf ([cid, size]) {
  const started = performance.now()
  const reader = (await fetch(`/api/v0/mcp/ipfs/cat/${cid}`)).body.getReader()
  let read = 0
  while (true) { const { value, done } = await reader.read(); if (done) break; read += value.byteLength }
  const ms = performance.now() - started
  if (read !== size) throw new Error(`cat returned ${read} bytes, expected ${size}`)
  return ms
}

/**
 * Runs in the app's page: adds a directory of `n` small files (a block each)
 * named `<prefix><i>.txt`, placed in MFS at /bench-listing-<round>; its CID
 * and the ms the add took. A long prefix makes the directory sharded.
 */
async function addSmallFiles ([n, round, prefix = 'f']) {
  const form = new FormData()
  for (let i = 0; i < n; i++) form.append('file', new Blob([`small file ${i} of round ${round}\n`.repeat(8)]), `dir/${prefix}${String(i).padStart(5, '0')}.txt`)
  const started = performance.now()
  const reply = await (await fetch(`/api/v0/mcp/ipfs/add?wrap_with_directory=true&to_files=/bench-listing-${round}&timeout=300s`, { method: 'POST', body: form })).json()
  const ms = performance.now() - started
  if (!reply.success) throw new Error(reply.error)
  return { cid: reply.cid, ms }
}

/**
 * Runs in the app's page: adds a folder `name` of `n` files of `size` bytes
 * (a raw block each, as photos and a site's images are), placed in MFS at
 * `/bench-<name>/<name>`; the folder's CID.
 */
async function addImages ([n, size, name]) {
  const form = new FormData()
  for (let i = 0; i < n; i++) {
    const data = new Uint8Array(size)
    crypto.getRandomValues(data.subarray(0, 65536))
    data[size - 1] = i
    form.append('file', new Blob([data]), `${name}/p${String(i).padStart(4, '0')}.jpg`)
  }
  const reply = await (await fetch(`/api/v0/mcp/ipfs/add?wrap_with_directory=true&to_files=/bench-${name}&timeout=300s`, { method: 'POST', body: form })).json()
  if (!reply.success) throw new Error(reply.error)
  return reply.entries.find(e => e.name === name).cid
}

/** Runs in the app's page: ms to unpin the pin `cid`, then to pin it again (its DAG walked, a record written for each block). */
async function unpinAndPinMs (cid) {
  const call = async (verb) => {
    const started = performance.now()
    const response = await fetch(`/api/v0/mcp/ipfs/${verb}`, { method: 'POST', body: JSON.stringify({ cid }), headers: { 'Content-Type': 'application/json' } })
    const reply = await response.json()
    if (response.status !== 200 || !reply.success) throw new Error(`${verb} of ${cid}: ${response.status} ${reply.error}`)
    return performance.now() - started
  }
  return { unpin: await call('unpin'), pin: await call('pin') }
}

/** Runs in the app's page: ms to fetch all `n` images of the folder `cid` at once through the gateway (as a page shows them), each read whole. */
async function imagesAtOnceMs ([cid, n, size]) {
  const started = performance.now()
  await Promise.all(Array.from({ length: n }, async (_, i) => {
    const response = await fetch(`/ipfs/${cid}/p${String(i).padStart(4, '0')}.jpg`)
    const read = (await response.arrayBuffer()).byteLength
    if (response.status !== 200 || read !== size) throw new Error(`image ${i}: ${response.status}, ${read} bytes`)
  }))
  return performance.now() - started
}

/** Runs in the app's page: ms to read `url` (a tar archive) to its end; it must hold at least `bytes`. */
async function archiveMs ([url, bytes]) {
  const started = performance.now()
  const response = await fetch(url)
  if (!response.ok) throw new Error(`${url} answered ${response.status}`)
  const reader = response.body.getReader()
  let read = 0
  for (;;) {
    const { value, done } = await reader.read()
    if (done) break
    read += value.byteLength
  }
  const ms = performance.now() - started
  if (read < bytes) throw new Error(`${url} gave ${read} bytes, fewer than ${bytes}`)
  return ms
}

/** Runs in the app's page: ms to list `url`, which must give `count` entries. */
async function listingMs ([url, count]) {
  const started = performance.now()
  const reply = await (await fetch(url)).json()
  const ms = performance.now() - started
  if (reply.entries?.length !== count) throw new Error(`${url} listed ${reply.entries?.length} entries, not ${count}`)
  return ms
}

/**
 * Runs in the app's page: ms from an in-app navigation to the Files page of
 * `path` until `rows` rows of its table are painted (the frame after the one
 * that laid them out has begun).
 */
async function filesPageMs ([path, rows]) {
  const go = (to) => { history.pushState(null, '', to); dispatchEvent(new PopStateEvent('popstate')) }
  const frame = async () => new Promise(resolve => { requestAnimationFrame(() => setTimeout(resolve, 0)) })
  go('/')
  await frame()
  const started = performance.now()
  go(`/files${path}`)
  const shown = () => document.querySelector(`table[aria-label="Contents of ${path}"]`)?.querySelectorAll('tbody tr').length ?? 0
  while (shown() < rows) {
    if (performance.now() - started > 30_000) throw new Error(`the Files page showed ${shown()} rows of ${path}, not ${rows}`)
    await new Promise(resolve => { requestAnimationFrame(resolve) })
  }
  await frame()
  return performance.now() - started
}

/**
 * Ms for a folder of `n` small files on disk, dropped on the app's Files
 * page (as the OS drops it: DevTools' drag events carry file paths), to be
 * uploaded: from the drop until its upload says done.
 */
async function dropFolderMs (page, n, round) {
  const dir = await mkdtemp(join(tmpdir(), 'mcp-bench-drop-'))
  try {
    const name = `dropped-${round}`
    await mkdir(join(dir, name))
    for (let i = 0; i < n; i++) await writeFile(join(dir, name, `f${String(i).padStart(5, '0')}.txt`), `dropped file ${i} of round ${round}\n`.repeat(8))
    await page.evaluate(() => { history.pushState(null, '', '/files'); dispatchEvent(new PopStateEvent('popstate')) })
    const target = page.getByLabel(/^Drop files or folders/)
    const box = await target.boundingBox()
    const cdp = await page.context().newCDPSession(page)
    const started = await page.evaluate(() => performance.now())
    for (const type of ['dragEnter', 'dragOver', 'drop']) {
      await cdp.send('Input.dispatchDragEvent', { type, x: box.x + box.width / 2, y: box.y + box.height / 2, data: { items: [], files: [join(dir, name)], dragOperationsMask: 1 } })
    }
    await cdp.detach()
    await page.getByRole('group', { name: 'Uploads' }).getByText(`${name} → / · done`).waitFor({ timeout: 120_000 })
    return await page.evaluate(t => performance.now() - t, started)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** Runs in the app's page: median ms of `n` GET /health through the service worker and the leader. */
async function healthP50 (n) {
  const times = []
  for (let i = 0; i < n; i++) {
    const t = performance.now()
    const reply = await (await fetch('/api/v0/mcp/health')).json()
    times.push(performance.now() - t)
    if (!reply.success) throw new Error(reply.error)
  }
  return times.sort((a, b) => a - b)[Math.floor(n / 2)]
}

/**
 * DevTools sessions on a page's workers (its block worker, the service
 * worker), attached through the page's own session: Playwright gives
 * sessions for pages only. `heap(target)` is a target's JS heap with its
 * ArrayBuffer backing stores, in bytes.
 */
async function workerTargets (cdp) {
  const targets = new Map()
  const waiting = new Map()
  let nextId = 0
  cdp.on('Target.attachedToTarget', (event) => { targets.set(event.targetInfo.url, event.sessionId) })
  cdp.on('Target.receivedMessageFromTarget', (event) => {
    const message = JSON.parse(event.message)
    waiting.get(message.id)?.(message)
    waiting.delete(message.id)
  })
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false })
  const send = async (sessionId, method) => {
    const id = ++nextId
    const answered = new Promise((resolve) => waiting.set(id, resolve))
    await cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method }) })
    const { result, error } = await answered
    if (error != null) throw new Error(`${method}: ${error.message}`)
    return result
  }
  const find = (pattern) => {
    for (const [url, sessionId] of targets) if (pattern.test(url)) return sessionId
    throw new Error(`no worker matching ${pattern} (attached: ${[...targets.keys()].join(', ')})`)
  }
  return { find, send }
}

const heapBytes = (usage) => usage.usedSize + (usage.backingStorageSize ?? 0)

/**
 * Peak JS heap (V8's heap and ArrayBuffer backing stores, sampled through
 * the DevTools protocol) above idle while the page adds `size` bytes held
 * in a Blob, which the browser keeps outside the heap: the node's page and
 * its block worker, sampled together (the node is both), and the service
 * worker that carries the request.
 */
async function addMemory (page, size) {
  const cdp = await page.context().newCDPSession(page)
  const workers = await workerTargets(cdp)
  // attached as the session's auto-attach reports them: wait until both are
  let blockWorker, serviceWorker
  for (let i = 0; i < 50 && (blockWorker == null || serviceWorker == null); i++) {
    await new Promise(resolve => setTimeout(resolve, 100))
    try { blockWorker = workers.find(/block-worker/); serviceWorker = workers.find(/\/sw\.js$/) } catch (err) { if (i === 49) throw err }
  }
  await page.evaluate(async (size) => {
    const parts = []
    for (let i = 0; i < size; i += 4 * 1024 * 1024) {
      const part = new Uint8Array(4 * 1024 * 1024)
      for (let j = 0; j < part.length; j += 65536) crypto.getRandomValues(part.subarray(j, j + 65536))
      parts.push(new Blob([part]))
    }
    globalThis.benchUpload = new Blob(parts)
  }, size)
  const used = async () => {
    const [pageHeap, worker, sw] = await Promise.all([
      cdp.send('Runtime.getHeapUsage'),
      workers.send(blockWorker, 'Runtime.getHeapUsage'),
      workers.send(serviceWorker, 'Runtime.getHeapUsage')
    ])
    return { page: heapBytes(pageHeap), worker: heapBytes(worker), sw: heapBytes(sw) }
  }
  const collect = async () => Promise.all([
    cdp.send('HeapProfiler.collectGarbage'),
    workers.send(blockWorker, 'HeapProfiler.collectGarbage'),
    workers.send(serviceWorker, 'HeapProfiler.collectGarbage')
  ])
  const series = []
  await collect()
  await new Promise(resolve => setTimeout(resolve, 500))
  await collect()
  const idle = await used()
  const peak = { node: 0, page: 0, worker: 0, sw: 0 }
  let done = false
  const adding = page.evaluate(async () => {
    const reply = await (await fetch('/api/v0/mcp/ipfs/add', { method: 'POST', body: globalThis.benchUpload, headers: { 'Content-Type': 'application/octet-stream' } })).json()
    delete globalThis.benchUpload
    if (!reply.success) throw new Error(reply.error)
    return reply.cid
  }).finally(() => { done = true })
  const started = Date.now()
  while (!done) {
    const now = await used()
    const above = { page: now.page - idle.page, worker: now.worker - idle.worker, sw: now.sw - idle.sw }
    peak.node = Math.max(peak.node, above.page + above.worker)
    peak.page = Math.max(peak.page, above.page)
    peak.worker = Math.max(peak.worker, above.worker)
    peak.sw = Math.max(peak.sw, above.sw)
    series.push([Date.now() - started, Math.round(above.page / MIB), Math.round(above.worker / MIB), Math.round(above.sw / MIB)])
    await new Promise(resolve => setTimeout(resolve, 20))
  }
  const cid = await adding
  // what the add left behind, once the collector has run: the peak above is live bytes and garbage not yet collected
  await collect()
  const after = await used()
  await page.evaluate(release, cid)
  await cdp.detach()
  return { idle, peak, after_gc: { node: after.page - idle.page + after.worker - idle.worker }, series }
}

/** The memory an add of 200 MiB takes in the node (its page and block worker), and in the service worker. */
export async function memorySection (profiles, { origin }) {
  const page = await openApp(profiles, origin)
  const memory = await addMemory(page, 200 * MIB)
  await page.context().close()
  const { peak } = memory
  return {
    rows: [
      row('add of 200 MiB: peak JS heap (with ArrayBuffers) above idle, page + block worker', peak.node / MIB, 'MiB', { target: '≤ 64 MiB', met: peak.node / MIB <= 64 }),
      row('  the page alone', peak.page / MIB, 'MiB'),
      row('  the block worker alone', peak.worker / MIB, 'MiB'),
      row('  the service worker (carries the request)', peak.sw / MIB, 'MiB'),
      row('  page + block worker once the add is done and the collector has run', memory.after_gc.node / MIB, 'MiB')
    ],
    samples: memory
  }
}

/** ms from navigation to the first API answer, in a context whose node has run before (stores exist, libp2p on). */
async function warmStart (context, origin) {
  const page = await context.newPage()
  await page.goto(`${origin}/`, { waitUntil: 'commit' })
  const result = await page.evaluate(async () => {
    while (true) {
      const response = await fetch('/api/v0/mcp/health')
      if (response.ok) break
      await new Promise(resolve => setTimeout(resolve, 5))
    }
    const answered = performance.now()
    // libp2p starts after the node's first answer: its start is a stage of its own
    const started = Date.now()
    while (performance.getEntriesByName('mcp:network-started').length === 0 && Date.now() - started < 10_000) await new Promise(resolve => setTimeout(resolve, 10))
    // the host's marks: when its code arrived, the lock was taken, the stores opened, the node started, the worker was told, the network started
    const marks = Object.fromEntries(performance.getEntriesByType('mark').filter(m => m.name.startsWith('mcp:')).map(m => [m.name.slice(4), Math.round(m.startTime)]))
    return { answered, marks }
  })
  await page.close()
  return result
}

/**
 * A transfer's CPU time in all of its browser's processes, and the highest
 * ratio to its limit (`limitMbps`) that time allows on this machine's cores;
 * nothing where /proc cannot be read.
 */
function cpuRows (seconds, limitMbps) {
  const cpu = cpuTime(seconds)
  if (cpu == null) return []
  return [
    cpuRow(cpu),
    row(`  the best ratio that CPU time allows on ${CORES} cores (all busy with it alone)`, cpuCeiling(cpu, SIZE / MIB / limitMbps), '×')
  ]
}

/** The median of a measure's CPU times, or undefined when any is unknown. */
function cpuTime (seconds) {
  return seconds.some(s => s == null) ? undefined : median(seconds)
}

function cpuRow (cpu) {
  return row('  its CPU time, all of the browser\'s processes (page, workers, storage, network)', cpu, 's')
}

export async function apiSection (profiles, { origin, bench, benchCpu }) {
  const page = await openApp(profiles, origin)
  // a second node, whose blocks are files in OPFS: chosen with ?blockstore=opfs on its first start
  const opfsPage = await openApp(profiles, `${origin}/?blockstore=opfs`)
  const raw = []
  const add = []
  const cat = []
  const bare = []
  const rawOpfs = []
  const addOpfs = []
  const catOpfs = []
  const addForm = []
  // the CPU seconds each add and cat took in all of its browser's processes
  const cpu = { add: [], add_form: [], cat: [], add_opfs: [], cat_opfs: [], raw: [], raw_blob: [], bare: [], raw_get: [], bare_upload: [] }
  const bareUpload = []
  const rawGet = []
  const rawBlob = []
  // ms for each store's collection of the 64 MiB just added and unpinned
  const gcs = { '': [], _opfs: [] }
  for (let i = 0; i < REPEATS; i++) {
    for (const [name, rates, cpus] of [['rawIdbPut', raw, cpu.raw], ['rawIdbBlobPut', rawBlob, cpu.raw_blob], ['bareStream', bare, cpu.bare], ['rawIdbGet', rawGet, cpu.raw_get], ['bareUpload', bareUpload, cpu.bare_upload]]) {
      await quiet()
      const limit = await benchCpu.around(async () => benchCall(bench, name, SIZE))
      rates.push(mbps(SIZE, limit.result))
      cpus.push(limit.cpu)
    }
    await quiet()
    rawOpfs.push(mbps(SIZE, await benchCall(bench, 'rawOpfsWrite', SIZE)))
    for (const [p, adds, cats, store] of [[page, add, cat, ''], [opfsPage, addOpfs, catOpfs, '_opfs']]) {
      const dir = profiles.dirOf(p.context())
      await p.evaluate(prepareUpload, SIZE)
      await quiet()
      const added = await withCpu(dir, async () => p.evaluate(addPrepared))
      await quiet()
      const catMs = await withCpu(dir, async () => p.evaluate(catOf, [added.result.cid, SIZE]))
      const collected = await p.evaluate(release, added.result.cid)
      if (collected.freed < SIZE) throw new Error(`the collection after the add freed ${collected.freed} bytes, not the file's ${SIZE}`)
      gcs[store].push(collected.ms)
      adds.push(mbps(SIZE, added.result.ms))
      cats.push(mbps(SIZE, catMs.result))
      cpu[`add${store}`].push(added.cpu)
      cpu[`cat${store}`].push(catMs.cpu)
      if (store === '') {
        // the same add as a form, on the same page, right after it
        await p.evaluate(prepareUpload, SIZE)
        await quiet()
        const formAdded = await withCpu(dir, async () => p.evaluate(addPrepared, true))
        await p.evaluate(release, formAdded.result.cid)
        addForm.push(mbps(SIZE, formAdded.result.ms))
        cpu.add_form.push(formAdded.cpu)
      }
    }
  }
  const opfsLocation = (await opfsPage.evaluate(async () => (await (await fetch('/api/v0/mcp/debug')).json()).node.stores.blocks))
  if (!opfsLocation.startsWith('opfs:')) throw new Error(`the OPFS node keeps its blocks in ${opfsLocation}`)
  await opfsPage.context().close()
  const health = []
  const bareJson = []
  for (let i = 0; i < REPEATS; i++) {
    bareJson.push(await benchCall(bench, 'bareJsonP50', 200))
    health.push(await page.evaluate(healthP50, 200))
  }
  // each round's files are new bytes: every add stores what it reads
  const folderAdds = []
  for (let i = 0; i < REPEATS; i++) folderAdds.push(await page.evaluate(addSmallFiles, [LISTED_FILES, i]))
  const listedDir = folderAdds[0].cid
  // names of 80 characters: the folder's links pass the importer's 256 KiB, and it is sharded
  const shardedDir = (await page.evaluate(addSmallFiles, [SHARDED_FILES, 'sharded', 'a long file name, as cameras and downloads give them, '.repeat(2).slice(0, 72)])).cid
  const photosDir = await page.evaluate(addImages, [LISTED_PHOTOS, 1_000_000, 'photos'])
  const imagesDir = await page.evaluate(addImages, [LISTED_PHOTOS, 100_000, 'images'])
  const ls = []
  const filesLs = []
  const photosLs = []
  const shardedLs = []
  const shardedFilesLs = []
  for (let i = 0; i < REPEATS; i++) {
    shardedLs.push(await page.evaluate(listingMs, [`/api/v0/mcp/ipfs/ls/${shardedDir}/dir`, SHARDED_FILES]))
    shardedFilesLs.push(await page.evaluate(listingMs, ['/api/v0/mcp/ipfs/files/ls?path=/bench-listing-sharded/dir&long=true', SHARDED_FILES]))
    ls.push(await page.evaluate(listingMs, [`/api/v0/mcp/ipfs/ls/${listedDir}/dir`, LISTED_FILES]))
    filesLs.push(await page.evaluate(listingMs, ['/api/v0/mcp/ipfs/files/ls?path=/bench-listing-0/dir&long=true', LISTED_FILES]))
    photosLs.push(await page.evaluate(listingMs, ['/api/v0/mcp/ipfs/files/ls?path=/bench-photos/photos&long=true', LISTED_PHOTOS]))
  }
  const shardedRepins = []
  for (let i = 0; i < REPEATS; i++) shardedRepins.push(await page.evaluate(unpinAndPinMs, shardedDir))
  const images = []
  const photos = []
  const bareImages = []
  for (let i = 0; i < REPEATS; i++) {
    bareImages.push(await benchCall(bench, 'bareManyAtOnce', LISTED_PHOTOS, 100_000))
    images.push(await page.evaluate(imagesAtOnceMs, [imagesDir, LISTED_PHOTOS, 100_000]))
    photos.push(await page.evaluate(imagesAtOnceMs, [photosDir, LISTED_PHOTOS, 1_000_000]))
  }
  const archives = []
  // a header of 512 bytes and a file's content padded to 512 each
  for (let i = 0; i < REPEATS; i++) archives.push(await page.evaluate(archiveMs, [`/api/v0/mcp/ipfs/get/${listedDir}/dir`, LISTED_FILES * 1024]))
  const filesPage = []
  for (let i = 0; i < REPEATS; i++) filesPage.push(await page.evaluate(filesPageMs, ['/bench-listing-0/dir', SHOWN_ROWS]))
  const drops = []
  for (let i = 0; i < REPEATS; i++) drops.push(await dropFolderMs(page, LISTED_FILES, i))
  // the context keeps its stores: each new page starts the node from them
  const context = page.context()
  await page.close()
  const warm = []
  const warmMarks = []
  for (let i = 0; i < REPEATS; i++) {
    const { answered, marks } = await warmStart(context, origin)
    warm.push(answered)
    warmMarks.push(marks)
  }
  await context.close()
  const rawMbps = median(raw)
  const bareMbps = median(bare)
  const limitCpu = (seconds) => { const t = cpuTime(seconds); return t == null ? [] : [cpuRow(t)] }
  // a cat reads the store and streams from the service worker: those two alone, each at its raw cost
  const readAndStream = cpuTime(cpu.raw_get) != null && cpuTime(cpu.bare) != null ? cpuTime(cpu.raw_get) + cpuTime(cpu.bare) : undefined
  return {
    rows: [
      row('raw IndexedDB put, 16 × 256 KiB per transaction (limit)', rawMbps, 'MB/s', { ratio: 1 }),
      ...limitCpu(cpu.raw),
      ratioRow('API add of 64 MiB through the service worker, pinned, persisted', median(add), 'MB/s', rawMbps, { atLeast: 0.8 }),
      ...cpuRows(cpu.add, rawMbps),
      row('  the same bytes as a multipart form (as the app\'s own upload sends them)', median(addForm), 'MB/s', { ratio: median(addForm) / rawMbps }),
      row('    against the raw-body add', median(addForm) / median(add), '×'),
      ...limitCpu(cpu.add_form),
      // the node stores large blocks as Blobs, which IndexedDB writes faster than the limit's values: the add beside that too
      row('raw IndexedDB put of 1 MiB Blobs, 16 per transaction (as the node stores large blocks)', median(rawBlob), 'MB/s', { ratio: median(rawBlob) / rawMbps }),
      ...limitCpu(cpu.raw_blob),
      row('  the API add against it', median(add) / median(rawBlob), '×'),
      row('raw OPFS sync-handle write in a dedicated worker, 256 KiB writes (limit)', median(rawOpfs), 'MB/s', { ratio: 1 }),
      ratioRow('API add of 64 MiB, the same, blocks in OPFS (?blockstore=opfs)', median(addOpfs), 'MB/s', median(rawOpfs), { atLeast: 0.5 }),
      ...cpuRows(cpu.add_opfs, median(rawOpfs)),
      // every add through a service worker is an upload to it first: what one takes with nothing behind it
      row('bare service worker: a 64 MiB upload read to its end (no add through a service worker can be faster)', median(bareUpload), 'MB/s', { ratio: median(bareUpload) / median(rawOpfs) }),
      ...limitCpu(cpu.bare_upload),
      row('  the API add against it, blocks in IndexedDB', median(add) / median(bareUpload), '×'),
      row('  the API add against it, blocks in OPFS', median(addOpfs) / median(bareUpload), '×'),
      row('bare service worker: a 64 MiB generated stream (limit)', bareMbps, 'MB/s', { ratio: 1 }),
      ...limitCpu(cpu.bare),
      row('raw IndexedDB get, 16 × 256 KiB per transaction (a cat reading the bytes itself)', median(rawGet), 'MB/s', { ratio: median(rawGet) / bareMbps }),
      ...limitCpu(cpu.raw_get),
      ...(readAndStream == null ? [] : [row(`  raw get + bare stream alone: the best ratio their CPU allows on ${CORES} cores`, cpuCeiling(readAndStream, SIZE / MIB / bareMbps), '×')]),
      ratioRow('API cat of 64 MiB through the service worker', median(cat), 'MB/s', bareMbps, { atLeast: 0.8 }),
      ...cpuRows(cpu.cat, bareMbps),
      ratioRow('API cat of 64 MiB, blocks in OPFS', median(catOpfs), 'MB/s', bareMbps, { atLeast: 0.8 }),
      ...cpuRows(cpu.cat_opfs, bareMbps),
      row('bare service worker: small JSON reply, p50 of 200 (limit)', median(bareJson), 'ms', { ratio: 1 }),
      ratioRow('API GET /health through the service worker, p50 of 200', median(health), 'ms', median(bareJson), { atMost: 1.3 }),
      row(`add of a folder of ${LISTED_FILES} small files (a multipart form, wrapped, copied into MFS), IndexedDB`, median(folderAdds.map(a => a.ms)), 'ms'),
      row(`  ${LISTED_FILES} such files in a folder on disk, dropped on the Files page: drop → its upload done`, median(drops), 'ms'),
      row(`ls of a directory of ${LISTED_FILES} small files (/ipfs/ls: each entry's type and size), IndexedDB`, median(ls), 'ms'),
      row('  the same directory in MFS (files/ls, long)', median(filesLs), 'ms'),
      row(`  the Files page: navigation → its first ${SHOWN_ROWS} rows painted`, median(filesPage), 'ms'),
      row('  the same directory as a tar archive (/ipfs/get), read to its end', median(archives), 'ms'),
      row(`ls of a sharded directory (HAMT) of ${SHARDED_FILES} small files (/ipfs/ls)`, median(shardedLs), 'ms'),
      row('  the same directory in MFS (files/ls, long)', median(shardedFilesLs), 'ms'),
      row('  the directory\'s pin removed (every block\'s record let go)', median(shardedRepins.map(r => r.unpin)), 'ms'),
      row('  the directory pinned again (its DAG walked, a record written for each block)', median(shardedRepins.map(r => r.pin)), 'ms'),
      row(`files/ls (long) of a folder of ${LISTED_PHOTOS} files of 1 MB (a raw block each, as photos)`, median(photosLs), 'ms'),
      row(`bare service worker: ${LISTED_PHOTOS} replies of 100 kB asked at once (limit)`, median(bareImages), 'ms', { ratio: 1 }),
      row(`${LISTED_PHOTOS} images of 100 kB fetched at once through the gateway (/ipfs/<folder>/<name>), as a page shows them`, median(images), 'ms', { ratio: median(images) / median(bareImages) }),
      row(`  the ${LISTED_PHOTOS} photos of 1 MB the same way`, median(photos), 'ms'),
      row('repo gc of the 64 MiB file once unpinned (its blocks all garbage), IndexedDB', median(gcs['']), 'ms'),
      row('  the same, blocks in OPFS', median(gcs._opfs), 'ms'),
      row('warm start: navigation → first API answer', median(warm), 'ms', { target: '≤ 300 ms', met: median(warm) <= 300 }),
      row('  the same → the node\'s network started (libp2p starts after the first answer)', median(warmMarks.map(m => m['network-started'] ?? NaN)), 'ms')
    ],
    samples: { folder_add_ms: folderAdds.map(a => a.ms), sharded_unpin_ms: shardedRepins.map(r => r.unpin), sharded_pin_ms: shardedRepins.map(r => r.pin), ls_ms: ls, files_ls_ms: filesLs, files_page_ms: filesPage, drop_ms: drops, archive_ms: archives, images_at_once_ms: images, bare_images_at_once_ms: bareImages, photos_at_once_ms: photos, photos_ls_ms: photosLs, gc_ms: gcs[''], gc_opfs_ms: gcs._opfs, raw, raw_blob: rawBlob, bare_upload: bareUpload, add, add_form: addForm, bare, cat, raw_get: rawGet, cpu_seconds: cpu, raw_opfs: rawOpfs, add_opfs: addOpfs, cat_opfs: catOpfs, bare_json_p50: bareJson, health_p50: health, warm_start: warm, warm_start_marks: warmMarks }
  }
}
