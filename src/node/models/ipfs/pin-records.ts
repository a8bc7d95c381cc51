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
 *
 * In IndexedDB each request has a cost of its own, whatever its size: for a
 * folder of 10 000 files (10 961 blocks) a get per block took 430–440 ms and
 * a delete per block about a second. So when the records are few beside the
 * pin's blocks they are all read as one range, and the records an unpin lets
 * go are deleted as ranges of neighbouring keys (measured in Chromium 156).
 */
import * as cborg from 'cborg'
import { Key } from 'interface-datastore'
import { base36 } from 'multiformats/bases/base36'
import { CID } from 'multiformats/cid'
import { equals } from 'uint8arrays/equals'
import type { AbortOptions } from 'abort-error'
import type { Batch, Datastore, Pair } from 'interface-datastore'

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

/**
 * The records are read as one range, rather than a get each, when there are
 * at most this many of them per block of the pin: in Chromium, 11 000 small
 * records took 270–380 ms as a get each and 36–70 ms as one range.
 */
const RANGE_READ_PER_BLOCK = 4

/**
 * Runs of at least this many neighbouring records an unpin lets go are
 * deleted as one range: a run is checked (one request) before it goes.
 */
const RANGE_DELETE_RUN = 4

/** A datastore that reads a prefix's records in one request when they are few (ours in IndexedDB does). */
interface RangeDatastore {
  readUnder(prefix: string, atMost: number, options?: AbortOptions): Promise<Pair[] | undefined>
}

/** A batch that deletes neighbouring keys as one range (ours in IndexedDB does). */
interface NeighboursBatch extends Batch {
  deleteNeighbours(keys: Key[]): void
}

function deletesNeighbours (batch: Batch): batch is NeighboursBatch {
  return 'deleteNeighbours' in batch
}

interface PinnedBlocks {
  records: Array<{ key: Key, record: PinnedBlock }>
  /** Every record's key, in key order, when they were all read (as a range). */
  allKeys?: string[]
}

const noRecord = (): PinnedBlock => ({ pinCount: 0, pinnedBy: [] })

async function readPinnedBlocks (datastore: Datastore | (Datastore & RangeDatastore), blocks: CID[], options: AbortOptions): Promise<PinnedBlocks> {
  const keys = blocks.map(pinnedBlockKey)
  const all = 'readUnder' in datastore ? await datastore.readUnder(BLOCK_PREFIX, keys.length * RANGE_READ_PER_BLOCK, options) : undefined
  if (all != null) {
    const stored = new Map(all.map(({ key, value }) => [key.toString(), value]))
    const records = keys.map(key => {
      const value = stored.get(key.toString())
      return { key, record: value == null ? noRecord() : cborg.decode(value) as PinnedBlock }
    })
    // a JavaScript sort orders strings by their code units, as IndexedDB orders its keys
    return { records, allKeys: [...stored.keys()].sort() }
  }
  const records = await Promise.all(keys.map(async (key) => {
    try {
      return { key, record: cborg.decode(await datastore.get(key, options)) as PinnedBlock }
    } catch (err) {
      if ((err as Error).name !== 'NotFoundError') throw err
      return { key, record: noRecord() }
    }
  }))
  return { records }
}

/** The keys of `doomed` in runs of neighbours in `allKeys` (every key of the records, in key order). */
export function runsOf (allKeys: string[], doomed: Set<string>): string[][] {
  const runs: string[][] = []
  let run: string[] = []
  for (const key of allKeys) {
    if (doomed.has(key)) {
      run.push(key)
    } else if (run.length > 0) {
      runs.push(run)
      run = []
    }
  }
  if (run.length > 0) runs.push(run)
  return runs
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
    const { records } = await readPinnedBlocks(datastore, blocks, options)
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
    const { records, allKeys } = await readPinnedBlocks(datastore, blocks, options)
    options.signal?.throwIfAborted()
    const batch = datastore.batch()
    const doomed = new Set<string>()
    for (const { key, record } of records) {
      const pinnedBy = record.pinnedBy.filter(by => !sameRoot(by, root))
      if (pinnedBy.length === record.pinnedBy.length) continue
      const pinCount = record.pinCount - 1
      if (pinCount <= 0) doomed.add(key.toString())
      else batch.put(key, cborg.encode({ pinCount, pinnedBy }))
    }
    const ranges = allKeys != null && deletesNeighbours(batch) ? batch : undefined
    for (const run of ranges == null ? [[...doomed]] : runsOf(allKeys!, doomed)) {
      // the batch deletes the range only if it still holds this run and nothing else
      if (ranges != null && run.length >= RANGE_DELETE_RUN) ranges.deleteNeighbours(run.map(key => new Key(key)))
      else for (const key of run) batch.delete(new Key(key))
    }
    batch.delete(pinKey(root))
    await batch.commit(options)
  })
}
