import { OpfsCacheFiles } from '../cache/cache-files.ts'
import { IDBCredentialStore } from '../credentials/credential-store.ts'
import { IDBJournalStore } from '../journal/idb-journal-store.ts'
import { WorkerJournalStore } from '../journal/worker-journal-store.ts'
import { IDBDatastore } from './idb-datastore.ts'
import { WorkerBlockstore } from './worker-blockstore.ts'
import type { MessageEndpoint } from './block-service.ts'
import type { NodeStores } from '../create-node.ts'

/** Where blocks are kept: IndexedDB (the default), or files in the origin private file system. */
export type BlockstoreKind = 'indexeddb' | 'opfs'

export const BLOCKSTORE_KINDS: readonly BlockstoreKind[] = ['indexeddb', 'opfs']

/**
 * Opens the node's persistent stores: the datastore and credentials in
 * IndexedDB; the blocks, from a dedicated worker (`worker`, started ahead by
 * startBlockWorker, or one started now), in IndexedDB or OPFS; the MFS
 * journal in the blocks' database when that is IndexedDB (so a change's
 * blocks and its entries share transactions), in one of its own beside OPFS;
 * the CID cache's files in OPFS.
 */
export async function openBrowserStores (prefix = 'mcp-node', blocks: BlockstoreKind = 'indexeddb', worker: Worker = startBlockWorker()): Promise<NodeStores> {
  const ownJournal = `${prefix}/journal`
  const blockstore = blocks === 'opfs'
    ? openWorkerBlockstore(worker, `opfs:${prefix}/blocks`)
    : openWorkerBlockstore(worker, `indexeddb:${prefix}/blocks`, ownJournal)
  const journal = blocks === 'opfs' ? new IDBJournalStore(ownJournal) : new WorkerJournalStore(blockstore)
  const datastore = new IDBDatastore(`${prefix}/datastore`)
  const credentials = new IDBCredentialStore(`${prefix}/credentials`)
  // the block database opens in its worker; a stat is the first request, and fails if it could not
  await Promise.all([blockstore.stat(), datastore.open(), journal instanceof IDBJournalStore ? journal.open() : undefined, credentials.open()])
  return { blockstore, datastore, journal, cacheFiles: new OpfsCacheFiles(`${prefix}/cid-cache`), credentials }
}

/**
 * Starts the blockstore's worker without opening a store: its thread and
 * script take tens of milliseconds to start, which a tab can spend while it
 * waits for the lock.
 */
export function startBlockWorker (): Worker {
  const worker = new Worker(new URL('./block-worker.ts', import.meta.url), { type: 'module', name: 'mcp-blocks' })
  // a worker whose script fails does so once, perhaps before its store is opened
  worker.addEventListener('error', (event) => { workerFailures.set(worker, new Error(`the blockstore's worker stopped: ${event.message ?? 'it could not be loaded'}`)) })
  return worker
}

const workerFailures = new WeakMap<Worker, Error>()

/**
 * `location`: `<kind>:<where>` (see block-worker.ts), also the store's
 * location as reported; `journalFrom`, the journal's database of its own, moved into the store's.
 */
function openWorkerBlockstore (worker: Worker, location: string, journalFrom?: string): WorkerBlockstore {
  const store = new WorkerBlockstore(worker as unknown as MessageEndpoint, location, { terminate: () => { worker.terminate() } })
  const failed = workerFailures.get(worker)
  if (failed != null) store.fail(failed)
  worker.addEventListener('error', () => { store.fail(workerFailures.get(worker) ?? new Error('the blockstore\'s worker stopped')) })
  worker.postMessage({ open: location, journalFrom })
  return store
}
