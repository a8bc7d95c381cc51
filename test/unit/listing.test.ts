import { importer } from 'ipfs-unixfs-importer'
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
    for await (const entry of importer(files, store, { wrapWithDirectory: true, rawLeaves: true })) root = entry.cid

    // each read waits a moment, as one through the store's worker does
    let reading = 0
    let most = 0
    const slow = {
      async * get (cid: CID, options?: { signal?: AbortSignal }): AsyncGenerator<Uint8Array> {
        reading++
        most = Math.max(most, reading)
        await new Promise(resolve => setTimeout(resolve, 5))
        reading--
        yield * store.get(cid, options)
      },
      has: async (cid: CID) => store.has(cid)
    }
    const listed = await listDirectory({ blockstore: slow as never }, { cid: root!, segments: [] })
    expect(listed.entries.map(e => [e.name, e.type, e.size])).toEqual(files.map((f, i) => [f.path, 'file', 100 + i]))
    expect(most).toBe(ENTRY_CONCURRENCY)
  })
})
