import * as dagPb from '@ipld/dag-pb'
import { exporter } from 'ipfs-unixfs-exporter'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { encodeDirectory } from './directory-bytes.ts'
import { findLink, plainDirectory, totalSize, unixfsOf, withLink, withoutLink } from './directory-links.ts'
import { InvalidPathError, NotADirectoryError, PathNotFoundError } from '../../errors.ts'
import { readBlock } from '../ipfs/dag-walker.ts'
import { directoryChildren } from '../ipfs/directory-children.ts'
import { rawBlockSize } from '../ipfs/ls.ts'
import { translateLibraryError } from '../ipfs/library-errors.ts'
import type { BlockSizes } from '../../stores/repo-blockstore.ts'
import type { UnixFS } from '@helia/unixfs'
import type { Blockstore } from 'interface-blockstore'
import type { UnixFSDirectory, UnixFSDirectoryEntry, UnixFSEntry } from 'ipfs-unixfs-exporter'

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
  private readonly blockstore: Pick<Blockstore, 'get' | 'put'>
  /**
   * Entries, children (of shards, by CID and name) and dag-pb nodes already
   * looked up or just written: a CID's content never changes, and a change
   * looked up the same directories several times, each a decode of the
   * whole directory.
   */
  private readonly entries = new RecentlyUsed<string, Promise<UnixFSEntry>>(KNOWN_ENTRIES)
  private readonly children = new RecentlyUsed<string, Promise<CID | undefined>>(KNOWN_ENTRIES)
  private readonly nodes = new RecentlyUsed<string, Promise<DecodedNode>>(KNOWN_ENTRIES)

  private readonly local?: BlockSizes

  /** `local`: the node's own store, which tells a raw block's length without reading it (rawBlockSize). */
  constructor (fs: UnixFS, blockstore: Pick<Blockstore, 'get' | 'put'>, local?: BlockSizes) {
    this.fs = fs
    this.blockstore = blockstore
    this.local = local
  }

  /** A raw block's length, from the node's store without reading it where it holds the block; else undefined. */
  async rawSize (cid: CID): Promise<number | undefined> {
    return rawBlockSize(this.local, cid)
  }

  /** The entry at `segments` under `root`, or undefined if nothing is there. */
  async lookup (root: CID, segments: string[]): Promise<UnixFSEntry | undefined> {
    const cid = await this.resolve(root, segments)
    return cid == null ? undefined : this.entry(cid)
  }

  /** The CID at `segments` under `root`, or undefined if nothing is there. */
  async resolve (root: CID, segments: string[]): Promise<CID | undefined> {
    let cid = root
    for (let i = 0; i < segments.length; i++) {
      const child = await this.child(cid, segments[i], segments.slice(0, i))
      if (child == null) return undefined
      cid = child
    }
    return cid
  }

  /** Whether `segments` under `root` is a directory (PathNotFoundError when nothing is there), without an entry's walk. */
  async isDirectoryAt (root: CID, segments: string[]): Promise<boolean> {
    const cid = await this.resolve(root, segments)
    if (cid == null) throw new PathNotFoundError(`${formatMfsPath(segments)} does not exist`)
    return this.isDirectory(cid)
  }

  async require (root: CID, segments: string[]): Promise<UnixFSEntry> {
    const entry = await this.lookup(root, segments)
    if (entry == null) throw new PathNotFoundError(`${formatMfsPath(segments)} does not exist`)
    return entry
  }

  /** Creates every missing directory along `segments` (each must be a directory if it exists). */
  async ensureDirectories (root: CID, segments: string[]): Promise<CID> {
    for (let depth = 1; depth <= segments.length; depth++) {
      const existing = await this.resolve(root, segments.slice(0, depth))
      if (existing == null) {
        root = await this.setChild(root, segments.slice(0, depth - 1), segments[depth - 1], await this.emptyDirectory())
      } else if (!await this.isDirectory(existing)) {
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
      const next = await this.child(chain[i], parent[i], parent.slice(0, i))
      if (next == null) throw new PathNotFoundError(`${formatMfsPath(parent.slice(0, i + 1))} does not exist`)
      chain.push(next)
    }
    const dir = chain[chain.length - 1]
    if (!await this.isDirectory(dir)) {
      throw new NotADirectoryError(`${formatMfsPath(parent)} is not a directory`)
    }
    let updated = await this.edited(dir, name, child)
    for (let i = chain.length - 2; i >= 0; i--) {
      updated = await this.edited(chain[i], parent[i], updated)
    }
    return updated
  }

  /**
   * `dir` with `name` set to `child`, or taken out when `child` is null: a
   * plain directory edited here (directory-links.ts), anything else (a
   * shard, a change that makes one, a child that is not UnixFS) by the library.
   */
  private async edited (dir: CID, name: string, child: CID | null): Promise<CID> {
    const decoded = dir.code === dagPb.code ? await this.node(dir) : undefined
    const unixfs = decoded == null ? undefined : plainDirectory(decoded.node)
    if (decoded != null && unixfs != null) {
      if (child == null) return this.store(withoutLink(decoded.node, name), dir.version)
      const size = await this.linkSize(child)
      const node = size == null ? undefined : withLink(decoded.node, unixfs, { Hash: child, Name: name, Tsize: size })
      if (node != null) return this.store(node, dir.version)
    }
    return child == null ? this.fs.rm(dir, name) : this.fs.cp(child, dir, name, { force: true })
  }

  /** Writes a directory's node, kept decoded for the next lookups and links. */
  private async store (node: dagPb.PBNode, version: CID['version']): Promise<CID> {
    const bytes = encodeDirectory(node)
    const cid = CID.create(version, dagPb.code, await sha256.digest(bytes))
    await this.blockstore.put(cid, bytes)
    this.nodes.set(cid.toString(), Promise.resolve({ node, size: totalSize(bytes, node) }))
    return cid
  }

  /** What a link to `cid` says it holds (its Tsize), as the library counts it; undefined where the library must judge. */
  private async linkSize (cid: CID): Promise<number | undefined> {
    if (cid.code === raw.code) return await this.rawSize(cid) ?? (await readBlock(this.blockstore, cid)).byteLength
    if (cid.code !== dagPb.code) return undefined
    const { node, size } = await this.node(cid)
    // what the library links to must be a UnixFS file or directory (it refuses the rest)
    const type = unixfsOf(node)?.type
    return type === 'file' || type === 'raw' || type === 'directory' || type === 'hamt-sharded-directory' ? size : undefined
  }

  private async node (cid: CID): Promise<DecodedNode> {
    return remembered(this.nodes, cid.toString(), async () => {
      const bytes = await readBlock(this.blockstore, cid)
      const node = dagPb.decode(bytes)
      return { node, size: totalSize(bytes, node) }
    })
  }

  async isDirectory (cid: CID): Promise<boolean> {
    if (cid.code === dagPb.code) {
      const { node } = await this.node(cid)
      if (plainDirectory(node) != null) return true
    }
    return (await this.entry(cid)).type === 'directory'
  }

  async emptyDirectory (): Promise<CID> {
    return this.fs.addDirectory({}, { cidVersion: 1 })
  }

  async entry (cid: CID): Promise<UnixFSEntry> {
    return remembered(this.entries, cid.toString(), async () => {
      try {
        return await exporter(cid, this.blockstore)
      } catch (err) {
        throw translateLibraryError(err, cid.toString())
      }
    })
  }

  /** A directory's children, a sharded one's shards read at once. */
  async entriesOf (dir: UnixFSDirectory): Promise<UnixFSDirectoryEntry[]> {
    return directoryChildren(this.blockstore, dir)
  }

  /** Size and block count of a node without walking its DAG: the block plus its links' Tsizes. */
  async nodeSizes (cid: CID): Promise<{ cumulativeSize: number, blocks: number }> {
    if (cid.code !== dagPb.code) {
      const entry = await this.entry(cid)
      return { cumulativeSize: Number(entry.size), blocks: 0 }
    }
    const { node, size } = await this.node(cid)
    return { cumulativeSize: size, blocks: node.Links.length }
  }

  /** The CID at `name` in the directory `dir` (found at `at`, for the error when it is not a directory). */
  private async child (dir: CID, name: string, at: string[]): Promise<CID | undefined> {
    if (dir.code === dagPb.code) {
      const { node } = await this.node(dir)
      // a plain directory's link is found by a binary search, with no walk of the library's
      if (plainDirectory(node) != null) return findLink(node, name)?.Hash
    }
    if (!await this.isDirectory(dir)) throw new NotADirectoryError(`${formatMfsPath(at)} is not a directory`)
    const path = `${dir.toString()}/${name}`
    return remembered(this.children, path, async () => {
      try {
        const entry = await exporter(path, this.blockstore)
        return entry.cid
      } catch (err) {
        const e = err as Error
        if (e.name === 'NotFoundError' || e.name === 'DoesNotExistError') return undefined
        if (e.name === 'NotUnixFSError' || e.name === 'NoResolverError') throw new NotADirectoryError(`${dir} is not a directory`)
        throw translateLibraryError(err, path)
      }
    })
  }
}

/** A dag-pb node, and what a link to it says it holds (its Tsize). */
interface DecodedNode {
  node: dagPb.PBNode
  size: number
}

/**
 * Entries and children a tree keeps: enough for a change's own repeated
 * lookups and the next change's, few enough that the stale versions of a
 * large directory (each entry holds its decoded node) do not pile up.
 */
const KNOWN_ENTRIES = 16

/** What `look` gives for `key`, looked up once while it is among the recently used in `cache`; a failure is not kept. */
async function remembered<V> (cache: RecentlyUsed<string, Promise<V>>, key: string, look: () => Promise<V>): Promise<V> {
  const known = cache.get(key)
  if (known != null) return known
  const found = look()
  cache.set(key, found)
  found.catch(() => { cache.delete(key) })
  return found
}

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
