import { base32upper } from 'multiformats/bases/base32'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import * as Digest from 'multiformats/hashes/digest'
import { fillsItsBuffer } from '../../buffers.ts'
import type { JournalStore } from '../journal/types.ts'
import type { PlanSegment } from '../models/ipfs/file-plan.ts'
import type { AbortOptions } from 'abort-error'
import type { Blockstore } from 'interface-blockstore'

/** A block's key in a store: its multihash, so a block is one whatever the CID's version or codec. */
export function blockKey (cid: CID): string {
  return base32upper.encode(cid.multihash.bytes)
}

/** A CID for a stored key (raw, v1: the codec is not kept with the block). */
export function cidOfKey (key: string): CID {
  return CID.createV1(raw.code, Digest.decode(base32upper.decode(key)))
}

/** A block as a Blob (RepoBlockstore.blockBlob). */
export interface BlockBlob {
  blob: Blob
  /** True when the block's bytes were read and copied to make it: it is not one the store keeps. */
  copied: boolean
}

/** How much the local repository holds. */
export interface RepoStat {
  blocks: number
  bytes: number
}

/**
 * A put's options. `handOver` gives the store the block's buffer: the store
 * may move it to another thread, which leaves the caller's bytes empty,
 * rather than copy it. Only for bytes nothing else will read again (a
 * request body's chunk, once hashed); a store in the caller's thread
 * ignores it.
 */
export interface PutOptions extends AbortOptions {
  handOver?: boolean
}

/**
 * A store of blocks for the node, which can say how many blocks and bytes it
 * holds without a full scan. A read (`get`) gives the reader a buffer of
 * its own, never the one the store keeps: a reader may hand it to another
 * thread (transferring it), which empties it. Likewise a put's bytes stay the
 * caller's: the store keeps a copy of its own, so the caller may free or
 * hand on its bytes once the put is done.
 */
export interface RepoBlockstore extends Blockstore {
  /** Where the blocks live, for people reading a report (`indexeddb:mcp-node/blocks`, `memory`). */
  readonly location?: string
  stat(options?: AbortOptions): Promise<RepoStat>
  /**
   * Removes `cids` together, in one write (a transaction, one append to an
   * index) rather than a write each, and says what went: the blocks and
   * their bytes. A block that is not here is passed over.
   */
  deleteBlocks(cids: CID[], options?: AbortOptions): Promise<RepoStat>
  /** Resolves once every accepted `put` is durable. */
  flush(): Promise<void>
  close(): Promise<void>
  /**
   * A store in a thread of its own may serve pieces of a file itself: as a
   * Blob of its blocks' Blobs (file-blob.ts), or else on a port
   * (body-port.ts). Undefined when one of the blocks is not there.
   */
  serveFile?(segments: PlanSegment[]): Promise<MessagePort | Blob | undefined>
  /**
   * A block as a Blob the browser reads itself, no thread of ours touching
   * its bytes: a slice of OPFS's pack, the Blob IndexedDB keeps a large block as; or a
   * Blob of its bytes, read and copied to make it. Undefined when the block
   * is not here.
   */
  blockBlob?(cid: CID): Promise<BlockBlob | undefined>
  /**
   * A block's length in bytes, learnt without reading its bytes where the
   * store can (the size of the Blob IndexedDB keeps, OPFS's index);
   * undefined when the block is not here. A raw block is a file of its own
   * length: a listing asks this, rather than reading every photo of a folder.
   */
  blockSize?(cid: CID, options?: AbortOptions): Promise<number | undefined>
  /** The MFS journal, where a store keeps it in its own database (IndexedDB's): its transactions can carry blocks. */
  journal?(): JournalStore
}

/** What learns a block's length without reading it (the node's own store). */
export type BlockSizes = Pick<RepoBlockstore, 'blockSize'>

/** A block's length: the store's own answer where it has one (`blockSize`), else from its bytes; undefined when it is not here. */
export async function sizeOfBlock (store: Pick<RepoBlockstore, 'blockSize' | 'has' | 'get'>, cid: CID, options?: AbortOptions): Promise<number | undefined> {
  if (store.blockSize != null) return store.blockSize(cid, options)
  return await store.has(cid, options) ? (await blockBytes(store.get(cid, options))).byteLength : undefined
}

/** Collects a block given as bytes or chunks into one Uint8Array that owns its buffer. */
export async function blockBytes (val: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  if (val instanceof Uint8Array) {
    return ownedBytes(val)
  }
  const chunks: Uint8Array[] = []
  let length = 0
  for await (const chunk of val) {
    chunks.push(chunk)
    length += chunk.byteLength
  }
  if (chunks.length === 1) {
    return ownedBytes(chunks[0])
  }
  const out = new Uint8Array(length)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.byteLength
  }
  return out
}

/**
 * IndexedDB serializes a view's whole backing ArrayBuffer, so a 256 KiB
 * chunk sliced out of a 64 MiB buffer would store 64 MiB: copy views.
 */
export function ownedBytes (bytes: Uint8Array): Uint8Array {
  if (fillsItsBuffer(bytes)) {
    return bytes
  }
  return bytes.slice()
}
