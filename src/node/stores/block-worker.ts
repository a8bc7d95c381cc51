/// <reference lib="webworker" />
/**
 * The dedicated worker the page's blockstore runs in: IndexedDB's writes
 * (serializing each value) and reads (deserializing it) happen here, beside
 * the page's thread rather than on it (a 64 MiB add spent 0.7 s of its
 * page's time inside IndexedDB's put alone, measured in Chromium 156); and
 * the OPFS store needs a worker for its synchronous access handles.
 * It opens its store when the page asks, `{ open: '<kind>:<where>' }`
 * (`indexeddb:<database>` or `opfs:<directory path>`; an IndexedDB store
 * keeps the MFS journal too, moved from `journalFrom`): a tab starts the
 * worker while it still waits to lead, so the worker's own start is not
 * part of the node's.
 */
import { openBlocksWithJournal } from '../journal/move-journal.ts'
import { serveBlockstore } from './block-service.ts'
import { OpfsRepoBlockstore } from './opfs-blockstore.ts'
import type { MessageEndpoint } from './block-service.ts'
import type { RepoBlockstore } from './repo-blockstore.ts'

declare const self: DedicatedWorkerGlobalScope

/** `journalFrom`: the database of its own an earlier version kept the MFS journal in, moved into an IndexedDB store's. */
async function openStore (name: string, journalFrom?: string): Promise<RepoBlockstore> {
  const [kind, ...rest] = name.split(':')
  const path = rest.join(':')
  if (kind === 'opfs') {
    const store = new OpfsRepoBlockstore(path)
    await store.open()
    return store
  }
  return openBlocksWithJournal(path, journalFrom)
}

const opened = new Promise<RepoBlockstore>((resolve, reject) => {
  const onOpen = (event: MessageEvent<{ open?: unknown, journalFrom?: unknown }>): void => {
    if (typeof event.data?.open !== 'string') return
    self.removeEventListener('message', onOpen)
    const journalFrom = typeof event.data.journalFrom === 'string' ? event.data.journalFrom : undefined
    openStore(event.data.open, journalFrom).then(resolve, reject)
  }
  self.addEventListener('message', onOpen)
})

serveBlockstore(self as unknown as MessageEndpoint, opened)
