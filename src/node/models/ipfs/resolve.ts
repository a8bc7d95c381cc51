import { exporter } from 'ipfs-unixfs-exporter'
import { formatContentPath } from './content-path.ts'
import { translateLibraryError } from './library-errors.ts'
import type { ContentPath } from './content-path.ts'
import type { Helia } from '@helia/interface'
import type { AbortOptions } from 'abort-error'
import type { UnixFSEntry } from 'ipfs-unixfs-exporter'

export interface ReadOptions extends AbortOptions {
  /** Fail at once for blocks that are not local instead of asking the network. */
  offline?: boolean
}

/** Walks a `/ipfs/<cid>/path` to the entry it names (file, directory, raw block or IPLD node). */
export async function resolveEntry (helia: Pick<Helia, 'blockstore'>, path: ContentPath, options: ReadOptions = {}): Promise<UnixFSEntry> {
  const target = [path.cid.toString(), ...path.segments].join('/')
  try {
    return await exporter(target, helia.blockstore, options)
  } catch (err) {
    throw translateLibraryError(err, formatContentPath(path), options.signal)
  }
}

/** Re-throws errors raised while a content stream is read, in this project's terms. */
export async function * translatedStream (source: AsyncIterable<Uint8Array>, subject: string, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  try {
    yield * source
  } catch (err) {
    throw translateLibraryError(err, subject, signal)
  }
}
