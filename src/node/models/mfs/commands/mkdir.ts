import { AlreadyExistsError, NotADirectoryError } from '../../../errors.ts'
import { formatMfsPath } from '../tree.ts'
import type { MfsTree } from '../tree.ts'
import type { Mtime } from 'ipfs-unixfs'
import type { CID } from 'multiformats/cid'

export interface MkdirOptions {
  /** Create missing parents, and accept a directory that already exists. */
  parents?: boolean
  mode?: number
  mtime?: Mtime
}

export async function mkdir (tree: MfsTree, root: CID, segments: string[], options: MkdirOptions = {}): Promise<CID> {
  const existing = await tree.lookup(root, segments)
  if (existing != null) {
    if (options.parents === true && existing.type === 'directory') return root
    throw new AlreadyExistsError(`${formatMfsPath(segments)} already exists`)
  }
  const parent = segments.slice(0, -1)
  if (options.parents === true) {
    root = await tree.ensureDirectories(root, parent)
  } else if (!await tree.isDirectoryAt(root, parent)) {
    throw new NotADirectoryError(`${formatMfsPath(parent)} is not a directory`)
  }
  const dir = options.mode != null || options.mtime != null
    ? await tree.fs.addDirectory({ mode: options.mode, mtime: options.mtime }, { cidVersion: 1 })
    : await tree.emptyDirectory()
  return tree.setChild(root, parent, segments[segments.length - 1], dir)
}
