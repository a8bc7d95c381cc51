import { fileHandle } from '../../ipfs/cat.ts'
import { NotAFileError } from '../../../errors.ts'
import { formatMfsPath } from '../tree.ts'
import type { FileHandle } from '../../ipfs/cat.ts'
import type { MfsTree } from '../tree.ts'
import type { CID } from 'multiformats/cid'

/** Opens the file at `segments` for reading (ranges are chosen when it is read). */
export async function read (tree: MfsTree, root: CID, segments: string[]): Promise<FileHandle> {
  const entry = await tree.require(root, segments)
  if (entry.type === 'directory' || entry.type === 'object') throw new NotAFileError(`${formatMfsPath(segments)} is not a file`)
  return { ...fileHandle(entry, { cid: entry.cid, segments: [] }, {}), name: segments[segments.length - 1] }
}
