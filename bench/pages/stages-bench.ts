// Add and cat taken apart stage by stage, run in the page by bench/run.mjs:
// each stage adds one layer to the one before, all on the same bytes, so the
// table shows where the time goes (limits, importer, store, node, API).
import { BlackHoleBlockstore } from 'blockstore-core/black-hole'
import * as dagPb from '@ipld/dag-pb'
import { importer } from 'ipfs-unixfs-importer'
import { createSite } from '../../src/api/site.ts'
import { createNode } from '../../src/node/create-node.ts'
import { standaloneHost } from '../../src/node/host-info.ts'
import { addContent } from '../../src/node/models/ipfs/add.ts'
import { catContent } from '../../src/node/models/ipfs/cat.ts'
import { blockBytes } from '../../src/node/stores/repo-blockstore.ts'
import { receiveBody } from '../../src/sw/body-port.ts'
import { openBrowserStores } from '../../src/node/stores/browser-stores.ts'
import { IDBBlockstore } from 'blockstore-idb'
import { cpuMark, deleteDatabases, randomBytes, removeOpfs } from './bench-util.ts'
import type { Blockstore } from 'interface-blockstore'
import type { CID } from 'multiformats/cid'

const BLOCK = 256 * 1024

async function openRawDatabase (name: string): Promise<IDBDatabase> {
  return new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(name, 1)
    req.onupgradeneeded = () => req.result.createObjectStore('blocks')
    req.onsuccess = () => { resolve(req.result) }
    req.onerror = () => { reject(req.error) }
  })
}

/** Puts `blocks` (each as `value` makes it) in 16 per transaction, one transaction after another. */
async function putAll (db: IDBDatabase, blocks: Uint8Array[], value: (block: Uint8Array) => unknown = block => block): Promise<void> {
  for (let i = 0; i < blocks.length; i += 16) {
    const tx = db.transaction('blocks', 'readwrite')
    const store = tx.objectStore('blocks')
    for (let j = i; j < Math.min(i + 16, blocks.length); j++) store.put(value(blocks[j]), `k${j}`)
    await new Promise((resolve, reject) => { tx.oncomplete = resolve; tx.onerror = () => { reject(tx.error) } })
  }
}

/**
 * Ms to put `size` random bytes in blocks of `blockSize`, 16 per
 * transaction, each stored as `value` makes it (in the timed part). Random,
 * as the content the node stores is: Chromium compresses IndexedDB values,
 * so blocks of zeros would be written at several times the rate and make
 * the limit a false one.
 */
async function timedPut (size: number, blockSize: number, value?: (block: Uint8Array) => unknown): Promise<number> {
  const name = `bench-raw-${crypto.randomUUID()}`
  const db = await openRawDatabase(name)
  const blocks = Array.from({ length: size / blockSize }, () => randomBytes(blockSize))
  await cpuMark()
  const started = performance.now()
  await putAll(db, blocks, value)
  const ms = performance.now() - started
  await cpuMark()
  db.close()
  await deleteDatabases(name)
  return ms
}

/** The raw IndexedDB put rate: `size` bytes in 256 KiB values, 16 per transaction. */
export async function rawIdbPut (size: number): Promise<number> {
  return timedPut(size, BLOCK)
}

/**
 * The raw IndexedDB put rate of `size` random bytes as 1 MiB Blob values, 16
 * per transaction: as the node stores large blocks (idb-blockstore.ts), the
 * Blobs made in the timed part, as the node makes them in its put.
 */
export async function rawIdbBlobPut (size: number): Promise<number> {
  return timedPut(size, 1024 * 1024, block => new Blob([block as Uint8Array<ArrayBuffer>]))
}

/**
 * The raw IndexedDB read rate, the store's share of a cat: `size` random
 * bytes stored in 256 KiB values, then read in order, 16 gets asked at once
 * in each transaction, one transaction after another.
 */
export async function rawIdbGet (size: number): Promise<number> {
  const name = `bench-raw-get-${crypto.randomUUID()}`
  const db = await openRawDatabase(name)
  const count = size / BLOCK
  await putAll(db, Array.from({ length: count }, () => randomBytes(BLOCK)))
  let read = 0
  await cpuMark()
  const started = performance.now()
  for (let i = 0; i < count; i += 16) {
    const store = db.transaction('blocks', 'readonly').objectStore('blocks')
    const values = await Promise.all(Array.from({ length: Math.min(16, count - i) }, async (_, j) => new Promise<Uint8Array>((resolve, reject) => {
      const req = store.get(`k${i + j}`)
      req.onsuccess = () => { resolve(req.result as Uint8Array) }
      req.onerror = () => { reject(req.error) }
    })))
    for (const value of values) read += value.byteLength
  }
  const ms = performance.now() - started
  await cpuMark()
  db.close()
  await deleteDatabases(name)
  if (read !== size) throw new Error(`read ${read} of ${size} bytes`)
  return ms
}

/** The raw OPFS write rate: `size` bytes in 256 KiB writes through a sync access handle in a dedicated worker. */
export async function rawOpfsWrite (size: number): Promise<number> {
  const worker = new Worker(new URL('./opfs-raw-worker.ts', import.meta.url), { type: 'module' })
  try {
    return await new Promise<number>((resolve, reject) => {
      worker.onmessage = (event: MessageEvent<{ ms?: number, error?: string }>) => { event.data.error != null ? reject(new Error(event.data.error)) : resolve(event.data.ms!) }
      worker.onerror = (event) => { reject(new Error(event.message)) }
      worker.postMessage({ size, block: BLOCK })
    })
  } finally {
    worker.terminate()
  }
}

async function importInto (blockstore: Blockstore, chunks: Uint8Array[]): Promise<string> {
  let root = ''
  for await (const entry of importer([{ content: chunks }], blockstore, { profile: 'unixfs-v1-2025', blockWriteConcurrency: 16 })) root = entry.cid.toString()
  return root
}

export interface AddStages {
  /** The importer into a store that keeps nothing: chunking and hashing. */
  import_only_ms: number
  /** The importer into blockstore-idb, called directly: the reference the issue names. */
  import_idb_ms: number
  /** The node's add model (tiered store, pin) with no API in front. */
  model_ms: number
  /** The same with the blocks in OPFS. */
  model_opfs_ms: number
  /** The API's add, called in the page (no service worker). */
  api_in_page_ms: number
}

/** Each stage on a fresh store with the same `size` bytes. */
export async function addStages (size: number): Promise<AddStages> {
  const prefix = `bench-stages-${crypto.randomUUID()}`
  const data = randomBytes(size)
  // the content as 1 MiB buffers of its own, as a body arrives: blockstore-idb stores a view's
  // whole backing buffer, so views of one 64 MiB buffer would store 64 MiB a block
  const chunks: Uint8Array[] = []
  for (let i = 0; i < size; i += 1024 * 1024) chunks.push(data.slice(i, i + 1024 * 1024))
  try {
    let t = performance.now()
    await importInto(new BlackHoleBlockstore(), chunks)
    const importOnly = performance.now() - t

    const store = new IDBBlockstore(`${prefix}-direct/blocks`)
    await store.open()
    t = performance.now()
    await importInto(store, chunks)
    const importIdb = performance.now() - t
    await store.close()

    const modelAdd = async (blocks: 'indexeddb' | 'opfs'): Promise<number> => {
      const node = await createNode({ stores: await openBrowserStores(`${prefix}-model-${blocks}`, blocks) })
      const h = node.helia
      // the add's own copies, as the API's add owns a body's chunks: it hands each leaf's buffer to the store's worker
      const owned = chunks.map(chunk => chunk.slice())
      const started = performance.now()
      await addContent({ blockstore: node.blockstore, datastore: h.datastore, pins: h.pins, getCodec: h.getCodec }, [{ content: owned }], { contentIsOwned: true })
      await node.blockstore.flush()
      const ms = performance.now() - started
      await node.stop()
      return ms
    }
    const model = await modelAdd('indexeddb')
    const modelOpfs = await modelAdd('opfs')

    const apiNode = await createNode({ stores: await openBrowserStores(`${prefix}-api`) })
    const site = createSite({ node: apiNode, host: standaloneHost() })
    t = performance.now()
    const response = await site.fetch(new Request('http://bench/api/v0/mcp/ipfs/add', { method: 'POST', body: new Blob([data as BlobPart]), headers: { 'Content-Type': 'application/octet-stream' } }))
    const reply = await response.json() as { success: boolean, error?: string }
    const api = performance.now() - t
    if (!reply.success) throw new Error(reply.error)
    await apiNode.stop()
    return { import_only_ms: importOnly, import_idb_ms: importIdb, model_ms: model, model_opfs_ms: modelOpfs, api_in_page_ms: api }
  } finally {
    await deleteDatabases(prefix)
    await removeOpfs(prefix)
  }
}

export interface CatStages {
  /** Every block of the file read from the persistent store, in order, through the block worker. */
  store_ms: number
  /** The same through Helia's blockstore (the memory tier, the networked storage's has-then-get). */
  helia_blockstore_ms: number
  /** The node's cat model: the exporter over Helia's blockstore, as the API runs it. */
  model_ms: number
  /** The API's cat called in the page (no service worker), its body read to the end. */
  api_in_page_ms: number
  /** The file's bytes as the bridge hands a reply's body to the service worker (a Blob of the blocks' Blobs, or a port the blockstore's worker streams on), read in the page. */
  worker_port_ms: number
}

/** Cat of `size` random bytes taken apart, on a node whose blocks are in `blocks`. */
export async function catStages (size: number, blocks: 'indexeddb' | 'opfs'): Promise<CatStages> {
  const prefix = `bench-cat-${crypto.randomUUID()}`
  const data = randomBytes(size)
  try {
    const node = await createNode({ stores: await openBrowserStores(prefix, blocks) })
    const h = node.helia
    const added = await addContent({ blockstore: node.blockstore, datastore: h.datastore, pins: h.pins, getCodec: h.getCodec }, [{ content: [data] }], {})
    await node.blockstore.flush()
    // the file's leaves, from its root (one level at this size)
    const leaves: CID[] = dagPb.decode(await blockBytes(h.blockstore.get(added.cid))).Links.map(link => link.Hash)
    const readAll = async (get: (cid: CID) => Promise<Uint8Array>): Promise<number> => {
      const t = performance.now()
      let read = 0
      for (const cid of leaves) read += (await get(cid)).byteLength
      if (read < size) throw new Error(`read ${read} of ${size} bytes`)
      return performance.now() - t
    }
    const store = await readAll(async cid => blockBytes(node.stores.blockstore.get(cid)))
    const heliaStore = await readAll(async cid => blockBytes(h.blockstore.get(cid)))
    let t = performance.now()
    const handle = await catContent(h, { cid: added.cid, segments: [] })
    let read = 0
    for await (const chunk of handle.read().content) read += chunk.byteLength
    const model = performance.now() - t
    if (read !== size) throw new Error(`cat read ${read} of ${size} bytes`)
    const site = createSite({ node, host: standaloneHost() })
    t = performance.now()
    const reader = (await site.fetch(new Request(`http://bench/api/v0/mcp/ipfs/cat/${added.cid.toString()}`))).body!.getReader()
    read = 0
    while (true) { const { value, done } = await reader.read(); if (done) break; read += value.byteLength }
    const api = performance.now() - t
    if (read !== size) throw new Error(`API cat read ${read} of ${size} bytes`)
    // what the bridge hands the service worker for a file's body: a Blob of the blocks' Blobs (or a port the worker streams on)
    t = performance.now()
    const served = await node.serveFileFromStore(added.cid, 0, size)
    if (served == null) throw new Error('the blockstore\'s worker did not serve the file')
    const direct = (served instanceof Blob ? served.stream() : receiveBody(served)).getReader()
    read = 0
    while (true) { const { value, done } = await direct.read(); if (done) break; read += value.byteLength }
    const worker = performance.now() - t
    if (read !== size) throw new Error(`the file served by the store gave ${read} of ${size} bytes`)
    await node.stop()
    return { store_ms: store, helia_blockstore_ms: heliaStore, model_ms: model, api_in_page_ms: api, worker_port_ms: worker }
  } finally {
    await deleteDatabases(prefix)
    await removeOpfs(prefix)
  }
}
