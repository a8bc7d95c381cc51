import 'fake-indexeddb/auto'
import { MemoryDatastore } from 'datastore-core'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createNode, memoryStores } from '../../src/node/create-node.ts'
import { addContent } from '../../src/node/models/ipfs/add.ts'
import { runsOf } from '../../src/node/models/ipfs/pin-records.ts'
import { pinContent, unpinContent } from '../../src/node/models/ipfs/pins.ts'
import { IDBDatastore } from '../../src/node/stores/idb-datastore.ts'
import type { McpNode, NodeStores } from '../../src/node/create-node.ts'
import type { AddComponents } from '../../src/node/models/ipfs/add.ts'

const MIB = 1024 * 1024

/** Bytes that never repeat a chunk (so no two leaves are one block). */
function patterned (size: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(size)
  let x = seed + 1
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0
    bytes[i] = x >>> 24
  }
  return bytes
}

let databases = 0

/** Datastores a pin's records are kept in: one read a get per record, and one that reads them as a range when they are few. */
const DATASTORES: Array<[string, () => Promise<NodeStores['datastore']>]> = [
  ['memory', async () => new MemoryDatastore()],
  ['IndexedDB', async () => {
    const datastore = new IDBDatastore(`pins-${++databases}`)
    await datastore.open()
    return datastore
  }]
]

describe.each(DATASTORES)('pins, recorded in helia\'s format (%s datastore)', (kind, makeDatastore) => {
  let node: McpNode
  let components: AddComponents
  beforeEach(async () => {
    node = await createNode({ stores: { ...memoryStores(), datastore: await makeDatastore() } })
    components = { blockstore: node.blockstore, datastore: node.helia.datastore, pins: node.helia.pins, getCodec: node.helia.getCodec }
  })
  afterEach(async () => { await node.stop() })

  /** Every block of a DAG, read with helia's own walk. */
  async function dagOf (root: CID): Promise<CID[]> {
    const out: CID[] = []
    const { depthFirstWalker } = await import('@helia/utils')
    for await (const n of depthFirstWalker()({ blockstore: node.helia.blockstore, getCodec: node.helia.getCodec }).walk(root)) out.push(n.block.cid)
    return out
  }

  it('pins every block of an add without reading it back, and helia reads the pin as its own', async () => {
    let reads = 0
    const counted: AddComponents = {
      ...components,
      blockstore: {
        put: async (...args) => node.blockstore.put(...args),
        has: async (...args) => node.blockstore.has(...args),
        get: (...args) => { reads++; return node.blockstore.get(...args) }
      }
    }
    const added = await addContent(counted, [{ content: patterned(3 * MIB + 5, 1) }], {})
    expect(reads).toBe(0)
    const blocks = await dagOf(added.cid)
    expect(blocks.length).toBe(5)
    for (const cid of blocks) expect(await node.helia.pins.isPinned(cid)).toBe(true)
    const listed = []
    for await (const pin of node.helia.pins.ls()) listed.push(pin.cid.toString())
    expect(listed).toEqual([added.cid.toString()])
    // helia's own rm undoes what was recorded here
    for await (const _ of node.helia.pins.rm(added.cid)) { /* each block's count goes down */ }
    for (const cid of blocks) expect(await node.helia.pins.isPinned(cid)).toBe(false)
  })

  it('counts a block two pins share, and unpinning one leaves it pinned by the other', async () => {
    const shared = patterned(2 * MIB, 9)
    const a = await addContent(components, [{ path: 'a.bin', content: shared }], { wrapWithDirectory: true })
    const b = await addContent(components, [{ path: 'b.bin', content: shared }], { wrapWithDirectory: true })
    expect(a.cid.equals(b.cid)).toBe(false)
    const leaf = (await dagOf(a.cid)).at(-1)!
    expect(leaf.code).toBe(raw.code)
    await unpinContent(node.helia, a.cid)
    expect(await node.helia.pins.isPinned(leaf)).toBe(true)
    expect(await node.helia.pins.isPinned(a.cid)).toBe(false)
    await unpinContent(node.helia, b.cid)
    expect(await node.helia.pins.isPinned(leaf)).toBe(false)
  })

  it('a direct pin covers the root alone; pinning it again recursively covers the rest', async () => {
    const added = await addContent(components, [{ content: patterned(2 * MIB + 1, 3) }], { pin: false })
    const [root, ...leaves] = await dagOf(added.cid)
    await pinContent(node.helia, root, { recursive: false })
    expect(await node.helia.pins.isPinned(root)).toBe(true)
    expect(await node.helia.pins.isPinned(leaves[0])).toBe(false)
    const again = await pinContent(node.helia, root, { recursive: true })
    expect(again.type).toBe('recursive')
    for (const cid of leaves) expect(await node.helia.pins.isPinned(cid)).toBe(true)
    expect((await node.helia.pins.get(root)).depth).toBe(Infinity)
  })

  it('refuses to pin a DAG with a block missing, recording nothing', async () => {
    const added = await addContent(components, [{ content: patterned(2 * MIB + 1, 4) }], { pin: false })
    const leaf = (await dagOf(added.cid)).at(-1)!
    await node.blockstore.delete(leaf)
    await expect(pinContent(node.helia, added.cid, { offline: true })).rejects.toThrow()
    expect(await node.helia.pins.isPinned(added.cid)).toBe(false)
  })

  it('a pin made with a CIDv0 is removed by its CIDv1, and every block is let go', async () => {
    const added = await addContent(components, [{ content: patterned(MIB + 9, 5) }], { cidVersion: 0 })
    expect(added.cid.version).toBe(0)
    const blocks = await dagOf(added.cid)
    await unpinContent(node.helia, added.cid.toV1())
    for (const cid of blocks) expect(await node.helia.pins.isPinned(cid)).toBe(false)
  })

  it('a tree with an explicit directory leaves no pinned-block record behind once unpinned', async () => {
    const added = await addContent(components, [{ path: 'site' }, { path: 'site/index.html', content: new TextEncoder().encode('<p>hi</p>') }, { path: 'site/empty' }], {})
    const records = async (): Promise<number> => {
      let n = 0
      for await (const _ of node.helia.datastore.query({ prefix: '/pinned-block/' })) n++
      return n
    }
    expect(await records()).toBe((await dagOf(added.cid)).length)
    await unpinContent(node.helia, added.cid)
    expect(await records()).toBe(0)
  })
  it('an unpin passes over a block gone missing, but not one the store failed to read: that pin stays, and the failure is told', async () => {
    const added = await addContent(components, [{ path: 'd/a.bin', content: patterned(300 * 1024, 7) }], { chunker: 'size-65536', cidVersion: 0, wrapWithDirectory: true })
    const blocks = await dagOf(added.cid)
    // a dag-pb leaf (CIDv0) is read for its links during the walk
    const leaf = blocks.at(-1)!
    const get = node.blockstore.get.bind(node.blockstore)
    node.blockstore.get = (cid, options) => {
      if (cid.equals(leaf)) throw Object.assign(new Error('the disk failed'), { name: 'ReadFailedError' })
      return get(cid, options)
    }
    await expect(unpinContent(node.helia, added.cid)).rejects.toThrow('the disk failed')
    expect(await node.helia.pins.isPinned(added.cid)).toBe(true)
    node.blockstore.get = get
    await node.blockstore.delete(leaf)
    await unpinContent(node.helia, added.cid)
    expect(await node.helia.pins.isPinned(added.cid)).toBe(false)
    // every block still here is let go (the one gone has no count to take back)
    for (const cid of blocks.filter(c => !c.equals(leaf))) expect(await node.helia.pins.isPinned(cid)).toBe(false)
  })

  it('unpinning one of two folders sharing files lets go of its own records alone, whichever way they were read', async () => {
    // the first 10 files of each folder are the same bytes: their blocks are pinned by both
    const files = (seed: number): Array<{ path: string, content: Uint8Array }> => Array.from({ length: 40 }, (_, i) => ({ path: `d/${i}.txt`, content: patterned(100 + i, i < 10 ? i : seed * 100 + i) }))
    const a = await addContent(components, files(1), { wrapWithDirectory: true })
    const b = await addContent(components, files(2), { wrapWithDirectory: true })
    // a lone block, pinned directly: one block beside the folders' 74 records, so its records are read a get each
    const lone = await addContent(components, [{ content: patterned(10, 99) }], { pin: false })
    await pinContent(node.helia, lone.cid, { recursive: false })
    const [aBlocks, bBlocks] = [await dagOf(a.cid), await dagOf(b.cid)]
    const shared = aBlocks.filter(cid => bBlocks.some(other => other.equals(cid)))
    expect([aBlocks.length, shared.length]).toEqual([42, 10])
    await unpinContent(node.helia, a.cid)
    for (const cid of aBlocks) expect(await node.helia.pins.isPinned(cid)).toBe(shared.includes(cid))
    for (const cid of bBlocks) expect(await node.helia.pins.isPinned(cid)).toBe(true)
    expect(await node.helia.pins.isPinned(lone.cid)).toBe(true)
    await unpinContent(node.helia, lone.cid)
    expect(await node.helia.pins.isPinned(lone.cid)).toBe(false)
    for (const cid of bBlocks) expect(await node.helia.pins.isPinned(cid)).toBe(true)
    // b's records are all there are now: in IndexedDB they go as one range
    const deletes = kind === 'IndexedDB' ? vi.spyOn(IDBObjectStore.prototype, 'delete') : undefined
    await unpinContent(node.helia, b.cid)
    if (deletes != null) {
      expect(deletes.mock.calls.filter(([query]) => query instanceof IDBKeyRange).length).toBe(1)
      deletes.mockRestore()
    }
    let left = 0
    for await (const _ of node.helia.datastore.queryKeys({ prefix: '/pinned-block/' })) left++
    expect(left).toBe(0)
  })
})

describe('runsOf', () => {
  it('gives the keys to delete in runs of neighbours', () => {
    const keys = ['a', 'b', 'c', 'd', 'e', 'f', 'g']
    expect(runsOf(keys, new Set(['a', 'b', 'd', 'f', 'g']))).toEqual([['a', 'b'], ['d'], ['f', 'g']])
    expect(runsOf(keys, new Set(keys))).toEqual([keys])
    expect(runsOf(keys, new Set())).toEqual([])
  })
})
