import { describeInOrder } from '../../ipfs/ls.ts'
import { formatMfsPath } from '../tree.ts'
import type { MfsTree } from '../tree.ts'
import type { CID } from 'multiformats/cid'

export interface MfsEntry {
  name: string
  type: 'file' | 'directory'
  /** File bytes; 0 for a directory. */
  size: number
  cid: CID
  mode?: number
  mtime?: number
}

function describe (name: string, entry: Awaited<ReturnType<MfsTree['entry']>>): MfsEntry {
  const isDir = entry.type === 'directory'
  const unixfs = entry.type === 'file' || entry.type === 'directory' ? entry.unixfs : undefined
  return {
    name,
    type: isDir ? 'directory' : 'file',
    size: isDir ? 0 : Number(entry.size),
    cid: entry.cid,
    mode: unixfs?.mode,
    mtime: unixfs?.mtime != null ? Number(unixfs.mtime.secs) : undefined
  }
}

/** The entries of the directory at `segments`; for a file, the file itself. */
export async function ls (tree: MfsTree, root: CID, segments: string[]): Promise<MfsEntry[]> {
  const entry = await tree.require(root, segments)
  if (entry.type !== 'directory') return [describe(segments.at(-1) ?? formatMfsPath(segments), entry)]
  // a raw block is a file of its own length, and has no mode or mtime
  return describeInOrder(await tree.entriesOf(entry), async cid => tree.rawSize(cid),
    (child, size): MfsEntry => ({ name: child.name, type: 'file', size, cid: child.cid }),
    async child => describe(child.name, await tree.entry(child.cid)))
}
