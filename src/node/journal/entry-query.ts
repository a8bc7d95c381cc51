import type { EntryQuery, JournalEntry } from './types.ts'

/** `/a/b/` and `/a/b` name the same folder; `/` stays `/`. */
function normalizePath (path: string): string {
  const trimmed = path.replace(/\/+$/, '')
  return trimmed === '' ? '/' : trimmed
}

/** Whether an entry passes a query's filters (status, type, path, since); offset and limit are the caller's. */
export function entryMatcher (query: EntryQuery): (entry: JournalEntry) => boolean {
  const path = query.path != null ? normalizePath(query.path) : undefined
  // a path filter matches the path itself and what lies under it, never a sibling that merely shares a prefix (/a vs /ab)
  const under = path == null ? undefined : path === '/' ? '/' : `${path}/`
  return (entry) =>
    (query.status == null || entry.status === query.status) &&
    (query.operation_type == null || entry.operation_type === query.operation_type) &&
    (query.since == null || entry.timestamp >= query.since) &&
    (path == null || under == null || entry.path === path || entry.path.startsWith(under))
}

/** Filters, orders (newest first unless `ascending`) and pages entries the way every store answers `entries()`. */
export function selectEntries (all: JournalEntry[], query: EntryQuery): JournalEntry[] {
  const matches = entryMatcher(query)
  const found = all.filter(matches).sort((a, b) => query.ascending === true ? a.seq - b.seq : b.seq - a.seq)
  const start = query.offset ?? 0
  return found.slice(start, query.limit != null ? start + query.limit : undefined)
}
