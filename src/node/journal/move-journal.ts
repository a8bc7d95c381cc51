import { OpenFailedError } from 'interface-store'
import { IDBRepoBlockstore } from '../stores/idb-blockstore.ts'
import { deleteDatabase } from '../stores/idb.ts'
import { IDBJournalStore } from './idb-journal-store.ts'

/**
 * Opens the block database `name`, the MFS journal's home, moving into it
 * the journal an earlier version kept in `journalFrom`: only into a database
 * that held blocks before, for a journal beside none was an OPFS node's,
 * whose root names blocks that are not here. A move that fails is the
 * open's failure, said so, rather than a node started without its tree.
 */
export async function openBlocksWithJournal (name: string, journalFrom?: string): Promise<IDBRepoBlockstore> {
  const store = new IDBRepoBlockstore(name)
  await store.open()
  if (journalFrom == null || store.createdNow) return store
  try {
    await moveJournal(journalFrom, store.journal())
  } catch (err) {
    await store.close().catch(() => {})
    throw new OpenFailedError(`could not move the MFS journal from ${journalFrom} into the block database: ${String(err)}`)
  }
  return store
}

/**
 * Moves the journal an earlier version kept in a database of its own
 * (`from`) into `to`, the blocks' database: its entries (their positions
 * kept) and its root in one step, then deletes the old database. Once `to`
 * has a root, the old one is only deleted: a move that stopped after the
 * copy is finished so, and nothing is copied twice.
 */
export async function moveJournal (from: string, to: IDBJournalStore): Promise<void> {
  // (a browser that cannot list its databases opens the old one anyway: an empty one is deleted below)
  const existing = typeof indexedDB.databases === 'function' ? await indexedDB.databases() : undefined
  if (existing != null && !existing.some(db => db.name === from)) return
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
