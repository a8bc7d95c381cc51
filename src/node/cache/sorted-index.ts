/**
 * A column's records in value order (nulls left out), so a range filter is
 * two binary searches and a sort with a limit stops early. Rebuilt lazily
 * after the column changes.
 */
import type { CidRecord, ColumnName } from './schema.ts'

export type Comparable = string | number | boolean

export function compareValues (a: Comparable, b: Comparable): number {
  return a < b ? -1 : a > b ? 1 : 0
}

export class SortedIndex {
  readonly column: ColumnName
  private sorted: CidRecord[] = []
  private stale = true

  constructor (column: ColumnName) {
    this.column = column
  }

  /** Marks the index for a rebuild before its next use. */
  invalidate (): void {
    this.stale = true
  }

  get isStale (): boolean {
    return this.stale
  }

  /** Builds from records; `order`, when given (a saved index file), is trusted if it covers them all. */
  build (records: Iterable<CidRecord>, order?: readonly string[]): void {
    const column = this.column
    const withValue = [...records].filter(r => r[column] != null)
    if (order != null && order.length === withValue.length) {
      const byCid = new Map(withValue.map(r => [r.cid, r]))
      const ordered = order.map(cid => byCid.get(cid))
      if (ordered.every(r => r != null)) {
        this.sorted = ordered
        this.stale = false
        return
      }
    }
    this.sorted = withValue.sort((a, b) => compareValues(a[column] as Comparable, b[column] as Comparable) || compareValues(a.cid, b.cid))
    this.stale = false
  }

  /** Records in ascending value order. */
  get records (): readonly CidRecord[] {
    return this.sorted
  }

  /** Records whose value lies in the range; bounds are optional and each inclusive or not. */
  range (lower?: { value: Comparable, inclusive: boolean }, upper?: { value: Comparable, inclusive: boolean }): CidRecord[] {
    const start = lower == null ? 0 : this.bound(lower.value, !lower.inclusive)
    const end = upper == null ? this.sorted.length : this.bound(upper.value, upper.inclusive)
    return this.sorted.slice(start, Math.max(start, end))
  }

  /** First position whose value is ≥ value (or > value when `after`). */
  private bound (value: Comparable, after: boolean): number {
    let lo = 0
    let hi = this.sorted.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      const c = compareValues(this.sorted[mid][this.column] as Comparable, value)
      if (c < 0 || (after && c === 0)) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}
