import { base32 } from 'multiformats/bases/base32'
import type { PutOptions } from '../../stores/repo-blockstore.ts'
import type { Blockstore } from 'interface-blockstore'
import type { CID } from 'multiformats/cid'

/** Bytes accepted from the importer but not yet durable, at most. */
const DEFAULT_MAX_PENDING_BYTES = 16 * 1024 * 1024

/**
 * The blockstore as the importer sees it during an add. The importer starts
 * a batch of puts and waits for all of them before it reads and hashes the
 * next batch; if each put waited for its IndexedDB transaction, hashing
 * would stop while the store writes. Here a put is handed to the store and
 * returns at once, while at most `maxPendingBytes` are waiting to be
 * durable; `drain()` waits for every one, and throws the first failure.
 *
 * It also lists the blocks written, so an add can pin them without reading
 * its DAG back.
 */
export class WriteBehind {
  private readonly store: Pick<Blockstore, 'put'>
  private readonly maxPendingBytes: number
  private readonly waiting = new Set<Promise<void>>()
  private readonly written = new Map<string, CID>()
  /** Blocks handed to the store and not yet durable: readers see them here meanwhile. */
  private readonly unwritten = new Map<string, Uint8Array>()
  private pendingBytes = 0
  private failure: { error: unknown } | undefined

  constructor (store: Pick<Blockstore, 'put'>, init: { maxPendingBytes?: number } = {}) {
    this.store = store
    this.maxPendingBytes = init.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES
  }

  async put (cid: CID, bytes: Uint8Array, options?: PutOptions): Promise<CID> {
    this.throwIfFailed()
    while (this.pendingBytes >= this.maxPendingBytes && this.waiting.size > 0) {
      await Promise.race(this.waiting)
      this.throwIfFailed()
    }
    const size = bytes.byteLength
    const key = base32.encode(cid.multihash.bytes)
    this.pendingBytes += size
    // a block handed over may be emptied by the store at once: not one to answer readers with
    if (options?.handOver !== true) this.unwritten.set(key, bytes)
    const write: Promise<void> = Promise.resolve(this.store.put(cid, bytes, options)).then(
      () => { this.written.set(key, cid) },
      (error: unknown) => { this.failure ??= { error } }
    ).finally(() => {
      this.pendingBytes -= size
      this.waiting.delete(write)
      if (this.unwritten.get(key) === bytes) this.unwritten.delete(key)
    })
    this.waiting.add(write)
    return cid
  }

  /** Resolves once every put is durable; throws if any failed. */
  async drain (): Promise<void> {
    while (this.waiting.size > 0) await Promise.all(this.waiting)
    this.throwIfFailed()
  }

  /** A block handed to the store and not yet durable, for readers that must see it now (not one put with `handOver`). */
  unwrittenBlock (cid: CID): Uint8Array | undefined {
    return this.unwritten.get(base32.encode(cid.multihash.bytes))
  }

  /** Every distinct block written so far. */
  blocks (): CID[] {
    return [...this.written.values()]
  }

  /** Throws the first failed write, if any: a reader must not go looking elsewhere for a block that was lost. */
  throwIfFailed (): void {
    if (this.failure != null) throw this.failure.error
  }
}

/**
 * Runs `work` with a WriteBehind over `store`: the result is returned once
 * every block it wrote is durable; if `work` (or a write) fails, no write is
 * still running when the error is thrown.
 */
export async function writingBehind<T> (store: Pick<Blockstore, 'put'>, work: (writer: WriteBehind) => Promise<T>): Promise<T> {
  const writer = new WriteBehind(store)
  try {
    const result = await work(writer)
    await writer.drain()
    return result
  } catch (err) {
    await writer.drain().catch(() => {})
    throw err
  }
}
