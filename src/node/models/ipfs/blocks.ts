import { CID } from 'multiformats/cid'
import { codecByCode, codecByName, hasherByName } from './codecs.ts'
import { translateLibraryError } from './library-errors.ts'
import { pinContent } from './pins.ts'
import { BlockTooLargeError, ContentNotFoundError, InvalidParametersError } from '../../errors.ts'
import type { BlockSizes } from '../../stores/repo-blockstore.ts'
import type { ReadOptions } from './resolve.ts'
import type { Helia } from '@helia/interface'
import type { AbortOptions } from 'abort-error'
import type { Blockstore } from 'interface-blockstore'

const DAG_PB_CODE = 0x70
const SHA2_256_CODE = 0x12

/** Peers refuse blocks over 2 MiB (bitswap's limit), so the node refuses to store them. */
export const MAX_BLOCK_SIZE = 2 * 1024 * 1024

export interface PutBlockOptions extends AbortOptions {
  /** Codec name for the CID; `raw` by default, as in Kubo. */
  codec?: string
  /** Multihash name; `sha2-256` by default. */
  hash?: string
  /** Pin the block directly. */
  pin?: boolean
  /** 1 by default; 0 (Kubo's legacy `--format=v0`) only for dag-pb with sha2-256. */
  cidVersion?: 0 | 1
}

export interface BlockStat {
  cid: CID
  size: number
}

/** Stores one block; a block in a structured codec must decode with that codec. */
export async function putBlock (helia: Pick<Helia, 'blockstore' | 'pins' | 'getCodec' | 'datastore'>, bytes: Uint8Array, options: PutBlockOptions = {}): Promise<BlockStat> {
  if (bytes.byteLength > MAX_BLOCK_SIZE) {
    throw new BlockTooLargeError(`the block is ${bytes.byteLength} bytes; the limit is ${MAX_BLOCK_SIZE}`)
  }
  const codec = codecByName(options.codec ?? 'raw')
  const hasher = hasherByName(options.hash ?? 'sha2-256')
  try {
    codec.decode(bytes)
  } catch (err) {
    throw new InvalidParametersError(`the block does not decode as ${codec.name}: ${(err as Error).message}`)
  }
  if (options.cidVersion === 0 && (codec.code !== DAG_PB_CODE || hasher.code !== SHA2_256_CODE)) {
    throw new InvalidParametersError(`a CIDv0 names only dag-pb blocks hashed with sha2-256, not ${codec.name} with ${hasher.name}`)
  }
  const digest = await hasher.digest(bytes)
  const cid = CID.create(options.cidVersion ?? 1, codec.code, digest)
  try {
    await helia.blockstore.put(cid, bytes, options)
  } catch (err) {
    throw translateLibraryError(err, cid.toString(), options.signal)
  }
  if (options.pin === true) {
    await pinContent(helia, cid, { recursive: false, signal: options.signal })
  }
  return { cid, size: bytes.byteLength }
}

/** The raw bytes of one block. */
export async function getBlock (helia: Pick<Helia, 'blockstore'>, cid: CID, options: ReadOptions = {}): Promise<Uint8Array> {
  try {
    const chunks: Uint8Array[] = []
    for await (const chunk of helia.blockstore.get(cid, options)) chunks.push(chunk)
    return chunks.length === 1 ? chunks[0] : concat(chunks)
  } catch (err) {
    throw translateLibraryError(err, `block ${cid}`, options.signal)
  }
}

/** A block's CID and length: from `local` (the node's store) without reading the block where it holds it, else read (from the network when not held). */
export async function statBlock (helia: Pick<Helia, 'blockstore'>, cid: CID, options: ReadOptions = {}, local?: BlockSizes): Promise<BlockStat> {
  const size = await local?.blockSize?.(cid, options)
  if (size != null) return { cid, size }
  const bytes = await getBlock(helia, cid, options)
  return { cid, size: bytes.byteLength }
}

/** Decodes a block with the codec its CID names. */
export async function decodeBlock (helia: Pick<Helia, 'blockstore'>, cid: CID, options: ReadOptions = {}): Promise<unknown> {
  const codec = codecByCode(cid.code)
  const bytes = await getBlock(helia, cid, options)
  try {
    return codec.decode(bytes)
  } catch (err) {
    throw new InvalidParametersError(`block ${cid} does not decode as ${codec.name}: ${(err as Error).message}`)
  }
}

export interface RemoveBlockOptions extends AbortOptions {
  /** A block that is not there is no error (Kubo's `block rm --force`). */
  force?: boolean
}

/**
 * Deletes one block from the local store. A block that any pin holds is
 * refused (as a root or inside a recursive pin's DAG), whatever `force` says:
 * removing it would break the pin.
 */
export async function removeBlock (helia: Pick<Helia, 'pins'>, blockstore: Pick<Blockstore, 'has' | 'delete'>, cid: CID, options: RemoveBlockOptions = {}): Promise<void> {
  try {
    if (await helia.pins.isPinned(cid, options)) {
      throw new InvalidParametersError(`pinned: ${await pinKind(helia, cid, options)}`)
    }
    if (!await blockstore.has(cid, options)) {
      if (options.force === true) return
      throw new ContentNotFoundError(`block ${cid} is not in the local store`)
    }
    await blockstore.delete(cid, options)
  } catch (err) {
    if (err instanceof InvalidParametersError || err instanceof ContentNotFoundError) throw err
    throw translateLibraryError(err, `block ${cid}`, options.signal)
  }
}

/** How a pinned block is held, in Kubo's words. */
async function pinKind (helia: Pick<Helia, 'pins'>, cid: CID, options: AbortOptions): Promise<string> {
  try {
    const pin = await helia.pins.get(cid, options)
    return pin.depth === 0 ? 'direct' : 'recursive'
  } catch {
    // not a pin's root: some recursive pin's DAG holds it
    return 'indirect'
  }
}

function concat (chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0))
  let offset = 0
  for (const c of chunks) { out.set(c, offset); offset += c.byteLength }
  return out
}
