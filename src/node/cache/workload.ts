/**
 * What the cache is asked to do: reads, writes, queries and CID lookups, and
 * which columns queries filter and sort on. `optimize()` turns it into a
 * report and the set of columns that earn a sorted index.
 */
import { COLUMN_NAMES } from './schema.ts'
import type { ColumnName } from './schema.ts'

export type WorkloadType = 'read-heavy' | 'write-heavy' | 'analytical' | 'cid-focused' | 'mixed'

/** A column earns an index once queries used it this many times… */
export const INDEX_MIN_USES = 5
/** …and in at least this share of all queries. */
export const INDEX_MIN_SHARE = 0.1
/** Shares of operations past which a workload is named for one kind. */
export const CID_FOCUSED_SHARE = 0.5
export const ANALYTICAL_SHARE = 0.3
export const READ_WRITE_SKEW = 0.7

export interface WorkloadReport {
  workload_type: WorkloadType
  operations: { reads: number, writes: number, queries: number, cid_lookups: number }
  filter_counts: Partial<Record<ColumnName, number>>
  sort_counts: Partial<Record<ColumnName, number>>
  /** Columns no query has filtered or sorted on. */
  unused_columns: ColumnName[]
  /** Columns that earned a sorted index. */
  indexed_columns: ColumnName[]
}

export class WorkloadTracker {
  reads = 0
  writes = 0
  queries = 0
  cidLookups = 0
  private readonly filters = new Map<ColumnName, number>()
  private readonly sorts = new Map<ColumnName, number>()

  noteQuery (filterColumns: readonly ColumnName[], sortColumns: readonly ColumnName[]): void {
    this.queries++
    for (const c of new Set(filterColumns)) this.filters.set(c, (this.filters.get(c) ?? 0) + 1)
    for (const c of new Set(sortColumns)) this.sorts.set(c, (this.sorts.get(c) ?? 0) + 1)
  }

  classify (): WorkloadType {
    const total = this.reads + this.writes + this.queries + this.cidLookups
    if (total === 0) return 'mixed'
    if (this.cidLookups / total >= CID_FOCUSED_SHARE) return 'cid-focused'
    if (this.queries / total >= ANALYTICAL_SHARE) return 'analytical'
    const rw = this.reads + this.writes
    if (rw > 0 && this.reads / rw >= READ_WRITE_SKEW) return 'read-heavy'
    if (rw > 0 && this.writes / rw >= READ_WRITE_SKEW) return 'write-heavy'
    return 'mixed'
  }

  /** Columns used often enough, in a large enough share of queries, to be worth an index. */
  earnedIndexes (): ColumnName[] {
    const uses = (c: ColumnName): number => (this.filters.get(c) ?? 0) + (this.sorts.get(c) ?? 0)
    return COLUMN_NAMES.filter(c => c !== 'cid' && c !== 'properties' && uses(c) >= INDEX_MIN_USES && uses(c) >= INDEX_MIN_SHARE * this.queries)
  }

  report (indexed: readonly ColumnName[]): WorkloadReport {
    return {
      workload_type: this.classify(),
      operations: { reads: this.reads, writes: this.writes, queries: this.queries, cid_lookups: this.cidLookups },
      filter_counts: Object.fromEntries(this.filters),
      sort_counts: Object.fromEntries(this.sorts),
      unused_columns: COLUMN_NAMES.filter(c => c !== 'cid' && !this.filters.has(c) && !this.sorts.has(c)),
      indexed_columns: [...indexed]
    }
  }
}
