/**
 * Pin records, in helia's own datastore format, so `helia.pins.ls`, `get`
 * and `isPinned` read them as their own: `/pin/<root, CIDv1 base36>` holds
 * `{depth, metadata}` and `/pinned-block/<multihash base36>` holds
 * `{pinCount, pinnedBy}` for every block a pin reaches (helia 7's pins.js).
 *
 * Written here because helia's `pins.add`/`rm` update each block's record
 * with its own get and then its own put, one block after another: for the 65
 * blocks of a 64 MiB file that was 2.5 s in IndexedDB, a transaction per
 * put. Here a pin's records are read at once and written in one batch (one
 * transaction). Changes queue one behind another per datastore, so two pins
 * sharing blocks never both read a count before either writes it.
 */
import * as cborg from 'cborg'
import { Key } from 'interface-datastore'
import { base36 } from 'multiformats/bases/base36'
import { CID } from 'multiformats/cid'
import { equals } from 'uint8arrays/equals'
import type { AbortOptions } from 'abort-error'
import type { Datastore } from 'interface-datastore'

export interface PinRecord {
  depth: number
  metadata: Record<string, string | number | boolean>
}

interface PinnedBlock {
  pinCount: number
  /** The bytes of each root CID whose pin reaches this block. */
  pinnedBy: Uint8Array[]
}

const PIN_PREFIX = '/pin/'
const BLOCK_PREFIX = '/pinned-block/'

const queues = new WeakMap<Datastore, Promise<unknown>>()

/** Runs `change` after every change already queued on this datastore. */
async function queued<T> (datastore: Datastore, change: () => Promise<T>): Promise<T> {
  const previous = queues.get(datastore) ?? Promise.resolve()
  const next = previous.then(change, change)
  queues.set(datastore, next.catch(() => {}))
  return next
}

/**
 * Whether a recorded root is `root`, in either CID version: a pin is one pin
 * whether it was made with Qm… or bafy… (its key is the v1 form), and helia
 * itself recorded the bytes of whichever version it was given.
 */
function sameRoot (recorded: Uint8Array, root: CID): boolean {
  if (equals(recorded, root.bytes)) return true
  try {
    return CID.decode(recorded).toV1().equals(root.toV1())
  } catch {
    return false
  }
}

export function pinKey (cid: CID): Key {
  return new Key(`${PIN_PREFIX}${cid.toV1().toString(base36)}`)
}

function pinnedBlockKey (cid: CID): Key {
  return new Key(`${BLOCK_PREFIX}${base36.encode(cid.multihash.bytes)}`)
}

async function readPinnedBlocks (datastore: Datastore, blocks: CID[], options: AbortOptions): Promise<Array<{ key: Key, record: PinnedBlock }>> {
  return Promise.all(blocks.map(async (cid) => {
    const key = pinnedBlockKey(cid)
    try {
      return { key, record: cborg.decode(await datastore.get(key, options)) as PinnedBlock }
    } catch (err) {
      if ((err as Error).name !== 'NotFoundError') throw err
      return { key, record: { pinCount: 0, pinnedBy: [] } }
    }
  }))
}

/** A datastore that counts the keys under a prefix without reading them (ours in IndexedDB does). */
interface CountingDatastore {
  countKeys(prefix: string, options?: AbortOptions): Promise<number>
}

/**
 * How many pins there are: their keys counted, no record read (helia's
 * `pins.ls` decodes every record and its CID: 1000 pins took 31–38 ms, and
 * the Overview asks every 5 s).
 */
export async function countPinRecords (datastore: Datastore | (Datastore & CountingDatastore), options: AbortOptions = {}): Promise<number> {
  if ('countKeys' in datastore) return datastore.countKeys(PIN_PREFIX, options)
  let count = 0
  for await (const _ of datastore.queryKeys({ prefix: PIN_PREFIX }, options)) count++
  return count
}

/** Records a pin of `root` reaching `blocks` (the root among them, each once). */
export async function recordPin (datastore: Datastore, root: CID, blocks: CID[], pin: PinRecord, options: AbortOptions = {}): Promise<void> {
  await queued(datastore, async () => {
    const records = await readPinnedBlocks(datastore, blocks, options)
    options.signal?.throwIfAborted()
    const batch = datastore.batch()
    for (const { key, record } of records) {
      if (record.pinnedBy.some(by => sameRoot(by, root))) continue
      record.pinCount++
      record.pinnedBy.push(root.toV1().bytes)
      batch.put(key, cborg.encode(record))
    }
    batch.put(pinKey(root), cborg.encode(pin))
    await batch.commit(options)
  })
}

/** Removes the pin of `root` and its share of each block's count; a count that reaches zero goes. */
export async function releasePin (datastore: Datastore, root: CID, blocks: CID[], options: AbortOptions = {}): Promise<void> {
  await queued(datastore, async () => {
    const records = await readPinnedBlocks(datastore, blocks, options)
    options.signal?.throwIfAborted()
    const batch = datastore.batch()
    for (const { key, record } of records) {
      const pinnedBy = record.pinnedBy.filter(by => !sameRoot(by, root))
      if (pinnedBy.length === record.pinnedBy.length) continue
      const pinCount = record.pinCount - 1
      if (pinCount <= 0) batch.delete(key)
      else batch.put(key, cborg.encode({ pinCount, pinnedBy }))
    }
    batch.delete(pinKey(root))
    await batch.commit(options)
  })
}
