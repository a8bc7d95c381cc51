import { BaseBlockstore } from 'blockstore-core'
import { NotFoundError, OpenFailedError } from 'interface-store'
import { CID } from 'multiformats/cid'
import { openDatabase, request, transactionDone } from './idb.ts'
import { blockBytes, blockKey, cidOfKey, ownedBytes } from './repo-blockstore.ts'
import { writeFailure } from './write-failure.ts'
import { releaseBuffer } from '../../buffers.ts'
import { createJournalStores, IDBJournalStore } from '../journal/idb-journal-store.ts'
import type { BlockBlob, RepoBlockstore, RepoStat } from './repo-blockstore.ts'
import type { JournalObjectStores } from '../journal/idb-journal-store.ts'
import type { CarriedBlock } from '../journal/types.ts'
import type { AbortOptions } from 'abort-error'
import type { Pair } from 'interface-blockstore'

export interface IDBRepoBlockstoreInit {
  /** Commit a batch once this many blocks are waiting. */
  batchBlocks?: number
  /** ...or once this many bytes are waiting. */
  batchBytes?: number
  /** Blocks larger than this are stored as a Blob (tests make it small). */
  blobBytes?: number
}

const BLOCKS = 'blocks'
const META = 'meta'
/** The second and later pieces of blocks an earlier version stored in pieces, keyed `<block key>/<index>`. */
const PIECES = 'pieces'
/** 3: the MFS journal's stores, which live here so a change's blocks and its journal entries share a transaction. */
const SCHEMA_VERSION = 3
/** The journal's object stores in this database. */
const JOURNAL_STORES: JournalObjectStores = { entries: 'journal-entries', meta: 'journal-meta' }
/**
 * Blocks larger than this are stored as a Blob. Chromium writes a 1 MiB
 * Uint8Array value at half the rate of four 256 KiB ones, and an earlier
 * version stored large blocks in 256 KiB pieces for that. A Blob value is
 * kept in a file of its own: 1 MiB Blobs were put at 1.0–1.8× the rate of
 * 256 KiB pieces, and 128–256 KiB Blobs at about the rate of such values;
 * all were read back at about twice the rate, and the Blob a read gives is
 * a reference the browser reads itself, so a reply can be made of the
 * blocks' Blobs (file-blob.ts) without any thread of ours reading the bytes
 * (measured, Chromium 156, 64 MiB of random blocks, profile on disk). The
 * leaves of Helia's profile (1 MiB) and of Kubo's (256 KiB) are above it.
 * Below it a block stays bytes: a file each for small blocks (directories,
 * small files) would cost more than it saves.
 */
const DEFAULT_BLOB_BYTES = 128 * 1024
/**
 * Lookups asked for in one turn from which `has` reads the keys between the
 * first and the last of them in one request, rather than a request each. In
 * Chromium, 8593 lookups of a pin's leaves took 330–360 ms one request
 * each; the 11 000 keys of the store they were in are read in 15–20 ms.
 */
const RANGE_LOOKUPS = 32
/** Keys read per lookup at most: when the range holds more, each is looked up after all. */
const KEYS_READ_PER_LOOKUP = 4
const STAT_KEY = 'stat'
const DEFAULT_BATCH_BLOCKS = 16
const DEFAULT_BATCH_BYTES = 16 * 1024 * 1024
/**
 * Write transactions running at once. IndexedDB runs them one after
 * another, each with a cost of its own (a large block's Blob file, the
 * commit): puts that arrive meanwhile wait in the next batch and share one
 * transaction, rather than queue one each.
 */
const MAX_IN_FLIGHT = 2

/** What the blocks store holds under a block's key when an earlier version stored the block in pieces. */
interface FirstPiece {
  first: Uint8Array
  /** The whole block's size. */
  size: number
  /** How many pieces, this one included. */
  pieces: number
}

type StoredBlock = Uint8Array | Blob | FirstPiece

interface PendingBlock {
  bytes: Uint8Array
  done: Promise<void>
}

interface Batch {
  blocks: Map<string, Uint8Array>
  bytes: number
  committed: PromiseWithResolvers<void>
  /** Its time to commit has come, and it waits for a transaction to finish first. */
  due: boolean
}

/**
 * A blockstore on IndexedDB, written for this project rather than taken from
 * `blockstore-idb` because that one opens one transaction per block (about a
 * third of the throughput of batching, measured) and stores the whole backing
 * buffer of a view. Here, concurrent puts (the importer writes several blocks
 * at once) share one transaction, and the block count and byte total live in
 * the same database, updated in that same transaction, so `stat()` is one read.
 */
export class IDBRepoBlockstore extends BaseBlockstore implements RepoBlockstore {
  private readonly name: string
  private readonly batchBlocks: number
  private readonly batchBytes: number
  private readonly blobBytes: number
  private db?: IDBDatabase
  private batch?: Batch
  private readonly pending = new Map<string, PendingBlock>()
  private readonly inFlight = new Set<Promise<void>>()
  /** The read transaction of this turn (readTransaction). */
  private turnReads?: IDBTransaction
  /** The lookups (`has`) asked for in this turn. */
  private lookups?: Array<{ key: string, found: PromiseWithResolvers<boolean> }>
  private journalStore?: IDBJournalStore
  /** True when `open` created the database: there were no blocks here before. */
  createdNow = false

  constructor (name: string, init: IDBRepoBlockstoreInit = {}) {
    super()
    this.name = name
    this.batchBlocks = init.batchBlocks ?? DEFAULT_BATCH_BLOCKS
    this.batchBytes = init.batchBytes ?? DEFAULT_BATCH_BYTES
    this.blobBytes = init.blobBytes ?? DEFAULT_BLOB_BYTES
  }

  get location (): string {
    return `indexeddb:${this.name}`
  }

  async open (): Promise<void> {
    try {
      this.db = await openDatabase(this.name, SCHEMA_VERSION, (db, _tx, oldVersion) => {
        this.createdNow = oldVersion === 0
        for (const store of [BLOCKS, META, PIECES]) {
          if (!db.objectStoreNames.contains(store)) db.createObjectStore(store)
        }
        createJournalStores(db, JOURNAL_STORES)
      })
    } catch (err) {
      throw new OpenFailedError(`could not open the block database: ${String(err)}`)
    }
  }

  async close (): Promise<void> {
    await this.flush()
    this.db?.close()
    this.db = undefined
    // bound to the database just closed: a reopened store gives a journal of its own
    this.journalStore = undefined
  }

  async put (cid: CID, val: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>, options?: AbortOptions): Promise<CID> {
    options?.signal?.throwIfAborted()
    const key = blockKey(cid)
    const known = this.pending.get(key)
    if (known != null) {
      await known.done
      return cid
    }
    const bytes = await blockBytes(val)
    const batch = this.batch ?? this.newBatch()
    batch.blocks.set(key, bytes)
    batch.bytes += bytes.byteLength
    const done = batch.committed.promise
    this.pending.set(key, { bytes, done })
    if (batch.blocks.size >= this.batchBlocks || batch.bytes >= this.batchBytes) {
      this.commit(batch)
    }
    try {
      await done
    } catch (err) {
      throw writeFailure(`could not store block ${cid}`, err)
    }
    return cid
  }

  async * get (cid: CID, options?: AbortOptions): AsyncGenerator<Uint8Array> {
    options?.signal?.throwIfAborted()
    const key = blockKey(cid)
    const waiting = this.pending.get(key)
    if (waiting != null) {
      // a copy: the batch still has to write these bytes, and a reader may hand its buffer on (to the page)
      yield waiting.bytes.slice()
      return
    }
    const stored = await this.read(key)
    if (stored == null) {
      throw new NotFoundError(`block ${cid} is not in the local store`)
    }
    if (!(stored.value instanceof Blob)) {
      yield joinPieces(cid, stored.value, stored.rest)
      return
    }
    try {
      yield new Uint8Array(await stored.value.arrayBuffer())
    } catch (err) {
      throw new NotFoundError(`block ${cid} is damaged in the local store: its file cannot be read (${String(err)})`)
    }
  }

  /**
   * A block as a Blob, for a reply made of blocks (file-blob.ts): the one it
   * is stored as, which the browser reads itself; else (a small block, one
   * waiting in a batch, one an earlier version stored in pieces) a Blob of
   * its bytes, read and copied, which `copied` says.
   */
  async blockBlob (cid: CID): Promise<BlockBlob | undefined> {
    const key = blockKey(cid)
    const waiting = this.pending.get(key)
    if (waiting != null) return { blob: new Blob([waiting.bytes as Uint8Array<ArrayBuffer>]), copied: true }
    const stored = await this.read(key)
    if (stored == null) return undefined
    if (stored.value instanceof Blob) return { blob: stored.value, copied: false }
    return { blob: new Blob([joinPieces(cid, stored.value, stored.rest) as Uint8Array<ArrayBuffer>]), copied: true }
  }

  /** What is stored under `key`, and the pieces after the first of a block an earlier version stored in pieces. */
  private async read (key: string): Promise<{ value: StoredBlock, rest: Uint8Array[] } | undefined> {
    const tx = this.readTransaction()
    const value = await (request(tx.objectStore(BLOCKS).get(key)) as Promise<StoredBlock | undefined>)
    if (value == null) return undefined
    // the pieces only for a block stored in them (an earlier version's), in the same transaction: asked
    // beside every read, the range query was half of a small block's read
    const inPieces = !(value instanceof Uint8Array) && !(value instanceof Blob)
    const rest = inPieces ? await (request(tx.objectStore(PIECES).getAll(piecesOf(key))) as Promise<Uint8Array[]>) : []
    return { value, rest }
  }

  async has (cid: CID, options?: AbortOptions): Promise<boolean> {
    options?.signal?.throwIfAborted()
    const key = blockKey(cid)
    if (this.pending.has(key)) return true
    const found = Promise.withResolvers<boolean>()
    if (this.lookups == null) {
      // the turn's read transaction, which its other reads share (taken first: a closed store throws here, and nothing waits)
      const transaction = this.readTransaction()
      this.lookups = []
      queueMicrotask(() => { this.lookUp(transaction) })
    }
    this.lookups.push({ key, found })
    return found.promise
  }

  /** The turn's lookups: many of them by reading their range's keys (RANGE_LOOKUPS), a few one request each. */
  private lookUp (transaction: IDBTransaction): void {
    const lookups = this.lookups ?? []
    this.lookups = undefined
    const fail = (err: unknown): void => { for (const { found } of lookups) found.reject(err) }
    const oneByOne = (): void => {
      try {
        const store = transaction.objectStore(BLOCKS)
        for (const { key, found } of lookups) request(store.getKey(key)).then(k => { found.resolve(k != null) }, found.reject)
      } catch (err) {
        fail(err)
      }
    }
    if (lookups.length < RANGE_LOOKUPS) {
      oneByOne()
      return
    }
    const sorted = lookups.map(l => l.key).sort()
    const limit = lookups.length * KEYS_READ_PER_LOOKUP
    let keys: Promise<IDBValidKey[]>
    try {
      keys = request(transaction.objectStore(BLOCKS).getAllKeys(IDBKeyRange.bound(sorted[0], sorted.at(-1)), limit))
    } catch (err) {
      fail(err)
      return
    }
    keys.then((keys) => {
      // as many as the limit: there may be more, so the range says nothing of the rest. The same
      // transaction, still active in its request's callbacks: the store may have been closed since
      if (keys.length >= limit) {
        oneByOne()
        return
      }
      const held = new Set(keys as string[])
      for (const { key, found } of lookups) found.resolve(held.has(key))
    }, fail)
  }

  async blockSize (cid: CID, options?: AbortOptions): Promise<number | undefined> {
    options?.signal?.throwIfAborted()
    const key = blockKey(cid)
    const waiting = this.pending.get(key)
    if (waiting != null) return waiting.bytes.byteLength
    // a Blob's size, or a first piece's record of the whole: no bytes read
    const value = await (request(this.readTransaction().objectStore(BLOCKS).get(key)) as Promise<StoredBlock | undefined>)
    return value == null ? undefined : storedSize(value)
  }

  /**
   * The read transaction of this turn: reads asked for in the same turn
   * share it (a listing reads a block for each of 16 entries at once, and
   * the worker gets them in one message).
   */
  private readTransaction (): IDBTransaction {
    if (this.turnReads == null) {
      this.turnReads = this.transaction([BLOCKS, PIECES], 'readonly')
      queueMicrotask(() => { this.turnReads = undefined })
    }
    return this.turnReads
  }

  async delete (cid: CID, options?: AbortOptions): Promise<void> {
    await this.deleteBlocks([cid], options)
  }

  /** Deletes the blocks, their pieces and their share of the count in one transaction. */
  async deleteBlocks (cids: CID[], options?: AbortOptions): Promise<RepoStat> {
    options?.signal?.throwIfAborted()
    await this.flush()
    const keys = [...new Set(cids.map(blockKey))]
    const tx = this.transaction([BLOCKS, META, PIECES], 'readwrite')
    const blocks = tx.objectStore(BLOCKS)
    const meta = tx.objectStore(META)
    const done = transactionDone(tx)
    // a transaction that aborts fails its requests too; the first failure is the one reported
    done.catch(() => {})
    const removed = { blocks: 0, bytes: 0 }
    try {
      // only each block's size is kept (a Blob value is read as a reference; a small block's bytes are let go at once)
      const [sizes, stat] = await Promise.all([
        Promise.all(keys.map(async key => (request(blocks.get(key)) as Promise<StoredBlock | undefined>).then(value => value == null ? undefined : storedSize(value)))),
        request(meta.get(STAT_KEY)) as Promise<RepoStat | undefined>
      ])
      keys.forEach((key, i) => {
        const size = sizes[i]
        if (size == null) return
        blocks.delete(key)
        tx.objectStore(PIECES).delete(piecesOf(key))
        removed.blocks++
        removed.bytes += size
      })
      if (removed.blocks > 0) {
        const current = stat ?? { blocks: 0, bytes: 0 }
        meta.put({ blocks: Math.max(0, current.blocks - removed.blocks), bytes: Math.max(0, current.bytes - removed.bytes) }, STAT_KEY)
      }
    } catch (err) {
      try { tx.abort() } catch {}
      throw err
    }
    await done
    return removed
  }

  async * getAll (options?: AbortOptions): AsyncGenerator<Pair> {
    await this.flush()
    const keys = await request(this.transaction(BLOCKS, 'readonly').objectStore(BLOCKS).getAllKeys())
    for (const key of keys) {
      options?.signal?.throwIfAborted()
      const cid = cidOfKey(String(key))
      yield { cid, bytes: this.get(cid, options) }
    }
  }

  async stat (options?: AbortOptions): Promise<RepoStat> {
    options?.signal?.throwIfAborted()
    await this.flush()
    const stat = await request(this.transaction(META, 'readonly').objectStore(META).get(STAT_KEY)) as RepoStat | undefined
    return stat ?? { blocks: 0, bytes: 0 }
  }

  async flush (): Promise<void> {
    if (this.batch != null) this.commit(this.batch)
    await Promise.allSettled([...this.inFlight])
  }

  private newBatch (): Batch {
    const batch: Batch = { blocks: new Map(), bytes: 0, committed: Promise.withResolvers<void>(), due: false }
    // a rejected commit is reported to each put that awaits it; this keeps an
    // unobserved rejection from surfacing as a global error
    batch.committed.promise.catch(() => {})
    this.batch = batch
    // puts issued in the same turn (the importer writes several blocks
    // concurrently) join this batch; a lone put commits on the next task,
    // unless MAX_IN_FLIGHT transactions run: then once one of them is done
    setTimeout(() => {
      if (this.batch !== batch) return
      if (this.inFlight.size < MAX_IN_FLIGHT) this.commit(batch)
      else batch.due = true
    }, 0)
    return batch
  }

  private commit (batch: Batch): void {
    if (this.batch === batch) this.batch = undefined
    const work = this.write(batch).then(batch.committed.resolve, batch.committed.reject).finally(() => {
      for (const key of batch.blocks.keys()) this.pending.delete(key)
      this.inFlight.delete(work)
      if (this.batch?.due === true) this.commit(this.batch)
    })
    this.inFlight.add(work)
  }

  private async write (batch: Batch): Promise<void> {
    const tx = this.transaction([BLOCKS, META], 'readwrite')
    await this.writeIn(tx, batch.blocks)
  }

  /**
   * The MFS journal, kept in this database: its appends and settles store
   * the blocks given them in their own transaction (`writeWith`).
   */
  journal (): IDBJournalStore {
    if (this.db == null) throw new OpenFailedError('the block database is not open')
    return this.journalStore ??= new IDBJournalStore({ db: this.db, names: JOURNAL_STORES, carrier: async (blocks, stores, durability, write) => this.writeWith(blocks, stores, durability, write) })
  }

  /**
   * Stores `blocks` in one transaction that also covers `stores` of this
   * database, in which `write` makes its own writes: all of them commit, or
   * none. Blocks already waiting in a batch are committed first, so this
   * transaction follows theirs, as its request followed their puts.
   */
  async writeWith<T> (blocks: CarriedBlock[], stores: string[], durability: IDBTransactionDurability, write: (tx: IDBTransaction) => T): Promise<T> {
    if (this.batch != null) this.commit(this.batch)
    if (this.db == null) throw new OpenFailedError('the block database is not open')
    const tx = this.db.transaction([BLOCKS, META, ...stores], 'readwrite', { durability })
    let result: T
    try {
      result = write(tx)
    } catch (err) {
      tx.abort()
      throw err
    }
    try {
      // (a view's whole buffer would be stored: copied out, as a put's are)
      await this.writeIn(tx, new Map(blocks.map(b => [blockKey(b.cid), ownedBytes(b.bytes)])))
    } catch (err) {
      throw writeFailure(`could not store ${blocks.length} blocks with the journal's writes`, err)
    }
    return result
  }

  /** Writes the blocks not yet stored, and the count and bytes they add, in `tx`, and waits for it to commit. */
  private async writeIn (tx: IDBTransaction, batch: Map<string, Uint8Array>): Promise<void> {
    const blocks = tx.objectStore(BLOCKS)
    const meta = tx.objectStore(META)
    let added = 0
    let addedBytes = 0
    const existing = [...batch].map(async ([key, bytes]) => {
      const found = await request(blocks.getKey(key))
      if (found == null) {
        added++
        addedBytes += bytes.byteLength
        blocks.put(bytes.byteLength > this.blobBytes ? new Blob([bytes as Uint8Array<ArrayBuffer>]) : bytes, key)
      }
    })
    const stat = request(meta.get(STAT_KEY)) as Promise<RepoStat | undefined>
    const done = transactionDone(tx)
    // a transaction that aborts fails these too; the first failure is the one reported
    for (const pending of [stat, done]) pending.catch(() => {})
    try {
      await Promise.all(existing)
      const current = (await stat) ?? { blocks: 0, bytes: 0 }
      if (added > 0) {
        meta.put({ blocks: current.blocks + added, bytes: current.bytes + addedBytes }, STAT_KEY)
      }
    } catch (err) {
      // nothing of a batch that failed half-way is kept: no count without its blocks
      try { tx.abort() } catch {}
      throw err
    }
    await done
  }

  private transaction (stores: string | string[], mode: IDBTransactionMode): IDBTransaction {
    if (this.db == null) {
      throw new OpenFailedError('the block database is not open')
    }
    return this.db.transaction(stores, mode)
  }
}

/** A block stored as bytes, or in pieces made whole again; a missing piece is an error, never a short block. */
function joinPieces (cid: CID, value: Uint8Array | FirstPiece, rest: Uint8Array[]): Uint8Array {
  if (value instanceof Uint8Array) return value
  if (rest.length !== value.pieces - 1) {
    throw new NotFoundError(`block ${cid} is damaged in the local store: ${rest.length + 1} of its ${value.pieces} pieces are there`)
  }
  const out = new Uint8Array(value.size)
  out.set(value.first, 0)
  let offset = value.first.byteLength
  // the pieces were read for this call alone: freed once copied
  releaseBuffer(value.first)
  for (const piece of rest) {
    out.set(piece, offset)
    offset += piece.byteLength
    releaseBuffer(piece)
  }
  return out
}

function storedSize (value: StoredBlock): number {
  return value instanceof Uint8Array ? value.byteLength : value.size
}

function piecesOf (key: string): IDBKeyRange {
  return IDBKeyRange.bound(`${key}/`, `${key}/\uffff`)
}

