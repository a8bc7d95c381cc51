import { base32 } from 'multiformats/bases/base32'
import { CID } from 'multiformats/cid'
import { describe, expect, it } from 'vitest'
import { createNode, memoryStores } from '../../src/node/create-node.ts'
import { addContent } from '../../src/node/models/ipfs/add.ts'
import { pinContent } from '../../src/node/models/ipfs/pins.ts'
import { RepoLock } from '../../src/node/repo-lock.ts'
import { rawBlock } from './helpers.ts'
import { readBlock } from '../../src/node/models/ipfs/dag-walker.ts'
import { collectGarbage, nodeCollectorComponents } from '../../src/node/models/ipfs/repo-gc.ts'
import { bytes } from './helpers.ts'
import type { McpNode } from '../../src/node/create-node.ts'
import type { AddComponents } from '../../src/node/models/ipfs/add.ts'

/** `n` random bytes: no two chunks alike, so no block is shared between the DAGs. */
function random (n: number): Uint8Array {
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(out.subarray(i, i + 65536))
  return out
}

/** Every block in the node's store, as multihash strings. */
async function storedKeys (node: Awaited<ReturnType<typeof createNode>>): Promise<Set<string>> {
  const keys = new Set<string>()
  for await (const pair of node.blockstore.getAll()) keys.add(base32.encode(pair.cid.multihash.bytes))
  return keys
}

/** Runs `test` on a node of memory stores, given the components an add takes, and stops the node after. */
async function withNode (test: (node: McpNode, components: AddComponents) => Promise<void>): Promise<void> {
  const node = await createNode({ stores: memoryStores() })
  try {
    const h = node.helia
    await test(node, { blockstore: node.blockstore, datastore: h.datastore, pins: h.pins, getCodec: h.getCodec })
  } finally {
    await node.stop()
  }
}

describe('collectGarbage', () => {
  it('keeps a pinned file without reading its raw leaves, and deletes the rest in one call, counting their bytes as stored', async () => {
    await withNode(async (node, components) => {
      // four 64 KiB raw leaves under one root each
      const pinned = await addContent(components, [{ content: [bytes(256 * 1024, 1)] }], { chunker: 'size-65536' })
      const before = new Set<string>()
      for await (const pair of node.blockstore.getAll()) before.add(pair.cid.toString())
      const loose = await addContent(components, [{ content: [bytes(200 * 1024, 2)] }], { chunker: 'size-65536', pin: false })
      const looseBlocks: CID[] = []
      for await (const pair of node.blockstore.getAll()) if (!before.has(pair.cid.toString())) looseBlocks.push(pair.cid)
      expect(looseBlocks).toHaveLength(5)
      const looseRoot = (await readBlock(node.blockstore, loose.cid)).byteLength
      const mfsRootStored = await node.blockstore.has(node.mfs.root())

      const read: string[] = []
      const deletes: number[] = []
      const base = nodeCollectorComponents(node)
      const result = await collectGarbage({
        ...base,
        blockstore: {
          get: (cid, options) => { read.push(cid.toString()); return node.blockstore.get(cid, options) },
          getAll: (options) => node.blockstore.getAll(options),
          deleteBlocks: async (cids, options) => { deletes.push(cids.length); return node.blockstore.deleteBlocks(cids, options) }
        }
      })

      // the MFS root and the pin's root are read for their links; the pin's four leaves are kept unread
      expect(read.sort()).toEqual([node.mfs.root().toString(), pinned.cid.toString()].sort())
      // the loose file's root and leaves (200 KiB: three of 64 KiB, one of 8 KiB), in one call
      expect(result.removed.map(String).sort()).toEqual(looseBlocks.map(String).sort())
      expect(deletes).toEqual([5])
      expect(result.freed_bytes).toBe(200 * 1024 + looseRoot)
      expect(result.kept).toBe(5 + (mfsRootStored ? 1 : 0))
      for (const cid of looseBlocks) expect(await node.blockstore.has(cid)).toBe(false)
      expect(await readBlock(node.blockstore, pinned.cid)).toBeInstanceOf(Uint8Array)
      expect((await node.blockstore.stat()).blocks).toBe(result.kept)
    })
  })

  it('keeps every block of deeper DAGs (a wrapped file, a CIDv0 file with dag-pb leaves) and only the root of a direct pin', async () => {
    await withNode(async (node, components) => {
      const h = node.helia
      const empty = await storedKeys(node)
      // directory → file root → raw leaves
      await addContent(components, [{ path: 'a/file.bin', content: [random(300 * 1024)] }], { chunker: 'size-65536', wrapWithDirectory: true })
      // CIDv0: the leaves are dag-pb nodes, read for their (absent) links
      await addContent(components, [{ content: [random(200 * 1024)] }], { chunker: 'size-65536', cidVersion: 0 })
      const keptKeys = await storedKeys(node)
      // a direct pin on a file's root keeps the root alone
      const direct = await addContent(components, [{ content: [random(150 * 1024)] }], { chunker: 'size-65536', pin: false })
      await pinContent(h, direct.cid, { recursive: false })
      const withDirect = await storedKeys(node)
      expect(withDirect.size).toBe(keptKeys.size + 4)

      const result = await collectGarbage(nodeCollectorComponents(node))
      const after = await storedKeys(node)
      expect(result.removed).toHaveLength(3)
      expect([...after].sort()).toEqual([...keptKeys, base32.encode(direct.cid.multihash.bytes)].sort())
      expect(result.kept).toBe(after.size)
      expect(empty.size).toBeLessThan(keptKeys.size)
    })
  })

  it('walks a DAG that a pin and MFS both reach once: what one root walked whole, another does not read again', async () => {
    await withNode(async (node, components) => {
      // a folder of two CIDv0 files (dag-pb leaves, each read for its links), pinned and copied into MFS
      const folder = await addContent(components, [{ path: 'f/a.bin', content: [random(150 * 1024)] }, { path: 'f/b.bin', content: [random(150 * 1024)] }], { chunker: 'size-65536', cidVersion: 0, wrapWithDirectory: true })
      await node.mfs.cp(`/ipfs/${folder.cid}`, '/copy')
      const loose = await addContent(components, [{ content: [random(10 * 1024)] }], { pin: false })
      const stored = await storedKeys(node)

      // counted by multihash: the pin's root is listed as CIDv1, MFS links it as it was added
      const reads = new Map<string, number>()
      const result = await collectGarbage({
        ...nodeCollectorComponents(node),
        blockstore: {
          get: (cid, options) => { reads.set(cid.toV1().toString(), (reads.get(cid.toV1().toString()) ?? 0) + 1); return node.blockstore.get(cid, options) },
          getAll: (options) => node.blockstore.getAll(options),
          deleteBlocks: async (cids, options) => node.blockstore.deleteBlocks(cids, options)
        }
      })
      // the pin's root, its folder, two file roots and their 3 + 3 leaves: each read once, though two roots reach them
      expect(reads.get(folder.cid.toV1().toString())).toBe(1)
      expect([...reads.values()].every(n => n === 1)).toBe(true)
      expect(reads.size).toBeGreaterThanOrEqual(10)
      // and kept: the loose file went (with the MFS roots the copy replaced), all that was read stays
      expect(result.removed.map(String)).toContain(loose.cid.toString())
      const after = await storedKeys(node)
      expect(after.size).toBe(stored.size - result.removed.length)
      for (const cid of reads.keys()) expect(await node.blockstore.has(CID.parse(cid))).toBe(true)
    })
  })

  it('stops, deleting nothing, when a block a pin reaches cannot be read for another reason than its absence', async () => {
    await withNode(async (node, components) => {
      const pinned = await addContent(components, [{ path: 'd/file.bin', content: [random(100 * 1024)] }], { chunker: 'size-65536', wrapWithDirectory: true })
      await addContent(components, [{ content: [random(10 * 1024)] }], { pin: false })
      const before = await storedKeys(node)
      let deletes = 0
      await expect(collectGarbage({
        ...nodeCollectorComponents(node),
        blockstore: {
          get: (cid, options) => {
            if (cid.equals(pinned.cid)) throw Object.assign(new Error('the disk failed'), { name: 'ReadFailedError' })
            return node.blockstore.get(cid, options)
          },
          getAll: (options) => node.blockstore.getAll(options),
          deleteBlocks: async (cids, options) => { deletes++; return node.blockstore.deleteBlocks(cids, options) }
        }
      })).rejects.toThrow('the disk failed')
      // passed over, the pin's folder and file would have gone as garbage
      expect(deletes).toBe(0)
      expect(await storedKeys(node)).toEqual(before)
    })
  })

  it('a collection that fails part-way forgets the cache records of the blocks it did delete, and only those', async () => {
    const dead = await Promise.all(Array.from({ length: 1500 }, async (_, i) => (await rawBlock(`dead ${i}`)).cid))
    const mfsRoot = (await rawBlock('an MFS root')).cid
    const forgotten: string[] = []
    let calls = 0
    await expect(collectGarbage({
      helia: { pins: { ls: async function * () {} } } as never,
      // a root the store does not hold: nothing to keep, nothing read (a raw block is kept unread)
      mfsRoot: () => mfsRoot,
      blockstore: {
        get: () => { throw new Error('nothing is read') },
        getAll: async function * () { for (const cid of dead) yield { cid, bytes: (async function * () {})() } },
        deleteBlocks: async (cids) => {
          if (++calls > 1) throw new Error('the disk went away')
          return { blocks: cids.length, bytes: cids.length }
        }
      },
      cache: { all: async () => new Map(dead.map(cid => [cid.toString(), {}])) as never, forget: (keys) => { forgotten.push(...keys) } },
      repoLock: new RepoLock()
    })).rejects.toThrow(/disk went away/)
    expect(forgotten.sort()).toEqual(dead.slice(0, 1024).map(String).sort())
  })
})
