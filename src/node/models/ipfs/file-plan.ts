import * as dagPb from '@ipld/dag-pb'
import { UnixFS } from 'ipfs-unixfs'
import * as raw from 'multiformats/codecs/raw'
import { blockBytes } from '../../stores/repo-blockstore.ts'
import type { AbortOptions } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

/** One piece of a file's bytes, in order: a part of a raw leaf block, or bytes a node of the DAG holds itself. */
export type PlanSegment =
  | { cid: CID, start: number, end: number }
  | { bytes: Uint8Array }

/** What reads a block (Helia's blockstore: the node's own store first, then the network). */
export interface PlanReader {
  get(cid: CID, options?: AbortOptions): AsyncIterable<Uint8Array> | Iterable<Uint8Array>
}

/**
 * Which blocks hold bytes [offset, offset + length) of a UnixFS file, and
 * which part of each: the walk reads the DAG's inner nodes, never its raw
 * leaves, so another thread (the blockstore's worker) can then read the
 * leaves and send the bytes. The pieces are those the exporter would give
 * (a node's own data, then its children's, by their block sizes).
 *
 * Undefined when the file's bytes are not all in raw leaves (dag-pb leaves,
 * as `cid_version=0` adds make): the exporter reads those.
 */
export async function planFileRead (blocks: PlanReader, root: CID, offset: number, length: number, options: AbortOptions = {}): Promise<PlanSegment[] | undefined> {
  const segments: PlanSegment[] = []
  if (length <= 0) return segments
  const end = offset + length
  if (root.code === raw.code) {
    segments.push({ cid: root, start: offset, end })
    return segments
  }
  const walk = async (cid: CID, position: number): Promise<boolean> => {
    const node = dagPb.decode(await blockBytes(blocks.get(cid, options)))
    if (node.Data == null) return false
    const file = UnixFS.unmarshal(node.Data)
    // a node without children holds data: a leaf in dag-pb, which this plan leaves to the exporter
    if (node.Links.length === 0 && cid !== root) return false
    if (node.Links.length !== file.blockSizes.length) return false
    if (file.data != null && file.data.byteLength > 0) {
      const piece = overlap(file.data, position, offset, end)
      if (piece.byteLength > 0) segments.push({ bytes: piece })
      // as the exporter counts: a node's data moves the position by what was taken of it
      position += piece.byteLength
    }
    for (let i = 0; i < node.Links.length; i++) {
      const childStart = position
      const childEnd = childStart + Number(file.blockSizes[i])
      if (childEnd > offset && childStart < end) {
        const child = node.Links[i].Hash
        if (child.code === raw.code) {
          segments.push({ cid: child, start: Math.max(0, offset - childStart), end: Math.min(childEnd, end) - childStart })
        } else if (!await walk(child, childStart)) {
          return false
        }
      }
      position = childEnd
      if (position > end) break
    }
    return true
  }
  return await walk(root, 0) ? segments : undefined
}

/** The part of a block's data, starting at `blockStart` in the file, that falls in [start, end). */
function overlap (data: Uint8Array, blockStart: number, start: number, end: number): Uint8Array {
  const blockEnd = blockStart + data.byteLength
  if (start >= blockEnd || end <= blockStart) return new Uint8Array(0)
  return data.subarray(Math.max(0, start - blockStart), Math.min(data.byteLength, end - blockStart))
}
