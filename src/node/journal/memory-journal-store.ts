import { entryMatcher, selectEntries } from './entry-query.ts'
import type { EntryQuery, JournalEntry, JournalStore, NewEntry, Settlement } from './types.ts'

/** The journal in memory: unit tests and throwaway nodes. */
export class MemoryJournalStore implements JournalStore {
  private readonly list: JournalEntry[] = []
  private currentRoot?: string
  private nextSeq = 1

  async append (entries: NewEntry[]): Promise<JournalEntry[]> {
    const now = Date.now()
    const added = entries.map(e => ({ ...e, status: e.status ?? 'pending' as const, entry_id: crypto.randomUUID(), seq: this.nextSeq++, timestamp: now }))
    this.list.push(...added.map(e => structuredClone(e)))
    return added
  }

  async settle (transactionId: string, settlement: Settlement, root?: string): Promise<void> {
    const now = Date.now()
    for (const entry of this.list) {
      if (entry.transaction_id === transactionId && entry.status === 'pending') Object.assign(entry, settlement, { settled_at: now })
    }
    if (root != null) this.currentRoot = root
  }

  async root (): Promise<string | undefined> {
    return this.currentRoot
  }

  async entries (query: EntryQuery = {}): Promise<JournalEntry[]> {
    return structuredClone(selectEntries(this.list, query))
  }

  async count (query: EntryQuery = {}): Promise<number> {
    return this.list.filter(entryMatcher(query)).length
  }

  async compact (beforeSeq: number): Promise<number> {
    const before = this.list.length
    const kept = this.list.filter(e => e.seq >= beforeSeq || e.status === 'pending')
    this.list.splice(0, this.list.length, ...kept)
    return before - kept.length
  }

  async size (): Promise<{ entries: number, bytes: number }> {
    return { entries: this.list.length, bytes: new TextEncoder().encode(JSON.stringify(this.list)).byteLength }
  }

  async close (): Promise<void> {}
}
