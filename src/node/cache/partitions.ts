/**
 * How records are split into Parquet files. A strategy names a record's
 * partition (a directory); within a partition, records sorted by when they
 * were added fill files of at most `maxPartitionRows` rows, so new records
 * mostly land in the last file and a flush rewrites little.
 */
import type { CidRecord } from './schema.ts'

export type PartitionStrategy = 'time' | 'size' | 'access'

export const PARTITION_STRATEGIES: readonly PartitionStrategy[] = ['time', 'size', 'access']

/** Size buckets for the `size` strategy (upper bounds, bytes). */
const SIZE_BUCKETS: ReadonlyArray<[string, number]> = [
  ['tiny', 64 * 1024],
  ['small', 1024 * 1024],
  ['medium', 100 * 1024 * 1024],
  ['large', Infinity]
]

/** Heat bands for the `access` strategy (lower bounds). */
const HEAT_BANDS: ReadonlyArray<[string, number]> = [
  ['hot', 0.6],
  ['warm', 0.3],
  ['cold', -Infinity]
]

/** The directory a record belongs in under a strategy. */
export function partitionKey (record: CidRecord, strategy: PartitionStrategy): string {
  switch (strategy) {
    case 'time':
      return `day=${new Date(record.added_timestamp).toISOString().slice(0, 10)}`
    case 'size': {
      const size = record.size_bytes ?? 0
      return `size=${SIZE_BUCKETS.find(([, max]) => size < max)?.[0] ?? 'large'}`
    }
    case 'access':
      return `heat=${HEAT_BANDS.find(([, min]) => record.heat_score >= min)?.[0] ?? 'cold'}`
  }
}

const byAdded = (a: CidRecord, b: CidRecord): number =>
  a.added_timestamp - b.added_timestamp || (a.cid < b.cid ? -1 : a.cid > b.cid ? 1 : 0)

/** Splits records into files: path → rows, each file at most `maxRows` rows. */
export function assignPartitions (records: Iterable<CidRecord>, strategy: PartitionStrategy, maxRows: number): Map<string, CidRecord[]> {
  const groups = new Map<string, CidRecord[]>()
  for (const record of records) {
    const key = partitionKey(record, strategy)
    let group = groups.get(key)
    if (group == null) groups.set(key, group = [])
    group.push(record)
  }
  const files = new Map<string, CidRecord[]>()
  for (const [key, group] of [...groups].sort(([a], [b]) => a < b ? -1 : 1)) {
    group.sort(byAdded)
    for (let i = 0, part = 0; i < group.length; i += maxRows, part++) {
      files.set(`${key}/part-${String(part).padStart(5, '0')}.parquet`, group.slice(i, i + maxRows))
    }
  }
  return files
}
