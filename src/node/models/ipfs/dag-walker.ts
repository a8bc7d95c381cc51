import { base32 } from 'multiformats/bases/base32'
import { createUnsafe } from 'multiformats/block'
import { codecByCode } from './codecs.ts'
import { translateLibraryError } from './library-errors.ts'
import type { GraphNode, GraphWalker, GraphWalkerFactory, WalkOptions } from '@helia/interface'
import type { AbortOptions } from 'abort-error'
import type { Blockstore } from 'interface-blockstore'
import type { BlockView, CID } from 'multiformats'

export interface DagWalkOptions<T> extends WalkOptions<T> {
  offline?: boolean
  /** Leave out blocks that cannot be loaded (and what is below them) instead of failing. */
  skipMissing?: boolean
}

/**
 * A depth-first walk of a DAG, one block at a time, each block visited once.
 * Written here rather than using helia's walkers, whose job queue leaves an
 * unhandled rejection behind when a block is missing; handed to helia's pins
 * as their walker too, so pin and unpin walk the same way.
 */
export function localDagWalker (): GraphWalkerFactory {
  return (components) => new LocalDagWalker(components)
}

/** The same walk over a blockstore alone (no network behind it): tier promotion, CAR export. */
export function blockstoreDagWalker (blockstore: Pick<Blockstore, 'get'>): GraphWalker {
  return new LocalDagWalker({ blockstore })
}

class LocalDagWalker implements GraphWalker {
  private readonly components: { blockstore: Pick<Blockstore, 'get'> }

  constructor (components: { blockstore: Pick<Blockstore, 'get'> }) {
    this.components = components
  }

  async * walk<T = unknown> (root: CID, options: DagWalkOptions<T> = {}): AsyncGenerator<GraphNode<T>> {
    const maxDepth = options.depth ?? Infinity
    const seen = new Set<string>()
    const stack: Array<{ cid: CID, path: CID[] }> = [{ cid: root, path: [root] }]
    while (stack.length > 0) {
      const { cid, path } = stack.pop()!
      const key = base32.encode(cid.multihash.bytes)
      if (seen.has(key)) continue
      seen.add(key)
      let block: BlockView<T, number, number, 0 | 1>
      try {
        block = await this.load<T>(cid, options)
      } catch (err) {
        if (options.skipMissing === true) continue
        throw translateLibraryError(err, `block ${cid}`, options.signal)
      }
      const depth = path.length - 1
      yield { block, depth, path }
      if (depth >= maxDepth) continue
      const children = [...block.links()].map(([, link]) => link).filter(link => options.includeChild?.(link, block) !== false)
      for (const link of children.reverse()) stack.push({ cid: link, path: [...path, link] })
    }
  }

  private async load<T> (cid: CID, options: DagWalkOptions<T>): Promise<BlockView<T, number, number, 0 | 1>> {
    const bytes = await readBlock(this.components.blockstore, cid, options)
    return createUnsafe({ cid, bytes, codec: codecByCode(cid.code) }) as BlockView<T, number, number, 0 | 1>
  }
}

/** A block's bytes in one piece, however the store yields them. */
export async function readBlock (blockstore: Pick<Blockstore, 'get'>, cid: CID, options?: AbortOptions): Promise<Uint8Array> {
  const chunks: Uint8Array[] = []
  for await (const chunk of blockstore.get(cid, options)) chunks.push(chunk)
  return chunks.length === 1 ? chunks[0] : new Uint8Array(await new Blob(chunks as BlobPart[]).arrayBuffer())
}

/** Blocks read at once by the walks that go a level of a DAG at a time (pins, garbage collection). */
const LEVEL_READS_AT_ONCE = 32

/**
 * The links of each block of `cids`, in their order, LEVEL_READS_AT_ONCE
 * read at once (one after another, each a round trip to the store's worker,
 * a folder of 10 000 files took over a second to walk). Undefined for a
 * block whose read failed with an error named in `passOver`; any other
 * failure to read or decode one is thrown.
 */
export async function linksOfEach (blockstore: Pick<Blockstore, 'get'>, cids: CID[], passOver: ReadonlySet<string>, options?: AbortOptions): Promise<Array<CID[] | undefined>> {
  const out = new Array<CID[] | undefined>(cids.length)
  for (let i = 0; i < cids.length; i += LEVEL_READS_AT_ONCE) {
    options?.signal?.throwIfAborted()
    await Promise.all(cids.slice(i, i + LEVEL_READS_AT_ONCE).map(async (cid, j) => {
      let bytes: Uint8Array
      try {
        bytes = await readBlock(blockstore, cid, options)
      } catch (err) {
        if (passOver.has((err as Error).name)) return
        throw err
      }
      out[i + j] = [...createUnsafe({ cid, bytes, codec: codecByCode(cid.code) }).links()].map(([, link]) => link)
    }))
  }
  return out
}
