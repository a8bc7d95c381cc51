import { unixfs } from '@helia/unixfs'
import { importer } from 'ipfs-unixfs-importer'
import { CID } from 'multiformats/cid'
import { InvalidPathError } from '../../errors.ts'
import { resolveEntry } from '../ipfs/resolve.ts'
import { translateLibraryError } from '../ipfs/library-errors.ts'
import { WriteBehind, writingBehind } from '../ipfs/write-behind.ts'
import { parseContentPath } from '../ipfs/content-path.ts'
import { applyEntries } from './apply.ts'
import { HeldBlocks } from './held-blocks.ts'
import { cpTarget } from './commands/cp.ts'
import { ls } from './commands/ls.ts'
import { read } from './commands/read.ts'
import { stat } from './commands/stat.ts'
import { formatMfsPath, MfsTree, parseMfsPath } from './tree.ts'
import type { MfsEntry } from './commands/ls.ts'
import type { MkdirOptions } from './commands/mkdir.ts'
import type { RmOptions } from './commands/rm.ts'
import type { MfsStat } from './commands/stat.ts'
import type { WriteOptions } from './commands/write.ts'
import type { FsJournal, PlannedEntry, RecoveryReport } from '../../journal/fs-journal.ts'
import type { CarriedBlock } from '../../journal/types.ts'
import type { FileHandle } from '../ipfs/cat.ts'
import type { BlockSizes } from '../../stores/repo-blockstore.ts'
import type { Helia } from '@helia/interface'
import type { AbortOptions } from 'abort-error'

export type { MfsEntry, MfsStat, MkdirOptions, RmOptions, WriteOptions }

export interface MfsComponents {
  helia: Pick<Helia, 'blockstore' | 'getCodec' | 'pins'>
  journal: FsJournal
  /** The node's own store: a raw block's length without reading it (a listing of a folder of photos). */
  local?: BlockSizes
}

export interface CopyOptions {
  parents?: boolean
  /** Replace a file already at the destination (never a directory), in the same transaction as the copy. */
  overwrite?: boolean
}

/**
 * The mutable file system: named files and folders over a UnixFS tree whose
 * root lives in the journal's store. Reads use the current root; changes are
 * serialized, journaled before they take effect, and become visible only when
 * the journal settles them and moves the root in one step.
 */
export class Mfs {
  private readonly tree: MfsTree
  private readonly helia: MfsComponents['helia']
  readonly journal: FsJournal
  private current!: CID
  private queue: Promise<unknown> = Promise.resolve()
  /** What recovery did when this file system was opened. */
  recovery?: RecoveryReport

  /** Takes the blocks a change writes while it is applied: stored before it settles, or held for its settle to carry. */
  private applying?: ChangeWriter
  /** The writers of content imported for writes, until their changes are done. */
  private readonly importing = new Set<ChangeWriter>()
  /** The blockstore with its writes taken by `applying` while a change is applied. */
  private readonly writes: MfsComponents['helia']['blockstore']

  private constructor (components: MfsComponents) {
    this.helia = components.helia
    this.journal = components.journal
    // the tree's writes go behind while a change is applied: each directory it rewrites would
    // otherwise wait for its own store transaction before the next (measured: 45 ms a small write)
    const blockstore = components.helia.blockstore
    // (the change reads what it has just written, before it is stored: those reads are answered from the writer)
    this.writes = new Proxy(blockstore, {
      get: (target, prop) => {
        const writer = this.applying
        if (writer != null && prop === 'put') {
          return async (cid: CID, bytes: Uint8Array, options?: AbortOptions) => writer.put(cid, bytes, options)
        }
        // (and what a write's content import handed over, still being stored, as the change applies)
        const unwritten = (cid: CID): Uint8Array | undefined => {
          writer?.throwIfFailed()
          for (const imported of this.importing) {
            const bytes = imported.unwrittenBlock(cid)
            if (bytes != null) return bytes
          }
          return writer?.unwrittenBlock(cid)
        }
        if (prop === 'get') {
          return async function * (cid: CID, options?: AbortOptions): AsyncGenerator<Uint8Array> {
            const bytes = unwritten(cid)
            if (bytes != null) yield bytes
            else yield * target.get(cid, options)
          }
        }
        if (prop === 'has') {
          return async (cid: CID, options?: AbortOptions) => unwritten(cid) != null || await target.has(cid, options)
        }
        const value = Reflect.get(target, prop, target) as unknown
        return typeof value === 'function' ? value.bind(target) : value
      }
    })
    // unixfs needs only a blockstore (a spread of Helia would read its libp2p, which may still be starting)
    this.tree = new MfsTree(unixfs({ blockstore: this.writes }), this.writes, components.local)
  }

  /** Opens the file system: recovers the journal, then loads (or creates) the root. */
  static async open (components: MfsComponents): Promise<Mfs> {
    const mfs = new Mfs(components)
    await mfs.recover()
    const root = await mfs.journal.root()
    if (root == null) {
      mfs.current = await mfs.tree.emptyDirectory()
      await mfs.journal.initialize(mfs.current.toString())
    }
    return mfs
  }

  root (): CID {
    return this.current
  }

  async ls (path: string): Promise<MfsEntry[]> {
    return ls(this.tree, this.current, parseMfsPath(path))
  }

  async stat (path: string): Promise<MfsStat> {
    return stat(this.tree, this.current, parseMfsPath(path))
  }

  async read (path: string): Promise<FileHandle> {
    return read(this.tree, this.current, parseMfsPath(path))
  }

  /** The CID at `path`. Every acknowledged change is already durable, so there is nothing to flush. */
  async flush (path = '/'): Promise<CID> {
    return (await this.tree.require(this.current, parseMfsPath(path))).cid
  }

  async mkdir (path: string, options: MkdirOptions = {}): Promise<CID> {
    return this.change(undefined, [{
      operation_type: 'create',
      path: normalize(path),
      data: { kind: 'directory', parents: options.parents === true, mode: options.mode ?? null, mtime_secs: options.mtime != null ? Number(options.mtime.secs) : null }
    }])
  }

  /**
   * Imports the content first (outside the queue, so large writes do not
   * hold up others), then journals and applies the write.
   */
  async write (path: string, content: AsyncIterable<Uint8Array> | Uint8Array, options: WriteOptions & AbortOptions = {}): Promise<CID> {
    const target = normalize(path)
    if (target === '/') throw new InvalidPathError('/ is a directory, not a file')
    const imported = await this.importContent(content, options.signal)
    // the content's blocks are stored while the change is planned and applied (or with its entries,
    // when the journal carries them): the root moves only once they are
    return this.change(imported, [{
      operation_type: 'write',
      path: target,
      data: {
        content_cid: imported.cid.toString(),
        bytes: imported.size,
        offset: options.offset ?? 0,
        count: options.count ?? null,
        truncate: options.truncate === true,
        create: options.create !== false,
        parents: options.parents === true
      }
    }]).finally(() => { this.importing.delete(imported.writer) })
  }

  async rm (path: string, options: RmOptions = {}): Promise<CID> {
    return this.change(undefined, [{ operation_type: 'delete', path: normalize(path), data: { recursive: options.recursive === true, force: options.force === true } }])
  }

  /** Copies an MFS path or an `/ipfs/<cid>[/path]` to `destination`. */
  async cp (source: string, destination: string, options: CopyOptions = {}): Promise<CID> {
    const dest = normalize(destination)
    return this.change(undefined, async (root): Promise<PlannedEntry[]> => {
      // the source is resolved first: a copy that cannot happen removes nothing
      const { cid, name } = await this.source(root, source)
      const copy: PlannedEntry = { operation_type: 'copy', path: dest, data: { source, source_cid: cid.toString(), source_name: name, parents: options.parents === true } }
      if (options.overwrite === true) {
        const existing = await this.tree.lookup(root, parseMfsPath(dest))
        if (existing != null && existing.type !== 'directory') return [{ operation_type: 'delete', path: dest, data: { recursive: false, force: false } }, copy]
      }
      return [copy]
    })
  }

  /** Moves an MFS path: a copy and a removal, in one transaction. */
  async mv (source: string, destination: string, options: CopyOptions = {}): Promise<CID> {
    const from = parseMfsPath(source)
    if (from.length === 0) throw new InvalidPathError('/ cannot be moved')
    return this.change(undefined, async (root): Promise<PlannedEntry[]> => {
      const { cid, name } = await this.source(root, source)
      const target = await cpTarget(this.tree, root, name, parseMfsPath(destination))
      if (target.length >= from.length && from.every((s, i) => target[i] === s)) {
        throw new InvalidPathError(`${formatMfsPath(from)} cannot be moved into itself (${formatMfsPath(target)})`)
      }
      return [
        { operation_type: 'copy', path: formatMfsPath(target), data: { source, source_cid: cid.toString(), source_name: name, parents: options.parents === true } },
        { operation_type: 'delete', path: formatMfsPath(from), data: { recursive: true, force: false } }
      ]
    })
  }

  async chmod (path: string, mode: number): Promise<CID> {
    return this.change(undefined, [{ operation_type: 'metadata', path: normalize(path), data: { mode } }])
  }

  async touch (path: string, mtimeSecs = Math.floor(Date.now() / 1000)): Promise<CID> {
    return this.change(undefined, [{ operation_type: 'metadata', path: normalize(path), data: { mtime_secs: mtimeSecs } }])
  }

  /** Runs recovery now (between changes) and reloads the root it leaves. */
  async recover (): Promise<RecoveryReport> {
    const run = this.queue.then(async () => {
      const report = await this.journal.recover(async (base, entries) => (await this.apply(CID.parse(base), entries)).toString())
      const root = await this.journal.root()
      if (root != null) this.current = CID.parse(root)
      this.recovery = report
      return report
    })
    this.queue = run.catch(() => {})
    return run
  }

  /**
   * Runs one journaled transaction after every earlier one has finished;
   * `content` (blocks it links to, still being stored or held) is stored before its root moves.
   * Where the journal carries blocks, the content held goes with the change's entries
   * and the blocks the change writes with its settle: no store transaction of their own.
   */
  private async change (content: Pick<ImportedContent, 'stored' | 'carried'> | undefined, plan: PlannedEntry[] | ((root: CID) => Promise<PlannedEntry[]>)): Promise<CID> {
    const run = this.queue.then(async () => {
      const base = this.current
      const planned = typeof plan === 'function' ? await plan(base) : plan
      const carries = this.journal.carriesBlocks
      // past CARRIED_CHANGE_BYTES (a write spliced into a large file imports it again) they go to the store
      const written = carries ? new HeldBlocks({ store: this.helia.blockstore, limit: CARRIED_CHANGE_BYTES }) : undefined
      const root = await this.journal.run(planned, base.toString(), async () => {
        const applied = await this.apply(base, planned, written)
        await content?.stored
        return applied.toString()
      }, carries ? { append: content?.carried, settle: () => written!.carried() } : {})
      this.current = CID.parse(root)
      return this.current
    })
    this.queue = run.catch(() => {})
    return run
  }

  /** Applies entries, every block they write stored before the root is returned, or held by `held` for the journal to store. */
  private async apply (base: CID, entries: PlannedEntry[], held?: HeldBlocks): Promise<CID> {
    try {
      if (held != null) {
        this.applying = held
        const root = await applyEntries(this.tree, this.writes, base, entries).catch(async (err: unknown) => {
          // as writingBehind: no write still running when the change's error is thrown
          await held.drain().catch(() => {})
          throw err
        })
        // what did not fit is stored before the settle, which carries the rest
        await held.drain()
        return root
      }
      return await writingBehind(this.helia.blockstore, async (writer) => {
        this.applying = writer
        return applyEntries(this.tree, this.writes, base, entries)
      })
    } finally {
      this.applying = undefined
    }
  }

  private async source (root: CID, source: string): Promise<{ cid: CID, name: string }> {
    if (source.startsWith('/ipfs/')) {
      const path = parseContentPath(source)
      const entry = await resolveEntry(this.helia, path, { offline: true })
      return { cid: entry.cid, name: path.segments.at(-1) ?? path.cid.toString() }
    }
    const segments = parseMfsPath(source)
    const entry = await this.tree.require(root, segments)
    return { cid: entry.cid, name: segments.at(-1) ?? '' }
  }

  /**
   * Imports `content` as a file: its CID and size once every block is handed
   * to the store, and the `writer` that stores them (a store transaction's
   * wait a write no longer spends on its own: measured, about a third of a
   * small write's time), or holds them, up to CARRIED_CONTENT_BYTES, for the
   * journal to carry. It stays in `importing` until the caller removes it.
   */
  private async importContent (content: AsyncIterable<Uint8Array> | Uint8Array, signal?: AbortSignal): Promise<ImportedContent> {
    let size = 0
    async function * counted (): AsyncGenerator<Uint8Array> {
      if (content instanceof Uint8Array) {
        size = content.byteLength
        yield content
        return
      }
      for await (const chunk of content) {
        signal?.throwIfAborted()
        size += chunk.byteLength
        yield chunk
      }
    }
    const store = this.helia.blockstore
    // held only while few are: writes waiting in the queue would otherwise keep their content in the page
    const holding = [...this.importing].filter(w => w instanceof HeldBlocks).length
    const holds = this.journal.carriesBlocks && holding < MAX_HOLDING_WRITES
    const writer = holds ? new HeldBlocks({ store, limit: CARRIED_CONTENT_BYTES }) : new WriteBehind(store)
    this.importing.add(writer)
    try {
      let cid: CID | undefined
      for await (const entry of importer([{ content: counted() }], writer, { profile: 'unixfs-v1-2025', blockWriteConcurrency: 16 })) cid = entry.cid
      if (cid == null) throw new Error('the importer produced nothing')
      const stored = writer.drain().catch((err: unknown) => { throw translateLibraryError(err, 'the written content', signal) })
      // awaited by the change; a failure before then is that change's error, never an unhandled one
      stored.catch(() => {})
      return { cid, size, writer, stored, carried: writer instanceof HeldBlocks ? writer.carried() : undefined }
    } catch (err) {
      // no write of the content still running when its error is thrown
      await writer.drain().catch(() => {})
      this.importing.delete(writer)
      throw translateLibraryError(err, 'the written content', signal)
    }
  }
}

/** What an MFS change writes its blocks through (WriteBehind, HeldBlocks), as its reads see them. */
interface ChangeWriter {
  put(cid: CID, bytes: Uint8Array, options?: AbortOptions): Promise<CID>
  unwrittenBlock(cid: CID): Uint8Array | undefined
  throwIfFailed(): void
}

/** A write's imported content. */
interface ImportedContent {
  cid: CID
  size: number
  writer: ChangeWriter
  /** Settles once what went to the store is stored. */
  stored: Promise<void>
  /** What is held, for the change's entries to carry. */
  carried?: CarriedBlock[]
}

/**
 * A write's content up to this size is held and stored with the change's
 * entries (where the journal carries blocks); a larger one goes to the
 * store as it is imported, its transactions a small part of its time.
 */
const CARRIED_CONTENT_BYTES = 1024 * 1024

/** Writes holding their content at once, at most: past this, a write's content goes to the store as it is imported. */
const MAX_HOLDING_WRITES = 16

/** The blocks a change writes, held for its settle up to this size; past it they are stored first. */
const CARRIED_CHANGE_BYTES = 4 * 1024 * 1024

function normalize (path: string): string {
  return formatMfsPath(parseMfsPath(path))
}
