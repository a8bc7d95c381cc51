import { IDBDatastore } from 'datastore-idb'
import { OpfsCacheFiles } from '../cache/cache-files.ts'
import { IDBCredentialStore } from '../credentials/credential-store.ts'
import { IDBJournalStore } from '../journal/idb-journal-store.ts'
import { WorkerBlockstore } from './worker-blockstore.ts'
import type { MessageEndpoint } from './block-service.ts'
import type { NodeStores } from '../create-node.ts'

/** Where blocks are kept: IndexedDB (the default), or files in the origin private file system. */
export type BlockstoreKind = 'indexeddb' | 'opfs'

export const BLOCKSTORE_KINDS: readonly BlockstoreKind[] = ['indexeddb', 'opfs']

/**
 * Opens the node's persistent stores: the datastore, the MFS journal and
 * credentials in IndexedDB; the blocks, from a dedicated worker, in
 * IndexedDB or OPFS; the CID cache's files in OPFS.
 */
export async function openBrowserStores (prefix = 'mcp-node', blocks: BlockstoreKind = 'indexeddb'): Promise<NodeStores> {
  const blockstore = openWorkerBlockstore(blocks === 'opfs' ? `opfs:${prefix}/blocks` : `indexeddb:${prefix}/blocks`)
  const datastore = new IDBDatastore(`${prefix}/datastore`)
  const journal = new IDBJournalStore(`${prefix}/journal`)
  const credentials = new IDBCredentialStore(`${prefix}/credentials`)
  // the block database opens in its worker; a stat is the first request, and fails if it could not
  await Promise.all([blockstore.stat(), datastore.open(), journal.open(), credentials.open()])
  return { blockstore, datastore, journal, cacheFiles: new OpfsCacheFiles(`${prefix}/cid-cache`), credentials }
}

/** `name`: the worker's, `<kind>:<where>` (see block-worker.ts), also the store's location. */
function openWorkerBlockstore (name: string): WorkerBlockstore {
  const worker = new Worker(new URL('./block-worker.ts', import.meta.url), { type: 'module', name })
  const store = new WorkerBlockstore(worker as unknown as MessageEndpoint, name, { terminate: () => { worker.terminate() } })
  worker.addEventListener('error', (event) => {
    store.fail(new Error(`the blockstore's worker stopped: ${event.message ?? 'it could not be loaded'}`))
  })
  return store
}
