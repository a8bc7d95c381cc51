import 'fake-indexeddb/auto'
import { CID } from 'multiformats/cid'
import { afterEach, describe, expect, it } from 'vitest'
import { createNode, memoryStores } from '../../src/node/create-node.ts'
import { IDBJournalStore } from '../../src/node/journal/idb-journal-store.ts'
import { moveJournal } from '../../src/node/journal/move-journal.ts'
import { WorkerJournalStore } from '../../src/node/journal/worker-journal-store.ts'
import { HeldBlocks } from '../../src/node/models/mfs/held-blocks.ts'
import { serveBlockstore } from '../../src/node/stores/block-service.ts'
import { IDBRepoBlockstore } from '../../src/node/stores/idb-blockstore.ts'
import { MemoryRepoBlockstore } from '../../src/node/stores/memory-repo-blockstore.ts'
import { WorkerBlockstore } from '../../src/node/stores/worker-blockstore.ts'
import { readBlock } from '../../src/node/models/ipfs/dag-walker.ts'
import { bytes, rawBlock, sameBytes } from './helpers.ts'
import type { NodeStores } from '../../src/node/create-node.ts'
import type { MessageEndpoint } from '../../src/node/stores/block-service.ts'
import type { RepoBlockstore } from '../../src/node/stores/repo-blockstore.ts'
import type { CarriedBlock, JournalEntry, JournalStore, Settlement } from '../../src/node/journal/types.ts'
import type { Mfs } from '../../src/node/models/mfs/mfs.ts'

let databases = 0

async function openBlocks (name = `carried-${++databases}`): Promise<IDBRepoBlockstore> {
  const store = new IDBRepoBlockstore(name)
  await store.open()
  return store
}

/** Counts the puts that reach the blockstore itself, rather than going with the journal's writes. */
function countingPuts (store: IDBRepoBlockstore): { store: IDBRepoBlockstore, puts: () => number } {
  let puts = 0
  const counted = new Proxy(store, {
    get (target, prop) {
      if (prop === 'put') return async (...args: Parameters<IDBRepoBlockstore['put']>) => { puts++; return target.put(...args) }
      const value = Reflect.get(target, prop, target) as unknown
      return typeof value === 'function' ? value.bind(target) : value
    }
  })
  return { store: counted, puts: () => puts }
}

async function readBytes (mfs: Mfs, path: string): Promise<Uint8Array> {
  const chunks: Uint8Array[] = []
  for await (const c of (await mfs.read(path)).read().content) chunks.push(c)
  return new Uint8Array(await new Blob(chunks as BlobPart[]).arrayBuffer())
}

function storesOver (blockstore: RepoBlockstore, journal: JournalStore): NodeStores {
  return { ...memoryStores(), blockstore, journal }
}

/** The journal in the blocks' database, its settle "crashing" (the tab killed) when told to. */
class CrashingSettle implements JournalStore {
  readonly carriesBlocks = true
  crash = false
  private readonly inner: JournalStore

  constructor (inner: JournalStore) {
    this.inner = inner
  }

  append: JournalStore['append'] = async (...args) => this.inner.append(...args)
  async settle (transactionId: string, settlement: Settlement, root?: string, appended?: JournalEntry[], blocks?: CarriedBlock[]): Promise<void> {
    if (this.crash) throw new Error('crash: the tab died before settling')
    return this.inner.settle(transactionId, settlement, root, appended, blocks)
  }

  root: JournalStore['root'] = async () => this.inner.root()
  entries: JournalStore['entries'] = async (query) => this.inner.entries(query)
  count: JournalStore['count'] = async (query) => this.inner.count(query)
  compact: JournalStore['compact'] = async (seq) => this.inner.compact(seq)
  size: JournalStore['size'] = async () => this.inner.size()
  close: JournalStore['close'] = async () => this.inner.close()
}

describe('the journal in the blocks\' database', () => {
  it('a small write\'s blocks go with its journal transactions, none put on their own, and all of it is there on reopening', async () => {
    const blocks = await openBlocks()
    const counting = countingPuts(blocks)
    const node = await createNode({ stores: storesOver(counting.store, blocks.journal()) })
    // (the empty root directory, stored when the file system is first opened)
    const opened = counting.puts()
    const small = bytes(4000, 3)
    await node.mfs.write('/docs/small.bin', small, { parents: true })
    expect(counting.puts()).toBe(opened)
    // past the size a write holds, its content goes to the store as it is imported
    const large = bytes(3 * 1024 * 1024 + 5, 4)
    await node.mfs.write('/docs/large.bin', large)
    expect(counting.puts()).toBeGreaterThan(0)
    const root = node.mfs.root().toString()
    await node.stop()

    // the same store opened again gives a journal on the database it opened
    await blocks.open()
    expect(await blocks.journal().root()).toBe(root)
    await blocks.close()
    const reopened = await openBlocks(blocks.location.slice('indexeddb:'.length))
    expect(await reopened.journal().root()).toBe(root)
    const again = await createNode({ stores: storesOver(reopened, reopened.journal()) })
    expect(again.mfs.root().toString()).toBe(root)
    expect(sameBytes(await readBytes(again.mfs, '/docs/small.bin'), small)).toBe(true)
    expect(sameBytes(await readBytes(again.mfs, '/docs/large.bin'), large)).toBe(true)
    const completed = await reopened.journal().entries({ status: 'completed', operation_type: 'write' })
    expect(completed.map(e => e.path).sort()).toEqual(['/docs/large.bin', '/docs/small.bin'])
    await again.stop()
  })

  it('a write that crashed before settling is re-applied from its entries, its content stored with them', async () => {
    const blocks = await openBlocks()
    const journal = new CrashingSettle(blocks.journal())
    let node = await createNode({ stores: storesOver(blocks, journal) })
    await node.mfs.write('/kept.txt', new TextEncoder().encode('acknowledged'))
    const before = node.mfs.root().toString()
    journal.crash = true
    const content = bytes(10_000, 9)
    await expect(node.mfs.write('/crashed.bin', content)).rejects.toThrow(/crash/)
    expect(await journal.root()).toBe(before)
    const [pending] = await journal.entries({ status: 'pending' })
    expect(pending.path).toBe('/crashed.bin')
    // the content went with the entries, though nothing was put on its own
    expect(await blocks.has(CID.parse(String(pending.data.content_cid)))).toBe(true)
    await node.stop()

    const reopened = await openBlocks(blocks.location.slice('indexeddb:'.length))
    node = await createNode({ stores: storesOver(reopened, reopened.journal()) })
    expect(node.mfs.recovery).toMatchObject({ pending_transactions: 1, reapplied: 1 })
    expect(sameBytes(await readBytes(node.mfs, '/crashed.bin'), content)).toBe(true)
    expect(await reopened.journal().root()).toBe(node.mfs.root().toString())
    await node.stop()
  })

  it('blocks and the journal\'s writes commit together or not at all', async () => {
    const blocks = await openBlocks()
    const a = await rawBlock('kept with the entry')
    const b = await rawBlock('lost with the entry')
    await blocks.writeWith([a], ['journal-entries'], 'strict', (tx) => tx.objectStore('journal-entries').add({ seq: 1, status: 'pending', transaction_id: 't' }))
    expect(await blocks.has(a.cid)).toBe(true)
    // the same key again: the write fails, and takes the block with it
    await expect(blocks.writeWith([b], ['journal-entries'], 'strict', (tx) => tx.objectStore('journal-entries').add({ seq: 1, status: 'pending', transaction_id: 't' })))
      .rejects.toThrow(/could not store 1 blocks/)
    expect(await blocks.has(b.cid)).toBe(false)
    expect(await blocks.stat()).toEqual({ blocks: 1, bytes: a.bytes.byteLength })
  })

  it('an append whose carried block cannot be stored fails with that error and keeps no entry', async () => {
    const blocks = await openBlocks()
    const bad = await rawBlock('never stored')
    // a buffer handed away cannot be cloned into the store
    structuredClone(bad.bytes.buffer, { transfer: [bad.bytes.buffer] })
    await expect(blocks.journal().append([{ operation_type: 'write', path: '/x', data: {}, transaction_id: 't', origin: 'mfs' }], { blocks: [bad] }))
      .rejects.toThrow(/could not store 1 blocks/)
    expect(await blocks.journal().count()).toBe(0)
    expect(await blocks.has(bad.cid)).toBe(false)
  })

  it('moves a journal kept in a database of its own, positions and root kept, and deletes that database', async () => {
    const from = `moved-${++databases}/journal`
    const old = new IDBJournalStore(from)
    await old.open()
    await old.append([{ operation_type: 'checkpoint', path: '/', data: {}, transaction_id: 'c', origin: 'mfs', status: 'completed' }])
    const [write] = await old.append([{ operation_type: 'write', path: '/a.txt', data: { bytes: 1 }, transaction_id: 'w', origin: 'mfs' }])
    await old.settle('w', { status: 'completed', result_cid: 'bafyold' }, 'bafyold')
    const before = await old.entries({ ascending: true })
    await old.close()

    const blocks = await openBlocks()
    await moveJournal(from, blocks.journal())
    expect(await blocks.journal().root()).toBe('bafyold')
    expect(await blocks.journal().entries({ ascending: true })).toEqual(before)
    expect((await indexedDB.databases()).map(d => d.name)).not.toContain(from)
    // the next entry follows the moved ones
    const [next] = await blocks.journal().append([{ operation_type: 'delete', path: '/a.txt', data: {}, transaction_id: 'd', origin: 'mfs' }])
    expect(next.seq).toBeGreaterThan(write.seq)
    // nothing to move a second time
    await moveJournal(from, blocks.journal())
    expect(await blocks.journal().count()).toBe(3)
  })
})

describe('HeldBlocks', () => {
  it('holds blocks up to its limit, then sends them and what follows to the store, in order', async () => {
    const store = new MemoryRepoBlockstore()
    const held = new HeldBlocks({ store, limit: 20 })
    const [a, b, c] = await Promise.all(['ten bytes!', 'ten more!!', 'one too many'].map(rawBlock))
    await held.put(a.cid, a.bytes)
    await held.put(b.cid, b.bytes)
    expect(held.carried().map(x => x.cid.toString())).toEqual([a.cid, b.cid].map(String))
    expect(await store.has(a.cid)).toBe(false)
    await held.put(c.cid, c.bytes)
    expect(held.carried()).toEqual([])
    await held.drain()
    for (const x of [a, b, c]) expect(await readBlock(store, x.cid)).toEqual(x.bytes)
    // without a store, everything is held
    const all = new HeldBlocks()
    await all.put(c.cid, c.bytes)
    expect(all.unwrittenBlock(c.cid)).toEqual(c.bytes)
    expect(all.carried()).toHaveLength(1)
  })
})

describe('WorkerJournalStore', () => {
  let ports: MessagePort[] = []
  afterEach(() => { for (const p of ports) p.close() })

  function connect (inner: RepoBlockstore): { blocks: WorkerBlockstore, journal: WorkerJournalStore } {
    const channel = new MessageChannel()
    serveBlockstore(channel.port2 as unknown as MessageEndpoint, Promise.resolve(inner))
    const blocks = new WorkerBlockstore(channel.port1 as unknown as MessageEndpoint, 'test')
    channel.port1.start()
    channel.port2.start()
    ports = [channel.port1, channel.port2]
    return { blocks, journal: new WorkerJournalStore(blocks) }
  }

  it('appends and settles across the port, storing the blocks each carries', async () => {
    const { blocks, journal } = connect(await openBlocks())
    const content = await rawBlock('content with its entry')
    const directory = await rawBlock('a directory with the settle')
    const [entry] = await journal.append([{ operation_type: 'write', path: '/x', data: {}, transaction_id: 't', origin: 'mfs' }], { durable: false, blocks: [content] })
    expect(await readBlock(blocks, content.cid)).toEqual(content.bytes)
    await journal.settle('t', { status: 'completed', result_cid: 'bafynew' }, 'bafynew', [entry], [directory])
    expect(await readBlock(blocks, directory.cid)).toEqual(directory.bytes)
    expect(await journal.root()).toBe('bafynew')
    expect(await journal.entries()).toMatchObject([{ seq: entry.seq, status: 'completed', result_cid: 'bafynew' }])
    expect(await journal.count({ status: 'pending' })).toBe(0)
  })

  it('says so when the worker\'s store keeps no journal', async () => {
    const { journal } = connect(new MemoryRepoBlockstore())
    await expect(journal.root()).rejects.toThrow(/keep no journal/)
  })
})
