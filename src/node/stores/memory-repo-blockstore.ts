import { MemoryBlockstore } from 'blockstore-core'
import { blockBytes } from './repo-blockstore.ts'
import type { RepoBlockstore, RepoStat } from './repo-blockstore.ts'
import type { AbortOptions } from 'abort-error'
import type { CID } from 'multiformats/cid'

/** The in-memory blockstore used by unit tests and throwaway nodes. */
export class MemoryRepoBlockstore extends MemoryBlockstore implements RepoBlockstore {
  readonly location = 'memory'

  /**
   * Keeps a copy of the block, as the stores on disk do: the caller may free
   * or hand on its bytes once the put is done (the blockstore's worker
   * frees what it was sent for a put).
   */
  async put (cid: CID, val: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>, options?: AbortOptions): Promise<CID> {
    return super.put(cid, (await blockBytes(val)).slice(), options)
  }

  /**
   * A copy of the block, as the stores on disk give (each read is a new
   * buffer): a reader may hand its bytes over (transfer them to another
   * thread), which must not empty the stored block.
   */
  async * get (cid: CID, options?: AbortOptions): AsyncGenerator<Uint8Array> {
    for await (const chunk of super.get(cid, options)) yield chunk.slice()
  }

  /** The stored bytes' length, with no copy made of them (as `get` makes). */
  async blockSize (cid: CID, options?: AbortOptions): Promise<number | undefined> {
    if (!await this.has(cid, options)) return undefined
    let size = 0
    for await (const chunk of super.get(cid, options)) size += chunk.byteLength
    return size
  }

  /** Walks every block: fine for memory, which holds little. */
  async stat (options?: AbortOptions): Promise<RepoStat> {
    let blocks = 0
    let bytes = 0
    for await (const pair of this.getAll(options)) {
      blocks++
      for await (const chunk of pair.bytes) bytes += chunk.byteLength
    }
    return { blocks, bytes }
  }

  async deleteBlocks (cids: CID[], options?: AbortOptions): Promise<RepoStat> {
    const removed = { blocks: 0, bytes: 0 }
    for (const cid of cids) {
      if (!await this.has(cid, options)) continue
      for await (const chunk of super.get(cid, options)) removed.bytes += chunk.byteLength
      await this.delete(cid, options)
      removed.blocks++
    }
    return removed
  }

  async flush (): Promise<void> {}
  async close (): Promise<void> {}
}
