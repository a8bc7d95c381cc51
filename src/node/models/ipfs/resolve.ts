import { exporter, walkPath } from 'ipfs-unixfs-exporter'
import { formatContentPath } from './content-path.ts'
import { translateLibraryError } from './library-errors.ts'
import { DeadlineExceededError } from '../../errors.ts'
import type { ContentPath } from './content-path.ts'
import type { Helia } from '@helia/interface'
import type { AbortOptions } from 'abort-error'
import type { ReadableStorage, UnixFSEntry } from 'ipfs-unixfs-exporter'
import type { CID } from 'multiformats/cid'

export interface ReadOptions extends AbortOptions {
  /** Fail at once for blocks that are not local instead of asking the network. */
  offline?: boolean
  /**
   * A file's bytes that stop coming for this long fail with
   * DeadlineExceededError (a peer that stopped answering); a reader that is
   * slow to ask for them is waited for. Unset, a stalled read waits for the
   * signal.
   */
  stallMs?: number
}

/** Walks a `/ipfs/<cid>/path` to the entry it names (file, directory, raw block or IPLD node). */
export async function resolveEntry (helia: Pick<Helia, 'blockstore'>, path: ContentPath, options: ReadOptions = {}): Promise<UnixFSEntry> {
  const target = [path.cid.toString(), ...path.segments].join('/')
  try {
    return await exporter(target, helia.blockstore, options)
  } catch (err) {
    throw translateLibraryError(err, formatContentPath(path), options.signal)
  }
}

/**
 * `source`, failing with DeadlineExceededError when its next piece takes
 * longer than `stallMs` to come: `stall` is aborted then, which the source's
 * reads are given, so what waits on a peer stops waiting.
 */
export async function * failOnStall (source: AsyncIterable<Uint8Array>, stallMs: number, stall: AbortController): AsyncGenerator<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]()
  try {
    while (true) {
      const timer = setTimeout(() => { stall.abort(new DeadlineExceededError(`no bytes came for ${stallMs} ms: the peers holding them stopped answering`)) }, stallMs)
      let next: IteratorResult<Uint8Array>
      try {
        next = await iterator.next()
      } catch (err) {
        throw stall.signal.aborted ? stall.signal.reason : err
      } finally {
        clearTimeout(timer)
      }
      if (next.done === true) return
      yield next.value
    }
  } finally {
    await iterator.return?.()
  }
}

/** Re-throws errors raised while a content stream is read, in this project's terms. */
export async function * translatedStream (source: AsyncIterable<Uint8Array>, subject: string, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  try {
    yield * source
  } catch (err) {
    throw translateLibraryError(err, subject, signal)
  }
}

export interface ResolvedPath {
  /** The entry the path ends at. */
  entry: UnixFSEntry
  /** The CID of the root and of each path segment below it, in order (the gateway's X-Ipfs-Roots). */
  roots: CID[]
  /**
   * Every block read to reach the entry, its own included: what a reader
   * needs to verify the path from the root CID down (HAMT shards too).
   */
  blocks: CID[]
}

/** Like resolveEntry, and also says which CIDs and blocks the path went through. */
export async function resolvePath (helia: Pick<Helia, 'blockstore'>, path: ContentPath, options: ReadOptions = {}): Promise<ResolvedPath> {
  const blocks: CID[] = []
  const seen = new Set<string>()
  const inner = helia.blockstore
  // the exporter reads blocks only through get(); noting each read is how shard blocks inside a HAMT are found
  const recording: ReadableStorage = {
    get (cid, getOptions) {
      const key = cid.toString()
      if (!seen.has(key)) {
        seen.add(key)
        blocks.push(cid)
      }
      return inner.get(cid, getOptions)
    }
  }
  const target = [path.cid.toString(), ...path.segments].join('/')
  try {
    let roots: CID[] = [path.cid]
    for await (const step of walkPath(target, recording, options)) roots = step.roots
    const entry = await exporter(roots[roots.length - 1], recording, options)
    return { entry, roots, blocks }
  } catch (err) {
    throw translateLibraryError(err, formatContentPath(path), options.signal)
  }
}

/** The CID of the block a path ends in (the path's own CID when it has no segments). */
export async function resolveCid (helia: Pick<Helia, 'blockstore'>, path: ContentPath, options: ReadOptions = {}): Promise<CID> {
  if (path.segments.length === 0) return path.cid
  return (await resolveEntry(helia, path, options)).cid
}
