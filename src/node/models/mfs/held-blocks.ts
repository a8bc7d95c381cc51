import { blockKey } from '../../stores/repo-blockstore.ts'
import { WriteBehind } from '../ipfs/write-behind.ts'
import type { CarriedBlock } from '../../journal/types.ts'
import type { Blockstore } from 'interface-blockstore'
import type { CID } from 'multiformats/cid'

/**
 * Blocks an MFS change writes, held in the page rather than stored, for a
 * journal that stores them in the same transaction as its own entries
 * (`JournalStore.carriesBlocks`). Past `limit` bytes (a large write's
 * content) what is held and what follows go to `store` behind, as
 * WriteBehind writes, and nothing is left to carry.
 */
export class HeldBlocks {
  private readonly held = new Map<string, CarriedBlock>()
  private readonly store: Pick<Blockstore, 'put'>
  private readonly limit: number
  private heldBytes = 0
  private behind?: WriteBehind

  constructor (init: { store: Pick<Blockstore, 'put'>, limit: number }) {
    this.store = init.store
    this.limit = init.limit
  }

  async put (cid: CID, bytes: Uint8Array): Promise<CID> {
    if (this.behind == null && this.heldBytes + bytes.byteLength <= this.limit) {
      this.held.set(blockKey(cid), { cid, bytes })
      this.heldBytes += bytes.byteLength
      return cid
    }
    if (this.behind == null) {
      this.behind = new WriteBehind(this.store)
      for (const block of this.held.values()) await this.behind.put(block.cid, block.bytes)
      this.held.clear()
      this.heldBytes = 0
    }
    return this.behind.put(cid, bytes)
  }

  /** What is held, to be carried by the journal: nothing once the blocks went to the store. */
  carried (): CarriedBlock[] {
    return [...this.held.values()]
  }

  /** Resolves once what went to the store is stored; throws the first failure. */
  async drain (): Promise<void> {
    await this.behind?.drain()
  }

  /** A block held, or written and not yet stored, for readers that need it now. */
  unwrittenBlock (cid: CID): Uint8Array | undefined {
    return this.held.get(blockKey(cid))?.bytes ?? this.behind?.unwrittenBlock(cid)
  }

  throwIfFailed (): void {
    this.behind?.throwIfFailed()
  }
}
