import { blockBytes } from './repo-blockstore.ts'
import type { AbortOptions } from '@libp2p/interface'
import type { Blockstore } from 'interface-blockstore'
import type { CID } from 'multiformats/cid'

/** What reads blocks as Helia's blockstore does: a generator of the block's bytes. */
export interface BlockReader {
  get(cid: CID, options?: AbortOptions): AsyncGenerator<Uint8Array> | Generator<Uint8Array>
}

/**
 * Makes `blocks.get` (Helia's blockstore, which fetches what is missing
 * from the network) read the node's own store first, and go the networked
 * way only for a block the store does not hold. Helia asks its store `has`
 * before every `get`: two trips to the blockstore's worker for each block
 * the node holds, which cost a fifth of a cat's rate when measured. A missing
 * block takes the same path as before, errors and all.
 */
export function readLocalFirst (blocks: BlockReader, local: Pick<Blockstore, 'get'>): void {
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
}
