import { blockstoreDagWalker } from '../models/ipfs/dag-walker.ts'
import { CidCache } from './cid-cache.ts'
import { resolveCacheConfig } from './config.ts'
import { MemoryTier } from './memory-tier.ts'
import { TieredBlockstore } from './tiered-blockstore.ts'
import type { CacheBlocks } from './cid-cache.ts'
import type { CacheConfig } from './config.ts'
import type { CacheFiles } from './cache-files.ts'
import type { RepoBlockstore } from '../stores/repo-blockstore.ts'

/**
 * Wires the cache to the repository: a memory tier whose eviction order is
 * the cache's heat, and the tiered blockstore Helia reads through.
 */
export function createCidCache (stores: { blockstore: RepoBlockstore, cacheFiles: CacheFiles }, options?: Partial<CacheConfig>): { cache: CidCache, blockstore: TieredBlockstore } {
  const config = resolveCacheConfig(options)
  const persistent = stores.blockstore
  // the tier asks the cache for heat; the cache is built just below
  let cache: CidCache | undefined
  const memory = new MemoryTier({ maxBytes: config.memoryTierBytes, heatOf: (owner) => cache?.heatOf(owner) ?? 0 })
  const blocks: CacheBlocks = {
    memory,
    hasLocal: async (cid, opts) => persistent.has(cid, opts),
    async readDag (root, maxBytes, opts) {
      const walker = blockstoreDagWalker(persistent)
      const out: Array<{ cid: typeof root, bytes: Uint8Array }> = []
      let total = 0
      for await (const node of walker.walk(root, opts)) {
        total += node.block.bytes.byteLength
        if (total > maxBytes) throw new RangeError(`${root} is larger than ${maxBytes} bytes`)
        out.push({ cid: node.block.cid, bytes: node.block.bytes })
      }
      return out
    }
  }
  cache = new CidCache({ files: stores.cacheFiles, blocks, config })
  return { cache, blockstore: new TieredBlockstore(persistent, memory) }
}
