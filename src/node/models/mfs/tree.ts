import * as dagPb from '@ipld/dag-pb'
import { exporter } from 'ipfs-unixfs-exporter'
import { InvalidPathError, NotADirectoryError, PathNotFoundError } from '../../errors.ts'
import { translateLibraryError } from '../ipfs/library-errors.ts'
import type { UnixFS } from '@helia/unixfs'
import type { Blockstore } from 'interface-blockstore'
import type { UnixFSEntry } from 'ipfs-unixfs-exporter'
import type { CID } from 'multiformats/cid'

/** `/a/b/c` → `['a', 'b', 'c']`; `/` → `[]`. Paths are absolute; `.` and `..` are refused. */
export function parseMfsPath (path: string): string[] {
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw new InvalidPathError(`MFS paths start with "/": "${String(path)}"`)
  }
  const segments = path.split('/').filter(s => s !== '')
  if (segments.some(s => s === '.' || s === '..')) {
    throw new InvalidPathError(`MFS paths may not contain "." or "..": "${path}"`)
  }
  return segments
}

export function formatMfsPath (segments: string[]): string {
  return `/${segments.join('/')}`
}

/**
 * Copy-on-write edits of a UnixFS tree: every change writes new blocks and
 * returns a new root CID, leaving the old tree untouched. That is what makes
 * a journaled change atomic: until the root pointer moves, nothing changed.
 */
export class MfsTree {
  readonly fs: UnixFS
  private readonly blockstore: Pick<Blockstore, 'get'>
  /**
   * Entries and children already looked up, by CID (and name): a CID's
   * content never changes, and a change looked up the same directories
   * several times, each a decode of the whole directory.
   */
  private readonly known = new RecentlyUsed<string, Promise<UnixFSEntry | CID | undefined>>(KNOWN_ENTRIES)

  constructor (fs: UnixFS, blockstore: Pick<Blockstore, 'get'>) {
    this.fs = fs
    this.blockstore = blockstore
  }

  /** The entry at `segments` under `root`, or undefined if nothing is there. */
  async lookup (root: CID, segments: string[]): Promise<UnixFSEntry | undefined> {
    let entry = await this.entry(root)
    for (let i = 0; i < segments.length; i++) {
      if (entry.type !== 'directory') {
        throw new NotADirectoryError(`${formatMfsPath(segments.slice(0, i))} is not a directory`)
      }
      const child = await this.child(entry.cid, segments[i])
      if (child == null) return undefined
      entry = await this.entry(child)
    }
    return entry
  }

  async require (root: CID, segments: string[]): Promise<UnixFSEntry> {
    const entry = await this.lookup(root, segments)
    if (entry == null) throw new PathNotFoundError(`${formatMfsPath(segments)} does not exist`)
    return entry
  }

  /** Creates every missing directory along `segments` (each must be a directory if it exists). */
  async ensureDirectories (root: CID, segments: string[]): Promise<CID> {
    for (let depth = 1; depth <= segments.length; depth++) {
      const existing = await this.lookup(root, segments.slice(0, depth))
      if (existing == null) {
        root = await this.setChild(root, segments.slice(0, depth - 1), segments[depth - 1], await this.emptyDirectory())
      } else if (existing.type !== 'directory') {
        throw new NotADirectoryError(`${formatMfsPath(segments.slice(0, depth))} is not a directory`)
      }
    }
    return root
  }

  /**
   * Puts `child` at `parent/name` (replacing what is there), or removes
   * `parent/name` when `child` is null, and rewrites every directory up to
   * the root. The parent must exist.
   */
  async setChild (root: CID, parent: string[], name: string, child: CID | null): Promise<CID> {
    const chain: CID[] = [root]
    for (let i = 0; i < parent.length; i++) {
      const next = await this.child(chain[i], parent[i])
      if (next == null) throw new PathNotFoundError(`${formatMfsPath(parent.slice(0, i + 1))} does not exist`)
      chain.push(next)
    }
    const dir = chain[chain.length - 1]
    if ((await this.entry(dir)).type !== 'directory') {
      throw new NotADirectoryError(`${formatMfsPath(parent)} is not a directory`)
    }
    let updated = child == null
      ? await this.fs.rm(dir, name)
      : await this.fs.cp(child, dir, name, { force: true })
    for (let i = chain.length - 2; i >= 0; i--) {
      updated = await this.fs.cp(updated, chain[i], parent[i], { force: true })
    }
    return updated
  }

  async emptyDirectory (): Promise<CID> {
    return this.fs.addDirectory({}, { cidVersion: 1 })
  }

  async entry (cid: CID): Promise<UnixFSEntry> {
    return this.remembered(cid.toString(), async () => {
      try {
        return await exporter(cid, this.blockstore)
      } catch (err) {
        throw translateLibraryError(err, cid.toString())
      }
    }) as Promise<UnixFSEntry>
  }

  /** What `look` gives for `key`, looked up once while it is among the recently used; a failure is not kept. */
  private async remembered (key: string, look: () => Promise<UnixFSEntry | CID | undefined>): Promise<UnixFSEntry | CID | undefined> {
    const known = this.known.get(key)
    if (known != null) return known
    const found = look()
    this.known.set(key, found)
    found.catch(() => { this.known.delete(key) })
    return found
  }

  /** Size and block count of a node without walking its DAG: the block plus its links' Tsizes. */
  async nodeSizes (cid: CID): Promise<{ cumulativeSize: number, blocks: number }> {
    if (cid.code !== dagPb.code) {
      const entry = await this.entry(cid)
      return { cumulativeSize: Number(entry.size), blocks: 0 }
    }
    const chunks: Uint8Array[] = []
    for await (const chunk of this.blockstore.get(cid)) chunks.push(chunk)
    const bytes = chunks.length === 1 ? chunks[0] : new Uint8Array(await new Blob(chunks as BlobPart[]).arrayBuffer())
    const node = dagPb.decode(bytes)
    return { cumulativeSize: bytes.byteLength + node.Links.reduce((n, l) => n + (l.Tsize ?? 0), 0), blocks: node.Links.length }
  }

  private async child (dir: CID, name: string): Promise<CID | undefined> {
    const path = `${dir.toString()}/${name}`
    return this.remembered(path, async () => {
      try {
        const entry = await exporter(path, this.blockstore)
        return entry.cid
      } catch (err) {
        const e = err as Error
        if (e.name === 'NotFoundError' || e.name === 'DoesNotExistError') return undefined
        if (e.name === 'NotUnixFSError' || e.name === 'NoResolverError') throw new NotADirectoryError(`${dir} is not a directory`)
        throw translateLibraryError(err, path)
      }
    }) as Promise<CID | undefined>
  }
}

/**
 * Entries and children a tree keeps: enough for a change's own repeated
 * lookups and the next change's, few enough that the stale versions of a
 * large directory (each entry holds its decoded node) do not pile up.
 */
const KNOWN_ENTRIES = 16

/** A map that forgets its least recently used key beyond `limit` keys. */
class RecentlyUsed<K, V> {
  private readonly map = new Map<K, V>()
  private readonly limit: number

  constructor (limit: number) {
    this.limit = limit
  }

  get (key: K): V | undefined {
    const value = this.map.get(key)
    if (value === undefined) return undefined
    // moved to the back: the front is the least recently used
    this.map.delete(key)
    this.map.set(key, value)
    return value
  }

  set (key: K, value: V): void {
    this.map.delete(key)
    this.map.set(key, value)
    if (this.map.size > this.limit) this.map.delete(this.map.keys().next().value as K)
  }

  delete (key: K): void {
    this.map.delete(key)
  }
}
