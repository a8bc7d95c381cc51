import { IDBDatastore } from 'datastore-idb'
import { IDBJournalStore } from '../journal/idb-journal-store.ts'
import { IDBRepoBlockstore } from './idb-blockstore.ts'
import type { NodeStores } from '../create-node.ts'

/** Opens the node's persistent stores in IndexedDB: blocks, the datastore, the MFS journal. */
export async function openBrowserStores (prefix = 'mcp-node'): Promise<NodeStores> {
  const blockstore = new IDBRepoBlockstore(`${prefix}/blocks`)
  const datastore = new IDBDatastore(`${prefix}/datastore`)
  const journal = new IDBJournalStore(`${prefix}/journal`)
  await Promise.all([blockstore.open(), datastore.open(), journal.open()])
  return { blockstore, datastore, journal }
}
