import * as dagPb from '@ipld/dag-pb'
import { BlackHoleBlockstore } from 'blockstore-core/black-hole'
import { UnixFS } from 'ipfs-unixfs'
import { importer } from 'ipfs-unixfs-importer'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { translateLibraryError } from './library-errors.ts'
import { parseChunker } from './chunker.ts'
import { handingOverLeaves } from './handed-over-leaves.ts'
import { pinContent } from './pins.ts'
import { writingBehind } from './write-behind.ts'
import { InvalidParametersError } from '../../errors.ts'
import type { Helia } from '@helia/interface'
import type { AbortOptions } from 'abort-error'
import type { Blockstore } from 'interface-blockstore'
import type { ImportCandidate, ImporterOptions } from 'ipfs-unixfs-importer'
import type { WriteBehind } from './write-behind.ts'
import type { PutOptions } from '../../stores/repo-blockstore.ts'

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
  /**
   * The importer's defaults for chunk size, links per node and directory
   * sharding. By default it follows cidVersion: 0 takes Kubo's classic
   * `unixfs-v0-2015`, 1 Helia's `unixfs-v1-2025`. Kubo itself uses
   * `unixfs-v0-2015` for both versions, so its CIDv1 adds name it explicitly.
   */
  profile?: 'unixfs-v0-2015' | 'unixfs-v1-2025'
  wrapWithDirectory?: boolean
  /** Pin the root recursively (default true). */
  pin?: boolean
  /** Compute the CIDs only: nothing is stored and nothing pinned (Kubo's `--only-hash`). */
  onlyHash?: boolean
  /**
   * The content's chunks are the add's alone (a request body's, read once,
   * held by nothing else): a store in a worker may then take their buffers,
   * emptying them, rather than copy them (handed-over-leaves.ts).
   */
  contentIsOwned?: boolean
  /** Name stored as pin metadata and echoed back; defaults to the root's path. */
  name?: string
  /**
   * The entries are parts of one body read as it arrives: each entry's
   * content is read to its end before the next entry is asked for (the
   * importer otherwise asks for several files at once).
   */
  entriesInOrder?: boolean
  /**
   * Options that are settled only once every entry has been read (a form's
   * fields that came after its files): called then, with the paths of the
   * entries, and what it gives replaces the options given. With it, whether
   * to wrap is decided then too: the importer wraps, and its wrapping
   * directory is stored and kept only if the settled options say so.
   */
  settle?(paths: string[]): Pick<AddContentOptions, 'pin' | 'name' | 'wrapWithDirectory'>
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
 * What an add works on. `blockstore` is where the blocks are written: the
 * node's local store rather than helia's, which reads before every write to
 * skip blocks it has (the local store does that inside its own write). What
 * that skips is helia's note to bitswap that the block has arrived, which
 * serves a peer already waiting for exactly that block; such a peer gets it
 * when it asks again.
 */
export type AddComponents = Pick<Helia, 'pins' | 'getCodec' | 'datastore'> & { blockstore: Pick<Blockstore, 'put' | 'has' | 'get'> }

/**
 * Imports files into the blockstore as UnixFS and (by default) pins the root.
 * Content is consumed as a stream: no more than a bounded amount of it waits
 * to be written.
 */
export async function addContent (helia: AddComponents, source: AsyncIterable<AddEntry> | Iterable<AddEntry>, options: AddContentOptions = {}): Promise<AddResult> {
  const importerOptions: ImporterOptions = {
    profile: options.profile ?? (options.cidVersion === 0 ? 'unixfs-v0-2015' : 'unixfs-v1-2025'),
    cidVersion: options.cidVersion ?? 1,
    rawLeaves: options.rawLeaves,
    wrapWithDirectory: options.settle != null || options.wrapWithDirectory === true,
    blockWriteConcurrency: BLOCK_WRITE_CONCURRENCY,
    ...(options.entriesInOrder === true ? { fileImportConcurrency: 1 } : {})
  }
  if (options.chunker != null) {
    importerOptions.chunker = await parseChunker(options.chunker)
  }
  importerOptions.bufferImporter = handingOverLeaves(importerOptions, options.contentIsOwned === true)
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

  let entries: AddedEntry[] = []
  const explicitDirectories: string[] = []
  const paths: string[] = []
  let settled = options
  let written: CID[] = []
  try {
    // the importer only writes, so a store that keeps nothing still gives every CID
    const writer = await writingBehind(options.onlyHash === true ? new BlackHoleBlockstore() : helia.blockstore, async (writer) => {
      const target = options.settle == null ? writer : new LastPutHeld(writer)
      for await (const imported of importer(candidates(source, explicitDirectories, paths, options.signal), target, importerOptions)) {
        const isDirectory = imported.unixfs?.isDirectory() === true
        entries.push({
          path: imported.path ?? '',
          cid: imported.cid,
          size: isDirectory ? Number(imported.size) : Number(imported.unixfs?.fileSize() ?? imported.size),
          cumulativeSize: Number(imported.size),
          type: isDirectory ? 'directory' : 'file'
        })
      }
      if (target instanceof LastPutHeld) {
        settled = { ...options, ...options.settle!(paths) }
        // the importer wrapped: unless that is wanted, its wrapping directory (its last block) is left out
        const wrapper = entries.at(-1)
        if (settled.wrapWithDirectory !== true && wrapper?.path === '' && wrapper.type === 'directory') {
          entries = entries.slice(0, -1)
          await target.release(wrapper.cid)
        } else {
          await target.release()
        }
      }
      return writer
    })
    // drained by now: every block the add wrote is stored
    written = writer.blocks()
    // the content may all be read before a cancel arrives: an add stopped before it is pinned stops here
    options.signal?.throwIfAborted()
  } catch (err) {
    throw translateLibraryError(err, 'the upload', options.signal)
  }
  await reportEmptyDirectories(entries, explicitDirectories, importerOptions.cidVersion ?? 1)
  // the importer yields a directory after everything in it: the root comes last
  const root = entries.at(-1)
  if (root == null) {
    throw new InvalidParametersError('nothing to add: the request held no content')
  }
  let pinned = false
  if (settled.pin !== false && options.onlyHash !== true) {
    // a single file's blocks are all in its DAG, so they are pinned as written, not read back; a
    // tree may hold blocks the importer wrote and then left out (an explicit directory it rebuilt,
    // a repeated path), so a tree's pin walks it (reading only its directory and file nodes)
    const singleFile = entries.length === 1 && entries[0].type === 'file'
    // no signal: once begun, the pin is the add's result, kept whole (a cancel that comes now is too late)
    await pinContent(helia, root.cid, { name: settled.name, knownBlocks: singleFile ? written : undefined })
    pinned = true
  }
  return {
    ...root,
    name: settled.name ?? root.path,
    pinned,
    wrapped: settled.wrapWithDirectory === true,
    entries
  }
}

/**
 * The store as the importer sees it when its wrapping directory may be left
 * out: each put is passed on when the next comes, so the last (the wrapping
 * directory, flushed after everything in it) is still held when the import
 * ends. `release` then passes it on, or drops it if it is `unless`.
 */
class LastPutHeld {
  readonly #store: Pick<WriteBehind, 'put'>
  #held: { cid: CID, bytes: Uint8Array, options?: PutOptions } | undefined

  constructor (store: Pick<WriteBehind, 'put'>) {
    this.#store = store
  }

  async put (cid: CID, bytes: Uint8Array, options?: PutOptions): Promise<CID> {
    const before = this.#held
    this.#held = { cid, bytes, options }
    if (before != null) await this.#store.put(before.cid, before.bytes, before.options)
    return cid
  }

  async release (unless?: CID): Promise<void> {
    const held = this.#held
    this.#held = undefined
    if (held != null && !(unless?.equals(held.cid) ?? false)) await this.#store.put(held.cid, held.bytes, held.options)
  }
}

/**
 * The importer links an empty directory into its parent but reports only the
 * directories that received entries. The missing ones are reported here, each
 * before its parent (after its contents, as the importer orders them): an
 * empty directory without mode or mtime is the same node wherever it is, the
 * one the importer built and stored.
 */
async function reportEmptyDirectories (entries: AddedEntry[], directories: string[], cidVersion: 0 | 1): Promise<void> {
  const missing = directories.filter(path => !entries.some(e => e.path === path))
  if (missing.length === 0) return
  const block = dagPb.encode(dagPb.prepare({ Data: new UnixFS({ type: 'directory' }).marshal() }))
  const cid = CID.create(cidVersion, dagPb.code, await sha256.digest(block))
  for (const path of new Set(missing)) {
    const parent = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : ''
    const at = entries.findIndex(e => e.type === 'directory' && e.path === parent)
    const entry: AddedEntry = { path, cid, size: block.byteLength, cumulativeSize: block.byteLength, type: 'directory' }
    entries.splice(at === -1 ? entries.length : at, 0, entry)
  }
}

/** The importer's form of a path: no empty or `.` segments. */
function importerPath (path: string): string {
  return path.split('/').filter(p => p !== '' && p !== '.').join('/')
}

/** The importer takes no signal, so the deadline is enforced on the content it reads. */
async function * candidates (source: AsyncIterable<AddEntry> | Iterable<AddEntry>, directories: string[], paths: string[], signal?: AbortSignal): AsyncGenerator<ImportCandidate> {
  for await (const entry of source) {
    signal?.throwIfAborted()
    paths.push(entry.path ?? '')
    if (entry.content == null) {
      const path = importerPath(entry.path ?? '')
      if (path !== '') directories.push(path)
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
