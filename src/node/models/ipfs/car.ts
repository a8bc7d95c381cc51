/**
 * CAR files (content-addressed archives): a DAG written out block by block
 * for a trustless transfer, and read back with every block checked against
 * its CID before it is stored. Used by `dag export`/`dag import` and by the
 * gateway's `?format=car`.
 */
import { CarBlockIterator } from '@ipld/car/iterator'
import { CarWriter } from '@ipld/car/writer'
import { equals } from 'uint8arrays/equals'
import { InvalidParametersError } from '../../errors.ts'
import { hasherByCode } from './codecs.ts'
import { blockstoreDagWalker } from './dag-walker.ts'
import type { NodeHelia } from '../../create-node.ts'
import type { AbortOptions } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

export interface CarExportOptions extends AbortOptions {
  /** Read only what this node holds (no network). */
  offline?: boolean
}

/** The DAG under `root`, depth first, each block once, as CAR bytes (v1, one root). */
export async function * exportCar (helia: Pick<NodeHelia, 'blockstore'>, root: CID, options: CarExportOptions = {}): AsyncGenerator<Uint8Array> {
  const { writer, out } = CarWriter.create([root])
  const walked = (async () => {
    try {
      for await (const node of blockstoreDagWalker(helia.blockstore).walk(root, options)) {
        await writer.put({ cid: node.block.cid, bytes: node.block.bytes })
      }
    } finally {
      await writer.close()
    }
  })()
  // the walk's failure (a missing block) is raised after what was written so far
  walked.catch(() => {})
  for await (const chunk of out) yield chunk
  await walked
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
    throw new InvalidParametersError(`not a CAR file: ${(err as Error).message}`)
  }
  let blocks = 0
  let bytes = 0
  for await (const { cid, bytes: data } of reader) {
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
