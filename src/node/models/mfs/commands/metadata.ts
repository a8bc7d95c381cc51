import { importer } from 'ipfs-unixfs-importer'
import { formatMfsPath } from '../tree.ts'
import type { MfsTree } from '../tree.ts'
import type { Blockstore } from 'interface-blockstore'
import type { Mtime } from 'ipfs-unixfs'
import type { CID } from 'multiformats/cid'

/** chmod: sets the UnixFS mode of the entry at `segments`. */
export async function chmod (tree: MfsTree, root: CID, segments: string[], mode: number): Promise<CID> {
  await tree.require(root, segments)
  return tree.fs.chmod(root, mode, segments.length > 0 ? { path: segments.join('/') } : {})
}

/** touch: sets the mtime of the entry at `segments`, creating an empty file there if nothing is. */
export async function touch (tree: MfsTree, blockstore: Blockstore, root: CID, segments: string[], mtime: Mtime): Promise<CID> {
  const existing = await tree.lookup(root, segments)
  if (existing != null) {
    return tree.fs.touch(root, segments.length > 0 ? { path: segments.join('/'), mtime } : { mtime })
  }
  const parent = segments.slice(0, -1)
  await tree.isDirectoryAt(root, parent)
  let file: CID | undefined
  for await (const entry of importer([{ content: new Uint8Array(0), mtime }], blockstore, { cidVersion: 1, rawLeaves: false, reduceSingleLeafToSelf: false })) file = entry.cid
  if (file == null) throw new Error(`could not create ${formatMfsPath(segments)}`)
  return tree.setChild(root, parent, segments[segments.length - 1], file)
}
