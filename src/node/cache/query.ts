/**
 * Queries over the in-memory records: filters, sort, limit. A filter on an
 * indexed column narrows the candidates by binary search before the rest
 * are applied.
 */
import { InvalidParametersError } from '../errors.ts'
import { columnSpec } from './schema.ts'
import { compareValues } from './sorted-index.ts'
import type { CidRecord, ColumnName, ColumnSpec } from './schema.ts'
import type { Comparable, SortedIndex } from './sorted-index.ts'

export const FILTER_OPS = ['=', '!=', '<', '<=', '>', '>=', 'in', 'contains'] as const
export type FilterOp = typeof FILTER_OPS[number]

export interface QueryFilter {
  column: string
  op: FilterOp
  value: unknown
}

export interface QuerySort {
  column: string
  order?: 'asc' | 'desc'
}

export interface CacheQuery {
  filters?: readonly QueryFilter[]
  sort?: QuerySort | readonly QuerySort[]
  /** At most this many rows; default DEFAULT_QUERY_LIMIT. */
  limit?: number
}

export const DEFAULT_QUERY_LIMIT = 100
export const MAX_QUERY_LIMIT = 100_000

export interface QueryResult {
  records: CidRecord[]
  /** Rows that matched before the limit. */
  total: number
  /** Indexed columns the query used. */
  used_indexes: string[]
}

interface CompiledFilter {
  column: ColumnName
  spec: ColumnSpec
  op: FilterOp
  value: Comparable | Comparable[] | null
}

/** Checks columns, operators and value types; timestamps may be given as ISO strings. */
export function compileFilters (filters: readonly QueryFilter[]): CompiledFilter[] {
  return filters.map((f, i) => {
    const spec = columnSpec(f.column)
    if (spec == null) throw new InvalidParametersError(`filters[${i}].column: no column "${f.column}"`)
    if (!FILTER_OPS.includes(f.op)) throw new InvalidParametersError(`filters[${i}].op: "${String(f.op)}" is not one of ${FILTER_OPS.join(' ')}`)
    if (f.op === 'in') {
      if (!Array.isArray(f.value)) throw new InvalidParametersError(`filters[${i}].value: "in" takes an array`)
      return { column: spec.name, spec, op: f.op, value: f.value.map(v => coerce(spec, v, i)) }
    }
    if (f.op === 'contains') {
      if (spec.type !== 'utf8' && spec.type !== 'map_utf8') throw new InvalidParametersError(`filters[${i}]: "contains" applies to text and properties columns, not ${spec.name}`)
      if (typeof f.value !== 'string') throw new InvalidParametersError(`filters[${i}].value: "contains" takes a string`)
      return { column: spec.name, spec, op: f.op, value: f.value.toLowerCase() }
    }
    if (f.value === null && (f.op === '=' || f.op === '!=')) return { column: spec.name, spec, op: f.op, value: null }
    if (spec.type === 'map_utf8') throw new InvalidParametersError(`filters[${i}]: properties can be filtered with "contains" only`)
    return { column: spec.name, spec, op: f.op, value: coerce(spec, f.value, i) }
  })
}

function coerce (spec: ColumnSpec, value: unknown, i: number): Comparable {
  switch (spec.type) {
    case 'utf8':
      if (typeof value === 'string') return value
      break
    case 'bool':
      if (typeof value === 'boolean') return value
      break
    case 'timestamp_ms':
      if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return Date.parse(value)
      if (typeof value === 'number' && Number.isFinite(value)) return value
      break
    default:
      if (typeof value === 'number' && Number.isFinite(value)) return value
  }
  throw new InvalidParametersError(`filters[${i}].value: ${JSON.stringify(value)} does not fit column ${spec.name} (${spec.type})`)
}

function matches (record: CidRecord, f: CompiledFilter): boolean {
  const actual = record[f.column]
  if (f.value === null) return f.op === '=' ? actual == null : actual != null
  if (actual == null) return false
  switch (f.op) {
    case '=': return actual === f.value
    case '!=': return actual !== f.value
    case '<': return (actual as Comparable) < (f.value as Comparable)
    case '<=': return (actual as Comparable) <= (f.value as Comparable)
    case '>': return (actual as Comparable) > (f.value as Comparable)
    case '>=': return (actual as Comparable) >= (f.value as Comparable)
    case 'in': return (f.value as Comparable[]).includes(actual as Comparable)
    case 'contains': {
      const needle = f.value as string
      if (f.spec.type === 'map_utf8') {
        return Object.entries(actual as Record<string, string>).some(([k, v]) => k.toLowerCase() === needle || `${k}=${v}`.toLowerCase() === needle)
      }
      return String(actual).toLowerCase().includes(needle)
    }
  }
}

type Bound = { value: Comparable, inclusive: boolean }

/** Narrows by the range that every filter on one indexed column allows together, if any. */
function candidates (all: Iterable<CidRecord>, filters: CompiledFilter[], indexes: ReadonlyMap<string, SortedIndex>, used: string[]): Iterable<CidRecord> {
  for (const [column, index] of indexes) {
    let lower: Bound | undefined
    let upper: Bound | undefined
    const tighterLower = (b: Bound): void => {
      const c = lower == null ? 1 : compareValues(b.value, lower.value)
      if (c > 0 || (c === 0 && !b.inclusive)) lower = b
    }
    const tighterUpper = (b: Bound): void => {
      const c = upper == null ? -1 : compareValues(b.value, upper.value)
      if (c < 0 || (c === 0 && !b.inclusive)) upper = b
    }
    for (const f of filters) {
      if (f.column !== column || f.value === null || Array.isArray(f.value)) continue
      const value = f.value
      if (f.op === '=' || f.op === '>' || f.op === '>=') tighterLower({ value, inclusive: f.op !== '>' })
      if (f.op === '=' || f.op === '<' || f.op === '<=') tighterUpper({ value, inclusive: f.op !== '<' })
    }
    if (lower == null && upper == null) continue
    used.push(column)
    return index.range(lower, upper)
  }
  return all
}

/** Values high to low, equal values still in ascending CID order (as the general path sorts them). */
function descendingKeepingTies (ascending: readonly CidRecord[], column: ColumnName): CidRecord[] {
  const out: CidRecord[] = []
  let end = ascending.length
  while (end > 0) {
    let start = end - 1
    while (start > 0 && ascending[start - 1][column] === ascending[end - 1][column]) start--
    for (let i = start; i < end; i++) out.push(ascending[i])
    end = start
  }
  return out
}

export function normaliseSort (sort: CacheQuery['sort']): Array<{ column: ColumnName, order: 'asc' | 'desc' }> {
  const list = sort == null ? [] : Array.isArray(sort) ? sort : [sort]
  return list.map((s, i) => {
    const spec = columnSpec(s.column)
    if (spec == null) throw new InvalidParametersError(`sort[${i}].column: no column "${s.column}"`)
    if (spec.type === 'map_utf8') throw new InvalidParametersError(`sort[${i}].column: ${s.column} cannot be sorted`)
    if (s.order != null && s.order !== 'asc' && s.order !== 'desc') throw new InvalidParametersError(`sort[${i}].order: asc or desc`)
    return { column: spec.name, order: s.order ?? 'asc' }
  })
}

/** Runs a query over the records, using the indexes it can. */
export function runQuery (all: Iterable<CidRecord>, query: CacheQuery, indexes: ReadonlyMap<string, SortedIndex> = new Map()): QueryResult {
  const limit = query.limit ?? DEFAULT_QUERY_LIMIT
  if (!Number.isInteger(limit) || limit < 0 || limit > MAX_QUERY_LIMIT) {
    throw new InvalidParametersError(`limit: an integer from 0 to ${MAX_QUERY_LIMIT}`)
  }
  const filters = compileFilters(query.filters ?? [])
  const sort = normaliseSort(query.sort)
  const used: string[] = []
  // a single indexed sort with no filters reads the index in order and stops at the limit
  if (filters.length === 0 && sort.length === 1 && indexes.has(sort[0].column)) {
    const index = indexes.get(sort[0].column) as SortedIndex
    const ordered = sort[0].order === 'asc' ? index.records : descendingKeepingTies(index.records, sort[0].column)
    const nulls = [...all].filter(r => r[sort[0].column] == null)
    const rows = sort[0].order === 'asc' ? [...ordered, ...nulls] : [...nulls, ...ordered]
    used.push(sort[0].column)
    return { records: rows.slice(0, limit), total: rows.length, used_indexes: used }
  }
  const rows: CidRecord[] = []
  for (const record of candidates(all, filters, indexes, used)) {
    if (filters.every(f => matches(record, f))) rows.push(record)
  }
  if (sort.length > 0) {
    rows.sort((a, b) => {
      for (const s of sort) {
        const x = a[s.column]
        const y = b[s.column]
        // nulls sort last ascending, first descending (as SQL's default)
        const c = x == null ? (y == null ? 0 : 1) : y == null ? -1 : compareValues(x as Comparable, y as Comparable)
        if (c !== 0) return s.order === 'asc' ? c : -c
      }
      return compareValues(a.cid, b.cid)
    })
  }
  return { records: rows.slice(0, limit), total: rows.length, used_indexes: used }
}
