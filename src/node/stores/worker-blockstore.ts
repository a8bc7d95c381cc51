import { BaseBlockstore } from 'blockstore-core'
import { NotFoundError, OpenFailedError, PutFailedError } from 'interface-store'
import { CID } from 'multiformats/cid'
import { blockBytes, blockKey, ownedBytes } from './repo-blockstore.ts'
import { fillsItsBuffer } from '../../buffers.ts'
import { nextTask } from '../idle.ts'
import { StorageFullError } from '../errors.ts'
import type { BlockOp, BlockRead, BlockReply, BlockRequest, FailureName, JournalCall, MessageEndpoint, ReadOutcome, StreamSegment } from './block-service.ts'
import type { CarriedBlock } from '../journal/types.ts'
import type { PlanSegment } from '../models/ipfs/file-plan.ts'
import type { PutOptions, RepoBlockstore, RepoStat } from './repo-blockstore.ts'
import type { AbortOptions } from 'abort-error'
import type { Pair } from 'interface-blockstore'

/** The store's errors, raised again on this side by name. */
const ERRORS: Record<string, new (message: string) => Error> = { NotFoundError, OpenFailedError, PutFailedError, StorageFullError }

/**
 * The page's side of a blockstore that runs in a dedicated worker (see
 * block-worker.ts). A put hands the worker its own copy of the block, whose
 * buffer is transferred, not cloned; until the worker has stored it, reads
 * of that block are answered here from the caller's bytes. A put that hands
 * the block over (`PutOptions.handOver`) transfers the caller's buffer itself.
 */
export class WorkerBlockstore extends BaseBlockstore implements RepoBlockstore {
  readonly location: string
  private readonly endpoint: MessageEndpoint
  private readonly replies = new Map<number, PromiseWithResolvers<unknown>>()
  private readonly pending = new Map<string, Uint8Array>()
  private readonly terminate?: () => void
  private failure?: Error
  private nextId = 0
  /** Reads asked for in this task, not yet sent: they go to the worker in one message. */
  private reads?: Array<{ read: BlockRead, reply: PromiseWithResolvers<unknown> }>

  /** `terminate` ends the worker once the store is closed. */
  constructor (endpoint: MessageEndpoint, location: string, init: { terminate?(): void } = {}) {
    super()
    this.endpoint = endpoint
    this.location = location
    this.terminate = init.terminate
    endpoint.addEventListener('message', (event: MessageEvent<BlockReply>) => {
      const { id, value, error } = event.data
      const reply = this.replies.get(id)
      if (reply == null) return
      this.replies.delete(id)
      if (error == null) reply.resolve(value)
      else reply.reject(raised(error))
    })
  }

  /** The worker is gone (its script failed, or it crashed): every waiting and later request fails with `error`. */
  fail (error: Error): void {
    this.failure ??= error
    for (const reply of this.replies.values()) reply.reject(error)
    this.replies.clear()
  }

  private async call<T> (op: BlockOp, fields: Omit<BlockRequest, 'id' | 'op'> = {}, transfer: Transferable[] = []): Promise<T> {
    if (this.failure != null) throw this.failure
    const id = this.nextId++
    const reply = Promise.withResolvers<unknown>()
    this.replies.set(id, reply)
    this.endpoint.postMessage({ id, op, ...fields } satisfies BlockRequest, transfer)
    return reply.promise as Promise<T>
  }

  /**
   * A get or has, sent with the others asked for in the same task as one
   * message, and answered in one: a listing reads a block for each of its
   * entries, 16 at once, and a message each way for each read kept the
   * page's thread busier with the messages than with the listing. The
   * batch goes at the next task, not the next microtask: a listing starts
   * its entries' reads a few promise turns apart, and sent at the end of the
   * first turn, 3000 reads went as 3000 messages.
   */
  private async read<T> (op: BlockRead['op'], cid: CID): Promise<T> {
    if (this.failure != null) throw this.failure
    const reply = Promise.withResolvers<unknown>()
    if (this.reads == null) {
      this.reads = []
      void nextTask().then(() => { this.sendReads() })
    }
    this.reads.push({ read: { op, cid: cid.bytes }, reply })
    return reply.promise as Promise<T>
  }

  private sendReads (): void {
    const reads = this.reads ?? []
    this.reads = undefined
    if (reads.length === 1) {
      const [{ read, reply }] = reads
      this.call(read.op, { cid: read.cid }).then(reply.resolve, reply.reject)
      return
    }
    this.call<ReadOutcome[]>('reads', { reads: reads.map(r => r.read) }).then(
      (outcomes) => {
        outcomes.forEach((outcome, i) => {
          if ('error' in outcome) reads[i].reply.reject(raised(outcome.error))
          else reads[i].reply.resolve(outcome.value)
        })
      },
      (err: unknown) => { for (const { reply } of reads) reply.reject(err) }
    )
  }

  async put (cid: CID, val: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>, options?: PutOptions): Promise<CID> {
    options?.signal?.throwIfAborted()
    const given = val instanceof Uint8Array ? val : await blockBytes(val)
    if (options?.handOver === true && fillsItsBuffer(given)) {
      // the caller's own buffer goes, and its bytes are empty from here: a read of the block
      // meanwhile goes to the worker (an IndexedDB store answers from its pending batch)
      await this.call('put', { cid: cid.bytes, bytes: given }, [given.buffer])
      return cid
    }
    const key = blockKey(cid)
    // a copy of our own to transfer: the caller may go on using its bytes (bitswap hands them on)
    const copy = given.slice()
    this.pending.set(key, given)
    try {
      await this.call('put', { cid: cid.bytes, bytes: copy }, [copy.buffer])
    } finally {
      if (this.pending.get(key) === given) this.pending.delete(key)
    }
    return cid
  }

  async * get (cid: CID, options?: AbortOptions): AsyncGenerator<Uint8Array> {
    options?.signal?.throwIfAborted()
    const waiting = this.pending.get(blockKey(cid))
    if (waiting != null) {
      yield waiting
      return
    }
    yield await this.read<Uint8Array>('get', cid)
  }

  async has (cid: CID, options?: AbortOptions): Promise<boolean> {
    options?.signal?.throwIfAborted()
    if (this.pending.has(blockKey(cid))) return true
    return this.read<boolean>('has', cid)
  }

  async blockSize (cid: CID, options?: AbortOptions): Promise<number | undefined> {
    options?.signal?.throwIfAborted()
    const waiting = this.pending.get(blockKey(cid))
    if (waiting != null) return waiting.byteLength
    return this.read<number | undefined>('size', cid)
  }

  async delete (cid: CID, options?: AbortOptions): Promise<void> {
    await this.deleteBlocks([cid], options)
  }

  async deleteBlocks (cids: CID[], options?: AbortOptions): Promise<RepoStat> {
    options?.signal?.throwIfAborted()
    return this.call<RepoStat>('deleteBlocks', { cids: cids.map(cid => cid.bytes) })
  }

  async * getAll (options?: AbortOptions): AsyncGenerator<Pair> {
    const keys = await this.call<Uint8Array[]>('keys')
    for (const key of keys) {
      options?.signal?.throwIfAborted()
      const cid = CID.decode(key)
      yield { cid, bytes: this.get(cid, options) }
    }
  }

  /**
   * These pieces of a file straight from the store, the page never touching
   * them: a Blob of the store's files where it keeps blocks in files
   * (file-blob.ts), else a port on which the worker serves them
   * (body-port.ts). Undefined when a block is not in the store (the page
   * then reads the file itself, and may fetch what is missing).
   */
  async serveFile (segments: PlanSegment[]): Promise<MessagePort | Blob | undefined> {
    const { port1, port2 } = new MessageChannel()
    const wire: StreamSegment[] = segments.map(s => 'cid' in s ? { cid: s.cid.bytes, start: s.start, end: s.end } : { bytes: s.bytes })
    // true: served on the port; a Blob of the store's files; false: a block is not there
    let served: boolean | Blob = false
    try {
      served = await this.call<boolean | Blob>('stream', { segments: wire, port: port1 }, [port1])
      return served === true ? port2 : served === false ? undefined : served
    } finally {
      if (served !== true) port2.close()
    }
  }

  /** Calls the journal kept in the worker's database, `blocks` stored in the call's transaction. */
  async callJournal<T> (call: JournalCall, blocks?: CarriedBlock[]): Promise<T> {
    // copies, not transferred: the page reads these blocks until the call has stored them; a view is
    // copied out first, for a message clones the whole buffer under it
    return this.call<T>('journal', { journal: call, carried: blocks?.map(b => ({ cid: b.cid.bytes, bytes: ownedBytes(b.bytes) })) })
  }

  async stat (options?: AbortOptions): Promise<RepoStat> {
    options?.signal?.throwIfAborted()
    return this.call<RepoStat>('stat')
  }

  async flush (): Promise<void> {
    await this.call('flush')
  }

  async close (): Promise<void> {
    try {
      await this.call('close')
    } finally {
      this.terminate?.()
    }
  }
}

/** A failure the worker reported, raised as the same kind of error. */
function raised (error: FailureName): Error {
  const Kind = ERRORS[error.name]
  return Kind != null ? new Kind(error.message) : Object.assign(new Error(error.message), { name: error.name })
}
