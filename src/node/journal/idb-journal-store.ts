import { openDatabase, request, transactionDone } from '../stores/idb.ts'
import { entryMatcher, selectEntries } from './entry-query.ts'
import type { AppendOptions, CarriedBlock, EntryQuery, JournalEntry, JournalStore, NewEntry, Settlement } from './types.ts'

/** The object stores the journal keeps: its entries, and the MFS root. */
export interface JournalObjectStores {
  entries: string
  meta: string
}

/** The names in a database of the journal's own. */
const OWN_STORES: JournalObjectStores = { entries: 'entries', meta: 'meta' }
const ROOT_KEY = 'mfs-root'

/** Creates the journal's object stores while a database is upgraded (its own, or the blocks' database). */
export function createJournalStores (db: IDBDatabase, names: JournalObjectStores): void {
  if (!db.objectStoreNames.contains(names.entries)) {
    const entries = db.createObjectStore(names.entries, { keyPath: 'seq', autoIncrement: true })
    entries.createIndex('transaction_id', 'transaction_id')
    entries.createIndex('status', 'status')
  }
  if (!db.objectStoreNames.contains(names.meta)) db.createObjectStore(names.meta)
}

/**
 * Runs `write` in one read-write transaction over the journal's `stores`
 * and the blocks', with `blocks` stored in it too: how a journal that shares
 * the blocks' database carries them (IDBRepoBlockstore.writeWith).
 */
export type BlockCarrier = <T>(blocks: CarriedBlock[], stores: string[], durability: IDBTransactionDurability, write: (tx: IDBTransaction) => T) => Promise<T>

/** A journal in a database it shares: the blocks' (in the block worker), which carries blocks in its transactions. */
export interface SharedDatabase {
  db: IDBDatabase
  names: JournalObjectStores
  carrier: BlockCarrier
}

/**
 * The journal in IndexedDB. Entries and the MFS root share one database so a
 * transaction's completion and the root's move commit together; the writes
 * a change is acknowledged after use strict durability, so an acknowledged
 * change is on disk, not in a cache. It lives in a database of its own, or
 * in the blocks' database (`SharedDatabase`), where a change's blocks are
 * stored in the same transactions as its entries and its settle.
 */
export class IDBJournalStore implements JournalStore {
  readonly carriesBlocks: boolean
  private readonly name?: string
  private readonly names: JournalObjectStores
  private readonly carrier?: BlockCarrier
  private db?: IDBDatabase

  constructor (where: string | SharedDatabase) {
    if (typeof where === 'string') {
      this.name = where
      this.names = OWN_STORES
    } else {
      this.db = where.db
      this.names = where.names
      this.carrier = where.carrier
    }
    this.carriesBlocks = this.carrier != null
  }

  /** Opens the journal's own database (a shared one is open already). */
  async open (): Promise<void> {
    if (this.name == null) return
    this.db = await openDatabase(this.name, 1, (db) => { createJournalStores(db, OWN_STORES) })
  }

  async append (entries: NewEntry[], options: AppendOptions = {}): Promise<JournalEntry[]> {
    // not durable: a settle with strict durability follows in this same database, and its flush takes
    // these entries to the disk with it (the store writes in order); a crash before then loses the
    // entries and the change together, neither acknowledged, and the root unmoved
    const now = Date.now()
    const added = entries.map(e => ({ ...e, status: e.status ?? 'pending' as const, entry_id: crypto.randomUUID(), timestamp: now }))
    const seqs = await this.write([this.names.entries], options.durable === false ? 'relaxed' : 'strict', options.blocks, (tx) => {
      const store = tx.objectStore(this.names.entries)
      const keys = added.map(async (entry) => request(store.add(entry)))
      // a transaction that fails (a carried block could not be stored) fails these too: its own error is the one thrown
      for (const key of keys) key.catch(() => {})
      return keys
    })
    const keys = await Promise.all(seqs)
    return added.map((entry, i) => ({ ...entry, seq: Number(keys[i]) }))
  }

  async settle (transactionId: string, settlement: Settlement, root?: string, appended?: JournalEntry[], blocks?: CarriedBlock[]): Promise<void> {
    const settledAt = Date.now()
    await this.write([this.names.entries, this.names.meta], 'strict', blocks, (tx) => {
      if (root != null) tx.objectStore(this.names.meta).put(root, ROOT_KEY)
      const entries = tx.objectStore(this.names.entries)
      if (appended != null) {
        // written by their keys, all requests at once: a cursor's round trip per entry was most of a small change's settle
        for (const entry of appended) {
          if (entry.transaction_id === transactionId && entry.status === 'pending') entries.put({ ...entry, ...settlement, settled_at: settledAt })
        }
        return
      }
      const cursorRequest = entries.index('transaction_id').openCursor(IDBKeyRange.only(transactionId))
      cursorRequest.onsuccess = () => {
        const cursor = cursorRequest.result
        if (cursor == null) return
        const entry = cursor.value as JournalEntry
        if (entry.status === 'pending') cursor.update({ ...entry, ...settlement, settled_at: settledAt })
        cursor.continue()
      }
    })
  }

  async root (): Promise<string | undefined> {
    return request(this.transaction([this.names.meta], 'readonly').objectStore(this.names.meta).get(ROOT_KEY)) as Promise<string | undefined>
  }

  async entries (query: EntryQuery = {}): Promise<JournalEntry[]> {
    return selectEntries(await this.candidates(query), query)
  }

  async count (query: EntryQuery = {}): Promise<number> {
    // a status alone is answered by its index without reading any entry
    if (query.operation_type == null && query.path == null && query.since == null) {
      const store = this.transaction([this.names.entries], 'readonly').objectStore(this.names.entries)
      return request(query.status != null ? store.index('status').count(query.status) : store.count())
    }
    return (await this.candidates(query)).filter(entryMatcher(query)).length
  }

  /** The entries a query can match: those of its status (read through the index) or all of them. */
  private async candidates (query: EntryQuery): Promise<JournalEntry[]> {
    const store = this.transaction([this.names.entries], 'readonly').objectStore(this.names.entries)
    return request(query.status != null ? store.index('status').getAll(query.status) : store.getAll()) as Promise<JournalEntry[]>
  }

  async compact (beforeSeq: number): Promise<number> {
    const tx = this.transaction([this.names.entries], 'readwrite')
    const done = transactionDone(tx)
    let removed = 0
    const cursorRequest = tx.objectStore(this.names.entries).openCursor(IDBKeyRange.upperBound(beforeSeq, true))
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

  /** Takes in another journal's entries (their positions kept) and root, in one step: a journal moved here. */
  async restore (entries: JournalEntry[], root: string): Promise<void> {
    await this.write([this.names.entries, this.names.meta], 'strict', undefined, (tx) => {
      const store = tx.objectStore(this.names.entries)
      for (const entry of entries) store.put(entry)
      tx.objectStore(this.names.meta).put(root, ROOT_KEY)
    })
  }

  /** Closes the journal's own database; a shared one is its owner's to close. */
  async close (): Promise<void> {
    if (this.name == null) return
    this.db?.close()
    this.db = undefined
  }

  /** Runs `write` in a read-write transaction over `stores`, carrying `blocks` in it (a shared database only). */
  private async write<T> (stores: string[], durability: IDBTransactionDurability, blocks: CarriedBlock[] | undefined, write: (tx: IDBTransaction) => T): Promise<T> {
    if (blocks != null && blocks.length > 0) {
      if (this.carrier == null) throw new Error('this journal keeps no blocks: store them first')
      return this.carrier(blocks, stores, durability, write)
    }
    const tx = this.transaction(stores, 'readwrite', durability)
    const done = transactionDone(tx)
    let result: T
    try {
      result = write(tx)
    } catch (err) {
      // nothing of a write that failed half-way is kept
      done.catch(() => {})
      tx.abort()
      throw err
    }
    await done
    return result
  }

  private transaction (stores: string[], mode: IDBTransactionMode, durability: IDBTransactionDurability = mode === 'readwrite' ? 'strict' : 'default'): IDBTransaction {
    if (this.db == null) throw new Error('the journal database is not open')
    return this.db.transaction(stores, mode, { durability })
  }
}
