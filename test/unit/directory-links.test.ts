import * as dagPb from '@ipld/dag-pb'
import { unixfs } from '@helia/unixfs'
import { MemoryBlockstore } from 'blockstore-core'
import { UnixFS } from 'ipfs-unixfs'
import { exporter } from 'ipfs-unixfs-exporter'
import { importer } from 'ipfs-unixfs-importer'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { readBlock } from '../../src/node/models/ipfs/dag-walker.ts'
import { MfsTree } from '../../src/node/models/mfs/tree.ts'
import { bytes } from './helpers.ts'

/** What MfsTree.setChild did before it edited directories itself: `@helia/unixfs`'s cp and rm, up to the root. */
async function librarySetChild (fs: ReturnType<typeof unixfs>, blockstore: MemoryBlockstore, root: CID, parent: string[], name: string, child: CID | null): Promise<CID> {
  const chain: CID[] = [root]
  for (let i = 0; i < parent.length; i++) chain.push((await exporter(`${chain[i].toString()}/${parent[i]}`, blockstore)).cid)
  const dir = chain[chain.length - 1]
  let updated = child == null ? await fs.rm(dir, name) : await fs.cp(child, dir, name, { force: true })
  for (let i = chain.length - 2; i >= 0; i--) updated = await fs.cp(updated, chain[i], parent[i], { force: true })
  return updated
}

async function fileOf (blockstore: MemoryBlockstore, size: number, seed: number, rawLeaves: boolean): Promise<CID> {
  let cid: CID | undefined
  for await (const entry of importer([{ content: bytes(size, seed) }], blockstore, { cidVersion: 1, rawLeaves, chunker: undefined })) cid = entry.cid
  return cid!
}

describe('a directory edited in place of @helia/unixfs', () => {
  afterEach(() => { vi.useRealTimers() })

  it('gives the library\'s CIDs, change after change: names in byte order, replaced, removed, nested, a directory with an mtime', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2026-12-03T12:00:00.123Z'))
    const blockstore = new MemoryBlockstore()
    const fs = unixfs({ blockstore })
    const tree = new MfsTree(fs, blockstore)
    const small = await fileOf(blockstore, 10, 1, true)
    const large = await fileOf(blockstore, 300_000, 2, false)
    const other = await fileOf(blockstore, 100, 3, true)
    const timed = await fs.addDirectory({ mtime: { secs: 1_000n, nsecs: 5 }, mode: 0o755 }, { cidVersion: 1 })
    const empty = await tree.emptyDirectory()

    const steps: Array<[string[], string, CID | null]> = [
      [[], 'b', small], [[], 'a', large], [[], 'é', small], [[], 'B', other], [[], 'aa', small], [[], 'a b', other], [[], '🙂', large],
      [[], 'd', empty], [['d'], 'x', small], [['d'], 'e', timed], [['d', 'e'], 'inner', other], [['d', 'e'], 'inner2', small],
      // replaced, then removed, then removed again when gone
      [[], 'a', other], [['d', 'e'], 'inner', large], [[], 'b', null], [['d'], 'x', null], [['d'], 'x', null],
      // a directory in its own place of a file, and a file in place of a directory
      [[], 'aa', timed], [[], 'd', small]
    ]
    let ours = empty
    let theirs = empty
    for (const [parent, name, child] of steps) {
      vi.setSystemTime(Date.now() + 1234)
      ours = await tree.setChild(ours, parent, name, child)
      theirs = await librarySetChild(fs, blockstore, theirs, parent, name, child)
      expect(ours.toString(), `${parent.join('/')}/${name}`).toBe(theirs.toString())
    }
    const names = []
    for await (const entry of fs.ls(ours)) names.push(entry.name)
    expect(names).toEqual(['B', 'a', 'a b', 'aa', 'd', 'é', '🙂'])
  })

  it('leaves to the library a change that makes the directory a shard, and the shard after it', async () => {
    const blockstore = new MemoryBlockstore()
    const fs = unixfs({ blockstore })
    const tree = new MfsTree(fs, blockstore)
    const file = await fileOf(blockstore, 10, 4, true)
    // a directory just under the library's threshold (links' names and CIDs: 262 144 bytes): 1000 × 262
    const name = (i: number): string => `${String(i).padStart(4, '0')}-${'n'.repeat(221)}`
    const links = Array.from({ length: 1000 }, (_, i) => ({ Name: name(i), Hash: file, Tsize: 10 }))
    const block = dagPb.encode(dagPb.prepare({ Data: new UnixFS({ type: 'directory' }).marshal(), Links: links }))
    const big = CID.createV1(dagPb.code, await sha256.digest(block))
    await blockstore.put(big, block)
    const root = await tree.setChild(await tree.emptyDirectory(), [], 'big', big)

    // a short name keeps it under; the next passes it
    let ours = await tree.setChild(root, ['big'], 'short', file)
    let theirs = await librarySetChild(fs, blockstore, root, ['big'], 'short', file)
    expect(ours.toString()).toBe(theirs.toString())
    ours = await tree.setChild(ours, ['big'], name(1000), file)
    theirs = await librarySetChild(fs, blockstore, theirs, ['big'], name(1000), file)
    expect(ours.toString()).toBe(theirs.toString())
    expect((await fs.stat(ours, { path: 'big' })).type).toBe('directory')
    const shard = await readBlock(blockstore, (await exporter(`${ours.toString()}/big`, blockstore)).cid)
    expect(UnixFS.unmarshal(dagPb.decode(shard).Data!).type).toBe('hamt-sharded-directory')

    ours = await tree.setChild(ours, ['big'], name(1), null)
    theirs = await librarySetChild(fs, blockstore, theirs, ['big'], name(1), null)
    expect(ours.toString()).toBe(theirs.toString())
    ours = await tree.setChild(ours, ['big'], 'another', file)
    theirs = await librarySetChild(fs, blockstore, theirs, ['big'], 'another', file)
    expect(ours.toString()).toBe(theirs.toString())
  })
})
