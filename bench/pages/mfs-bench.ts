// What the file-system journal costs: the same small MFS writes with the
// journal in IndexedDB, as the app runs it, and with a journal that keeps
// nothing (a memory store), on the same IndexedDB blockstore.
import { createNode } from '../../src/node/create-node.ts'
import { MemoryJournalStore } from '../../src/node/journal/memory-journal-store.ts'
import { openBrowserStores } from '../../src/node/stores/browser-stores.ts'
import { deleteDatabases, removeOpfs } from './bench-util.ts'

/** Ms for `n` writes of 100 bytes each, into one directory. */
export async function mfsWrites (n: number, journaled: boolean): Promise<number> {
  const prefix = `bench-mfs-${crypto.randomUUID()}`
  const stores = await openBrowserStores(prefix)
  if (!journaled) {
    await stores.journal.close()
    stores.journal = new MemoryJournalStore()
  }
  const node = await createNode({ stores })
  try {
    const content = new Uint8Array(100)
    const t = performance.now()
    for (let i = 0; i < n; i++) {
      content[0] = i & 0xff
      content[1] = i >> 8
      await node.mfs.write(`/bench/file-${i}.txt`, content, { parents: true, create: true })
    }
    await node.blockstore.flush()
    return performance.now() - t
  } finally {
    await node.stop()
    await deleteDatabases(prefix)
    await removeOpfs(prefix)
  }
}
