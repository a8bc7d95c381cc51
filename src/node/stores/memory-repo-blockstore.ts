import { MemoryBlockstore } from 'blockstore-core'
import type { RepoBlockstore, RepoStat } from './repo-blockstore.ts'
import type { AbortOptions } from 'abort-error'

/** The in-memory blockstore used by unit tests and throwaway nodes. */
export class MemoryRepoBlockstore extends MemoryBlockstore implements RepoBlockstore {
  readonly location = 'memory'

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

  async flush (): Promise<void> {}
  async close (): Promise<void> {}
}
