import { CID } from 'multiformats/cid'
import { codecByCode, codecByName, hasherByName } from './codecs.ts'
import { translateLibraryError } from './library-errors.ts'
import { pinContent } from './pins.ts'
import { BlockTooLargeError, InvalidParametersError } from '../../errors.ts'
import type { ReadOptions } from './resolve.ts'
import type { Helia } from '@helia/interface'
import type { AbortOptions } from 'abort-error'

/** Peers refuse blocks over 2 MiB (bitswap's limit), so the node refuses to store them. */
export const MAX_BLOCK_SIZE = 2 * 1024 * 1024

export interface PutBlockOptions extends AbortOptions {
  /** Codec name for the CID; `raw` by default, as in Kubo. */
  codec?: string
  /** Multihash name; `sha2-256` by default. */
  hash?: string
  /** Pin the block directly. */
  pin?: boolean
}

export interface BlockStat {
  cid: CID
  size: number
}

/** Stores one block; a block in a structured codec must decode with that codec. */
export async function putBlock (helia: Pick<Helia, 'blockstore' | 'pins' | 'getCodec'>, bytes: Uint8Array, options: PutBlockOptions = {}): Promise<BlockStat> {
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
  const digest = await hasher.digest(bytes)
  const cid = CID.create(1, codec.code, digest)
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

export async function statBlock (helia: Pick<Helia, 'blockstore'>, cid: CID, options: ReadOptions = {}): Promise<BlockStat> {
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

function concat (chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0))
  let offset = 0
  for (const c of chunks) { out.set(c, offset); offset += c.byteLength }
  return out
}
