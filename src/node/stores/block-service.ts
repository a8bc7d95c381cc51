/**
 * The blockstore across a message port: `serveBlockstore` runs beside a
 * store (in a dedicated worker) and answers `WorkerBlockstore` (in the page,
 * worker-blockstore.ts). The messages' types are declared here, once, for
 * both sides.
 */
import { CID } from 'multiformats/cid'
import { serveBody } from '../../sw/body-port.ts'
import { blockBytes, sizeOfBlock } from './repo-blockstore.ts'
import { fileBlob } from './file-blob.ts'
import { fillsItsBuffer, releaseBuffer } from '../../buffers.ts'
import type { RepoBlockstore } from './repo-blockstore.ts'
import type { AppendOptions, CarriedBlock, EntryQuery, JournalEntry, JournalStore, NewEntry, Settlement } from '../journal/types.ts'

export type BlockOp = 'put' | 'get' | 'has' | 'size' | 'reads' | 'deleteBlocks' | 'keys' | 'stat' | 'flush' | 'close' | 'stream' | 'journal'

/** One of the reads a 'reads' request carries. */
export interface BlockRead {
  op: 'get' | 'has' | 'size'
  cid: Uint8Array
}

/** A read's outcome in a 'reads' reply, in the request's order. */
export type ReadOutcome = { value: unknown } | { error: FailureName }

/** A failure, by name (NotFoundError, PutFailedError…) so the page can raise the same kind. */
export interface FailureName {
  name: string
  message: string
}

/** A call of the MFS journal kept in the worker's database (worker-journal-store.ts), by method and arguments. */
export type JournalCall =
  | { method: 'append', args: [entries: NewEntry[], options: Omit<AppendOptions, 'blocks'>] }
  | { method: 'settle', args: [transactionId: string, settlement: Settlement, root?: string, appended?: JournalEntry[]] }
  | { method: 'root', args: [] }
  | { method: 'entries' | 'count', args: [query?: EntryQuery] }
  | { method: 'compact', args: [beforeSeq: number] }
  | { method: 'size', args: [] }

/** A piece of a file to stream: part of a block (by its CID's bytes), or bytes given. */
export type StreamSegment = { cid: Uint8Array, start: number, end: number } | { bytes: Uint8Array }

export interface BlockRequest {
  id: number
  op: BlockOp
  /** The CID's bytes, for the operations on one block. */
  cid?: Uint8Array
  /** The CIDs' bytes, for the operations on several. */
  cids?: Uint8Array[]
  /** A put's block; its buffer is transferred, not copied. */
  bytes?: Uint8Array
  /** Reads asked for in the same turn, answered together in one reply ('reads'). */
  reads?: BlockRead[]
  /** A stream's pieces, in order (file-plan.ts). */
  segments?: StreamSegment[]
  /** The port a stream is served on (body-port.ts), transferred with the request; closed unused when the reply is a Blob. */
  port?: MessagePort
  /** A journal call, and the blocks it stores in its transaction (their bytes copied, for the page may still read them). */
  journal?: JournalCall
  carried?: Array<{ cid: Uint8Array, bytes: Uint8Array }>
}

export interface BlockReply {
  id: number
  value?: unknown
  error?: FailureName
}

/** What both a worker's global scope and a MessagePort offer. */
export interface MessageEndpoint {
  postMessage(message: unknown, transfer: Transferable[]): void
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void
}

/**
 * Answers block requests arriving on `endpoint` with the store once it is
 * open; a store that failed to open fails every request with that error.
 */
export function serveBlockstore (endpoint: MessageEndpoint, store: Promise<RepoBlockstore>): void {
  endpoint.addEventListener('message', (event: MessageEvent<BlockRequest>) => {
    const request = event.data
    // not a block request (the worker's open message, say)
    if (typeof request?.id !== 'number') return
    store.then(async (s) => answer(s, request)).then(
      ({ value, transfer }) => {
        try {
          endpoint.postMessage({ id: request.id, value } satisfies BlockReply, transfer)
        } catch {
          // a buffer that could not be handed over goes as a copy
          endpoint.postMessage({ id: request.id, value } satisfies BlockReply, [])
        }
      },
      (err: unknown) => {
        endpoint.postMessage({ id: request.id, error: failureName(err) } satisfies BlockReply, [])
      }
    )
  })
}

function failureName (err: unknown): FailureName {
  return err instanceof Error ? { name: err.name, message: err.message } : { name: 'Error', message: String(err) }
}

async function answer (store: RepoBlockstore, request: BlockRequest): Promise<{ value?: unknown, transfer: Transferable[] }> {
  const cid = request.cid == null ? undefined : CID.decode(request.cid)
  switch (request.op) {
    case 'put':
      await store.put(cid!, request.bytes!)
      // it came to this thread for the put alone, and the store keeps its own copy
      releaseBuffer(request.bytes!)
      return { transfer: [] }
    case 'get': {
      const bytes = await blockBytes(store.get(cid!))
      // the store's own copy, read for this request: handed over whole rather than copied again
      return { value: bytes, transfer: fillsItsBuffer(bytes) ? [bytes.buffer as ArrayBuffer] : [] }
    }
    case 'has':
      return { value: await store.has(cid!), transfer: [] }
    case 'size':
      return { value: await sizeOfBlock(store, cid!), transfer: [] }
    case 'reads': {
      // each read on its own: one that fails fails alone
      const answered = await Promise.all((request.reads ?? []).map(async (read): Promise<{ outcome: ReadOutcome, transfer: Transferable[] }> => {
        try {
          const { value, transfer } = await answer(store, { id: request.id, op: read.op, cid: read.cid })
          return { outcome: { value }, transfer }
        } catch (err) {
          return { outcome: { error: failureName(err) }, transfer: [] }
        }
      }))
      return { value: answered.map(a => a.outcome), transfer: answered.flatMap(a => a.transfer) }
    }
    case 'deleteBlocks':
      return { value: await store.deleteBlocks(request.cids!.map(bytes => CID.decode(bytes))), transfer: [] }
    case 'keys': {
      const keys: Uint8Array[] = []
      for await (const pair of store.getAll()) keys.push(pair.cid.bytes)
      return { value: keys, transfer: [] }
    }
    case 'stat':
      return { value: await store.stat(), transfer: [] }
    case 'flush':
      await store.flush()
      return { transfer: [] }
    case 'close':
      await store.close()
      return { transfer: [] }
    case 'stream': {
      const segments = request.segments ?? []
      // a store whose blocks the browser can read itself gives the file as a Blob of them, the port unused
      const blob = store.blockBlob == null ? undefined : await fileBlob(store.blockBlob.bind(store), segments)
      if (blob != null) {
        request.port!.close()
        return { value: blob, transfer: [] }
      }
      return { value: await streamSegments(store, segments, request.port!), transfer: [] }
    }
    case 'journal': {
      if (store.journal == null) throw new Error(`the blocks in ${store.location ?? 'this store'} keep no journal`)
      const blocks = request.carried?.map(b => ({ cid: CID.decode(b.cid), bytes: b.bytes }))
      return { value: await callJournal(store.journal(), request.journal!, blocks), transfer: [] }
    }
  }
}

async function callJournal (journal: JournalStore, call: JournalCall, blocks?: CarriedBlock[]): Promise<unknown> {
  switch (call.method) {
    case 'append': return journal.append(call.args[0], { ...call.args[1], blocks })
    case 'settle': return journal.settle(call.args[0], call.args[1], call.args[2], call.args[3], blocks)
    case 'root': return journal.root()
    case 'entries': return journal.entries(call.args[0])
    case 'count': return journal.count(call.args[0])
    case 'compact': return journal.compact(call.args[0])
    case 'size': return journal.size()
  }
}

/** Blocks a stream reads ahead of the one it sends. */
const READ_AHEAD = 8

/**
 * Serves a file's bytes on `port` straight from the store, the page's
 * thread never touching them: false (and nothing served) when a block is
 * not here, for the page then reads the file itself (it may fetch the
 * missing block from a peer).
 */
async function streamSegments (store: RepoBlockstore, segments: StreamSegment[], port: MessagePort): Promise<boolean> {
  const cids = segments.map(s => 'cid' in s ? CID.decode(s.cid) : undefined)
  // asked all at once: one after another, a large file's thousands of blocks kept its first byte waiting
  const held = await Promise.all(cids.map(async cid => cid == null || store.has(cid)))
  if (held.includes(false)) {
    port.close()
    return false
  }
  // a few blocks are read ahead: a store's read takes a while (an IndexedDB transaction each), and
  // one at a time left the body waiting on every one
  const reads: Array<Promise<Uint8Array>> = []
  let scheduled = 0
  const schedule = (): void => {
    while (scheduled < segments.length && reads.length < READ_AHEAD) {
      const segment = segments[scheduled]
      const cid = cids[scheduled++]
      reads.push('bytes' in segment
        ? Promise.resolve(segment.bytes)
        : blockBytes(store.get(cid!)).then((block) => {
          // the reply's length is already sent: a block shorter than its file says ends the body with an error, never short
          if (block.byteLength < segment.end) throw new Error(`block ${cid!.toString()} is damaged in the local store: ${block.byteLength} bytes where its file says at least ${segment.end}`)
          // a read is a buffer of our own (repo-blockstore.ts): handed over whole, or the part wanted copied out
          if (segment.start === 0 && segment.end === block.byteLength) return block
          const part = block.slice(segment.start, segment.end)
          releaseBuffer(block)
          return part
        }))
      reads.at(-1)?.catch(() => {})
    }
  }
  const source = new ReadableStream<Uint8Array>({
    async pull (controller) {
      schedule()
      const read = reads.shift()
      if (read == null) {
        controller.close()
        return
      }
      controller.enqueue(await read)
      schedule()
    }
  }, { highWaterMark: 0 })
  serveBody(port, source.getReader(), { owned: true })
  return true
}
