/**
 * The repository's blockstore as Helia sees it: reads try the memory tier
 * first, then the persistent store (IndexedDB) beneath. Writes and deletes go
 * to the persistent store; deletes also leave the memory tier.
 */
import { BaseBlockstore } from 'blockstore-core/base'
import { sizeOfBlock } from '../stores/repo-blockstore.ts'
import type { MemoryTier } from './memory-tier.ts'
import type { RepoBlockstore, RepoStat } from '../stores/repo-blockstore.ts'
import type { AbortOptions } from 'abort-error'
import type { Pair } from 'interface-blockstore'
import type { CID } from 'multiformats/cid'

export interface BlockReadCounts {
  /** Block reads served from memory. */
  memory_hits: number
  /** Block reads that found nothing in memory and went to the persistent store. */
  memory_misses: number
  /** Block reads served by the persistent store. */
  indexeddb_hits: number
}

export class TieredBlockstore extends BaseBlockstore implements RepoBlockstore {
  readonly persistent: RepoBlockstore
  readonly memory: MemoryTier
  readonly reads: BlockReadCounts = { memory_hits: 0, memory_misses: 0, indexeddb_hits: 0 }

  constructor (persistent: RepoBlockstore, memory: MemoryTier) {
    super()
    this.persistent = persistent
    this.memory = memory
  }

  async put (cid: CID, bytes: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>, options?: AbortOptions): Promise<CID> {
    return this.persistent.put(cid, bytes, options)
  }

  async * get (cid: CID, options?: AbortOptions): AsyncGenerator<Uint8Array> {
    const hot = this.memory.get(cid)
    if (hot != null) {
      this.reads.memory_hits++
      yield hot
      return
    }
    this.reads.memory_misses++
    yield * this.persistent.get(cid, options)
    this.reads.indexeddb_hits++
  }

  async has (cid: CID, options?: AbortOptions): Promise<boolean> {
    return this.memory.get(cid) != null || await this.persistent.has(cid, options)
  }

  async blockSize (cid: CID, options?: AbortOptions): Promise<number | undefined> {
    const hot = this.memory.get(cid)
    if (hot != null) return hot.byteLength
    return sizeOfBlock(this.persistent, cid, options)
  }

  async delete (cid: CID, options?: AbortOptions): Promise<void> {
    this.memory.delete(cid)
    await this.persistent.delete(cid, options)
  }

  async deleteBlocks (cids: CID[], options?: AbortOptions): Promise<RepoStat> {
    for (const cid of cids) this.memory.delete(cid)
    return this.persistent.deleteBlocks(cids, options)
  }

  async * getAll (options?: AbortOptions): AsyncGenerator<Pair> {
    yield * this.persistent.getAll(options)
  }

  async stat (options?: AbortOptions): Promise<RepoStat> {
    return this.persistent.stat(options)
  }

  async flush (): Promise<void> {
    await this.persistent.flush()
  }

  async close (): Promise<void> {
    await this.persistent.close()
  }
}
