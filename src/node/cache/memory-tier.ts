/**
 * The memory tier: the bytes of hot DAGs' blocks, bounded in bytes. Blocks
 * belong to the record (root CID) they were promoted for; when the tier is
 * full, the coldest records' blocks go first. Blocks are keyed by their
 * multihash, as the stores key them: a block deleted under one CID (garbage
 * collection lists raw CIDv1s) leaves whatever CID it was promoted under.
 */
import { blockKey } from '../stores/repo-blockstore.ts'
import type { CID } from 'multiformats/cid'

export interface MemoryTierInit {
  /** The tier's capacity in bytes. */
  maxBytes: number
  /** The current heat of a record (root CID string); the lowest is evicted first. */
  heatOf(owner: string): number
}

interface Entry {
  bytes: Uint8Array
  owners: Set<string>
}

export interface MemoryTierStats {
  bytes: number
  blocks: number
  records: number
  max_bytes: number
  evictions: number
}

export class MemoryTier {
  private readonly init: MemoryTierInit
  private readonly entries = new Map<string, Entry>()
  private readonly owners = new Map<string, Set<string>>()
  private bytes = 0
  private evictions = 0

  constructor (init: MemoryTierInit) {
    this.init = init
  }

  get maxBytes (): number {
    return this.init.maxBytes
  }

  get (cid: CID): Uint8Array | undefined {
    return this.entries.get(blockKey(cid))?.bytes
  }

  holds (owner: string): boolean {
    return this.owners.has(owner)
  }

  /** Records currently held, with how many bytes each. */
  holdings (): Array<{ owner: string, bytes: number }> {
    return [...this.owners].map(([owner, keys]) => ({
      owner,
      bytes: [...keys].reduce((n, k) => n + (this.entries.get(k)?.bytes.byteLength ?? 0), 0)
    }))
  }

  /**
   * Takes a record's blocks in, evicting colder records to make room.
   * Returns the records evicted; throws if the blocks alone exceed the capacity
   * (nothing is changed then).
   */
  admit (owner: string, blocks: ReadonlyArray<{ cid: CID, bytes: Uint8Array }>): string[] {
    const incoming = blocks.filter(b => !this.entries.has(blockKey(b.cid))).reduce((n, b) => n + b.bytes.byteLength, 0)
    if (incoming > this.init.maxBytes) {
      throw new RangeError(`${incoming} bytes do not fit a memory tier of ${this.init.maxBytes}`)
    }
    const evicted: string[] = []
    while (this.bytes + incoming > this.init.maxBytes) {
      const coldest = this.coldestOwner(owner)
      if (coldest == null) break
      this.evict(coldest)
      evicted.push(coldest)
    }
    let keys = this.owners.get(owner)
    if (keys == null) this.owners.set(owner, keys = new Set())
    for (const { cid, bytes } of blocks) {
      const key = blockKey(cid)
      let entry = this.entries.get(key)
      if (entry == null) {
        entry = { bytes, owners: new Set() }
        this.entries.set(key, entry)
        this.bytes += bytes.byteLength
      }
      entry.owners.add(owner)
      keys.add(key)
    }
    return evicted
  }

  /** Drops a record's blocks (those no other record holds). */
  evict (owner: string): void {
    const keys = this.owners.get(owner)
    if (keys == null) return
    this.owners.delete(owner)
    this.evictions++
    for (const key of keys) {
      const entry = this.entries.get(key)
      if (entry == null) continue
      entry.owners.delete(owner)
      if (entry.owners.size === 0) {
        this.entries.delete(key)
        this.bytes -= entry.bytes.byteLength
      }
    }
  }

  /** Forgets one block (it was deleted from the repository). */
  delete (cid: CID): void {
    const key = blockKey(cid)
    const entry = this.entries.get(key)
    if (entry == null) return
    this.entries.delete(key)
    this.bytes -= entry.bytes.byteLength
    for (const owner of entry.owners) this.owners.get(owner)?.delete(key)
  }

  stats (): MemoryTierStats {
    return { bytes: this.bytes, blocks: this.entries.size, records: this.owners.size, max_bytes: this.init.maxBytes, evictions: this.evictions }
  }

  private coldestOwner (except: string): string | undefined {
    let coldest: string | undefined
    let lowest = Infinity
    for (const owner of this.owners.keys()) {
      if (owner === except) continue
      const heat = this.init.heatOf(owner)
      if (heat < lowest) {
        lowest = heat
        coldest = owner
      }
    }
    return coldest
  }
}
