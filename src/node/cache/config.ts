/** The cache's tunables, named; `resolveCacheConfig` merges options over these defaults once. */
import type { PartitionStrategy } from './partitions.ts'

export interface CacheConfig {
  /** Keep records of what the node adds and reads; off, the cache records nothing and reads skip its lookup. */
  recordAccess: boolean
  /** Rows per Parquet file before a partition rolls over to the next file. */
  maxPartitionRows: number
  partitionStrategy: PartitionStrategy
  /** A flush runs this long after the last change… */
  flushDebounceMs: number
  /** …and no later than this after the first unflushed change. */
  flushMaxDelayMs: number
  /** Capacity of the memory tier, bytes. */
  memoryTierBytes: number
  /** A record whose heat reaches this is promoted to the memory tier (in the background). */
  promoteHeat: number
  /** A record in memory whose heat falls below this is demoted when heats are refreshed. */
  demoteHeat: number
  /** Heat scores (which decay with age) are recomputed at most this often for queries. */
  heatRefreshMs: number
}

export const DEFAULT_CACHE_CONFIG: Readonly<CacheConfig> = {
  recordAccess: true,
  maxPartitionRows: 100_000,
  partitionStrategy: 'time',
  flushDebounceMs: 2_000,
  flushMaxDelayMs: 10_000,
  memoryTierBytes: 64 * 1024 * 1024,
  promoteHeat: 0.7,
  demoteHeat: 0.3,
  heatRefreshMs: 60_000
}

export function resolveCacheConfig (options: Partial<CacheConfig> = {}): CacheConfig {
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined))
  return { ...DEFAULT_CACHE_CONFIG, ...defined }
}
