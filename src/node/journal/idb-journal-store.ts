import { openDatabase, request, transactionDone } from '../stores/idb.ts'
import { entryMatcher, selectEntries } from './entry-query.ts'
import type { AppendOptions, EntryQuery, JournalEntry, JournalStore, NewEntry, Settlement } from './types.ts'

const ENTRIES = 'entries'
const META = 'meta'
const ROOT_KEY = 'mfs-root'

/**
 * The journal in IndexedDB. Entries and the MFS root share one database so a
 * transaction's completion and the root's move commit together; the writes
 * a change is acknowledged after use strict durability, so an acknowledged
 * change is on disk, not in a cache.
 */
export class IDBJournalStore implements JournalStore {
  private readonly name: string
  private db?: IDBDatabase

  constructor (name: string) {
    this.name = name
  }

  async open (): Promise<void> {
    this.db = await openDatabase(this.name, 1, (db) => {
      const entries = db.createObjectStore(ENTRIES, { keyPath: 'seq', autoIncrement: true })
      entries.createIndex('transaction_id', 'transaction_id')
      entries.createIndex('status', 'status')
      db.createObjectStore(META)
    })
  }

  async append (entries: NewEntry[], options: AppendOptions = {}): Promise<JournalEntry[]> {
    // not durable: a settle with strict durability follows in this same database, and its flush takes
    // these entries to the disk with it (the store writes in order); a crash before then loses the
    // entries and the change together, neither acknowledged, and the root unmoved
    const tx = this.transaction([ENTRIES], 'readwrite', options.durable === false ? 'relaxed' : 'strict')
    const store = tx.objectStore(ENTRIES)
    const now = Date.now()
    const added = entries.map(e => ({ ...e, status: e.status ?? 'pending' as const, entry_id: crypto.randomUUID(), timestamp: now }))
    const seqs = added.map(async (entry) => request(store.add(entry)))
    const done = transactionDone(tx)
    const keys = await Promise.all(seqs)
    await done
    return added.map((entry, i) => ({ ...entry, seq: Number(keys[i]) }))
  }

  async settle (transactionId: string, settlement: Settlement, root?: string, appended?: JournalEntry[]): Promise<void> {
    const tx = this.transaction([ENTRIES, META], 'readwrite')
    const done = transactionDone(tx)
    const settledAt = Date.now()
    if (root != null) tx.objectStore(META).put(root, ROOT_KEY)
    if (appended != null) {
      // written by their keys, all requests at once: a cursor's round trip per entry was most of a small change's settle
      for (const entry of appended) {
        if (entry.transaction_id === transactionId && entry.status === 'pending') tx.objectStore(ENTRIES).put({ ...entry, ...settlement, settled_at: settledAt })
      }
      await done
      return
    }
    const index = tx.objectStore(ENTRIES).index('transaction_id')
    const cursorRequest = index.openCursor(IDBKeyRange.only(transactionId))
    cursorRequest.onsuccess = () => {
      const cursor = cursorRequest.result
      if (cursor == null) return
      const entry = cursor.value as JournalEntry
      if (entry.status === 'pending') cursor.update({ ...entry, ...settlement, settled_at: settledAt })
      cursor.continue()
    }
    await done
  }

  async root (): Promise<string | undefined> {
    return request(this.transaction([META], 'readonly').objectStore(META).get(ROOT_KEY)) as Promise<string | undefined>
  }

  async entries (query: EntryQuery = {}): Promise<JournalEntry[]> {
    return selectEntries(await this.candidates(query), query)
  }

  async count (query: EntryQuery = {}): Promise<number> {
    // a status alone is answered by its index without reading any entry
    if (query.operation_type == null && query.path == null && query.since == null) {
      const store = this.transaction([ENTRIES], 'readonly').objectStore(ENTRIES)
      return request(query.status != null ? store.index('status').count(query.status) : store.count())
    }
    return (await this.candidates(query)).filter(entryMatcher(query)).length
  }

  /** The entries a query can match: those of its status (read through the index) or all of them. */
  private async candidates (query: EntryQuery): Promise<JournalEntry[]> {
    const store = this.transaction([ENTRIES], 'readonly').objectStore(ENTRIES)
    return request(query.status != null ? store.index('status').getAll(query.status) : store.getAll()) as Promise<JournalEntry[]>
  }

  async compact (beforeSeq: number): Promise<number> {
    const tx = this.transaction([ENTRIES], 'readwrite')
    const done = transactionDone(tx)
    let removed = 0
    const cursorRequest = tx.objectStore(ENTRIES).openCursor(IDBKeyRange.upperBound(beforeSeq, true))
    cursorRequest.onsuccess = () => {
      const cursor = cursorRequest.result
      if (cursor == null) return
      if ((cursor.value as JournalEntry).status !== 'pending') {
        cursor.delete()
        removed++
      }
      cursor.continue()
    }
    await done
    return removed
  }

  async size (): Promise<{ entries: number, bytes: number }> {
    const all = await this.entries({ ascending: true })
    return { entries: all.length, bytes: new TextEncoder().encode(JSON.stringify(all)).byteLength }
  }

  async close (): Promise<void> {
    this.db?.close()
    this.db = undefined
  }

  private transaction (stores: string[], mode: IDBTransactionMode, durability: IDBTransactionDurability = mode === 'readwrite' ? 'strict' : 'default'): IDBTransaction {
    if (this.db == null) throw new Error('the journal database is not open')
    return this.db.transaction(stores, mode, { durability })
  }
}
