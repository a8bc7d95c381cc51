import { deleteDatabase } from '../stores/idb.ts'
import { IDBJournalStore } from './idb-journal-store.ts'

/**
 * Moves the journal an earlier version kept in a database of its own
 * (`from`) into `to`, the blocks' database: its entries (their positions
 * kept) and its root in one step, then deletes the old database. Once `to`
 * has a root, the old one is only deleted: a move that stopped after the
 * copy is finished so, and nothing is copied twice.
 */
export async function moveJournal (from: string, to: IDBJournalStore): Promise<void> {
  const existing = await indexedDB.databases()
  if (!existing.some(db => db.name === from)) return
  const old = new IDBJournalStore(from)
  await old.open()
  try {
    const root = await old.root()
    if (root != null && await to.root() == null) await to.restore(await old.entries({ ascending: true }), root)
  } finally {
    await old.close()
  }
  await deleteDatabase(from)
}
