import 'fake-indexeddb/auto'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { afterEach, describe, expect, it } from 'vitest'
import { readBlock } from '../../src/node/models/ipfs/dag-walker.ts'
import { IDBRepoBlockstore } from '../../src/node/stores/idb-blockstore.ts'
import { rawBlock } from './helpers.ts'

/** Small pieces, so a block in pieces is quick to make here. */
const PIECE = 1024

describe('IDBRepoBlockstore', () => {
  let n = 0
  let store: IDBRepoBlockstore
  const open = async (name = `blocks-${++n}`, batchBlocks?: number): Promise<IDBRepoBlockstore> => {
    store = new IDBRepoBlockstore(name, { batchBlocks, pieceBytes: PIECE })
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

  it('stores a block larger than a piece in pieces and gives it back whole', async () => {
    const name = `blocks-${++n}`
    const s = await open(name)
    const bytes = new Uint8Array(2 * PIECE + 3)
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + (i >> 18)) & 0xff
    const cid = CID.create(1, raw.code, await sha256.digest(bytes))
    const small = await rawBlock('small')
    await Promise.all([s.put(cid, bytes), s.put(small.cid, small.bytes)])
    expect(await readBlock(s, cid)).toEqual(bytes)
    expect(await s.stat()).toEqual({ blocks: 2, bytes: bytes.length + 5 })
    await s.close()
    const again = await open(name)
    expect(await readBlock(again, cid)).toEqual(bytes)
    const all = []
    for await (const pair of again.getAll()) all.push(pair.cid.multihash.bytes.join())
    expect(all.length).toBe(2)
    await again.delete(cid)
    expect(await again.stat()).toEqual({ blocks: 1, bytes: 5 })
    await expect(readBlock(again, cid)).rejects.toThrow(/not in the local store/)
    // no piece of the deleted block is left behind
    const db = await new Promise<IDBDatabase>((resolve) => { const req = indexedDB.open(name); req.onsuccess = () => { resolve(req.result) } })
    const left = await new Promise<number>((resolve) => { const req = db.transaction('pieces').objectStore('pieces').count(); req.onsuccess = () => { resolve(req.result) } })
    db.close()
    expect(left).toBe(0)
  })

  it('refuses a block with a missing piece rather than giving a short one', async () => {
    const name = `blocks-${++n}`
    const s = await open(name)
    const bytes = new Uint8Array(2 * PIECE + 1).fill(7)
    const cid = CID.create(1, raw.code, await sha256.digest(bytes))
    await s.put(cid, bytes)
    await s.close()
    const db = await new Promise<IDBDatabase>((resolve) => { const req = indexedDB.open(name); req.onsuccess = () => { resolve(req.result) } })
    await new Promise((resolve) => { const tx = db.transaction('pieces', 'readwrite'); tx.objectStore('pieces').delete(IDBKeyRange.lowerBound('')); tx.oncomplete = resolve })
    db.close()
    const again = await open(name)
    await expect(readBlock(again, cid)).rejects.toThrow(/1 of its 3 pieces/)
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
