import { DirectoryNotEmptyError, InvalidPathError, PathNotFoundError } from '../../../errors.ts'
import { formatMfsPath } from '../tree.ts'
import type { MfsTree } from '../tree.ts'
import type { CID } from 'multiformats/cid'

export interface RmOptions {
  /** Remove a directory and everything in it. */
  recursive?: boolean
  /** Succeed when the path does not exist. */
  force?: boolean
}

export async function rm (tree: MfsTree, root: CID, segments: string[], options: RmOptions = {}): Promise<CID> {
  if (segments.length === 0) {
    throw new InvalidPathError('/ cannot be removed')
  }
  const existing = await tree.lookup(root, segments)
  if (existing == null) {
    if (options.force === true) return root
    throw new PathNotFoundError(`${formatMfsPath(segments)} does not exist`)
  }
  if (existing.type === 'directory' && options.recursive !== true) {
    for await (const _ of existing.entries()) {
      throw new DirectoryNotEmptyError(`${formatMfsPath(segments)} is a directory that is not empty: remove it with recursive`)
    }
  }
  return tree.setChild(root, segments.slice(0, -1), segments[segments.length - 1], null)
}
