import { describe, expect, it } from 'vitest'
import { createNode, memoryStores } from '../../src/node/create-node.ts'
import { addContent } from '../../src/node/models/ipfs/add.ts'
import { readBlock } from '../../src/node/models/ipfs/dag-walker.ts'
import { collectGarbage, nodeCollectorComponents } from '../../src/node/models/ipfs/repo-gc.ts'
import { bytes } from './helpers.ts'
import type { CID } from 'multiformats/cid'

describe('collectGarbage', () => {
  it('keeps a pinned file without reading its raw leaves, and deletes the rest in one call, counting their bytes as stored', async () => {
    const node = await createNode({ stores: memoryStores() })
    try {
      const h = node.helia
      const components = { blockstore: node.blockstore, datastore: h.datastore, pins: h.pins, getCodec: h.getCodec }
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
    } finally {
      await node.stop()
    }
  })
})
