import { importer } from 'ipfs-unixfs-importer'
import { translateLibraryError } from './library-errors.ts'
import { parseChunker } from './chunker.ts'
import { pinContent } from './pins.ts'
import { InvalidParametersError } from '../../errors.ts'
import type { Helia } from '@helia/interface'
import type { AbortOptions } from 'abort-error'
import type { ImportCandidate, ImporterOptions } from 'ipfs-unixfs-importer'
import type { CID } from 'multiformats/cid'

/** One thing to add: a file (with content) or an empty directory (without). */
export interface AddEntry {
  /** A name or a relative path (`photos/cat.jpg`); absent for a bare byte stream. */
  path?: string
  content?: Uint8Array | AsyncIterable<Uint8Array> | Iterable<Uint8Array>
}

export interface AddContentOptions extends AbortOptions {
  /** 1 (Helia's current profile) or 0 (Kubo's classic profile). */
  cidVersion?: 0 | 1
  rawLeaves?: boolean
  /** Kubo chunker string: `size-<bytes>`, `rabin[-…]`. */
  chunker?: string
  wrapWithDirectory?: boolean
  /** Pin the root recursively (default true). */
  pin?: boolean
  /** Name stored as pin metadata and echoed back; defaults to the root's path. */
  name?: string
  onProgress?(event: AddProgress): void
}

export interface AddProgress {
  /** Bytes of file content read so far. */
  bytes: number
  path?: string
}

export interface AddedEntry {
  path: string
  cid: CID
  /** File bytes for files, cumulative DAG size for directories. */
  size: number
  cumulativeSize: number
  type: 'file' | 'directory'
}

export interface AddResult extends AddedEntry {
  name: string
  pinned: boolean
  wrapped: boolean
  entries: AddedEntry[]
}

/** Blocks written concurrently by the importer; the IndexedDB store batches them into one transaction. */
const BLOCK_WRITE_CONCURRENCY = 16

/** Checks the options an add would fail on before any content is read (a bad chunker). */
export async function checkAddOptions (options: Pick<AddContentOptions, 'chunker'>): Promise<void> {
  if (options.chunker != null) await parseChunker(options.chunker)
}

/**
 * Imports files into the blockstore as UnixFS and (by default) pins the root.
 * Content is consumed as a stream: nothing is buffered beyond one chunk.
 */
export async function addContent (helia: Pick<Helia, 'blockstore' | 'pins' | 'getCodec'>, source: AsyncIterable<AddEntry> | Iterable<AddEntry>, options: AddContentOptions = {}): Promise<AddResult> {
  const importerOptions: ImporterOptions = {
    profile: options.cidVersion === 0 ? 'unixfs-v0-2015' : 'unixfs-v1-2025',
    cidVersion: options.cidVersion ?? 1,
    rawLeaves: options.rawLeaves,
    wrapWithDirectory: options.wrapWithDirectory ?? false,
    blockWriteConcurrency: BLOCK_WRITE_CONCURRENCY
  }
  if (options.chunker != null) {
    importerOptions.chunker = await parseChunker(options.chunker)
  }
  if (options.onProgress != null) {
    const report = options.onProgress
    let bytes = 0
    importerOptions.onProgress = (event) => {
      if (event.type === 'unixfs:importer:progress:file:read') {
        bytes += Number(event.detail.chunkSize)
        report({ bytes, path: event.detail.path })
      }
    }
  }

  const entries: AddedEntry[] = []
  try {
    for await (const imported of importer(candidates(source, options.signal), helia.blockstore, importerOptions)) {
      const isDirectory = imported.unixfs?.isDirectory() === true
      entries.push({
        path: imported.path ?? '',
        cid: imported.cid,
        size: isDirectory ? Number(imported.size) : Number(imported.unixfs?.fileSize() ?? imported.size),
        cumulativeSize: Number(imported.size),
        type: isDirectory ? 'directory' : 'file'
      })
    }
  } catch (err) {
    throw translateLibraryError(err, 'the upload', options.signal)
  }
  // the importer yields a directory after everything in it: the root comes last
  const root = entries.at(-1)
  if (root == null) {
    throw new InvalidParametersError('nothing to add: the request held no content')
  }
  let pinned = false
  if (options.pin !== false) {
    await pinContent(helia, root.cid, { name: options.name, signal: options.signal })
    pinned = true
  }
  return {
    ...root,
    name: options.name ?? root.path,
    pinned,
    wrapped: options.wrapWithDirectory === true,
    entries
  }
}

/** The importer takes no signal, so the deadline is enforced on the content it reads. */
async function * candidates (source: AsyncIterable<AddEntry> | Iterable<AddEntry>, signal?: AbortSignal): AsyncGenerator<ImportCandidate> {
  for await (const entry of source) {
    signal?.throwIfAborted()
    if (entry.content == null) {
      yield { path: entry.path ?? '' }
    } else {
      yield { path: entry.path, content: abortable(entry.content, signal) }
    }
  }
}

async function * abortable (content: Uint8Array | AsyncIterable<Uint8Array> | Iterable<Uint8Array>, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  if (content instanceof Uint8Array) {
    yield content
    return
  }
  for await (const chunk of content) {
    signal?.throwIfAborted()
    yield chunk
  }
}
