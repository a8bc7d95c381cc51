import { MemoryBlockstore } from 'blockstore-core'
import { exporter } from 'ipfs-unixfs-exporter'
import { importer } from 'ipfs-unixfs-importer'
import { describe, expect, it } from 'vitest'
import { directoryChildren, SHARDS_AT_ONCE } from '../../src/node/models/ipfs/directory-children.ts'
import type { UnixFSDirectory, UnixFSDirectoryEntry } from 'ipfs-unixfs-exporter'
import type { CID } from 'multiformats/cid'

/** A folder of `n` small files; sharded when `shard` (a threshold of one byte), plain otherwise. */
async function folder (blockstore: MemoryBlockstore, n: number, shard: boolean): Promise<CID> {
  const files = Array.from({ length: n }, (_, i) => ({ path: `dir/file ${i} é.txt`, content: new TextEncoder().encode(`file ${i}\n`) }))
  let root: CID | undefined
  for await (const entry of importer(files, blockstore, { cidVersion: 1, rawLeaves: true, shardSplitThresholdBytes: shard ? 1 : 1 << 30 })) if (entry.path === 'dir') root = entry.cid
  return root!
}

async function exporterChildren (dir: UnixFSDirectory): Promise<UnixFSDirectoryEntry[]> {
  const out: UnixFSDirectoryEntry[] = []
  for await (const child of dir.entries()) out.push(child)
  return out
}

/** A blockstore that counts the reads in progress at once. */
function countingReads (blockstore: MemoryBlockstore): { store: MemoryBlockstore, most: () => number, reads: () => number } {
  let now = 0
  let most = 0
  let reads = 0
  const store = Object.create(blockstore) as MemoryBlockstore
  store.get = async function * (cid, options) {
    now++
    reads++
    most = Math.max(most, now)
    await new Promise(resolve => setTimeout(resolve, 2))
    try {
      yield * blockstore.get(cid, options)
    } finally {
      now--
    }
  }
  return { store, most: () => most, reads: () => reads }
}

describe('a directory\'s children', () => {
  it('are the exporter\'s, in its order, for a sharded directory, its shards read many at a time', async () => {
    const blockstore = new MemoryBlockstore()
    const root = await folder(blockstore, 2000, true)
    const dir = await exporter(root, blockstore)
    if (dir.type !== 'directory') throw new Error('not a directory')
    expect(dir.unixfs.type).toBe('hamt-sharded-directory')
    const expected = await exporterChildren(dir)
    expect(expected).toHaveLength(2000)

    const { store, most, reads } = countingReads(blockstore)
    const children = await directoryChildren(store, dir)
    expect(children.map(c => [c.name, c.cid.toString(), c.path, c.size])).toEqual(expected.map(c => [c.name, c.cid.toString(), c.path, c.size]))
    // every sub-shard read once, and never more than the limit at once
    expect(reads()).toBeGreaterThan(100)
    expect(most()).toBe(SHARDS_AT_ONCE)
  })

  it('are the exporter\'s for a plain directory, with no block read', async () => {
    const blockstore = new MemoryBlockstore()
    const dir = await exporter(await folder(blockstore, 50, false), blockstore)
    if (dir.type !== 'directory') throw new Error('not a directory')
    const { store, reads } = countingReads(blockstore)
    const children = await directoryChildren(store, dir)
    expect(children.map(c => c.name)).toEqual((await exporterChildren(dir)).map(c => c.name))
    expect(reads()).toBe(0)
  })

  it('fail as the exporter does when a shard is missing, and stop when aborted', async () => {
    const blockstore = new MemoryBlockstore()
    const dir = await exporter(await folder(blockstore, 2000, true), blockstore)
    if (dir.type !== 'directory') throw new Error('not a directory')
    const missing = dir.node.Links.find(link => link.Name?.length === 2)!.Hash
    await blockstore.delete(missing)
    const { store, reads } = countingReads(blockstore)
    await expect(directoryChildren(store, dir)).rejects.toMatchObject({ name: 'NotFoundError' })
    await expect(exporterChildren(dir)).rejects.toMatchObject({ name: 'NotFoundError' })
    // the shards not read yet when one failed are not read at all
    const readBeforeStop = reads()
    await new Promise(resolve => setTimeout(resolve, 50))
    expect(reads()).toBe(readBeforeStop)
    expect(readBeforeStop).toBeLessThan(dir.node.Links.length)

    const controller = new AbortController()
    controller.abort()
    await expect(directoryChildren(countingReads(new MemoryBlockstore()).store, dir, { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' })
  })
})
