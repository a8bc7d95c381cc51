import { BaseDatastore } from 'datastore-core'
import { Key } from 'interface-datastore'
import { DeleteFailedError, GetFailedError, NotFoundError, OpenFailedError } from 'interface-store'
import { openDatabase, request, transactionDone } from './idb.ts'
import { ownedBytes } from './repo-blockstore.ts'
import { writeFailure } from './write-failure.ts'
import type { AbortOptions } from 'abort-error'
import type { Batch, KeyQuery, Pair, Query } from 'interface-datastore'

/**
 * A batch that also deletes keys that are neighbours in key order as one
 * range: in Chromium, 11 000 small records went in 40–90 ms as a range and
 * in 0.8–1.2 s as a delete each.
 */
export interface NeighboursBatch extends Batch {
  /**
   * Deletes `keys`, neighbours when they were read, as one range if at commit
   * the range holds these keys and no other; else one by one, so a key
   * stored between them since stays. They go before the batch's puts.
   */
  deleteNeighbours(keys: Key[]): void
}

interface PendingGet {
  key: string
  done: PromiseWithResolvers<Uint8Array | undefined>
}

/** Every key that starts with `prefix` sorts from it up to it followed by the highest code unit. */
function keyRange (prefix: string | undefined): IDBKeyRange | undefined {
  return prefix == null || prefix === '' ? undefined : IDBKeyRange.bound(prefix, `${prefix}\uffff`)
}

/**
 * The node's datastore (pins, IPNS records, the peer store, the MFS root) in
 * IndexedDB, in the database and object store `datastore-idb` made (both
 * named after `name`, values kept as bytes under the key's string), which it
 * replaces because, in its 5.0.1:
 * - a batch one of whose writes fails, or whose signal aborts while it
 *   commits, is rolled back and then reported as committed;
 * - a query reads every key of the datastore, whatever its prefix, and then
 *   each value in a transaction of its own.
 * Here a batch's failure is its caller's, a query reads its prefix's range in
 * one transaction, and gets asked for in the same turn (a pin reads a record
 * for each of its blocks at once: 65 for a 64 MiB file) share one. A batch
 * can also delete neighbouring keys as one range (`NeighboursBatch`).
 */
export class IDBDatastore extends BaseDatastore {
  private readonly name: string
  private db?: IDBDatabase
  private gets: PendingGet[] = []

  constructor (name: string) {
    super()
    this.name = name
  }

  async open (): Promise<void> {
    try {
      this.db = await openDatabase(this.name, 1, (db) => {
        if (!db.objectStoreNames.contains(this.name)) db.createObjectStore(this.name)
      })
    } catch (err) {
      throw new OpenFailedError(`could not open the datastore ${this.name}: ${String(err)}`)
    }
  }

  async close (): Promise<void> {
    this.db?.close()
    this.db = undefined
  }

  async put (key: Key, val: Uint8Array, options?: AbortOptions): Promise<Key> {
    options?.signal?.throwIfAborted()
    try {
      const tx = this.transaction('readwrite')
      // a view would store its whole backing buffer
      tx.objectStore(this.name).put(ownedBytes(val), key.toString())
      await transactionDone(tx)
    } catch (err) {
      throw writeFailure(`could not store ${key}`, err)
    }
    return key
  }

  async get (key: Key, options?: AbortOptions): Promise<Uint8Array> {
    options?.signal?.throwIfAborted()
    const pending: PendingGet = { key: key.toString(), done: Promise.withResolvers() }
    this.gets.push(pending)
    if (this.gets.length === 1) queueMicrotask(() => { this.readGets() })
    const value = await pending.done.promise
    if (value == null) throw new NotFoundError(`${key} is not in the datastore`)
    return value
  }

  /** The gets asked for in this turn, in one transaction. */
  private readGets (): void {
    const gets = this.gets
    this.gets = []
    let store: IDBObjectStore
    try {
      store = this.transaction('readonly').objectStore(this.name)
    } catch (err) {
      for (const get of gets) get.done.reject(new GetFailedError(String(err)))
      return
    }
    for (const get of gets) {
      request(store.get(get.key) as IDBRequest<Uint8Array | undefined>).then(get.done.resolve, (err: unknown) => { get.done.reject(new GetFailedError(`could not read ${get.key}: ${String(err)}`)) })
    }
  }

  async has (key: Key, options?: AbortOptions): Promise<boolean> {
    options?.signal?.throwIfAborted()
    try {
      return (await request(this.transaction('readonly').objectStore(this.name).getKey(key.toString()))) != null
    } catch (err) {
      throw new GetFailedError(`could not look for ${key}: ${String(err)}`)
    }
  }

  async delete (key: Key, options?: AbortOptions): Promise<void> {
    options?.signal?.throwIfAborted()
    try {
      const tx = this.transaction('readwrite')
      tx.objectStore(this.name).delete(key.toString())
      await transactionDone(tx)
    } catch (err) {
      throw new DeleteFailedError(`could not delete ${key}: ${String(err)}`)
    }
  }

  /**
   * Puts and deletes in one transaction: all of them are stored, or none, and
   * a failure is the committer's. Its neighbours are deleted before its puts
   * and deletes are made, whatever the order they were asked for in.
   */
  batch (): NeighboursBatch {
    const puts = new Map<string, Uint8Array>()
    const deletes = new Set<string>()
    const neighbours: string[][] = []
    return {
      deleteNeighbours (keys: Key[]) {
        if (keys.length > 0) neighbours.push(keys.map(String).sort())
      },
      put (key: Key, value: Uint8Array) {
        deletes.delete(key.toString())
        puts.set(key.toString(), value)
      },
      delete (key: Key) {
        puts.delete(key.toString())
        deletes.add(key.toString())
      },
      commit: async (options?: AbortOptions) => {
        options?.signal?.throwIfAborted()
        const tx = this.transaction('readwrite')
        const done = transactionDone(tx)
        // a write that throws aborts the transaction, which fails `done` too: the write's error is the one reported
        done.catch(() => {})
        let failure: unknown
        const write = (): void => {
          try {
            const store = tx.objectStore(this.name)
            for (const [key, value] of puts) store.put(ownedBytes(value), key)
            for (const key of deletes) store.delete(key)
          } catch (err) {
            failure = err
            try { tx.abort() } catch {}
          }
        }
        try {
          this.deleteNeighbours(tx, neighbours, write)
          await done
        } catch (err) {
          throw writeFailure(`could not write a batch of ${puts.size} puts, ${deletes.size} deletes and ${neighbours.length} runs of neighbours`, failure ?? err)
        }
      }
    }
  }

  /** Deletes each run of neighbours in `tx` (NeighboursBatch), then calls `then`, still in the transaction. */
  private deleteNeighbours (tx: IDBTransaction, runs: string[][], then: () => void): void {
    if (runs.length === 0) {
      then()
      return
    }
    const store = tx.objectStore(this.name)
    let left = runs.length
    for (const run of runs) {
      const range = IDBKeyRange.bound(run[0], run[run.length - 1])
      const held = store.getAllKeys(range)
      held.onsuccess = () => {
        const keys = held.result as string[]
        if (keys.length === run.length && keys.every((key, i) => key === run[i])) store.delete(range)
        else for (const key of run) store.delete(key)
        if (--left === 0) then()
      }
    }
  }

  async * _all (q: Query, options?: AbortOptions): AsyncGenerator<Pair> {
    const { keys, values } = await this.range(q.prefix, true, options)
    for (let i = 0; i < keys.length; i++) yield { key: new Key(keys[i]), value: values![i] }
  }

  async * _allKeys (q: KeyQuery, options?: AbortOptions): AsyncGenerator<Key> {
    const { keys } = await this.range(q.prefix, false, options)
    for (const key of keys) yield new Key(key)
  }

  /** How many keys start with `prefix`, counted by IndexedDB without reading them. */
  async countKeys (prefix: string, options?: AbortOptions): Promise<number> {
    options?.signal?.throwIfAborted()
    try {
      return await request(this.transaction('readonly').objectStore(this.name).count(keyRange(prefix)))
    } catch (err) {
      throw new GetFailedError(`could not count the datastore's keys under ${prefix}: ${String(err)}`)
    }
  }

  /**
   * Every key and value under `prefix`, read in one transaction, when there
   * are at most `atMost` of them; else nothing, and no more than one past
   * `atMost` read.
   */
  async readUnder (prefix: string, atMost: number, options?: AbortOptions): Promise<Pair[] | undefined> {
    const { keys, values } = await this.range(prefix, true, options, atMost + 1)
    if (keys.length > atMost) return undefined
    return keys.map((key, i) => ({ key: new Key(key), value: values![i] }))
  }

  /** The keys (and values) under `prefix`, read in one transaction, in key order; the first `count` of them if given. */
  private async range (prefix: string | undefined, withValues: boolean, options?: AbortOptions, count?: number): Promise<{ keys: string[], values?: Uint8Array[] }> {
    options?.signal?.throwIfAborted()
    const range = keyRange(prefix)
    try {
      const store = this.transaction('readonly').objectStore(this.name)
      const [keys, values] = await Promise.all([
        request(store.getAllKeys(range, count)) as Promise<string[]>,
        withValues ? request(store.getAll(range, count)) as Promise<Uint8Array[]> : undefined
      ])
      return { keys, values }
    } catch (err) {
      throw new GetFailedError(`could not read the datastore under ${prefix ?? '/'}: ${String(err)}`)
    }
  }

  private transaction (mode: IDBTransactionMode): IDBTransaction {
    if (this.db == null) throw new OpenFailedError('the datastore is not open')
    return this.db.transaction(this.name, mode)
  }
}
