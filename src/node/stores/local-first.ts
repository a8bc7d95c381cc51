import { blockBytes } from './repo-blockstore.ts'
import type { AbortOptions } from '@libp2p/interface'
import type { Blockstore } from 'interface-blockstore'
import type { CID } from 'multiformats/cid'

/** What reads blocks as Helia's blockstore does: a generator of the block's bytes, and whether it holds one. */
export interface BlockReader {
  get(cid: CID, options?: AbortOptions): AsyncGenerator<Uint8Array> | Generator<Uint8Array>
  has?(cid: CID, options?: AbortOptions): boolean | Promise<boolean>
}

/**
 * Makes `blocks.get` (Helia's blockstore, which fetches what is missing
 * from the network) read the node's own store first, and go the networked
 * way only for a block the store does not hold. Helia asks its store `has`
 * before every `get`: two trips to the blockstore's worker for each block
 * the node holds, which cost a fifth of a cat's rate when measured. A missing
 * block takes the same path as before, errors and all.
 *
 * `blocks.has` asks the node's store straight away. Helia's asks the same
 * store, and only that one, once it holds its garbage collector's read lock,
 * which nothing here needs: the node collects garbage itself, under its own
 * repo lock. The lock's queue took 120 ms of the 10 961 `has` of a pin's walk
 * over a folder of 10 000 files.
 */
export function readLocalFirst (blocks: BlockReader, local: Pick<Blockstore, 'get' | 'has'>): void {
  const networked = blocks.get.bind(blocks)
  blocks.get = async function * (cid: CID, options?: AbortOptions): AsyncGenerator<Uint8Array> {
    let bytes: Uint8Array | undefined
    try {
      bytes = await blockBytes(local.get(cid, options))
    } catch (err) {
      if ((err as Error).name !== 'NotFoundError') throw err
    }
    if (bytes !== undefined) {
      yield bytes
      return
    }
    yield * networked(cid, options)
  }
  blocks.has = async (cid: CID, options?: AbortOptions): Promise<boolean> => local.has(cid, options)
}
