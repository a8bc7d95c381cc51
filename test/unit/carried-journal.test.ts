import 'fake-indexeddb/auto'
import { CID } from 'multiformats/cid'
import { afterEach, describe, expect, it } from 'vitest'
import { createNode, memoryStores } from '../../src/node/create-node.ts'
import { IDBJournalStore } from '../../src/node/journal/idb-journal-store.ts'
import { moveJournal, openBlocksWithJournal } from '../../src/node/journal/move-journal.ts'
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

  it('a write spliced into a large file stores what passes the held limit before its settle, and reads back right', async () => {
    const blocks = await openBlocks()
    const counting = countingPuts(blocks)
    const node = await createNode({ stores: storesOver(counting.store, blocks.journal()) })
    const large = bytes(6 * 1024 * 1024, 5)
    await node.mfs.write('/large.bin', large)
    const before = counting.puts()
    // with an offset, the whole file is imported again through the change's own writes
    await node.mfs.write('/large.bin', new TextEncoder().encode('patched'), { offset: 1000 })
    expect(counting.puts()).toBeGreaterThan(before)
    const expected = large.slice()
    expected.set(new TextEncoder().encode('patched'), 1000)
    expect(sameBytes(await readBytes(node.mfs, '/large.bin'), expected)).toBe(true)
    await node.stop()
  })

  it('a settle that fails leaves its transaction failed, not pending: a restart does not bring the write back', async () => {
    const blocks = await openBlocks()
    const journal = new CrashingSettle(blocks.journal())
    const refusing = Object.assign(Object.create(journal) as CrashingSettle, {
      // a settle carrying blocks is refused (the store is full, say); one without goes through
      settle: async (id: string, settlement: Settlement, root?: string, appended?: JournalEntry[], carried?: CarriedBlock[]) => {
        if (carried != null && carried.length > 0) throw new Error('the quota is exceeded')
        return journal.settle(id, settlement, root, appended)
      }
    })
    const node = await createNode({ stores: storesOver(blocks, refusing) })
    const root = node.mfs.root().toString()
    await expect(node.mfs.write('/refused.txt', new TextEncoder().encode('never acknowledged'))).rejects.toThrow(/quota/)
    expect(node.mfs.root().toString()).toBe(root)
    expect(await journal.entries({ operation_type: 'write' })).toMatchObject([{ path: '/refused.txt', status: 'failed', error: 'the quota is exceeded' }])
    await node.stop()
    const reopened = await openBlocks(blocks.location.slice('indexeddb:'.length))
    const again = await createNode({ stores: storesOver(reopened, reopened.journal()) })
    expect(again.mfs.recovery).toMatchObject({ pending_transactions: 0 })
    expect(again.mfs.root().toString()).toBe(root)
    await again.stop()
  })

  it('at most 16 writes hold their content at once: the others store it as they import', async () => {
    const blocks = await openBlocks()
    const counting = countingPuts(blocks)
    const node = await createNode({ stores: storesOver(counting.store, blocks.journal()) })
    const opened = counting.puts()
    await Promise.all(Array.from({ length: 20 }, async (_, i) => node.mfs.write(`/many/${i}.txt`, new TextEncoder().encode(`file ${i}`), { parents: true })))
    // one block of content each for the four past the limit
    expect(counting.puts() - opened).toBe(4)
    expect((await node.mfs.ls('/many')).length).toBe(20)
    await node.stop()
  })

  it('stores a carried view as its own bytes, not the buffer under it', async () => {
    const name = `carried-${++databases}`
    const blocks = await openBlocks(name)
    const whole = bytes(100_000, 6)
    const view = whole.subarray(10, 1010)
    const block = { cid: (await rawBlock('placeholder')).cid, bytes: view }
    await blocks.writeWith([block], [], 'strict', () => {})
    expect(await blocks.stat()).toEqual({ blocks: 1, bytes: 1000 })
    const db = await new Promise<IDBDatabase>((resolve, reject) => { const req = indexedDB.open(name); req.onsuccess = () => { resolve(req.result) }; req.onerror = () => { reject(req.error) } })
    const stored = await new Promise<Uint8Array>((resolve, reject) => {
      const req = db.transaction('blocks').objectStore('blocks').getAll()
      req.onsuccess = () => { resolve((req.result as Uint8Array[])[0]) }
      req.onerror = () => { reject(req.error) }
    })
    db.close()
    expect(stored.buffer.byteLength).toBe(1000)
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

describe('opening the block database with the journal', () => {
  async function oldJournal (from: string): Promise<void> {
    const old = new IDBJournalStore(from)
    await old.open()
    await old.settle('x', { status: 'completed' }, 'bafyoldroot')
    await old.close()
  }

  it('moves an earlier journal into a database that held blocks, and not into one created now', async () => {
    const kept = `open-${++databases}`
    await oldJournal(`${kept}/journal`)
    // no block database before: the journal beside it was an OPFS node's, and stays where it is
    const fresh = await openBlocksWithJournal(`${kept}/blocks`, `${kept}/journal`)
    expect(await fresh.journal().root()).toBeUndefined()
    expect((await indexedDB.databases()).map(d => d.name)).toContain(`${kept}/journal`)
    await fresh.close()
    // the same database opened again held blocks before: the journal moves
    const again = await openBlocksWithJournal(`${kept}/blocks`, `${kept}/journal`)
    expect(await again.journal().root()).toBe('bafyoldroot')
    expect((await indexedDB.databases()).map(d => d.name)).not.toContain(`${kept}/journal`)
    await again.close()
  })

  it('a move that fails fails the open, and says so', async () => {
    const name = `open-${++databases}`
    const first = await openBlocksWithJournal(`${name}/blocks`)
    await first.close()
    // a database of that name that is not a journal
    await new Promise<void>((resolve, reject) => {
      const req = indexedDB.open(`${name}/journal`, 1)
      req.onupgradeneeded = () => { req.result.createObjectStore('something-else') }
      req.onsuccess = () => { req.result.close(); resolve() }
      req.onerror = () => { reject(req.error) }
    })
    await expect(openBlocksWithJournal(`${name}/blocks`, `${name}/journal`)).rejects.toMatchObject({ name: 'OpenFailedError', message: expect.stringMatching(/could not move the MFS journal/) })
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
    // with no limit, everything is held
    const all = new HeldBlocks({ store, limit: Infinity })
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
