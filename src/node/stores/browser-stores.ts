import { IDBDatastore } from 'datastore-idb'
import { OpfsCacheFiles } from '../cache/cache-files.ts'
import { IDBCredentialStore } from '../credentials/credential-store.ts'
import { IDBJournalStore } from '../journal/idb-journal-store.ts'
import { IDBRepoBlockstore } from './idb-blockstore.ts'
import type { NodeStores } from '../create-node.ts'

/** Opens the node's persistent stores: blocks, the datastore, the MFS journal and credentials in IndexedDB; the CID cache's files in OPFS. */
export async function openBrowserStores (prefix = 'mcp-node'): Promise<NodeStores> {
  const blockstore = new IDBRepoBlockstore(`${prefix}/blocks`)
  const datastore = new IDBDatastore(`${prefix}/datastore`)
  const journal = new IDBJournalStore(`${prefix}/journal`)
  const credentials = new IDBCredentialStore(`${prefix}/credentials`)
  await Promise.all([blockstore.open(), datastore.open(), journal.open(), credentials.open()])
  return { blockstore, datastore, journal, cacheFiles: new OpfsCacheFiles(`${prefix}/cid-cache`), credentials }
}
