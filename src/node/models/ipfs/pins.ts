import * as raw from 'multiformats/codecs/raw'
import { base32 } from 'multiformats/bases/base32'
import { linksOfEach } from './dag-walker.ts'
import { translateLibraryError } from './library-errors.ts'
import { countPinRecords, recordPin, releasePin } from './pin-records.ts'
import { InvalidParametersError, NotPinnedError } from '../../errors.ts'
import type { ReadOptions } from './resolve.ts'
import type { Helia } from '@helia/interface'
import type { AbortOptions } from 'abort-error'
import type { Blockstore } from 'interface-blockstore'
import type { CID } from 'multiformats/cid'

export type PinType = 'recursive' | 'direct' | 'indirect'

export interface PinInfo {
  cid: CID
  type: PinType
  name?: string
}

export interface PinOptions extends ReadOptions {
  recursive?: boolean
  name?: string
  /**
   * Every block of the DAG, root included, when the caller knows them all to
   * be here (an add that has just written them): nothing is walked.
   */
  knownBlocks?: CID[]
}

export interface PinResult extends PinInfo {
  /** True when the CID was already pinned (its name is updated if one was given). */
  alreadyPinned: boolean
}

/** Helia's parts a pin works on; `blockstore` may be the local store alone when every block is known to be local. */
export type PinHelia = Pick<Helia, 'pins' | 'getCodec' | 'datastore'> & { blockstore: Pick<Blockstore, 'has' | 'get'> }

/**
 * Pins a CID. The DAG is walked first (unless the caller knows its blocks),
 * so a CID whose blocks are not all available fails before anything is
 * recorded (helia's own pin walk would
 * leave per-block pin counts behind if it stopped half way).
 */
export async function pinContent (helia: PinHelia, cid: CID, options: PinOptions = {}): Promise<PinResult> {
  const recursive = options.recursive !== false
  const type: PinType = recursive ? 'recursive' : 'direct'
  try {
    let upgrade: { name?: string } | undefined
    if (await isPinRoot(helia, cid, options)) {
      const existing = await helia.pins.get(cid, options)
      upgrade = recursive && existing.depth === 0 ? { name: options.name ?? stringOrUndefined(existing.metadata.name) } : undefined
    }
    if (upgrade == null && await isPinRoot(helia, cid, options)) {
      const existing = await helia.pins.get(cid, options)
      if (options.name != null) {
        await helia.pins.setMetadata(cid, { ...existing.metadata, name: options.name }, options)
      }
      const name = options.name ?? stringOrUndefined(existing.metadata.name)
      return { cid, type: pinTypeOf(existing.depth), name, alreadyPinned: true }
    }
    // the blocks are all found (or fetched) before anything is recorded
    const blocks = options.knownBlocks ?? await dagBlocks(helia, cid, recursive ? Infinity : 0, options)
    if (upgrade != null) {
      // a direct pin asked to become recursive (as Kubo does): every block is known to be here, so the swap loses nothing;
      // the caller holds the repo lock, so garbage collection cannot run between the two
      await releasePin(helia.datastore, cid, [cid], options)
      options = { ...options, name: upgrade.name }
    }
    await recordPin(helia.datastore, cid, blocks, { depth: recursive ? Infinity : 0, metadata: pinMetadata(cid, options.name) ?? {} }, options)
  } catch (err) {
    throw translateLibraryError(err, cid.toString(), options.signal)
  }
  return { cid, type, name: options.name, alreadyPinned: false }
}

export interface UnpinOptions extends ReadOptions {
  /**
   * False removes only a direct pin: a recursive one is then refused, as
   * Kubo's `pin rm --recursive=false` does. Absent removes either kind.
   */
  recursive?: boolean
}

/** Removes a pin; a CID that is not pinned (directly or recursively) is an error. */
export async function unpinContent (helia: PinHelia, cid: CID, options: UnpinOptions = {}): Promise<PinInfo> {
  let pin
  try {
    if (!await isPinRoot(helia, cid, options)) {
      throw new NotPinnedError(`${cid} is not pinned`)
    }
    pin = await helia.pins.get(cid, options)
    if (options.recursive === false && pinTypeOf(pin.depth) === 'recursive') {
      throw new InvalidParametersError('it is pinned recursively, which recursive=false does not remove')
    }
    // a block gone missing under a pin has no count left to take back
    const blocks = await dagBlocks(helia, cid, pin.depth, { ...options, offline: true, skipMissing: true })
    await releasePin(helia.datastore, cid, blocks, options)
  } catch (err) {
    throw translateLibraryError(err, cid.toString(), options.signal)
  }
  return { cid, type: pinTypeOf(pin.depth), name: stringOrUndefined(pin.metadata.name) }
}

/** How many pins there are (recursive and direct; indirect ones are not recorded as pins). */
export async function countPins (helia: PinHelia, options: AbortOptions = {}): Promise<number> {
  return countPinRecords(helia.datastore, options)
}

export interface ListPinsOptions extends AbortOptions {
  type?: PinType | 'all'
}

/** Lists pins; `indirect` (and `all`) walk each recursive pin's DAG to name what it holds. */
export async function * listPins (helia: PinHelia, options: ListPinsOptions = {}): AsyncGenerator<PinInfo> {
  const wanted = options.type ?? 'all'
  if (!['all', 'recursive', 'direct', 'indirect'].includes(wanted)) {
    throw new InvalidParametersError(`pin type "${wanted}" is not one of all, recursive, direct, indirect`)
  }
  const roots: PinInfo[] = []
  for await (const pin of helia.pins.ls(options)) {
    const info: PinInfo = { cid: asPinned(pin.cid, pin.metadata), type: pinTypeOf(pin.depth), name: stringOrUndefined(pin.metadata.name) }
    roots.push(info)
    if (wanted === 'all' || wanted === info.type) yield info
  }
  if (wanted !== 'all' && wanted !== 'indirect') return
  const seen = new Set(roots.map(r => r.cid.toV1().toString()))
  // one walk below every recursive pin at once (a pin each, walked in turn, took 600 ms for 1000
  // small files); a raw root has nothing below it, so it is not even looked at
  const below = roots.filter(r => r.type === 'recursive' && r.cid.code !== raw.code).map(r => r.cid)
  for (const child of await dagBlocks(helia, below, Infinity, { ...options, offline: true, skipMissing: true })) {
    const key = child.toV1().toString()
    if (seen.has(key)) continue
    seen.add(key)
    yield { cid: child, type: 'indirect' }
  }
}

async function isPinRoot (helia: PinHelia, cid: CID, options: AbortOptions): Promise<boolean> {
  try {
    await helia.pins.get(cid, options)
    return true
  } catch (err) {
    if ((err as Error).name === 'NotFoundError') return false
    throw err
  }
}

interface WalkDagOptions extends ReadOptions {
  skipMissing?: boolean
}

/** What a read of a block that is not here throws, offline: the store's, or Helia's. */
const MISSING = new Set(['NotFoundError', 'BlockNotFoundWhileOfflineError'])

/** No failure is passed over. */
const NOTHING: ReadonlySet<string> = new Set()

/**
 * Raw leaves checked for at once: a key looked up each, no bytes read. 32 at a
 * time, as the reads go, a folder of 10 000 small files took 0.9–1.0 s to list
 * its indirect pins, most of it waiting on the store's worker. Many at once,
 * an IndexedDB store reads the keys of their range in one request rather
 * than one each (idb-blockstore.ts), when the range holds not many more.
 */
const LEAVES_AT_ONCE = 16384

/**
 * Every block of the DAGs under `roots` to `depth`, the roots first, each once. Only blocks
 * that can link are read: a raw block has no links, so a raw leaf that is
 * here is only checked for (a 64 MiB file is 64 raw leaves under one node:
 * one read, not 65); one that is not here is fetched, unless offline.
 */
async function dagBlocks (helia: PinHelia, roots: CID | CID[], depth: number, options: WalkDagOptions): Promise<CID[]> {
  const seen = new Set<string>()
  const out: CID[] = []
  let level: CID[] = Array.isArray(roots) ? roots : [roots]
  for (let d = 0; level.length > 0; d++) {
    const fresh = level.filter(cid => {
      const key = base32.encode(cid.multihash.bytes)
      if (seen.has(key)) return false
      seen.add(key)
      return true
    })
    const toRead = fresh.filter(cid => cid.code !== raw.code)
    const leaves = fresh.filter(cid => cid.code === raw.code)
    for (let i = 0; i < leaves.length; i += LEAVES_AT_ONCE) {
      const batch = leaves.slice(i, i + LEAVES_AT_ONCE)
      const here = await Promise.all(batch.map(async cid => helia.blockstore.has(cid, options)))
      batch.forEach((cid, j) => { if (here[j]) out.push(cid); else toRead.push(cid) })
    }
    // only an absent block is passed over: one the store failed to read would leave the counts
    // below it behind (an unpin) or its blocks unlisted, and is reported
    const links = await linksOfEach(helia.blockstore, toRead, options.skipMissing === true ? MISSING : NOTHING, options)
    const next: CID[] = []
    toRead.forEach((cid, i) => {
      if (links[i] == null) return
      out.push(cid)
      if (d < depth) next.push(...links[i])
    })
    level = next
  }
  return out
}

/**
 * Helia keys pins by CIDv1, so a CIDv0 pin would be listed as its v1 form; it
 * is recorded as v0 so lists show the CID that was pinned, as Kubo's do
 * (`ipfs add` pins Qm… and `pin ls` shows Qm…).
 */
const VERSION_KEY = 'cid_version'

function pinMetadata (cid: CID, name: string | undefined): Record<string, string | number> | undefined {
  const metadata: Record<string, string | number> = {}
  if (name != null) metadata.name = name
  if (cid.version === 0) metadata[VERSION_KEY] = 0
  return Object.keys(metadata).length === 0 ? undefined : metadata
}

function asPinned (cid: CID, metadata: Record<string, unknown>): CID {
  return metadata[VERSION_KEY] === 0 && cid.version === 1 ? cid.toV0() : cid
}

function pinTypeOf (depth: number): PinType {
  return depth === 0 ? 'direct' : 'recursive'
}

function stringOrUndefined (value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}
