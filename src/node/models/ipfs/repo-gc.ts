/**
 * Garbage collection: removes every block that no pin and no MFS path
 * reaches, and drops the cache records of what went. Runs under the repo
 * lock held exclusively, so no add or write is half-way through.
 */
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { linksOfEach } from './dag-walker.ts'
import { blockKey } from '../../stores/repo-blockstore.ts'
import type { RepoBlockstore } from '../../stores/repo-blockstore.ts'
import type { McpNode } from '../../create-node.ts'
import type { CidCache } from '../../cache/cid-cache.ts'
import type { RepoLock } from '../../repo-lock.ts'
import type { Helia } from '@helia/interface'
import type { AbortOptions } from 'abort-error'

export interface GarbageCollectorComponents {
  helia: Pick<Helia, 'pins'>
  /** The local blockstore (no network behind it): what is walked and swept. */
  blockstore: Pick<RepoBlockstore, 'get' | 'getAll' | 'deleteBlocks'>
  /** The MFS root, which keeps what the file system references. */
  mfsRoot(): CID
  cache: Pick<CidCache, 'forget' | 'all'>
  repoLock: RepoLock
}

/** What a node's collection runs on: both API faces collect the same way. */
export function nodeCollectorComponents (node: Pick<McpNode, 'helia' | 'blockstore' | 'mfs' | 'cache' | 'repoLock'>): GarbageCollectorComponents {
  return { helia: node.helia, blockstore: node.blockstore, mfsRoot: () => node.mfs.root(), cache: node.cache, repoLock: node.repoLock }
}

export interface GarbageCollectionResult {
  /** Blocks removed. */
  removed: CID[]
  freed_bytes: number
  /** Blocks kept because a pin or MFS reaches them. */
  kept: number
  /** Pins and the MFS root the walk started from. */
  roots: number
  /** Cache records dropped with their blocks. */
  records_dropped: number
  duration_ms: number
}

/** Dead blocks deleted per write: a large collection stops between them when it is given up. */
const DELETE_BATCH = 1024

/** What reading a block the store does not hold throws. */
const ABSENT: ReadonlySet<string> = new Set(['NotFoundError'])

/**
 * The keys of every block `roots` reach, each root to its depth, a level of
 * the DAGs at a time, its blocks read many at once (walked one block after
 * another, a folder of 10 000 files, 949 shards, took 1.3 s to mark).
 * A block reached again is not read again unless from deeper. A raw block
 * links nowhere: it is marked unread (a file's leaves are most of its bytes).
 * A block the store does not hold is passed over with what is below it (a
 * pin may be partial); any other failure to read or decode one stops the
 * collection, which has deleted nothing yet: passed over, what is below it
 * would go as garbage.
 */
async function markLive (blockstore: Pick<RepoBlockstore, 'get'>, roots: Array<{ cid: CID, depth: number }>, options: AbortOptions): Promise<Set<string>> {
  const live = new Set<string>()
  /** How deep below each block read so far its links were followed. */
  const followed = new Map<string, number>()
  let level = roots
  while (level.length > 0) {
    const toRead: Array<{ cid: CID, depth: number }> = []
    for (const { cid, depth } of level) {
      const key = blockKey(cid)
      live.add(key)
      if (cid.code === raw.code || depth <= 0 || (followed.get(key) ?? 0) >= depth) continue
      followed.set(key, depth)
      toRead.push({ cid, depth })
    }
    const links = await linksOfEach(blockstore, toRead.map(r => r.cid), ABSENT, options)
    level = toRead.flatMap(({ depth }, i) => (links[i] ?? []).map(link => ({ cid: link, depth: depth - 1 })))
  }
  return live
}

export async function collectGarbage (components: GarbageCollectorComponents, options: AbortOptions = {}): Promise<GarbageCollectionResult> {
  return components.repoLock.exclusive(async () => {
    const started = performance.now()
    const { blockstore } = components
    const roots: Array<{ cid: CID, depth: number }> = [{ cid: components.mfsRoot(), depth: Infinity }]
    for await (const pin of components.helia.pins.ls(options)) roots.push({ cid: pin.cid, depth: pin.depth })
    const live = await markLive(blockstore, roots, options)
    const dead: CID[] = []
    let kept = 0
    for await (const pair of blockstore.getAll(options)) {
      if (live.has(blockKey(pair.cid))) kept++
      else dead.push(pair.cid)
    }
    // what went is counted by the store as it deletes: no dead block is read
    let freed = 0
    let deleted = 0
    let records: string[] = []
    try {
      for (; deleted < dead.length; deleted += DELETE_BATCH) {
        options.signal?.throwIfAborted()
        freed += (await blockstore.deleteBlocks(dead.slice(deleted, deleted + DELETE_BATCH), options)).bytes
      }
    } finally {
      // a collection stopped half-way still forgets the records of what it deleted
      const deadKeys = new Set(dead.slice(0, Math.min(deleted, dead.length)).map(blockKey))
      records = [...(await components.cache.all()).keys()].filter(key => deadKeys.has(blockKey(CID.parse(key))))
      components.cache.forget(records)
    }
    return { removed: dead, freed_bytes: freed, kept, roots: roots.length, records_dropped: records.length, duration_ms: performance.now() - started }
  })
}
