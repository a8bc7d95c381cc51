import { importer } from 'ipfs-unixfs-importer'
import { InvalidPathError, NotADirectoryError, NotAFileError, PathNotFoundError } from '../../../errors.ts'
import { formatMfsPath } from '../tree.ts'
import type { MfsTree } from '../tree.ts'
import type { Blockstore } from 'interface-blockstore'
import type { UnixFSEntry } from 'ipfs-unixfs-exporter'
import type { CID } from 'multiformats/cid'

export interface WriteOptions {
  /** Where in the file the content goes (default 0). */
  offset?: number
  /** Write at most this many bytes of the content. */
  count?: number
  /** Drop whatever the file held past the written content. */
  truncate?: boolean
  /** Create the file if it does not exist. */
  create?: boolean
  /** Create missing parent directories. */
  parents?: boolean
}

const DEFAULT_FILE_MODE = 0o644
const ZEROS = new Uint8Array(1024 * 1024)

/**
 * Writes the file `content` (already imported) into the file at `segments`.
 * A whole replacement links `content` as it is; a partial write splices the
 * old bytes around it and imports the result as a new file.
 */
export async function write (tree: MfsTree, blockstore: Blockstore, root: CID, segments: string[], content: CID, options: WriteOptions = {}): Promise<CID> {
  if (segments.length === 0) throw new InvalidPathError('/ is a directory, not a file')
  const parent = segments.slice(0, -1)
  if (options.parents === true) {
    root = await tree.ensureDirectories(root, parent)
  } else if (!await tree.isDirectoryAt(root, parent)) {
    throw new NotADirectoryError(`${formatMfsPath(parent)} is not a directory`)
  }
  const existing = await tree.lookup(root, segments)
  if (existing?.type === 'directory') throw new NotAFileError(`${formatMfsPath(segments)} is a directory`)
  if (existing == null && options.create === false) throw new PathNotFoundError(`${formatMfsPath(segments)} does not exist (write with create to make it)`)

  const offset = options.offset ?? 0
  const truncate = options.truncate === true
  const keepsMetadata = existing?.type === 'file' && (existing.unixfs.mtime != null || existing.unixfs.mode !== DEFAULT_FILE_MODE)
  const file = (existing == null || truncate) && offset === 0 && options.count == null && !keepsMetadata
    ? content
    : await splice(blockstore, existing, await tree.entry(content), offset, options.count, truncate)
  return tree.setChild(root, parent, segments[segments.length - 1], file)
}

async function splice (blockstore: Blockstore, existing: UnixFSEntry | undefined, content: UnixFSEntry, offset: number, count: number | undefined, truncate: boolean): Promise<CID> {
  if (content.type !== 'file' && content.type !== 'raw' && content.type !== 'identity') throw new NotAFileError('the content is not a file')
  const old = existing != null && existing.type !== 'directory' && existing.type !== 'object' ? existing : undefined
  const oldSize = old != null ? Number(old.size) : 0
  const n = Math.min(count ?? Number(content.size), Number(content.size))
  async function * bytes (): AsyncGenerator<Uint8Array> {
    if (old != null && Math.min(offset, oldSize) > 0) yield * old.content({ offset: 0, length: Math.min(offset, oldSize) })
    for (let gap = offset - oldSize; gap > 0; gap -= ZEROS.byteLength) yield ZEROS.subarray(0, Math.min(gap, ZEROS.byteLength))
    if (n > 0 && content.type !== 'directory' && content.type !== 'object') yield * content.content({ offset: 0, length: n })
    if (old != null && !truncate && offset + n < oldSize) yield * old.content({ offset: offset + n, length: oldSize - offset - n })
  }
  const metadata = existing?.type === 'file' ? { mode: existing.unixfs.mode, mtime: existing.unixfs.mtime } : {}
  let cid: CID | undefined
  for await (const entry of importer([{ content: bytes(), ...metadata }], blockstore, { profile: 'unixfs-v1-2025' })) cid = entry.cid
  if (cid == null) throw new Error('the importer produced nothing')
  return cid
}
