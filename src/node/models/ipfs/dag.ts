import * as dagPb from '@ipld/dag-pb'
import { CID } from 'multiformats/cid'
import { decodeBlock, putBlock } from './blocks.ts'
import { codecByName } from './codecs.ts'
import { formatContentPath } from './content-path.ts'
import { pinContent } from './pins.ts'
import { InvalidParametersError, PathNotFoundError } from '../../errors.ts'
import type { ContentPath } from './content-path.ts'
import type { ReadOptions } from './resolve.ts'
import type { Helia } from '@helia/interface'
import type { AbortOptions } from 'abort-error'

export interface PutDagOptions extends AbortOptions {
  /** How the input bytes are encoded; dag-json by default (`{"/": cid}` is a link). */
  inputCodec?: string
  /** How the node is stored; dag-cbor by default. */
  storeCodec?: string
  hash?: string
  pin?: boolean
}

/** Stores one IPLD node given in an input codec, re-encoded in the store codec. */
export async function putDag (helia: Pick<Helia, 'blockstore' | 'pins' | 'getCodec' | 'datastore'>, input: Uint8Array, options: PutDagOptions = {}): Promise<CID> {
  const inputCodec = codecByName(options.inputCodec ?? 'dag-json')
  const storeCodec = codecByName(options.storeCodec ?? 'dag-cbor')
  let value: unknown
  try {
    value = inputCodec.decode(input)
  } catch (err) {
    throw new InvalidParametersError(`the input does not decode as ${inputCodec.name}: ${(err as Error).message}`)
  }
  let bytes: Uint8Array
  try {
    bytes = storeCodec.code === dagPb.code
      ? dagPb.encode(dagPb.prepare(value as dagPb.PBNode))
      : storeCodec.encode(value)
  } catch (err) {
    throw new InvalidParametersError(`the node cannot be stored as ${storeCodec.name}: ${(err as Error).message}`)
  }
  const { cid } = await putBlock(helia, bytes, { codec: storeCodec.name, hash: options.hash, signal: options.signal })
  if (options.pin === true) {
    await pinContent(helia, cid, { signal: options.signal })
  }
  return cid
}

/** A JSON value (as parsed from a request) read as dag-json, so links and bytes keep their meaning. */
export function dagJsonBytes (value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value))
}

export interface ResolvedDagPath {
  /** The last block the path reached. */
  cid: CID
  /** The value the whole path names (inside that block). */
  value: unknown
  /** The part of the path inside the block at `cid`. */
  remainderPath: string
}

/**
 * Follows an IPLD path across blocks: object keys and list indexes within a
 * block, links (`{"/": cid}`) into the next block, and for dag-pb the link
 * names of a directory as well as `Links/0/Hash`-style paths.
 */
export async function resolveDagPath (helia: Pick<Helia, 'blockstore'>, path: ContentPath, options: ReadOptions = {}): Promise<ResolvedDagPath> {
  let cid = path.cid
  let value = await decodeBlock(helia, cid, options)
  let inBlock: string[] = []
  for (const segment of path.segments) {
    if (value instanceof CID) {
      cid = value
      value = await decodeBlock(helia, cid, options)
      inBlock = []
    }
    const next = step(value, segment, cid)
    if (next === undefined) {
      throw new PathNotFoundError(`${formatContentPath(path)}: no "${segment}" under ${[cid.toString(), ...inBlock].join('/')}`)
    }
    if (next.link) {
      cid = next.value as CID
      value = await decodeBlock(helia, cid, options)
      inBlock = []
      continue
    }
    value = next.value
    inBlock.push(segment)
  }
  return { cid, value, remainderPath: inBlock.join('/') }
}

function step (value: unknown, segment: string, cid: CID): { value: unknown, link: boolean } | undefined {
  if (cid.code === dagPb.code && isPbNode(value) && segment !== 'Links' && segment !== 'Data') {
    const link = value.Links.find(l => l.Name === segment)
    if (link != null) return { value: link.Hash, link: true }
  }
  if (Array.isArray(value)) {
    const index = Number(segment)
    return Number.isInteger(index) && index >= 0 && index < value.length ? { value: value[index], link: false } : undefined
  }
  if (value != null && typeof value === 'object' && !(value instanceof Uint8Array) && !(value instanceof CID) && Object.hasOwn(value, segment)) {
    return { value: (value as Record<string, unknown>)[segment], link: false }
  }
  return undefined
}

function isPbNode (value: unknown): value is dagPb.PBNode {
  return value != null && typeof value === 'object' && Array.isArray((value as dagPb.PBNode).Links)
}

/** Encodes a resolved value for output: dag-json (links as `{"/": cid}`) unless asked otherwise. */
export function encodeDagValue (value: unknown, outputCodec = 'dag-json'): { bytes: Uint8Array, contentType: string } {
  const codec = codecByName(outputCodec)
  if (codec.name === 'raw') {
    if (!(value instanceof Uint8Array)) throw new InvalidParametersError('only bytes can be output as raw')
    return { bytes: value, contentType: 'application/vnd.ipld.raw' }
  }
  if (codec.name === 'dag-pb') {
    if (!isPbNode(value)) throw new InvalidParametersError('only a dag-pb node can be output as dag-pb')
    return { bytes: dagPb.encode(value), contentType: 'application/vnd.ipld.dag-pb' }
  }
  try {
    const bytes = codec.encode(value)
    const contentType = codec.name === 'json' ? 'application/json' : `application/vnd.ipld.${codec.name}`
    return { bytes, contentType }
  } catch (err) {
    throw new InvalidParametersError(`the value cannot be output as ${codec.name}: ${(err as Error).message}`)
  }
}

