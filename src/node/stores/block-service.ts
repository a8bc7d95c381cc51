/**
 * The blockstore across a message port: `serveBlockstore` runs beside a
 * store (in a dedicated worker) and answers `WorkerBlockstore` (in the page,
 * worker-blockstore.ts). The messages' types are declared here, once, for
 * both sides.
 */
import { CID } from 'multiformats/cid'
import { blockBytes } from './repo-blockstore.ts'
import type { RepoBlockstore } from './repo-blockstore.ts'

export type BlockOp = 'put' | 'get' | 'has' | 'delete' | 'keys' | 'stat' | 'flush' | 'close'

export interface BlockRequest {
  id: number
  op: BlockOp
  /** The CID's bytes, for the operations on one block. */
  cid?: Uint8Array
  /** A put's block; its buffer is transferred, not copied. */
  bytes?: Uint8Array
}

export interface BlockReply {
  id: number
  value?: unknown
  /** A failure, by name (NotFoundError, PutFailedError…) so the page can raise the same kind. */
  error?: { name: string, message: string }
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
        const error = err instanceof Error ? { name: err.name, message: err.message } : { name: 'Error', message: String(err) }
        endpoint.postMessage({ id: request.id, error } satisfies BlockReply, [])
      }
    )
  })
}

async function answer (store: RepoBlockstore, request: BlockRequest): Promise<{ value?: unknown, transfer: Transferable[] }> {
  const cid = request.cid == null ? undefined : CID.decode(request.cid)
  switch (request.op) {
    case 'put':
      await store.put(cid!, request.bytes!)
      return { transfer: [] }
    case 'get': {
      const bytes = await blockBytes(store.get(cid!))
      // the store's own copy, read for this request: handed over whole rather than copied again
      const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
      return { value: bytes, transfer: whole ? [bytes.buffer as ArrayBuffer] : [] }
    }
    case 'has':
      return { value: await store.has(cid!), transfer: [] }
    case 'delete':
      await store.delete(cid!)
      return { transfer: [] }
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
  }
}
