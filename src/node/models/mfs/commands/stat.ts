import { formatMfsPath } from '../tree.ts'
import type { MfsTree } from '../tree.ts'
import type { CID } from 'multiformats/cid'

export interface MfsStat {
  path: string
  cid: CID
  type: 'file' | 'directory'
  /** File bytes; 0 for a directory. */
  size: number
  cumulativeSize: number
  blocks: number
  mode?: number
  mtime?: number
}

export async function stat (tree: MfsTree, root: CID, segments: string[]): Promise<MfsStat> {
  const entry = await tree.require(root, segments)
  const isDir = entry.type === 'directory'
  const { cumulativeSize, blocks } = await tree.nodeSizes(entry.cid)
  const unixfs = entry.type === 'file' || entry.type === 'directory' ? entry.unixfs : undefined
  return {
    path: formatMfsPath(segments),
    cid: entry.cid,
    type: isDir ? 'directory' : 'file',
    size: isDir ? 0 : Number(entry.size),
    cumulativeSize,
    blocks,
    mode: unixfs?.mode,
    mtime: unixfs?.mtime != null ? Number(unixfs.mtime.secs) : undefined
  }
}
