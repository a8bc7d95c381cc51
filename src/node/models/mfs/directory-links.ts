/**
 * One link put into, or taken out of, a plain UnixFS directory's node, as
 * `@helia/unixfs`'s `cp` and `rm` do it and to the same bytes, without what
 * made each change to a large directory cost O(N log N) there: a sort of
 * every link (the links are kept sorted, so one is placed by a binary
 * search), a decode of the directory for each use, and an encode of a child
 * directory only to learn its size (the change knows it). A sharded
 * directory, or a change that would make one, is left to the library.
 */
import * as dagPb from '@ipld/dag-pb'
import { UnixFS } from 'ipfs-unixfs'
import { compareNames, nameBytes } from './directory-bytes.ts'

/** `@helia/unixfs`'s threshold: a directory whose links' names and CIDs pass it is made a HAMT shard. */
const SHARD_SPLIT_THRESHOLD_BYTES = 262_144

const utf8 = new TextEncoder()

/** Where `name` is among sorted `links` (`found`), or where it would go. */
function position (links: dagPb.PBLink[], name: string): { index: number, found: boolean } {
  const key = utf8.encode(name)
  let low = 0
  let high = links.length
  while (low < high) {
    const middle = (low + high) >>> 1
    const order = compareNames(nameBytes(links[middle]), key)
    if (order === 0) return { index: middle, found: true }
    if (order < 0) low = middle + 1
    else high = middle
  }
  return { index: low, found: false }
}

/** The link named `name` in a directory's node. */
export function findLink (node: dagPb.PBNode, name: string): dagPb.PBLink | undefined {
  const { index, found } = position(node.Links, name)
  return found ? node.Links[index] : undefined
}

/** A directory's UnixFS data: a plain directory's, or undefined (a HAMT shard, or not a directory). */
export function plainDirectory (node: dagPb.PBNode): UnixFS | undefined {
  const unixfs = unixfsOf(node)
  return unixfs?.type === 'directory' ? unixfs : undefined
}

/** A node's UnixFS data, or undefined when it has none that decodes. */
export function unixfsOf (node: dagPb.PBNode): UnixFS | undefined {
  if (node.Data == null) return undefined
  try {
    return UnixFS.unmarshal(node.Data)
  } catch {
    return undefined
  }
}

/**
 * The directory with `link` in place of any link of the same name, and its
 * mtime, where it has one, moved to now; undefined when the library would
 * shard the result.
 */
export function withLink (node: dagPb.PBNode, unixfs: UnixFS, link: dagPb.PBLink, now = Date.now()): dagPb.PBNode | undefined {
  const { index, found } = position(node.Links, link.Name ?? '')
  const links = node.Links.slice()
  links.splice(index, found ? 1 : 0, link)
  if (estimatedSize(links) > SHARD_SPLIT_THRESHOLD_BYTES) return undefined
  if (unixfs.mtime == null) return { Data: node.Data, Links: links }
  const secs = Math.floor(now / 1000)
  const touched = UnixFS.unmarshal(node.Data!)
  touched.mtime = { secs: BigInt(secs), nsecs: (now - secs * 1000) * 1000 }
  return { Data: touched.marshal(), Links: links }
}

/** The directory without a link named `name` (the same node when there is none). */
export function withoutLink (node: dagPb.PBNode, name: string): dagPb.PBNode {
  return { Data: node.Data, Links: node.Links.filter(link => link.Name !== name) }
}

/** A node's bytes and the sizes its links carry: what a link to it says it holds (its Tsize). */
export function totalSize (bytes: Uint8Array, node: dagPb.PBNode): number {
  return node.Links.reduce((sum, link) => sum + (link.Tsize ?? 0), bytes.byteLength)
}

/** `@helia/unixfs`'s estimate for its shard threshold ('links-bytes'): the links' names and CIDs. */
function estimatedSize (links: dagPb.PBLink[]): number {
  return links.reduce((sum, link) => sum + nameBytes(link).byteLength + link.Hash.byteLength, 0)
}
