/**
 * CAR files (content-addressed archives): a DAG written out block by block
 * for a trustless transfer, and read back with every block checked against
 * its CID before it is stored. Used by `dag export`/`dag import` and by the
 * gateway's `?format=car`.
 */
import { CarBlockIterator } from '@ipld/car/iterator'
import { CarWriter } from '@ipld/car/writer'
import { raceSignal } from 'race-signal'
import { equals } from 'uint8arrays/equals'
import { InvalidParametersError } from '../../errors.ts'
import { getBlock } from './blocks.ts'
import { hasherByCode } from './codecs.ts'
import { blockstoreDagWalker } from './dag-walker.ts'
import type { NodeHelia } from '../../create-node.ts'
import type { AbortOptions } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

export interface CarExportOptions extends AbortOptions {
  /** Read only what this node holds (no network). */
  offline?: boolean
  /** The header's roots; `[root]` when absent. */
  roots?: CID[]
  /**
   * Blocks written ahead of the DAG: those a reader needs to verify a path
   * that leads from the header's root down to `root` (the gateway's
   * `/ipfs/<cid>/<path>?format=car`). `root` itself is left out if listed.
   */
  pathBlocks?: CID[]
  /** Only `root`'s own block, not what it links to (the trustless gateway's `dag-scope=block`). */
  rootOnly?: boolean
}

/** The DAG under `root`, depth first, each block once, as CAR bytes (v1, one root). */
export async function * exportCar (helia: Pick<NodeHelia, 'blockstore'>, root: CID, options: CarExportOptions = {}): AsyncGenerator<Uint8Array> {
  const { writer, out } = CarWriter.create(options.roots ?? [root])
  // the writer's put waits for its output to be read: a reader that stops must also stop the walk, or it waits for ever
  const stopped = new AbortController()
  const signal = options.signal == null ? stopped.signal : AbortSignal.any([options.signal, stopped.signal])
  const put = async (block: { cid: CID, bytes: Uint8Array }): Promise<void> => { await raceSignal(writer.put(block), signal) }
  const walked = (async () => {
    try {
      for (const cid of options.pathBlocks ?? []) {
        if (cid.equals(root)) continue
        await put({ cid, bytes: await getBlock(helia, cid, { ...options, signal }) })
      }
      const walk = blockstoreDagWalker(helia.blockstore).walk(root, { ...options, signal, ...(options.rootOnly === true ? { depth: 0 } : {}) })
      for await (const node of walk) {
        await put({ cid: node.block.cid, bytes: node.block.bytes })
      }
    } finally {
      void writer.close().catch(() => {})
    }
  })()
  // the walk's failure (a missing block) is raised after what was written so far
  walked.catch(() => {})
  try {
    for await (const chunk of out) yield chunk
    await walked
  } finally {
    stopped.abort()
  }
}

export interface CarImport {
  roots: CID[]
  blocks: number
  bytes: number
}

/** Stores every block of a CAR after checking it hashes to its CID; returns the CAR's roots. */
export async function importCar (helia: Pick<NodeHelia, 'blockstore'>, source: AsyncIterable<Uint8Array>, options: AbortOptions = {}): Promise<CarImport> {
  let reader: CarBlockIterator
  try {
    reader = await CarBlockIterator.fromIterable(source)
  } catch (err) {
    if (options.signal?.aborted === true) throw err
    throw new InvalidParametersError(`not a CAR file: ${(err as Error).message}`)
  }
  let blocks = 0
  let bytes = 0
  const iterator = reader[Symbol.asyncIterator]()
  for (;;) {
    let next: IteratorResult<{ cid: CID, bytes: Uint8Array }>
    try {
      next = await iterator.next()
    } catch (err) {
      // a request given up (its deadline, its client) is not the CAR's fault
      if (options.signal?.aborted === true) throw err
      // a cut or malformed body is bad input, not a failure of the node
      throw new InvalidParametersError(`the CAR file is malformed after ${blocks} blocks: ${(err as Error).message}`)
    }
    if (next.done === true) break
    const { cid, bytes: data } = next.value
    options.signal?.throwIfAborted()
    const digest = await hasherByCode(cid.multihash.code).digest(data)
    if (!equals(digest.digest, cid.multihash.digest)) {
      throw new InvalidParametersError(`block ${cid} in the CAR does not match its CID`)
    }
    await helia.blockstore.put(cid, data, options)
    blocks++
    bytes += data.byteLength
  }
  return { roots: await reader.getRoots(), blocks, bytes }
}
