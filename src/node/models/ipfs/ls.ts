import { exporter } from 'ipfs-unixfs-exporter'
import parallel from 'it-parallel'
import * as raw from 'multiformats/codecs/raw'
import { formatContentPath } from './content-path.ts'
import { translateLibraryError } from './library-errors.ts'
import { resolveEntry } from './resolve.ts'
import { InvalidParametersError, NotADirectoryError } from '../../errors.ts'
import type { ContentPath } from './content-path.ts'
import type { ReadOptions } from './resolve.ts'
import type { BlockSizes } from '../../stores/repo-blockstore.ts'
import type { Helia } from '@helia/interface'
import type { UnixFSDirectory } from 'ipfs-unixfs-exporter'
import type { CID } from 'multiformats/cid'

export interface DirectoryEntry {
  name: string
  cid: CID
  type: 'file' | 'directory'
  /** File bytes; 0 for a directory. */
  size: number
}

/**
 * Entries resolved at once. Each is a block read through the store's worker
 * (about a millisecond's round trip): one after another, a directory of 1000
 * files took 0.6–1.8 s to list.
 */
export const ENTRY_CONCURRENCY = 16

/**
 * A raw block's length from the node's store, where it holds the block: a
 * raw block is a file of its own length, and read to learn it, a folder of
 * 200 photos (a block of 1 MB each) took 400 ms to list. Undefined for
 * other blocks, and for one the store does not hold (the exporter fetches it).
 */
export async function rawBlockSize (local: BlockSizes | undefined, cid: CID, options?: ReadOptions): Promise<number | undefined> {
  return cid.code === raw.code ? local?.blockSize?.(cid, options) : undefined
}

/** Runs `tasks` ENTRY_CONCURRENCY at a time; their results in the tasks' order. */
export async function resolvedInOrder<T> (tasks: Iterable<() => Promise<T>> | AsyncIterable<() => Promise<T>>): Promise<T[]> {
  const out: T[] = []
  for await (const result of parallel(tasks, { concurrency: ENTRY_CONCURRENCY, ordered: true })) out.push(result)
  return out
}

/** The entries of a UnixFS directory (one block read per entry, to give its type and size; none for a raw block `local` holds). */
export async function listDirectory (helia: Pick<Helia, 'blockstore'>, path: ContentPath, options: ReadOptions = {}, local?: BlockSizes): Promise<{ cid: CID, entries: DirectoryEntry[] }> {
  const dir = await resolveEntry(helia, path, options)
  if (dir.type !== 'directory') throw new NotADirectoryError(`${formatContentPath(path)} is not a directory`)
  return { cid: dir.cid, entries: await directoryEntries(helia, dir, path, options, local) }
}

async function directoryEntries (helia: Pick<Helia, 'blockstore'>, dir: UnixFSDirectory, path: ContentPath, options: ReadOptions, local?: BlockSizes): Promise<DirectoryEntry[]> {
  async function * resolving (): AsyncGenerator<() => Promise<DirectoryEntry>> {
    for await (const child of dir.entries(options)) {
      yield async () => {
        const size = await rawBlockSize(local, child.cid, options)
        if (size != null) return { name: child.name, cid: child.cid, type: 'file', size }
        const item = await exporter(child.cid, helia.blockstore, options)
        return { name: child.name, cid: child.cid, type: item.type === 'directory' ? 'directory' : 'file', size: item.type === 'directory' ? 0 : Number(item.size) }
      }
    }
  }
  try {
    return await resolvedInOrder(resolving())
  } catch (err) {
    throw translateLibraryError(err, formatContentPath(path), options.signal)
  }
}

export interface ListedLinks {
  cid: CID
  kind: 'directory' | 'file'
  /** A directory's entries; a file's chunks (unnamed), none for a file in one block. */
  entries: DirectoryEntry[]
}

/**
 * What Kubo's `ls` lists: a directory's entries, or the links of a file
 * (its chunks, with their own sizes) so a large file can be read in parts.
 */
export async function listLinks (helia: Pick<Helia, 'blockstore'>, path: ContentPath, options: ReadOptions = {}, local?: BlockSizes): Promise<ListedLinks> {
  const entry = await resolveEntry(helia, path, options)
  if (entry.type === 'directory') return { cid: entry.cid, kind: 'directory', entries: await directoryEntries(helia, entry, path, options, local) }
  if (entry.type === 'object') {
    throw new InvalidParametersError(`${formatContentPath(path)} is an IPLD node, not UnixFS: read it with dag/get`)
  }
  const links = entry.type === 'file' ? entry.node.Links : []
  const resolving = links.map(link => async (): Promise<DirectoryEntry> => {
    const size = await rawBlockSize(local, link.Hash, options)
    if (size != null) return { name: link.Name ?? '', cid: link.Hash, type: 'file', size }
    const chunk = await exporter(link.Hash, helia.blockstore, options)
    return { name: link.Name ?? '', cid: link.Hash, type: 'file', size: chunk.type === 'directory' ? 0 : Number(chunk.size) }
  })
  try {
    return { cid: entry.cid, kind: 'file', entries: await resolvedInOrder(resolving) }
  } catch (err) {
    throw translateLibraryError(err, formatContentPath(path), options.signal)
  }
}
