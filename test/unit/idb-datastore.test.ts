import 'fake-indexeddb/auto'
import { MemoryDatastore } from 'datastore-core'
import { IDBDatastore as LibraryDatastore } from 'datastore-idb'
import { Key } from 'interface-datastore'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { countPinRecords } from '../../src/node/models/ipfs/pin-records.ts'
import { IDBDatastore } from '../../src/node/stores/idb-datastore.ts'

const text = (value: Uint8Array): string => new TextDecoder().decode(value)

async function all<T> (source: AsyncIterable<T> | Iterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of source) out.push(item)
  return out
}
const bytesOf = (value: string): Uint8Array => new TextEncoder().encode(value)

describe('IDBDatastore', () => {
  let n = 0
  let store: IDBDatastore | undefined
  const open = async (name = `datastore-${++n}`): Promise<IDBDatastore> => {
    store = new IDBDatastore(name)
    await store.open()
    return store
  }
  afterEach(async () => { await store?.close() })

  it('reads what datastore-idb wrote in the same database, and it reads what this one writes', async () => {
    const name = `datastore-${++n}`
    const before = new LibraryDatastore(name)
    await before.open()
    await before.put(new Key('/pin/a'), bytesOf('pin a'))
    await before.put(new Key('/locals/filesroot'), bytesOf('root'))
    await before.close()
    const s = await open(name)
    expect(text(await s.get(new Key('/pin/a')))).toBe('pin a')
    expect((await all(s.queryKeys({}))).map(String)).toEqual(['/locals/filesroot', '/pin/a'])
    await s.put(new Key('/pin/b'), bytesOf('pin b'))
    await s.close()
    const after = new LibraryDatastore(name)
    await after.open()
    expect(text(await after.get(new Key('/pin/b')))).toBe('pin b')
    await after.close()
  })

  it('puts, gets, finds and deletes; a missing key is a NotFoundError', async () => {
    const s = await open()
    await s.put(new Key('/a'), bytesOf('one'))
    expect(text(await s.get(new Key('/a')))).toBe('one')
    expect(await s.has(new Key('/a'))).toBe(true)
    await s.delete(new Key('/a'))
    expect(await s.has(new Key('/a'))).toBe(false)
    await expect(s.get(new Key('/a'))).rejects.toMatchObject({ name: 'NotFoundError' })
    // a view is stored as its own bytes, not with the rest of its buffer
    const large = bytesOf('0123456789'.repeat(100))
    await s.put(new Key('/view'), large.subarray(10, 13))
    const stored = await s.get(new Key('/view'))
    expect(text(stored)).toBe('012')
    expect(stored.buffer.byteLength).toBe(3)
  })

  it('reads gets asked for together in one transaction', async () => {
    const s = await open()
    const batch = s.batch()
    for (let i = 0; i < 65; i++) batch.put(new Key(`/pinned-block/${i}`), bytesOf(`record ${i}`))
    await batch.commit()
    const transactions = vi.spyOn(IDBDatabase.prototype, 'transaction')
    const values = await Promise.all(Array.from({ length: 66 }, async (_, i) => s.get(new Key(`/pinned-block/${i}`)).then(text, (err: Error) => err.name)))
    const used = transactions.mock.calls.length
    transactions.mockRestore()
    expect(used).toBe(1)
    expect(values.slice(0, 65)).toEqual(Array.from({ length: 65 }, (_, i) => `record ${i}`))
    expect(values[65]).toBe('NotFoundError')
  })

  it('commits a batch whole, or fails it and keeps none of it', async () => {
    const s = await open()
    await s.put(new Key('/kept'), bytesOf('kept'))
    const batch = s.batch()
    batch.put(new Key('/x'), bytesOf('x'))
    batch.put(new Key('/y'), bytesOf('y'))
    batch.delete(new Key('/y'))
    batch.delete(new Key('/kept'))
    await batch.commit()
    expect(await all(s.queryKeys({}))).toEqual([new Key('/x')])

    const failing = s.batch()
    failing.put(new Key('/fine'), bytesOf('fine'))
    // a value IndexedDB cannot store: the whole batch fails
    failing.put(new Key('/bad'), (() => {}) as unknown as Uint8Array)
    failing.delete(new Key('/x'))
    await expect(failing.commit()).rejects.toMatchObject({ name: 'PutFailedError' })
    expect(await all(s.queryKeys({}))).toEqual([new Key('/x')])

    const aborted = s.batch()
    aborted.put(new Key('/late'), bytesOf('late'))
    await expect(aborted.commit({ signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' })
    expect(await s.has(new Key('/late'))).toBe(false)
  })

  it('deletes neighbouring keys as one range, before the batch\'s puts; one by one when another key came between them', async () => {
    const s = await open()
    const batch = s.batch()
    for (const name of ['a', 'b', 'c', 'd', 'e', 'f']) batch.put(new Key(`/r/${name}`), bytesOf(name))
    await batch.commit()
    const deletes = vi.spyOn(IDBObjectStore.prototype, 'delete')
    const ranges = (): number => deletes.mock.calls.filter(([query]) => query instanceof IDBKeyRange).length
    const neighbours = s.batch()
    neighbours.put(new Key('/r/c'), bytesOf('c again'))
    neighbours.deleteNeighbours([new Key('/r/d'), new Key('/r/b'), new Key('/r/c')])
    await neighbours.commit()
    expect(ranges()).toBe(1)
    expect((await all(s.queryKeys({}))).map(String)).toEqual(['/r/a', '/r/c', '/r/e', '/r/f'])
    expect(text(await s.get(new Key('/r/c')))).toBe('c again')

    // read as neighbours, but /r/c is stored between them: the two go, and it stays
    deletes.mockClear()
    const stale = s.batch()
    stale.deleteNeighbours([new Key('/r/a'), new Key('/r/e')])
    await stale.commit()
    expect([ranges(), deletes.mock.calls.length]).toEqual([0, 2])
    expect((await all(s.queryKeys({}))).map(String)).toEqual(['/r/c', '/r/f'])
    deletes.mockRestore()
  })

  it('reads a prefix\'s records in one transaction when there are few enough, and says when there are more', async () => {
    const s = await open()
    const batch = s.batch()
    for (let i = 0; i < 5; i++) batch.put(new Key(`/few/${i}`), bytesOf(`record ${i}`))
    batch.put(new Key('/other'), bytesOf('not under the prefix'))
    await batch.commit()
    const read = await s.readUnder('/few/', 5)
    expect(read?.map(({ key, value }) => `${key.toString()}=${text(value)}`)).toEqual([0, 1, 2, 3, 4].map(i => `/few/${i}=record ${i}`))
    expect(await s.readUnder('/few/', 4)).toBeUndefined()
    expect(await s.readUnder('/none/', 0)).toEqual([])
  })

  it('queries a prefix in one transaction, with filters, orders, offset and limit', async () => {
    const s = await open()
    const batch = s.batch()
    for (const key of ['/pin/c', '/pin/a', '/pin/b', '/pinned-block/a', '/peers/x']) batch.put(new Key(key), bytesOf(key))
    await batch.commit()
    const transactions = vi.spyOn(IDBDatabase.prototype, 'transaction')
    const pins = await all(s.query({ prefix: '/pin/' }))
    expect(transactions.mock.calls.length).toBe(1)
    transactions.mockRestore()
    expect(pins.map(p => [p.key.toString(), text(p.value)])).toEqual([['/pin/a', '/pin/a'], ['/pin/b', '/pin/b'], ['/pin/c', '/pin/c']])
    expect((await all(s.queryKeys({ prefix: '/pin' }))).map(String)).toEqual(['/pin/a', '/pin/b', '/pin/c', '/pinned-block/a'])
    const ordered = await all(s.query({
      prefix: '/pin/',
      filters: [(pair) => pair.key.toString() !== '/pin/b'],
      orders: [(a, b) => Math.sign(b.key.toString().localeCompare(a.key.toString())) as -1 | 0 | 1],
      offset: 1,
      limit: 1
    }))
    expect(ordered.map(p => p.key.toString())).toEqual(['/pin/a'])
  })
  it('counts the keys under a prefix, and only those, as pins are counted', async () => {
    const s = await open()
    for (const key of ['/pin/a', '/pin/b', '/pinned-block/x', '/pio', '/locals/filesroot']) await s.put(new Key(key), bytesOf(key))
    expect(await s.countKeys('/pin/')).toBe(2)
    expect(await countPinRecords(s)).toBe(2)
    // the fallback, for a datastore that cannot count: its keys read and counted
    const plain = new MemoryDatastore()
    for (const key of ['/pin/a', '/pin/b', '/pinned-block/x']) await plain.put(new Key(key), bytesOf(key))
    expect(await countPinRecords(plain)).toBe(2)
    await s.delete(new Key('/pin/a'))
    expect(await s.countKeys('/pin/')).toBe(1)
  })
})
