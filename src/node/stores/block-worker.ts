/// <reference lib="webworker" />
/**
 * The dedicated worker the page's blockstore runs in: IndexedDB's writes
 * (serializing each value) and reads (deserializing it) happen here, beside
 * the page's thread rather than on it. A 64 MiB add spent 0.7 s of its
 * page's time inside IndexedDB's put alone (measured, Chromium 156).
 * The worker's name is the database's.
 */
import { serveBlockstore } from './block-service.ts'
import { IDBRepoBlockstore } from './idb-blockstore.ts'
import type { MessageEndpoint } from './block-service.ts'

declare const self: DedicatedWorkerGlobalScope

const store = new IDBRepoBlockstore(self.name, { pieceBytes: Infinity })
serveBlockstore(self as unknown as MessageEndpoint, store.open().then(() => store))
