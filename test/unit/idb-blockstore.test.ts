import 'fake-indexeddb/auto'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { readBlock } from '../../src/node/models/ipfs/dag-walker.ts'
import { IDBRepoBlockstore } from '../../src/node/stores/idb-blockstore.ts'
import { blockKey } from '../../src/node/stores/repo-blockstore.ts'
import { rawBlock } from './helpers.ts'

/** Blocks larger than this are stored as Blobs: small, so such a block is quick to make here. */
const BLOB_BYTES = 1024
/** The piece size of blocks an earlier version stored in pieces (256 KiB there; the reader takes the count from the first piece). */
const PIECE = 1024

describe('IDBRepoBlockstore', () => {
  let n = 0
  let store: IDBRepoBlockstore
  const open = async (name = `blocks-${++n}`, batchBlocks?: number): Promise<IDBRepoBlockstore> => {
    store = new IDBRepoBlockstore(name, { batchBlocks, blobBytes: BLOB_BYTES })
    await store.open()
    return store
  }
  afterEach(async () => { await store?.close() })

  it('stores, finds, reads and deletes blocks, keeping counts', async () => {
    const s = await open()
    const a = await rawBlock('alpha')
    const b = await rawBlock('beta!')
    await Promise.all([s.put(a.cid, a.bytes), s.put(b.cid, b.bytes)])
    expect(await s.has(a.cid)).toBe(true)
    expect(await readBlock(s, b.cid)).toEqual(b.bytes)
    expect(await s.stat()).toEqual({ blocks: 2, bytes: 10 })
    await s.put(a.cid, a.bytes)
    expect(await s.stat()).toEqual({ blocks: 2, bytes: 10 })
    await s.delete(a.cid)
    expect(await s.has(a.cid)).toBe(false)
    expect(await s.stat()).toEqual({ blocks: 1, bytes: 5 })
    await expect(readBlock(s, a.cid)).rejects.toThrow(/not in the local store/)
  })

  it('deletes several blocks in one transaction, a Blob among them, and says what went (a missing block and a repeat counted nothing)', async () => {
    const s = await open()
    const small = await rawBlock('small')
    const large = await rawBlock('L'.repeat(BLOB_BYTES * 3))
    const kept = await rawBlock('kept!')
    const missing = await rawBlock('never stored')
    await Promise.all([s.put(small.cid, small.bytes), s.put(large.cid, large.bytes), s.put(kept.cid, kept.bytes)])
    const transactions = vi.spyOn(IDBDatabase.prototype, 'transaction')
    const removed = await s.deleteBlocks([small.cid, large.cid, missing.cid, CID.create(1, 0x71, small.cid.multihash)])
    const used = transactions.mock.calls.length
    transactions.mockRestore()
    expect(used).toBe(1)
    expect(removed).toEqual({ blocks: 2, bytes: small.bytes.byteLength + large.bytes.byteLength })
    expect(await s.has(small.cid)).toBe(false)
    expect(await s.has(large.cid)).toBe(false)
    expect(await s.stat()).toEqual({ blocks: 1, bytes: kept.bytes.byteLength })
    expect(await readBlock(s, kept.cid)).toEqual(kept.bytes)
    expect(await s.deleteBlocks([small.cid])).toEqual({ blocks: 0, bytes: 0 })
  })

  it('finds a block by multihash whatever the CID version or codec', async () => {
    const s = await open()
    const a = await rawBlock('any codec')
    await s.put(a.cid, a.bytes)
    expect(await s.has(CID.create(1, 0x71, a.cid.multihash))).toBe(true)
  })

  it('stores a copy of a view, not its whole backing buffer', async () => {
    const s = await open()
    const backing = new Uint8Array(1024 * 1024)
    backing.set(new TextEncoder().encode('inside'), 500)
    const view = backing.subarray(500, 506)
    const cid = CID.create(1, raw.code, await sha256.digest(view))
    await s.put(cid, view)
    const stored = await readBlock(s, cid)
    expect(stored.byteLength).toBe(6)
    expect(stored.buffer.byteLength).toBe(6)
    expect(await s.stat()).toEqual({ blocks: 1, bytes: 6 })
  })

  it('accepts chunked values and survives reopening', async () => {
    const name = `blocks-${++n}`
    const s = await open(name, 4)
    const blocks = await Promise.all(Array.from({ length: 10 }, async (_, i) => rawBlock(`block number ${i}`)))
    await Promise.all(blocks.map(async ({ cid, bytes }) => s.put(cid, [bytes.subarray(0, 3), bytes.subarray(3)])))
    await s.close()
    const again = await open(name)
    for (const { cid, bytes } of blocks) expect(await readBlock(again, cid)).toEqual(bytes)
    const all = []
    for await (const pair of again.getAll()) all.push(pair.cid.multihash.bytes.join())
    expect(all.sort()).toEqual(blocks.map(b => b.cid.multihash.bytes.join()).sort())
    expect((await again.stat()).blocks).toBe(10)
  })

  it('stores a block larger than blobBytes as a Blob, gives it back whole, as bytes or as that Blob, and deletes it', async () => {
    const name = `blocks-${++n}`
    const s = await open(name)
    const bytes = new Uint8Array(2 * BLOB_BYTES + 3)
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + (i >> 8)) & 0xff
    const cid = CID.create(1, raw.code, await sha256.digest(bytes))
    const small = await rawBlock('small')
    await Promise.all([s.put(cid, bytes), s.put(small.cid, small.bytes)])
    expect(await readBlock(s, cid)).toEqual(bytes)
    expect(await s.stat()).toEqual({ blocks: 2, bytes: bytes.length + 5 })
    await s.close()
    // what the database holds: the large block as a Blob, the small one as its bytes
    const held = await storedValues(name)
    expect(held.get(blockKey(cid))).toBeInstanceOf(Blob)
    expect(held.get(blockKey(small.cid))).toBeInstanceOf(Uint8Array)

    const again = await open(name)
    expect(await readBlock(again, cid)).toEqual(bytes)
    // the stored Blob itself; a small block's Blob is made of its bytes, which it says
    const large = (await again.blockBlob(cid))!
    expect(large.copied).toBe(false)
    expect(new Uint8Array(await large.blob.arrayBuffer())).toEqual(bytes)
    const copy = (await again.blockBlob(small.cid))!
    expect(copy.copied).toBe(true)
    expect(new Uint8Array(await copy.blob.arrayBuffer())).toEqual(small.bytes)
    const all = []
    for await (const pair of again.getAll()) all.push(pair.cid.multihash.bytes.join())
    expect(all.length).toBe(2)
    await again.delete(cid)
    expect(await again.stat()).toEqual({ blocks: 1, bytes: 5 })
    await expect(readBlock(again, cid)).rejects.toThrow(/not in the local store/)
    expect(await again.blockBlob(cid)).toBeUndefined()
  })

  it('gives a block whose batch has not committed as a Blob of its bytes', async () => {
    const name = `blocks-${++n}`
    const s = await open(name)
    // another connection holds the blocks store: the batch's transaction waits behind it, and so
    // would any read of the database, so an answer can only come from the batch
    const held = await holdBlocks(name)
    const bytes = new Uint8Array(3 * BLOB_BYTES).fill(9)
    const cid = CID.create(1, raw.code, await sha256.digest(bytes))
    let stored = false
    const put = s.put(cid, bytes).then(() => { stored = true })
    await new Promise(resolve => setTimeout(resolve, 20))
    const waiting = (await s.blockBlob(cid))!
    expect(stored).toBe(false)
    expect(waiting.copied).toBe(true)
    expect(new Uint8Array(await waiting.blob.arrayBuffer())).toEqual(bytes)
    held.release()
    await put
    expect((await s.blockBlob(cid))!.copied).toBe(false)
  })

  it('gathers the puts that come while two write transactions run into one transaction', async () => {
    const name = `blocks-${++n}`
    const s = await open(name)
    // another connection holds the blocks store, so the store's transactions wait and stay running
    const held = await holdBlocks(name)
    const transactions = vi.spyOn(Object.getPrototypeOf(held.db) as IDBDatabase, 'transaction')
    const writes = (): number => transactions.mock.calls.filter(([, mode]) => mode === 'readwrite').length
    const blocks = await Promise.all(Array.from({ length: 7 }, async (_, i) => rawBlock(`put in a task of its own ${i}`)))
    const puts: Array<Promise<CID>> = []
    for (const { cid, bytes } of blocks) {
      puts.push(s.put(cid, bytes))
      // each put alone in its task: without waiting for a transaction to finish, each would have one
      await new Promise(resolve => setTimeout(resolve, 5))
    }
    expect(writes()).toBe(2)
    held.release()
    await Promise.all(puts)
    expect(writes()).toBe(3)
    transactions.mockRestore()
    expect(await s.stat()).toEqual({ blocks: 7, bytes: blocks.reduce((n, b) => n + b.bytes.byteLength, 0) })
  })

  it('reads the blocks asked for in the same turn, and looks for them, in one transaction; a later turn has its own', async () => {
    const s = await open()
    const blocks = await Promise.all(Array.from({ length: 5 }, async (_, i) => rawBlock(`read together ${i}`)))
    // one larger than BLOB_BYTES: stored as a Blob, read back as bytes
    const big = new Uint8Array(BLOB_BYTES * 3).map((_, i) => (i * 7) & 0xff)
    const bigCid = CID.create(1, raw.code, await sha256.digest(big))
    await Promise.all([...blocks.map(async b => s.put(b.cid, b.bytes)), s.put(bigCid, big)])
    await s.flush()
    const missing = await rawBlock('never stored')
    const transactions = vi.spyOn(IDBDatabase.prototype, 'transaction')
    const reads = (): number => transactions.mock.calls.filter(([, mode]) => mode === 'readonly').length
    const [found, bigRead, absent, has, hasNot] = await Promise.allSettled([
      Promise.all(blocks.map(async b => readBlock(s, b.cid))),
      readBlock(s, bigCid),
      readBlock(s, missing.cid),
      s.has(blocks[0].cid),
      s.has(missing.cid)
    ])
    expect(reads()).toBe(1)
    expect(found).toEqual({ status: 'fulfilled', value: blocks.map(b => b.bytes) })
    expect(bigRead).toEqual({ status: 'fulfilled', value: big })
    expect(absent.status === 'rejected' && String(absent.reason)).toMatch(/not in the local store/)
    expect(has).toEqual({ status: 'fulfilled', value: true })
    expect(hasNot).toEqual({ status: 'fulfilled', value: false })
    expect(await readBlock(s, blocks[1].cid)).toEqual(blocks[1].bytes)
    expect(reads()).toBe(2)
    transactions.mockRestore()
  })

  it('looks for many blocks at once by reading their range\'s keys, and one by one when the range holds many more', async () => {
    const s = await open(undefined, 1000)
    const made = await Promise.all(Array.from({ length: 200 }, async (_, i) => rawBlock(`looked for ${i}`)))
    const stored = made.sort((x, y) => blockKey(x.cid) < blockKey(y.cid) ? -1 : 1)
    const absent = await Promise.all(Array.from({ length: 40 }, async (_, i) => rawBlock(`never stored ${i}`)))
    await Promise.all(stored.map(async b => s.put(b.cid, b.bytes)))
    await s.flush()
    const ranges = vi.spyOn(IDBObjectStore.prototype, 'getAllKeys')
    const lookups = vi.spyOn(IDBObjectStore.prototype, 'getKey')
    const lookFor = async (blocks: Array<{ cid: CID }>): Promise<boolean[]> => Promise.all(blocks.map(async b => s.has(b.cid)))

    // 240 lookups, whose range holds the 200 keys stored
    expect(await lookFor([...stored, ...absent])).toEqual([...stored.map(() => true), ...absent.map(() => false)])
    expect([ranges.mock.calls.length, lookups.mock.calls.length]).toEqual([1, 0])

    // 33 lookups from the first key to the last: 200 keys are more than 4 a lookup, so they are looked up one by one
    ranges.mockClear()
    const spread = [...stored.filter((_, i) => i % 7 === 0 || i === 199), absent[0]]
    expect(spread.length).toBe(31)
    const asked = [...spread, stored[1], stored[2]]
    expect(await lookFor(asked)).toEqual(asked.map(b => b !== absent[0]))
    expect([ranges.mock.calls.length, lookups.mock.calls.length]).toEqual([1, 33])

    // a few: one by one, no range read
    ranges.mockClear()
    lookups.mockClear()
    expect(await lookFor([stored[5], absent[1]])).toEqual([true, false])
    expect([ranges.mock.calls.length, lookups.mock.calls.length]).toEqual([0, 2])
    ranges.mockRestore()
    lookups.mockRestore()
  })

  it('answers lookups asked for just before the store closes, one by one after a range with too many keys too', async () => {
    const s = await open(undefined, 1000)
    const made = await Promise.all(Array.from({ length: 200 }, async (_, i) => rawBlock(`closing ${i}`)))
    const stored = made.sort((x, y) => blockKey(x.cid) < blockKey(y.cid) ? -1 : 1)
    await Promise.all(stored.map(async b => s.put(b.cid, b.bytes)))
    await s.flush()
    const absent = await rawBlock('not stored before closing')
    // from the first key to the last, 33 lookups: 200 keys in their range, so one by one after the range read
    const asked = [...stored.filter((_, i) => i % 7 === 0 || i === 199), stored[1], stored[2], absent]
    const answers = Promise.all(asked.map(async b => s.has(b.cid)))
    await s.close()
    expect(await answers).toEqual(asked.map(b => b !== absent))
  })

  it('fails each lookup on a closed store, the later ones too', async () => {
    const s = await open()
    const block = await rawBlock('looked for once closed')
    await s.close()
    await expect(s.has(block.cid)).rejects.toThrow()
    await expect(s.has(block.cid)).rejects.toThrow()
  })

  it('tells a block\'s length without reading its bytes: waiting in a batch, stored as bytes, as a Blob; nothing for a missing one', async () => {
    const name = `blocks-${++n}`
    const s = await open(name)
    const small = await rawBlock('small one')
    const big = new Uint8Array(BLOB_BYTES * 5).map((_, i) => (i * 3) & 0xff)
    const bigCid = CID.create(1, raw.code, await sha256.digest(big))
    // another connection holds the blocks store, so the batch waits: only the batch can answer
    const held = await holdBlocks(name)
    const putting = Promise.all([s.put(small.cid, small.bytes), s.put(bigCid, big)])
    await new Promise(resolve => setTimeout(resolve, 20))
    expect(await s.blockSize(bigCid)).toBe(big.byteLength)
    held.release()
    await putting
    await s.flush()
    const blobRead = vi.spyOn(Blob.prototype, 'arrayBuffer')
    expect(await s.blockSize(small.cid)).toBe(small.bytes.byteLength)
    expect(await s.blockSize(bigCid)).toBe(big.byteLength)
    expect(blobRead).not.toHaveBeenCalled()
    blobRead.mockRestore()
    expect(await s.blockSize((await rawBlock('never stored')).cid)).toBeUndefined()
  })

  it('reads a block an earlier version stored in pieces, whole, and deletes it with its pieces', async () => {
    const name = `blocks-${++n}`
    const bytes = new Uint8Array(2 * PIECE + 3)
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + (i >> 8)) & 0xff
    const cid = CID.create(1, raw.code, await sha256.digest(bytes))
    await (await open(name)).close()
    await writeInPieces(name, cid, bytes, 3)
    const s = await open(name)
    expect(await readBlock(s, cid)).toEqual(bytes)
    const joined = (await s.blockBlob(cid))!
    expect(joined.copied).toBe(true)
    expect(new Uint8Array(await joined.blob.arrayBuffer())).toEqual(bytes)
    await s.delete(cid)
    await expect(readBlock(s, cid)).rejects.toThrow(/not in the local store/)
    await s.close()
    // no piece of the deleted block is left behind
    expect((await storedValues(name, 'pieces')).size).toBe(0)
  })

  it('refuses a block with a missing piece rather than giving a short one', async () => {
    const name = `blocks-${++n}`
    const bytes = new Uint8Array(2 * PIECE + 1).fill(7)
    const cid = CID.create(1, raw.code, await sha256.digest(bytes))
    await (await open(name)).close()
    // the first piece says 3, and only the first two are there
    await writeInPieces(name, cid, bytes, 2)
    const again = await open(name)
    await expect(readBlock(again, cid)).rejects.toThrow(/2 of its 3 pieces/)
  })

  it('opens a database written before pieces existed', async () => {
    const name = `blocks-${++n}`
    const old = await new Promise<IDBDatabase>((resolve) => {
      const req = indexedDB.open(name, 1)
      req.onupgradeneeded = () => { req.result.createObjectStore('blocks'); req.result.createObjectStore('meta') }
      req.onsuccess = () => { resolve(req.result) }
    })
    const a = await rawBlock('from version one')
    const key = (await import('multiformats/bases/base32')).base32upper.encode(a.cid.multihash.bytes)
    await new Promise((resolve) => { const tx = old.transaction('blocks', 'readwrite'); tx.objectStore('blocks').put(a.bytes, key); tx.oncomplete = resolve })
    old.close()
    const s = await open(name)
    expect(await readBlock(s, a.cid)).toEqual(a.bytes)
  })
})

async function openRaw (name: string): Promise<IDBDatabase> {
  return new Promise<IDBDatabase>((resolve) => { const req = indexedDB.open(name); req.onsuccess = () => { resolve(req.result) } })
}

/**
 * A readwrite transaction on the blocks store from a connection of its own,
 * kept running (a request after each answer) until `release()`, which also
 * closes the connection: every transaction of the store's waits behind it.
 */
async function holdBlocks (name: string): Promise<{ db: IDBDatabase, release(): void }> {
  const db = await openRaw(name)
  const hold = db.transaction('blocks', 'readwrite')
  let holding = true
  const spin = (): void => { if (holding) hold.objectStore('blocks').get('nothing').onsuccess = spin }
  spin()
  return { db, release () { holding = false; db.close() } }
}

/** Every value in one of the database's object stores, by key. */
async function storedValues (name: string, store = 'blocks'): Promise<Map<string, unknown>> {
  const db = await openRaw(name)
  const values = new Map<string, unknown>()
  await new Promise<void>((resolve) => {
    const req = db.transaction(store).objectStore(store).openCursor()
    req.onsuccess = () => {
      const cursor = req.result
      if (cursor == null) { resolve(); return }
      values.set(String(cursor.key), cursor.value)
      cursor.continue()
    }
  })
  db.close()
  return values
}

/** A block as an earlier version stored one larger than a piece: the first piece with the size and count, the rest keyed `<key>/<index>`; only `kept` pieces written. */
async function writeInPieces (name: string, cid: CID, bytes: Uint8Array, kept: number): Promise<void> {
  const db = await openRaw(name)
  const key = blockKey(cid)
  const count = Math.ceil(bytes.byteLength / PIECE)
  await new Promise((resolve) => {
    const tx = db.transaction(['blocks', 'pieces', 'meta'], 'readwrite')
    tx.objectStore('blocks').put({ first: bytes.slice(0, PIECE), size: bytes.byteLength, pieces: count }, key)
    for (let i = 1; i < kept; i++) tx.objectStore('pieces').put(bytes.slice(i * PIECE, (i + 1) * PIECE), `${key}/${String(i).padStart(6, '0')}`)
    tx.objectStore('meta').put({ blocks: 1, bytes: bytes.byteLength }, 'stat')
    tx.oncomplete = resolve
  })
  db.close()
}
