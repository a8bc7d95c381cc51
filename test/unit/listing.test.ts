import { importer } from 'ipfs-unixfs-importer'
import * as raw from 'multiformats/codecs/raw'
import { describe, expect, it } from 'vitest'
import { ENTRY_CONCURRENCY, listDirectory } from '../../src/node/models/ipfs/ls.ts'
import { MemoryRepoBlockstore } from '../../src/node/stores/memory-repo-blockstore.ts'
import { bytes } from './helpers.ts'
import type { CID } from 'multiformats/cid'

describe('listDirectory', () => {
  it('reads the entries\' blocks several at once, and lists them in the directory\'s order with their sizes', async () => {
    const store = new MemoryRepoBlockstore()
    const files = Array.from({ length: 40 }, (_, i) => ({ path: `f${String(i).padStart(2, '0')}.bin`, content: bytes(100 + i, i) }))
    let root: CID | undefined
    const position = new Map<string, number>()
    for await (const entry of importer(files, store, { wrapWithDirectory: true, rawLeaves: true })) {
      root = entry.cid
      position.set(entry.cid.toString(), files.findIndex(f => f.path === entry.path))
    }

    // each read waits a moment, as one through the store's worker does; earlier entries longer, so they finish last
    let reading = 0
    let most = 0
    const slow = {
      async * get (cid: CID, options?: { signal?: AbortSignal }): AsyncGenerator<Uint8Array> {
        reading++
        most = Math.max(most, reading)
        await new Promise(resolve => setTimeout(resolve, 2 + files.length - (position.get(cid.toString()) ?? files.length)))
        reading--
        yield * store.get(cid, options)
      },
      has: async (cid: CID) => store.has(cid)
    }
    const listed = await listDirectory({ blockstore: slow as never }, { cid: root!, segments: [] })
    expect(listed.entries.map(e => [e.name, e.type, e.size])).toEqual(files.map((f, i) => [f.path, 'file', 100 + i]))
    expect(most).toBe(ENTRY_CONCURRENCY)
  })

  it('lists raw files by their length in the node\'s store, reading none of them; a raw block the store does not hold is read', async () => {
    const store = new MemoryRepoBlockstore()
    const files = Array.from({ length: 5 }, (_, i) => ({ path: `p${i}.jpg`, content: bytes(1000 + i, i) }))
    const cids: CID[] = []
    let root: CID | undefined
    for await (const entry of importer(files, store, { wrapWithDirectory: true, rawLeaves: true })) {
      if (entry.path === '') root = entry.cid
      else cids.push(entry.cid)
    }
    expect(cids.every(cid => cid.code === raw.code)).toBe(true)
    const reads: string[] = []
    const counting = {
      async * get (cid: CID, options?: { signal?: AbortSignal }): AsyncGenerator<Uint8Array> {
        reads.push(cid.toString())
        yield * store.get(cid, options)
      },
      has: async (cid: CID) => store.has(cid)
    }
    // the node's store, which has lost one of them (a peer would be asked for it)
    const local = { blockSize: async (cid: CID) => cid.equals(cids[2]) ? undefined : store.blockSize(cid) }
    const listed = await listDirectory({ blockstore: counting as never }, { cid: root!, segments: [] }, {}, local)
    expect(listed.entries.map(e => [e.name, e.type, e.size])).toEqual(files.map((f, i) => [f.path, 'file', 1000 + i]))
    expect(reads).toEqual([root!.toString(), cids[2].toString()])
  })

  it('lists an MFS folder of raw files without reading them', async () => {
    const { createNode, memoryStores } = await import('../../src/node/create-node.ts')
    const reads = new Set<string>()
    const counting = new (class extends MemoryRepoBlockstore {
      async * get (cid: CID, options?: { signal?: AbortSignal }): AsyncGenerator<Uint8Array> {
        reads.add(cid.toString())
        yield * super.get(cid, options)
      }
    })()
    const node = await createNode({ stores: { ...memoryStores(), blockstore: counting } })
    try {
      for (let i = 0; i < 4; i++) await node.mfs.write(`/photos/p${i}.jpg`, bytes(2000 + i, i), { create: true, parents: true })
      reads.clear()
      const listed = await node.mfs.ls('/photos')
      expect(listed.map(e => [e.name, e.type, e.size, e.cid.code])).toEqual([0, 1, 2, 3].map(i => [`p${i}.jpg`, 'file', 2000 + i, raw.code]))
      expect(listed.filter(e => reads.has(e.cid.toString()))).toEqual([])
    } finally {
      await node.stop()
    }
  })

  it('lists an MFS directory in its order while reading several entries at once', async () => {
    const { createNode, memoryStores } = await import('../../src/node/create-node.ts')
    const slow = new (class extends MemoryRepoBlockstore {
      async * get (cid: CID, options?: { signal?: AbortSignal }): AsyncGenerator<Uint8Array> {
        await new Promise(resolve => setTimeout(resolve, cid.bytes[cid.bytes.length - 1] % 7))
        yield * super.get(cid, options)
      }
    })()
    const node = await createNode({ stores: { ...memoryStores(), blockstore: slow } })
    try {
      const names = Array.from({ length: 30 }, (_, i) => `f${String(i).padStart(2, '0')}.txt`)
      for (const [i, name] of names.entries()) await node.mfs.write(`/d/${name}`, bytes(10 + i, i), { create: true, parents: true })
      const listed = await node.mfs.ls('/d')
      expect(listed.map(e => [e.name, e.size])).toEqual(names.map((name, i) => [name, 10 + i]))
    } finally {
      await node.stop()
    }
  })
})
