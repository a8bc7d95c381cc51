import { formatContentPath } from './content-path.ts'
import { failOnStall, resolveEntry, translatedStream } from './resolve.ts'
import { InvalidParametersError, RangeNotSatisfiableError } from '../../errors.ts'
import type { ContentPath } from './content-path.ts'
import type { ReadOptions } from './resolve.ts'
import type { Helia } from '@helia/interface'
import type { UnixFSEntry } from 'ipfs-unixfs-exporter'
import type { CID } from 'multiformats/cid'

export interface ByteRange {
  offset: number
  /** Bytes to read from offset; to the end when absent. */
  length?: number
}

/**
 * Blocks read at once. The exporter's default is unbounded, which opens one
 * store read per block of a large file all at the same moment.
 */
const BLOCK_READ_CONCURRENCY = 8

/** A file found at a path, not yet read. */
export interface FileHandle {
  cid: CID
  /** The last path segment, or the CID when there is none. */
  name: string
  size: number
  /** True when the whole file is already in memory (a file of one raw block, read to resolve its path). */
  held: boolean
  /** Streams the bytes of `range` (clamped to the file); an offset past the end is refused. */
  read(range?: ByteRange): { offset: number, length: number, content: AsyncIterable<Uint8Array> }
}

/** Opens the file a path names; refuses directories and IPLD nodes. */
export async function catContent (helia: Pick<Helia, 'blockstore'>, path: ContentPath, options: ReadOptions = {}): Promise<FileHandle> {
  return fileHandle(await resolveEntry(helia, path, options), path, options)
}

/** A handle on an entry already resolved; refuses directories and IPLD nodes. */
export function fileHandle (entry: UnixFSEntry, path: ContentPath, options: ReadOptions = {}): FileHandle {
  const subject = formatContentPath(path)
  if (entry.type === 'directory') {
    throw new InvalidParametersError(`${subject} is a directory: list it, or get it as a tar`)
  }
  if (entry.type === 'object') {
    throw new InvalidParametersError(`${subject} is an IPLD node, not a file: read it with dag/get`)
  }
  const size = Number(entry.size)
  return {
    cid: entry.cid,
    name: path.segments.at(-1) ?? entry.cid.toString(),
    size,
    held: entry.type === 'raw' || entry.type === 'identity',
    read (range?: ByteRange) {
      const offset = range?.offset ?? 0
      if (offset < 0 || (offset > 0 && offset >= size)) {
        throw new RangeNotSatisfiableError(`offset ${offset} is outside ${subject} (${size} bytes)`)
      }
      const length = Math.max(0, Math.min(range?.length ?? size - offset, size - offset))
      if (length === 0) return { offset, length, content: (async function * () {})() }
      const stall = options.stallMs == null ? undefined : new AbortController()
      const signal = stall == null ? options.signal : options.signal == null ? stall.signal : AbortSignal.any([options.signal, stall.signal])
      const read = translatedStream(entry.content({ offset, length, signal, offline: options.offline, blockReadConcurrency: BLOCK_READ_CONCURRENCY }), subject, signal)
      return { offset, length, content: stall == null ? read : failOnStall(read, options.stallMs!, stall) }
    }
  }
}
