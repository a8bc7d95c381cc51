import { CID } from 'multiformats/cid'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { readBlock } from '../../src/node/models/ipfs/dag-walker.ts'
import { OpfsRepoBlockstore } from '../../src/node/stores/opfs-blockstore.ts'
import { decodeRecords, encodeRecords } from '../../src/node/stores/opfs-pack-index.ts'
import { blockKey } from '../../src/node/stores/repo-blockstore.ts'
import { installFakeOpfs } from './fake-opfs.ts'
import { rawBlock } from './helpers.ts'
import type { FakeDirectoryHandle } from './fake-opfs.ts'

const DIR = 'mcp-node/blocks'
/** Small packs, so a test fills several with a few blocks of 1 KiB. */
const PACK = 4 * 1024

async function kib (label: string): Promise<Awaited<ReturnType<typeof rawBlock>>> {
  return rawBlock(label.padEnd(1024, '.'))
}

/** `count` blocks of 1 KiB labelled `label` and a number, each put once the one before is in (so they fill packs in order). */
async function putOneByOne (s: OpfsRepoBlockstore, count: number, label: string): Promise<Array<Awaited<ReturnType<typeof rawBlock>>>> {
  const blocks = []
  for (let i = 0; i < count; i++) {
    const block = await kib(`${label}${i}`)
    await s.put(block.cid, block.bytes)
    blocks.push(block)
  }
  return blocks
}

describe('the OPFS index records', () => {
  it('read back as written, and a record cut short or damaged ends the log there', () => {
    const records = [
      { kind: 'put' as const, key: 'CIQAAA', pack: 7, offset: 2 ** 40 + 3, length: 1048576 },
      { kind: 'delete' as const, key: 'CIQBBB' },
      { kind: 'put' as const, key: 'BCIQCCC', pack: 1, offset: 0, length: 5 }
    ]
    const bytes = encodeRecords(records)
    expect(decodeRecords(bytes)).toEqual({ records, validBytes: bytes.byteLength })
    const firstTwo = encodeRecords(records.slice(0, 2)).byteLength
    expect(decodeRecords(bytes.subarray(0, bytes.byteLength - 1))).toEqual({ records: records.slice(0, 2), validBytes: firstTwo })
    const damaged = bytes.slice()
    damaged[firstTwo + 5] ^= 1
    expect(decodeRecords(damaged)).toEqual({ records: records.slice(0, 2), validBytes: firstTwo })
  })
})

describe('OpfsRepoBlockstore', () => {
  let root: FakeDirectoryHandle
  let store: OpfsRepoBlockstore | undefined
  const open = async (options: { packBytes?: number, indexSlackRecords?: number } = { packBytes: PACK }): Promise<OpfsRepoBlockstore> => {
    await store?.close()
    store = new OpfsRepoBlockstore(DIR, options)
    await store.open()
    return store
  }
  beforeEach(() => { root = installFakeOpfs() })
  afterEach(async () => {
    await store?.close()
    store = undefined
  })

  it('stores, finds, reads and deletes blocks, keeping counts, and keeps them across a reopen', async () => {
    let s = await open()
    const a = await rawBlock('alpha')
    const b = await rawBlock('beta!')
    await Promise.all([s.put(a.cid, a.bytes), s.put(b.cid, b.bytes), s.put(a.cid, a.bytes)])
    expect(await s.has(a.cid)).toBe(true)
    expect(await readBlock(s, b.cid)).toEqual(b.bytes)
    expect(await s.stat()).toEqual({ blocks: 2, bytes: 10 })
    await s.delete(a.cid)
    expect(await s.has(a.cid)).toBe(false)
    await expect(readBlock(s, a.cid)).rejects.toThrow(/not in the local store/)
    s = await open()
    expect(await s.stat()).toEqual({ blocks: 1, bytes: 5 })
    expect(await s.has(a.cid)).toBe(false)
    expect(await readBlock(s, b.cid)).toEqual(b.bytes)
    const keys = []
    for await (const { cid } of s.getAll()) keys.push(blockKey(cid))
    expect(keys).toEqual([blockKey(b.cid)])
  })

  it('tells a block\'s length from its index, before and after a reopen, and nothing for one it does not hold', async () => {
    let s = await open()
    const a = await rawBlock('alpha')
    const big = await kib('long')
    await Promise.all([s.put(a.cid, a.bytes), s.put(big.cid, big.bytes)])
    expect(await s.blockSize(a.cid)).toBe(5)
    expect(await s.blockSize(big.cid)).toBe(big.bytes.byteLength)
    s = await open()
    expect(await s.blockSize(big.cid)).toBe(big.bytes.byteLength)
    await s.delete(a.cid)
    expect(await s.blockSize(a.cid)).toBeUndefined()
  })

  it('deletes several blocks with one write to the index, and says what went (a missing block and a repeat counted nothing)', async () => {
    let s = await open()
    const blocks = await putOneByOne(s, 6, 'block ')
    const missing = await kib('never stored')
    const other = await (await root.getFileHandle('probe', { create: true })).createSyncAccessHandle()
    const flushes = vi.spyOn(Object.getPrototypeOf(other) as FileSystemSyncAccessHandle, 'flush')
    const writes = vi.spyOn(Object.getPrototypeOf(other) as FileSystemSyncAccessHandle, 'write')
    other.close()
    // one block of the sealed pack-1 (which stays mostly live) and one of pack-2, being filled
    const removed = await s.deleteBlocks([blocks[0].cid, blocks[4].cid, missing.cid, CID.create(1, 0x71, blocks[0].cid.multihash)])
    expect([flushes.mock.calls.length, writes.mock.calls.length]).toEqual([1, 1])
    flushes.mockRestore()
    writes.mockRestore()
    expect(removed).toEqual({ blocks: 2, bytes: 2 * 1024 })
    expect(await s.stat()).toEqual({ blocks: 4, bytes: 4 * 1024 })
    s = await open()
    expect(await s.stat()).toEqual({ blocks: 4, bytes: 4 * 1024 })
    for (const i of [0, 4]) expect(await s.has(blocks[i].cid)).toBe(false)
    for (const i of [1, 2, 3, 5]) expect(await readBlock(s, blocks[i].cid)).toEqual(blocks[i].bytes)
  })

  it('appends blocks put together to one pack and indexes them in one write', async () => {
    const s = await open({ packBytes: 1024 * 1024 })
    const blocks = await Promise.all(Array.from({ length: 20 }, async (_, i) => kib(`block ${i}`)))
    await Promise.all(blocks.map(async ({ cid, bytes }) => s.put(cid, bytes)))
    expect(root.namesAt(DIR)).toEqual(['index', 'pack-1'])
    expect(root.bytesAt(`${DIR}/pack-1`)?.byteLength).toBe(20 * 1024)
    const { records } = decodeRecords(root.bytesAt(`${DIR}/index`)!)
    expect(records.map(r => r.key).sort()).toEqual(blocks.map(b => blockKey(b.cid)).sort())
    for (const { cid, bytes } of blocks) expect(await readBlock(s, cid)).toEqual(bytes)
  })

  it('begins a new pack when one is full, and gives blocks of full packs as slices of their file', async () => {
    const s = await open()
    const blocks = await putOneByOne(s, 6, 'block ')
    expect(root.namesAt(DIR)).toEqual(['index', 'pack-1', 'pack-2'])
    const sealed = await s.blockBlob(blocks[1].cid)
    expect(sealed?.copied).toBe(false)
    expect(new Uint8Array(await sealed!.blob.arrayBuffer())).toEqual(blocks[1].bytes)
    // a small block of the pack still taking blocks is copied: a snapshot of its file would not read after the next put
    const copied = await s.blockBlob(blocks[5].cid)
    expect(copied?.copied).toBe(true)
    expect(new Uint8Array(await copied!.blob.arrayBuffer())).toEqual(blocks[5].bytes)
    expect(await s.blockBlob((await rawBlock('absent')).cid)).toBeUndefined()
  })

  it('seals the pack being appended to when a large block of it is given as a Blob: later puts go to a new pack, and the Blob still reads', async () => {
    const s = await open({ packBytes: 4 * 1024 * 1024 })
    const large = await rawBlock('large'.padEnd(300 * 1024, '.'))
    await s.put(large.cid, large.bytes)
    const blob = await s.blockBlob(large.cid)
    expect(blob?.copied).toBe(false)
    const next = await kib('after the seal')
    await s.put(next.cid, next.bytes)
    expect(root.namesAt(DIR)).toEqual(['index', 'pack-1', 'pack-2'])
    expect(new Uint8Array(await blob!.blob.arrayBuffer())).toEqual(large.bytes)
    expect(await readBlock(s, next.cid)).toEqual(next.bytes)
  })

  it('drops a record the index holds half of: the blocks before it stay, and puts after it are kept', async () => {
    let s = await open()
    const a = await kib('a')
    const b = await kib('b')
    await s.put(a.cid, a.bytes)
    await s.put(b.cid, b.bytes)
    await s.close()
    store = undefined
    const index = root.bytesAt(`${DIR}/index`)!
    // a stop in the middle of b's record
    root.setBytes(`${DIR}/index`, index.slice(0, index.byteLength - 3))
    s = await open()
    expect(await s.has(a.cid)).toBe(true)
    expect(await s.has(b.cid)).toBe(false)
    expect(await s.stat()).toEqual({ blocks: 1, bytes: 1024 })
    const c = await kib('c')
    await s.put(c.cid, c.bytes)
    s = await open()
    expect(await readBlock(s, a.cid)).toEqual(a.bytes)
    expect(await readBlock(s, c.cid)).toEqual(c.bytes)
    expect(await s.stat()).toEqual({ blocks: 2, bytes: 2048 })
  })

  it('keeps a copy of an index damaged before its last record, and goes on with the records before the damage', async () => {
    let s = await open()
    await putOneByOne(s, 6, 'damaged ')
    await s.close()
    store = undefined
    const index = root.bytesAt(`${DIR}/index`)!.slice()
    const recordBytes = index.byteLength / 6
    // a bit flipped in the third record
    index[2 * recordBytes + 10] ^= 1
    root.setBytes(`${DIR}/index`, index)
    s = await open()
    expect(await s.stat()).toEqual({ blocks: 2, bytes: 2048 })
    const aside = root.namesAt(DIR).filter(name => name.startsWith('index.damaged-'))
    expect(aside).toHaveLength(1)
    expect(root.bytesAt(`${DIR}/${aside[0]}`)).toEqual(index)
  })

  it('copies the live blocks out of a mostly deleted pack and removes it', async () => {
    let s = await open()
    const blocks = await putOneByOne(s, 9, 'block ')
    expect(root.namesAt(DIR)).toEqual(['index', 'pack-1', 'pack-2', 'pack-3'])
    // three of pack-1's four blocks
    for (const block of blocks.slice(0, 3)) await s.delete(block.cid)
    await s.close()
    store = undefined
    expect(root.namesAt(DIR)).toEqual(['index', 'pack-2', 'pack-3', 'pack-4'])
    expect(root.bytesAt(`${DIR}/pack-4`)).toEqual(blocks[3].bytes)
    s = await open()
    expect(await s.stat()).toEqual({ blocks: 6, bytes: 6 * 1024 })
    for (const block of blocks.slice(3)) expect(await readBlock(s, block.cid)).toEqual(block.bytes)
    for (const block of blocks.slice(0, 3)) expect(await s.has(block.cid)).toBe(false)
  })

  it('keeps a compacted pack whose slices were given until the next open, so a reply reading them goes on', async () => {
    let s = await open()
    const blocks = await putOneByOne(s, 5, 'sliced ')
    const slice = await s.blockBlob(blocks[0].cid)
    for (const block of blocks.slice(1, 4)) await s.delete(block.cid)
    await s.close()
    store = undefined
    expect(new Uint8Array(await slice!.blob.arrayBuffer())).toEqual(blocks[0].bytes)
    expect(root.namesAt(DIR)).toEqual(['index', 'pack-1', 'pack-2', 'pack-3'])
    s = await open()
    await s.close()
    store = undefined
    expect(root.namesAt(DIR)).toEqual(['index', 'pack-2', 'pack-3'])
    s = await open()
    expect(await readBlock(s, blocks[0].cid)).toEqual(blocks[0].bytes)
    expect(await readBlock(s, blocks[4].cid)).toEqual(blocks[4].bytes)
    expect(await s.stat()).toEqual({ blocks: 2, bytes: 2048 })
  })

  it('writes the index anew at open when most of its records are of deleted blocks', async () => {
    let s = await open({ packBytes: PACK, indexSlackRecords: 4 })
    const kept = await rawBlock('kept')
    await s.put(kept.cid, kept.bytes)
    for (let i = 0; i < 6; i++) {
      const gone = await rawBlock(`gone ${i}`)
      await s.put(gone.cid, gone.bytes)
      await s.delete(gone.cid)
    }
    expect(decodeRecords(root.bytesAt(`${DIR}/index`)!).records).toHaveLength(13)
    s = await open({ packBytes: PACK, indexSlackRecords: 4 })
    expect(decodeRecords(root.bytesAt(`${DIR}/index`)!).records).toEqual([expect.objectContaining({ kind: 'put', key: blockKey(kept.cid) })])
    expect(await readBlock(s, kept.cid)).toEqual(kept.bytes)
    // a stop after the old index was removed and before the new one took its name
    await s.close()
    store = undefined
    const dir = await (await root.getDirectoryHandle('mcp-node')).getDirectoryHandle('blocks')
    await (await dir.getFileHandle('index')).move('index.new')
    s = await open()
    expect(await readBlock(s, kept.cid)).toEqual(kept.bytes)
    expect(root.namesAt(DIR)).not.toContain('index.new')
  })

  it('moves the blocks an earlier version kept a file each for into packs, and removes those files', async () => {
    const a = await kib('earlier a')
    const b = await rawBlock('earlier b')
    const dir = await (await root.getDirectoryHandle('mcp-node', { create: true })).getDirectoryHandle('blocks', { create: true })
    for (const { cid, bytes } of [a, b]) {
      const key = blockKey(cid)
      const shard = await dir.getDirectoryHandle(key.slice(-3, -1), { create: true })
      const handle = await (await shard.getFileHandle(key, { create: true })).createSyncAccessHandle()
      handle.write(bytes, { at: 0 })
      handle.close()
      // a write that never finished, and a file not named by a key
      await shard.getFileHandle(`${key}x.part`, { create: true })
      await shard.getFileHandle('stray', { create: true })
    }
    const stat = await (await dir.getFileHandle('_stat.json', { create: true })).createSyncAccessHandle()
    stat.write(new TextEncoder().encode('{"blocks":2,"bytes":1033}'), { at: 0 })
    stat.close()
    const s = await open()
    expect(await s.stat()).toEqual({ blocks: 2, bytes: 1024 + 9 })
    expect(await readBlock(s, a.cid)).toEqual(a.bytes)
    expect(await readBlock(s, b.cid)).toEqual(b.bytes)
    expect(root.namesAt(DIR)).toEqual(['index', 'pack-1'])
  })

  it('a read and a delete wait for a put of the same block in flight', async () => {
    let s = await open()
    const a = await kib('in flight')
    const put = s.put(a.cid, a.bytes)
    expect(await s.has(a.cid)).toBe(true)
    expect(await readBlock(s, a.cid)).toEqual(a.bytes)
    await put
    const again = s.put(a.cid, a.bytes)
    const b = await kib('deleted while it is put')
    const putB = s.put(b.cid, b.bytes)
    await Promise.all([again, putB, s.delete(b.cid)])
    expect(await s.stat()).toEqual({ blocks: 1, bytes: 1024 })
    s = await open()
    expect(await s.has(b.cid)).toBe(false)
    expect(await readBlock(s, a.cid)).toEqual(a.bytes)
  })

  it('reads blocks from more packs than it keeps open', async () => {
    let s = await open({ packBytes: 1024 })
    const blocks = await putOneByOne(s, 20, 'pack ')
    expect(root.namesAt(DIR)).toHaveLength(21)
    s = await open({ packBytes: 1024 })
    for (const block of [...blocks].reverse()) expect(await readBlock(s, block.cid)).toEqual(block.bytes)
    const all = await Promise.all(blocks.map(async ({ cid }) => readBlock(s, cid)))
    expect(all).toEqual(blocks.map(b => b.bytes))
  })

  it('never gives a new pack the number of one the index names, even when its file is gone', async () => {
    let s = await open()
    const blocks = await putOneByOne(s, 5, 'numbered ')
    await s.close()
    store = undefined
    // pack-2 (the fifth block) lost, as a stop between a pack's removal and its deletes' records leaves it
    const dir = await (await root.getDirectoryHandle('mcp-node')).getDirectoryHandle('blocks')
    await dir.removeEntry('pack-2')
    s = await open()
    expect(await s.has(blocks[4].cid)).toBe(false)
    const next = await kib('after the loss')
    await s.put(next.cid, next.bytes)
    expect(root.namesAt(DIR)).toEqual(['index', 'pack-1', 'pack-3'])
    s = await open()
    expect(await s.has(blocks[4].cid)).toBe(false)
    expect(await readBlock(s, next.cid)).toEqual(next.bytes)
    expect(await s.stat()).toEqual({ blocks: 5, bytes: 5 * 1024 })
  })

  it('a put the disk has no room for fails, whether in its pack or in the index, and leaves the store whole', async () => {
    let s = await open()
    const a = await kib('fits')
    await s.put(a.cid, a.bytes)
    // no room for the next block's bytes
    root.disk.quotaBytes = root.totalBytes() + 512
    const b = await kib('no room in the pack')
    await expect(s.put(b.cid, b.bytes)).rejects.toMatchObject({ name: 'StorageFullError', message: /could not store block .* storage is full/ })
    // room for a block's bytes, not for its index record
    root.disk.quotaBytes = root.totalBytes() + 1024 + 10
    const c = await kib('no room in the index')
    await expect(s.put(c.cid, c.bytes)).rejects.toMatchObject({ name: 'StorageFullError' })
    expect(await s.has(c.cid)).toBe(false)
    root.disk.quotaBytes = Infinity
    const d = await kib('room again')
    await s.put(d.cid, d.bytes)
    expect(await s.stat()).toEqual({ blocks: 2, bytes: 2048 })
    s = await open()
    expect(await s.stat()).toEqual({ blocks: 2, bytes: 2048 })
    expect(await readBlock(s, a.cid)).toEqual(a.bytes)
    expect(await readBlock(s, d.cid)).toEqual(d.bytes)
    expect(await s.has(b.cid)).toBe(false)
    expect(await s.has(c.cid)).toBe(false)
  })

  it('waits for a file another handle still holds, as a closed tab\'s worker may for a moment', async () => {
    let s = await open()
    const a = await kib('held')
    await s.put(a.cid, a.bytes)
    await s.close()
    store = undefined
    const dir = await (await root.getDirectoryHandle('mcp-node')).getDirectoryHandle('blocks')
    const held = await Promise.all(['index', 'pack-1'].map(async (name) => (await dir.getFileHandle(name)).createSyncAccessHandle()))
    setTimeout(() => { for (const handle of held) handle.close() }, 100)
    s = await open()
    expect(await readBlock(s, a.cid)).toEqual(a.bytes)
  })

  it('once closed, takes and gives nothing, and holds no file open', async () => {
    const s = await open()
    const a = await kib('before the close')
    await s.put(a.cid, a.bytes)
    await s.close()
    store = undefined
    const b = await kib('after the close')
    await expect(s.put(b.cid, b.bytes)).rejects.toThrow(/not open/)
    await expect(readBlock(s, a.cid)).rejects.toThrow(/not open/)
    const dir = await (await root.getDirectoryHandle('mcp-node')).getDirectoryHandle('blocks')
    for (const name of ['index', 'pack-1']) (await (await dir.getFileHandle(name)).createSyncAccessHandle()).close()
  })

  it('refuses a block whose key the index cannot hold, before writing it', async () => {
    const s = await open()
    const { CID } = await import('multiformats/cid')
    const identity = await import('multiformats/hashes/identity')
    const bytes = new Uint8Array(200).fill(7)
    const cid = CID.createV1(0x55, identity.identity.digest(bytes))
    await expect(s.put(cid, bytes)).rejects.toThrow(/longer than the index takes/)
    expect(root.namesAt(DIR)).toEqual(['index'])
  })
})
