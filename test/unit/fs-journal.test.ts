import 'fake-indexeddb/auto'
import { CID } from 'multiformats/cid'
import { describe, expect, it } from 'vitest'
import { createNode, memoryStores } from '../../src/node/create-node.ts'
import { FsJournal } from '../../src/node/journal/fs-journal.ts'
import { IDBJournalStore } from '../../src/node/journal/idb-journal-store.ts'
import { MemoryJournalStore } from '../../src/node/journal/memory-journal-store.ts'
import { WorkerJournalStore } from '../../src/node/journal/worker-journal-store.ts'
import { serveBlockstore } from '../../src/node/stores/block-service.ts'
import { IDBRepoBlockstore } from '../../src/node/stores/idb-blockstore.ts'
import { WorkerBlockstore } from '../../src/node/stores/worker-blockstore.ts'
import type { MessageEndpoint } from '../../src/node/stores/block-service.ts'
import type { NodeStores } from '../../src/node/create-node.ts'
import type { JournalStore, NewEntry, Settlement } from '../../src/node/journal/types.ts'
import type { Mfs } from '../../src/node/models/mfs/mfs.ts'

/** A journal store that "crashes" (throws and stops settling) at a chosen step, like a tab killed there. */
class CrashingStore extends MemoryJournalStore {
  crashAfter?: 'journaled' | 'applied'

  override async append (entries: NewEntry[]): ReturnType<MemoryJournalStore['append']> {
    const added = await super.append(entries)
    if (this.crashAfter === 'journaled' && entries.some(e => e.origin === 'mfs' && e.status == null)) throw new Error('crash: the tab died after journaling')
    return added
  }

  override async settle (transactionId: string, settlement: Settlement, root?: string): Promise<void> {
    if (this.crashAfter != null) throw new Error('crash: the tab died before settling')
    return super.settle(transactionId, settlement, root)
  }
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s)

async function readText (mfs: Mfs, path: string): Promise<string> {
  const chunks: Uint8Array[] = []
  for await (const c of (await mfs.read(path)).read().content) chunks.push(c)
  return new TextDecoder().decode(new Uint8Array(await new Blob(chunks as BlobPart[]).arrayBuffer()))
}

async function withStores (): Promise<{ stores: NodeStores, journal: CrashingStore }> {
  const journal = new CrashingStore()
  return { stores: { ...memoryStores(), journal }, journal }
}

describe('journal recovery', () => {
  it('re-applies a write that crashed between journaled and applied', async () => {
    const { stores, journal } = await withStores()
    let node = await createNode({ stores })
    await node.mfs.write('/kept.txt', text('acknowledged'))
    const rootBefore = node.mfs.root().toString()
    journal.crashAfter = 'journaled'
    await expect(node.mfs.write('/crashed.txt', text('in flight'))).rejects.toThrow(/crash/)
    expect(await journal.root()).toBe(rootBefore)
    expect((await journal.entries({ status: 'pending' })).map(e => e.path)).toEqual(['/crashed.txt'])
    await node.stop()

    journal.crashAfter = undefined
    node = await createNode({ stores })
    expect(node.mfs.recovery).toMatchObject({ pending_transactions: 1, reapplied: 1, rolled_back: 0 })
    expect(await readText(node.mfs, '/crashed.txt')).toBe('in flight')
    expect(await readText(node.mfs, '/kept.txt')).toBe('acknowledged')
    expect(await journal.entries({ status: 'pending' })).toEqual([])
    const settled = (await journal.entries()).find(e => e.path === '/crashed.txt')!
    expect(settled).toMatchObject({ status: 'completed', result_cid: node.mfs.root().toString() })
    await node.stop()
  })

  it('completes a move that crashed between applied and completed, both halves together', async () => {
    const { stores, journal } = await withStores()
    let node = await createNode({ stores })
    await node.mfs.write('/from.txt', text('moving'))
    journal.crashAfter = 'applied'
    await expect(node.mfs.mv('/from.txt', '/to.txt')).rejects.toThrow(/crash/)
    // the new tree was built, but the root never moved: nothing half-done is visible
    expect((await node.mfs.ls('/')).map(e => e.name)).toEqual(['from.txt'])
    await node.stop()

    journal.crashAfter = undefined
    node = await createNode({ stores })
    expect(node.mfs.recovery?.actions[0]).toMatchObject({ action: 'reapplied', operations: ['copy /to.txt', 'delete /from.txt'] })
    expect((await node.mfs.ls('/')).map(e => e.name)).toEqual(['to.txt'])
    expect(await readText(node.mfs, '/to.txt')).toBe('moving')
    await node.stop()
  })

  it('rolls back a transaction whose inputs are gone, leaving the tree as it was', async () => {
    const { stores, journal } = await withStores()
    let node = await createNode({ stores })
    await node.mfs.write('/stays.txt', text('stays'))
    journal.crashAfter = 'journaled'
    await expect(node.mfs.write('/lost.txt', text('content that vanishes'))).rejects.toThrow(/crash/)
    const [pending] = await journal.entries({ status: 'pending' })
    await stores.blockstore.delete(CID.parse(String(pending.data.content_cid)))
    await node.stop()

    journal.crashAfter = undefined
    node = await createNode({ stores })
    expect(node.mfs.recovery).toMatchObject({ reapplied: 0, rolled_back: 1 })
    expect((await node.mfs.ls('/')).map(e => e.name)).toEqual(['stays.txt'])
    expect((await journal.entries()).find(e => e.path === '/lost.txt')).toMatchObject({ status: 'rolled_back' })
    await node.stop()
  })

  it('a failed change is journaled as failed and changes nothing', async () => {
    const node = await createNode({ stores: memoryStores() })
    const root = node.mfs.root().toString()
    await expect(node.mfs.rm('/absent')).rejects.toMatchObject({ name: 'PathNotFoundError' })
    expect(node.mfs.root().toString()).toBe(root)
    const [entry] = await node.mfs.journal.entries({ limit: 1 })
    expect(entry).toMatchObject({ operation_type: 'delete', path: '/absent', status: 'failed' })
    expect(entry.error).toMatch(/does not exist/)
    await node.stop()
  })
})

describe('FsJournal', () => {
  it('rolls back application entries left pending, and reports counts', async () => {
    const journal = new FsJournal(new MemoryJournalStore())
    await journal.record({ operation_type: 'mount', path: '/mnt/s3', data: { backend: 's3' }, status: 'pending' })
    await journal.record({ operation_type: 'unmount', path: '/mnt/s3', data: {} })
    const report = await journal.recover(async () => { throw new Error('never called for application entries') })
    expect(report).toMatchObject({ pending_transactions: 1, rolled_back: 1 })
    const stats = await journal.stats()
    expect(stats.by_operation_type).toMatchObject({ mount: { rolled_back: 1 }, unmount: { completed: 1 } })
  })

  it('checkpoints record the root and compact settled entries older than the kept checkpoints', async () => {
    const store = new MemoryJournalStore()
    const journal = new FsJournal(store, { checkpointEvery: 3, keepCheckpoints: 1 })
    await journal.initialize('bafyroot0')
    for (let i = 1; i <= 7; i++) {
      await journal.run([{ operation_type: 'write', path: `/f${i}`, data: {} }], `bafyroot${i - 1}`, async () => `bafyroot${i}`)
    }
    const entries = await store.entries({ ascending: true })
    // automatic checkpoints after the 3rd and 6th transactions; only the last is kept, with what follows it
    expect(entries.map(e => e.operation_type === 'checkpoint' ? `checkpoint@${e.result_cid ?? ''}` : e.path)).toEqual(['checkpoint@bafyroot6', '/f7'])
    const status = await journal.status()
    expect(status).toMatchObject({ root_cid: 'bafyroot7', last_checkpoint: { root_cid: 'bafyroot6' } })
  })
})

let databases = 0
const stores: Array<[string, () => Promise<JournalStore>]> = [
  ['MemoryJournalStore', async () => new MemoryJournalStore()],
  ['IDBJournalStore', async () => {
    const store = new IDBJournalStore(`journal-query-${++databases}`)
    await store.open()
    return store
  }],
  ['IDBJournalStore in the blocks\' database', async () => {
    const blocks = new IDBRepoBlockstore(`journal-query-blocks-${++databases}`)
    await blocks.open()
    return blocks.journal()
  }],
  ['WorkerJournalStore', async () => {
    const blocks = new IDBRepoBlockstore(`journal-query-worker-${++databases}`)
    const channel = new MessageChannel()
    serveBlockstore(channel.port2 as unknown as MessageEndpoint, blocks.open().then(() => blocks))
    const store = new WorkerJournalStore(new WorkerBlockstore(channel.port1 as unknown as MessageEndpoint, 'test'))
    channel.port1.start()
    channel.port2.start()
    return Object.assign(store, { close: async () => { channel.port1.close(); channel.port2.close() } })
  }]
]

describe.each(stores)('%s queries', (_name, open) => {
  /** Seqs 1..6: a checkpoint, writes under /a (one failed), a write to a sibling /ab, a delete of /a, a mount. */
  async function seeded (): Promise<{ journal: FsJournal, store: JournalStore }> {
    const store = await open()
    const journal = new FsJournal(store)
    // first, so that the compaction a checkpoint does has nothing older to remove
    await journal.checkpoint('test')
    await journal.record({ operation_type: 'write', path: '/a/one.txt', data: {} })
    await journal.record({ operation_type: 'write', path: '/a/deep/two.txt', data: {}, status: 'failed' })
    await journal.record({ operation_type: 'write', path: '/ab/three.txt', data: {} })
    await journal.record({ operation_type: 'delete', path: '/a', data: {} })
    await journal.record({ operation_type: 'mount', path: '/mnt/x', data: {} })
    return { journal, store }
  }
  const seqs = (entries: Array<{ seq: number }>): number[] => entries.map(e => e.seq)

  it('filters by operation type, newest first', async () => {
    const { journal, store } = await seeded()
    expect(seqs(await journal.entries({ operation_type: 'write' }))).toEqual([4, 3, 2])
    expect(seqs(await journal.entries({ operation_type: 'checkpoint' }))).toEqual([1])
    expect(await store.count({ operation_type: 'write', status: 'completed' })).toBe(2)
    await store.close()
  })

  it('filters by path: the path itself and what lies under it, not a sibling sharing its prefix', async () => {
    const { journal, store } = await seeded()
    expect(seqs(await journal.entries({ path: '/a' }))).toEqual([5, 3, 2])
    expect(seqs(await journal.entries({ path: '/a/' }))).toEqual([5, 3, 2])
    expect(seqs(await journal.entries({ path: '/a/deep/two.txt' }))).toEqual([3])
    expect(seqs(await journal.entries({ path: '/ab' }))).toEqual([4])
    expect(await store.count({ path: '/' })).toBe(6)
    expect(await journal.entries({ path: '/nowhere' })).toEqual([])
    await store.close()
  })

  it('a change settles its own entries and moves the root; a failed one leaves the root and the others as they were', async () => {
    const { journal, store } = await seeded()
    const before = await store.entries({ ascending: true })
    const root = await journal.run([
      { operation_type: 'write', path: '/b/one.txt', data: {} },
      { operation_type: 'write', path: '/b/two.txt', data: {} }
    ], 'bafy-base', async () => 'bafy-after')
    await expect(journal.run([{ operation_type: 'delete', path: '/b', data: {} }], root, async () => { throw new Error('the disk is full') })).rejects.toThrow('the disk is full')
    expect(root).toBe('bafy-after')
    expect(await store.root()).toBe('bafy-after')
    const after = await store.entries({ ascending: true })
    // the earlier entries untouched
    expect(after.slice(0, before.length)).toEqual(before)
    expect(after.slice(before.length).map(e => ({ seq: e.seq, path: e.path, status: e.status, result_cid: e.result_cid, base_root: e.base_root, settled: typeof e.settled_at === 'number', error: e.error }))).toEqual([
      { seq: 7, path: '/b/one.txt', status: 'completed', result_cid: 'bafy-after', base_root: 'bafy-base', settled: true, error: undefined },
      { seq: 8, path: '/b/two.txt', status: 'completed', result_cid: 'bafy-after', base_root: 'bafy-base', settled: true, error: undefined },
      { seq: 9, path: '/b', status: 'failed', result_cid: undefined, base_root: 'bafy-after', settled: true, error: 'the disk is full' }
    ])
    expect(await store.count({ status: 'pending' })).toBe(0)
    await store.close()
  })

  it('pages with offset and limit, and counts every match', async () => {
    const { journal, store } = await seeded()
    expect(await journal.page({ offset: 0, limit: 4 }).then(p => ({ seqs: seqs(p.entries), total: p.total }))).toEqual({ seqs: [6, 5, 4, 3], total: 6 })
    expect(await journal.page({ offset: 4, limit: 4 }).then(p => ({ seqs: seqs(p.entries), total: p.total }))).toEqual({ seqs: [2, 1], total: 6 })
    expect(await journal.page({ offset: 10, limit: 4 }).then(p => ({ seqs: seqs(p.entries), total: p.total }))).toEqual({ seqs: [], total: 6 })
    const writes = await journal.page({ operation_type: 'write', path: '/a', offset: 1, limit: 1 })
    expect({ seqs: seqs(writes.entries), total: writes.total }).toEqual({ seqs: [2], total: 2 })
    expect(seqs(await store.entries({ ascending: true, offset: 2, limit: 2 }))).toEqual([3, 4])
    await store.close()
  })
})
