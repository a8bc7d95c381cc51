import { exporter } from 'ipfs-unixfs-exporter'
import { formatContentPath } from './content-path.ts'
import { translateLibraryError } from './library-errors.ts'
import { resolveEntry } from './resolve.ts'
import { NotADirectoryError } from '../../errors.ts'
import type { ContentPath } from './content-path.ts'
import type { ReadOptions } from './resolve.ts'
import type { Helia } from '@helia/interface'
import type { CID } from 'multiformats/cid'

export interface DirectoryEntry {
  name: string
  cid: CID
  type: 'file' | 'directory'
  /** File bytes; 0 for a directory. */
  size: number
}

/** The entries of a UnixFS directory (one block read per entry, to give its type and size). */
export async function listDirectory (helia: Pick<Helia, 'blockstore'>, path: ContentPath, options: ReadOptions = {}): Promise<{ cid: CID, entries: DirectoryEntry[] }> {
  const dir = await resolveEntry(helia, path, options)
  if (dir.type !== 'directory') throw new NotADirectoryError(`${formatContentPath(path)} is not a directory`)
  const entries: DirectoryEntry[] = []
  try {
    for await (const child of dir.entries(options)) {
      const item = await exporter(child.cid, helia.blockstore, options)
      entries.push({ name: child.name, cid: child.cid, type: item.type === 'directory' ? 'directory' : 'file', size: item.type === 'directory' ? 0 : Number(item.size) })
    }
  } catch (err) {
    throw translateLibraryError(err, formatContentPath(path), options.signal)
  }
  return { cid: dir.cid, entries }
}
