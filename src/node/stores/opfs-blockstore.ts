/// <reference lib="webworker" />
import { BaseBlockstore } from 'blockstore-core'
import { NotFoundError, OpenFailedError, PutFailedError } from 'interface-store'
import { createLogger } from '../../logger.ts'
import { earlierBlockFiles, removeEarlierLayout } from './opfs-block-files.ts'
import { entries, fileOf, rename } from './opfs-files.ts'
import { decodeRecords, encodeRecords, MAX_KEY_LENGTH, MAX_RECORD_BYTES } from './opfs-pack-index.ts'
import { blockBytes, blockKey, cidOfKey } from './repo-blockstore.ts'
import { writeFailure } from './write-failure.ts'
import type { IndexRecord, PutRecord } from './opfs-pack-index.ts'
import type { BlockBlob, RepoBlockstore, RepoStat } from './repo-blockstore.ts'
import type { AbortOptions } from 'abort-error'
import type { CID } from 'multiformats/cid'
import type { Pair } from 'interface-blockstore'

const log = createLogger('mcp:opfs-blocks')

/** The index's file, and the one a rewrite writes before it takes its place. */
const INDEX = 'index'
const INDEX_REWRITE = 'index.new'
/** Packs are `pack-<number>`, numbered as they are made. */
const PACK_PREFIX = 'pack-'
/** A pack takes blocks until it holds this much; then a new one is begun and it is sealed. */
const PACK_BYTES = 32 * 1024 * 1024
/** A sealed pack whose live blocks fill this share of it or less has them copied out, and is removed. */
const COMPACT_BELOW = 0.5
/** The index is written anew at open when it holds this many records more than twice the blocks. */
const INDEX_SLACK_RECORDS = 4096
/** A block this large (a large file's leaf) read as a Blob from the pack being appended to seals that pack. */
const SEAL_FOR_BLOCK_BYTES = 256 * 1024
/** Sealed packs kept open for reads at once (each holds a file open in the browser's process). */
const OPEN_SEALED_PACKS = 16
/** Blocks of the earlier layout moved at once at open. */
const MOVE_CONCURRENCY = 16

interface Pack {
  id: number
  file: FileSystemFileHandle
  handle?: FileSystemSyncAccessHandle
  opening?: Promise<FileSystemSyncAccessHandle>
  /** Bytes in the file: where the next block goes. */
  size: number
  /** Bytes of the blocks the index points into it. */
  live: number
  /** The file as a snapshot for Blobs of its blocks: only once it is sealed (an append makes a snapshot unreadable). */
  snapshot?: Promise<File>
  compacting?: boolean
  /** When it was last opened or read (a counter): the least recent sealed packs are closed first. */
  used: number
}

interface Place {
  pack: Pack
  offset: number
  length: number
}

/** Records waiting for the next write of the index, and the packs their bytes are in (flushed first). */
interface Batch {
  records: IndexRecord[]
  packs: Set<Pack>
  written: Promise<void>
}

/**
 * A blockstore in the origin private file system: blocks appended to pack
 * files of up to PACK_BYTES, and an index (opfs-pack-index.ts) saying
 * where each is. It runs in block-worker.ts: synchronous access handles,
 * which it keeps open, exist only in a dedicated worker.
 *
 * Why packs: an earlier version kept a file per block, and each cost six
 * calls into the browser's process (look, create, open, write and flush,
 * close, rename), about 5 ms a block of 1 MiB: 64 MiB went in at about
 * 110 MB/s where one file takes it at 700. Appended to an open pack, a
 * put is a write; puts arriving together share one flush of their packs
 * and one append to the index (flushed too), made only once their bytes
 * are on the disk: a block the index names is whole. A stop in between
 * leaves bytes no record names, never a record without its bytes.
 *
 * A delete appends a record; the bytes stay until their pack is mostly
 * garbage, when its live blocks are copied into a new pack, indexed, and
 * the pack removed. Blocks in a sealed pack are given as slices of its
 * file (blockBlob), which the browser reads on its own.
 *
 * An earlier version's files (a file per block in shard directories) are
 * moved into packs the first time the store opens.
 */
export class OpfsRepoBlockstore extends BaseBlockstore implements RepoBlockstore {
  private readonly path: string[]
  private root?: FileSystemDirectoryHandle
  private index?: FileSystemSyncAccessHandle
  private indexEnd = 0
  private indexRecords = 0
  private readonly places = new Map<string, Place>()
  private readonly packs = new Map<number, Pack>()
  /** The pack puts go to; undefined until the first put after open, once it is full, or once it is sealed for a Blob of its blocks. */
  private current?: Pack
  private starting?: Promise<Pack>
  private nextPackId = 1
  private uses = 0
  private readonly writing = new Map<string, Promise<void>>()
  private batch?: Batch
  private compacting: Promise<void> = Promise.resolve()
  private liveBytes = 0
  /** Packs a compaction reads or writes: never closed meanwhile to keep others open. */
  private readonly held = new Set<Pack>()

  private readonly packBytes: number
  private readonly indexSlackRecords: number

  /** `path`: directories under the origin's root, `mcp-node/blocks` style; the options, for tests. */
  constructor (path: string, options: { packBytes?: number, indexSlackRecords?: number } = {}) {
    super()
    this.path = path.split('/').filter(p => p !== '')
    this.packBytes = options.packBytes ?? PACK_BYTES
    this.indexSlackRecords = options.indexSlackRecords ?? INDEX_SLACK_RECORDS
  }

  get location (): string {
    return `opfs:${this.path.join('/')}`
  }

  async open (): Promise<void> {
    try {
      let dir = await navigator.storage.getDirectory()
      for (const name of this.path) dir = await dir.getDirectoryHandle(name, { create: true })
      this.root = dir
      await this.findPacks(dir, await this.readIndex(dir))
      await this.moveEarlierLayout(dir)
      if (this.indexRecords > 2 * this.places.size + this.indexSlackRecords) await this.rewriteIndex()
      for (const pack of this.packs.values()) this.compactIfSparse(pack)
    } catch (err) {
      throw new OpenFailedError(`could not open the block directory ${this.location}: ${String(err)}`)
    }
  }

  async close (): Promise<void> {
    await this.flush()
    await this.compacting
    for (const pack of this.packs.values()) this.closePack(pack)
    this.index?.close()
    this.index = undefined
    // a put or read after this opens nothing again
    this.root = undefined
  }

  async put (cid: CID, val: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>, options?: AbortOptions): Promise<CID> {
    options?.signal?.throwIfAborted()
    const key = blockKey(cid)
    if (this.places.has(key)) return cid
    if (key.length > MAX_KEY_LENGTH) throw new PutFailedError(`block ${cid}: its key is longer than the index takes (${MAX_KEY_LENGTH} characters)`)
    const inFlight = this.writing.get(key)
    if (inFlight != null) {
      await inFlight
      return cid
    }
    const work = this.append(key, val)
    this.writing.set(key, work)
    try {
      await work
    } catch (err) {
      throw writeFailure(`could not store block ${cid}`, err)
    } finally {
      this.writing.delete(key)
    }
    return cid
  }

  async * get (cid: CID, options?: AbortOptions): AsyncGenerator<Uint8Array> {
    options?.signal?.throwIfAborted()
    const key = blockKey(cid)
    // a block being written is read once it is indexed; a failed write left nothing
    await this.writing.get(key)?.catch(() => {})
    yield await this.read(key, cid)
  }

  /**
   * A block as a slice of its pack's file: a snapshot the browser reads on
   * its own when it is a reply's body (file-blob.ts). A snapshot of a file
   * cannot be read once the file changes, so a large block in the pack
   * being appended to seals that pack first (puts go on in a new one); a
   * small one there is copied into a Blob of its own. Undefined for a
   * block not here.
   */
  async blockBlob (cid: CID): Promise<BlockBlob | undefined> {
    const key = blockKey(cid)
    await this.writing.get(key)?.catch(() => {})
    const place = this.places.get(key)
    if (place == null) return undefined
    if (place.pack === this.current) {
      if (place.length < SEAL_FOR_BLOCK_BYTES) return { blob: new Blob([await this.read(key, cid) as Uint8Array<ArrayBuffer>]), copied: true }
      this.current = undefined
    }
    const pack = place.pack
    pack.snapshot ??= pack.file.getFile()
    return { blob: (await pack.snapshot).slice(place.offset, place.offset + place.length), copied: false }
  }

  async has (cid: CID, options?: AbortOptions): Promise<boolean> {
    options?.signal?.throwIfAborted()
    const key = blockKey(cid)
    return this.places.has(key) || this.writing.has(key)
  }

  /** From the index: no pack is read. */
  async blockSize (cid: CID, options?: AbortOptions): Promise<number | undefined> {
    options?.signal?.throwIfAborted()
    const key = blockKey(cid)
    await this.writing.get(key)?.catch(() => {})
    return this.places.get(key)?.length
  }

  async delete (cid: CID, options?: AbortOptions): Promise<void> {
    await this.deleteBlocks([cid], options)
  }

  /** Forgets the blocks, and appends their deletes to the index in one batch (one write, one flush). */
  async deleteBlocks (cids: CID[], options?: AbortOptions): Promise<RepoStat> {
    options?.signal?.throwIfAborted()
    const keys = [...new Set(cids.map(blockKey))]
    await Promise.all(keys.map(async key => this.writing.get(key)?.catch(() => {})))
    const removed = new Map<string, Place>()
    for (const key of keys) {
      const place = this.unplace(key)
      if (place != null) removed.set(key, place)
    }
    if (removed.size === 0) return { blocks: 0, bytes: 0 }
    try {
      // records asked for in the same turn share a batch
      await Promise.all([...removed.keys()].map(async key => this.commit({ kind: 'delete', key })))
    } catch (err) {
      // not deleted on the disk: nor here (unless a block was put again meanwhile)
      for (const [key, place] of removed) {
        if (!this.places.has(key) && this.packs.has(place.pack.id)) this.place(key, place)
      }
      throw err
    }
    let bytes = 0
    for (const place of removed.values()) bytes += place.length
    for (const pack of new Set([...removed.values()].map(place => place.pack))) this.compactIfSparse(pack)
    return { blocks: removed.size, bytes }
  }

  async * getAll (options?: AbortOptions): AsyncGenerator<Pair> {
    for (const key of [...this.places.keys()]) {
      options?.signal?.throwIfAborted()
      if (!this.places.has(key)) continue
      const cid = cidOfKey(key)
      yield { cid, bytes: this.get(cid, options) }
    }
  }

  async stat (options?: AbortOptions): Promise<RepoStat> {
    options?.signal?.throwIfAborted()
    return { blocks: this.places.size, bytes: this.liveBytes }
  }

  async flush (): Promise<void> {
    await Promise.allSettled([...this.writing.values()])
    await this.batch?.written.catch(() => {})
  }

  private async append (key: string, val: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<void> {
    const bytes = await blockBytes(val)
    let pack = await this.packWithRoom(bytes.byteLength)
    // sealed meanwhile (a Blob of one of its blocks was made): the bytes go to the next
    while (pack !== this.current || pack.handle == null) pack = await this.packWithRoom(bytes.byteLength)
    // from here to the batch the put joins, nothing awaits: no other put takes the same bytes of the pack
    const offset = pack.size
    pack.size += bytes.byteLength
    writeAll(pack.handle!, bytes, offset)
    await this.commit({ kind: 'put', key, pack: pack.id, offset, length: bytes.byteLength }, pack)
    this.place(key, { pack, offset, length: bytes.byteLength })
  }

  private place (key: string, place: Place): void {
    this.unplace(key)
    this.places.set(key, place)
    place.pack.live += place.length
    this.liveBytes += place.length
  }

  /** Forgets where `key` is, taking its bytes off its pack's and the store's counts; the place it had, if any. */
  private unplace (key: string): Place | undefined {
    const place = this.places.get(key)
    if (place == null) return undefined
    this.places.delete(key)
    place.pack.live -= place.length
    this.liveBytes -= place.length
    return place
  }

  /** Reads the block `key` whole, from wherever it is once its pack is open. */
  private async read (key: string, cid: CID): Promise<Uint8Array> {
    while (true) {
      const place = this.places.get(key)
      if (place == null) throw new NotFoundError(`block ${cid} is not in the local store`)
      const handle = await this.openPack(place.pack)
      // moved (its pack compacted) or removed while the pack opened, or the pack closed again: look again
      if (this.places.get(key) !== place || place.pack.handle !== handle) continue
      const out = readAll(handle, place.offset, place.length)
      if (out.byteLength < place.length) throw new Error(`block ${cid}: its pack holds ${out.byteLength} of its ${place.length} bytes`)
      return out
    }
  }

  /** The current pack, open, with room for `length` more bytes (or empty: a block larger than a pack gets one of its own). */
  private async packWithRoom (length: number): Promise<Pack> {
    while (true) {
      const current = this.current
      if (current?.handle != null && (current.size === 0 || current.size + length <= this.packBytes)) return current
      if (current != null && current.handle == null) {
        await this.openPack(current)
        continue
      }
      this.starting ??= this.newPack().then((pack) => {
        // the full pack is sealed: its file changes no more
        this.current = pack
        return pack
      }).finally(() => { this.starting = undefined })
      await this.starting
    }
  }

  private async newPack (): Promise<Pack> {
    const id = this.nextPackId++
    const file = await this.requireRoot().getFileHandle(`${PACK_PREFIX}${id}`, { create: true })
    const pack: Pack = { id, file, size: 0, live: 0, used: 0 }
    this.packs.set(id, pack)
    const handle = await this.openPack(pack)
    // a number used before, whose pack was removed, may have left a file: start it over
    if (handle.getSize() !== 0) handle.truncate(0)
    return pack
  }

  private async openPack (pack: Pack): Promise<FileSystemSyncAccessHandle> {
    this.requireRoot()
    pack.used = ++this.uses
    if (pack.handle != null) return pack.handle
    pack.opening ??= openSyncHandle(pack.file).then((handle) => {
      pack.handle = handle
      this.closeIdlePacks(pack)
      return handle
    }).finally(() => { pack.opening = undefined })
    return await pack.opening
  }

  /** Closes the least recently used sealed packs beyond OPEN_SEALED_PACKS, never `opened` (its opener is about to use it). */
  private closeIdlePacks (opened: Pack): void {
    const open = [...this.packs.values()]
      .filter(p => p.handle != null && p !== opened && p !== this.current && !this.held.has(p) && !this.batch?.packs.has(p))
      .sort((a, b) => a.used - b.used)
    for (const pack of open.slice(0, Math.max(0, open.length + 1 - OPEN_SEALED_PACKS))) this.closePack(pack)
  }

  private closePack (pack: Pack): void {
    pack.handle?.close()
    pack.handle = undefined
  }

  /**
   * Resolves once `record` is in the index on the disk, with every record
   * that came meanwhile (puts arriving together share the write), after
   * the packs their bytes are in are flushed.
   */
  private async commit (record: IndexRecord, pack?: Pack): Promise<void> {
    let batch = this.batch
    if (batch == null) {
      const next: Batch = { records: [], packs: new Set(), written: Promise.resolve() }
      next.written = new Promise<void>(resolve => setTimeout(resolve, 0)).then(() => {
        this.batch = undefined
        this.writeBatch(next)
      })
      this.batch = batch = next
    }
    batch.records.push(record)
    if (pack != null) batch.packs.add(pack)
    await batch.written
  }

  private writeBatch (batch: Batch): void {
    for (const pack of batch.packs) pack.handle?.flush()
    this.appendRecords(batch.records)
  }

  /** Appends records to the index and flushes it; a write that fails takes back what it wrote, so the log stays whole. */
  private appendRecords (records: IndexRecord[]): void {
    const index = this.requireIndex()
    const bytes = encodeRecords(records)
    try {
      writeAll(index, bytes, this.indexEnd)
      index.flush()
    } catch (err) {
      try {
        index.truncate(this.indexEnd)
      } catch {}
      throw err
    }
    this.indexEnd += bytes.byteLength
    this.indexRecords += records.length
  }

  /** Copies a sealed pack's live blocks into a new pack once they fill COMPACT_BELOW of it or less, then removes it. */
  private compactIfSparse (pack: Pack): void {
    if (pack === this.current || pack.compacting === true || pack.live > pack.size * COMPACT_BELOW) return
    pack.compacting = true
    this.compacting = this.compacting.then(async () => { await this.compact(pack) }).catch((err: unknown) => {
      pack.compacting = false
      log.error(`could not compact pack ${pack.id}`, err)
    })
  }

  private async compact (pack: Pack): Promise<void> {
    // blocks put into it a moment ago are indexed first (their records wait in the batch)
    while (this.batch?.packs.has(pack) === true) await this.batch.written.catch(() => {})
    if (!this.packs.has(pack.id) || pack.live > pack.size * COMPACT_BELOW) {
      pack.compacting = false
      return
    }
    if (pack.live > 0) {
      this.held.add(pack)
      let target: Pack | undefined
      try {
        target = await this.newPack()
        this.held.add(target)
        const source = await this.openPack(pack)
        // nothing awaits from the first read to the index's flush: no put, delete or read comes between
        const records: PutRecord[] = []
        const moved: Array<[string, Place]> = []
        for (const [key, place] of this.places) {
          if (place.pack !== pack) continue
          const bytes = readAll(source, place.offset, place.length)
          if (bytes.byteLength < place.length) throw new Error(`block ${key}: pack ${pack.id} is short`)
          const offset = target.size
          writeAll(target.handle!, bytes, offset)
          target.size += bytes.byteLength
          records.push({ kind: 'put', key, pack: target.id, offset, length: bytes.byteLength })
          moved.push([key, { pack: target, offset, length: bytes.byteLength }])
        }
        target.handle!.flush()
        this.appendRecords(records)
        for (const [key, place] of moved) this.place(key, place)
      } finally {
        this.held.delete(pack)
        if (target != null) this.held.delete(target)
      }
    }
    // deletes of its blocks still waiting to be written: a stop before them must not find the pack gone
    await this.batch?.written.catch(() => {})
    this.packs.delete(pack.id)
    this.closePack(pack)
    // slices of it may still be read by a reply: its file goes at the next open (nothing names it then)
    if (pack.snapshot == null) await this.requireRoot().removeEntry(`${PACK_PREFIX}${pack.id}`)
  }

  /** Opens the index and reads its whole records, dropping any torn or damaged end. */
  private async readIndex (root: FileSystemDirectoryHandle): Promise<IndexRecord[]> {
    let file = await fileOf(root, INDEX)
    const rewritten = await fileOf(root, INDEX_REWRITE)
    if (rewritten != null) {
      // written whole before the old index went: it is the index when the old one is gone
      if (file == null) {
        await rename(rewritten, INDEX)
        file = rewritten
      } else {
        await root.removeEntry(INDEX_REWRITE)
      }
    }
    file ??= await root.getFileHandle(INDEX, { create: true })
    const index = await openSyncHandle(file)
    this.index = index
    const bytes = readAll(index, 0, index.getSize())
    const { records, validBytes } = decodeRecords(bytes)
    if (validBytes < bytes.byteLength) {
      const dropped = bytes.byteLength - validBytes
      if (dropped > MAX_RECORD_BYTES) {
        // more than one record's worth: the disk damaged the index, which no stop does; its bytes are kept aside
        const aside = `${INDEX}.damaged-${Date.now()}`
        log.error(`the index is damaged ${validBytes} bytes in: the ${dropped} bytes from there on are dropped, and the whole index kept as ${aside}`)
        const copy = await openSyncHandle(await root.getFileHandle(aside, { create: true }))
        try {
          writeAll(copy, bytes, 0)
          copy.flush()
        } finally {
          copy.close()
        }
      } else {
        log(`the index ends in ${dropped} bytes of a record never written whole: they are dropped`)
      }
      index.truncate(validBytes)
      index.flush()
    }
    this.indexEnd = validBytes
    this.indexRecords = records.length
    return records
  }

  /** Finds the packs, and places each block the index's `records` leave standing. */
  private async findPacks (root: FileSystemDirectoryHandle, records: IndexRecord[]): Promise<void> {
    for await (const [name, entry] of entries(root)) {
      if (entry.kind !== 'file' || !name.startsWith(PACK_PREFIX)) continue
      const id = Number(name.slice(PACK_PREFIX.length))
      if (!Number.isSafeInteger(id) || id <= 0) continue
      const file = entry as FileSystemFileHandle
      this.packs.set(id, { id, file, size: (await file.getFile()).size, live: 0, used: 0 })
      this.nextPackId = Math.max(this.nextPackId, id + 1)
    }
    // the last record of each key is what counts
    const latest = new Map<string, PutRecord>()
    for (const record of records) {
      if (record.kind === 'put') {
        latest.set(record.key, record)
        // a number the index names is not given to a new pack, even when its file is gone
        this.nextPackId = Math.max(this.nextPackId, record.pack + 1)
      } else {
        latest.delete(record.key)
      }
    }
    let missing = 0
    for (const [key, record] of latest) {
      const pack = this.packs.get(record.pack)
      if (pack == null || record.offset + record.length > pack.size) missing++
      else this.place(key, { pack, offset: record.offset, length: record.length })
    }
    if (missing > 0) log.error(`${missing} blocks the index names are missing from their packs: they are not counted`)
    // appends go on in the last pack while it has room (bytes a stop left past its last block are garbage)
    const last = this.packs.get(this.nextPackId - 1)
    if (last != null && last.size < this.packBytes) this.current = last
  }

  /**
   * Moves the blocks an earlier version kept a file each for into packs,
   * then removes those files. A block that cannot be moved (its file
   * unreadable, no room) leaves the earlier files in place for the next
   * open to try again: the store opens without it meanwhile.
   */
  private async moveEarlierLayout (root: FileSystemDirectoryHandle): Promise<void> {
    const files = earlierBlockFiles(root)
    let moved = 0
    let failed = 0
    const moveNext = async (): Promise<void> => {
      while (true) {
        const next = await files.next()
        if (next.done === true) return
        const [key, file] = next.value
        if (this.places.has(key)) continue
        try {
          await this.append(key, new Uint8Array(await (await file.getFile()).arrayBuffer()))
          moved++
        } catch (err) {
          if (failed++ === 0) log.error(`could not move block ${key} of an earlier version into a pack`, err)
        }
      }
    }
    await Promise.all(Array.from({ length: MOVE_CONCURRENCY }, moveNext))
    if (moved > 0) log(`moved ${moved} blocks kept a file each by an earlier version into packs`)
    if (failed > 0) log.error(`${failed} blocks of an earlier version could not be moved: their files stay for the next start`)
    else await removeEarlierLayout(root)
  }

  /** Writes the index anew with a record for each block alone: the old one is removed only once the new one is on the disk. */
  private async rewriteIndex (): Promise<void> {
    const root = this.requireRoot()
    const file = await root.getFileHandle(INDEX_REWRITE, { create: true })
    const records: PutRecord[] = [...this.places].map(([key, place]) => ({ kind: 'put', key, pack: place.pack.id, offset: place.offset, length: place.length }))
    const bytes = encodeRecords(records)
    try {
      const handle = await openSyncHandle(file)
      try {
        handle.truncate(0)
        writeAll(handle, bytes, 0)
        handle.flush()
      } finally {
        handle.close()
      }
    } catch (err) {
      // only a saving of room: the old index goes on
      log.error('could not write the index anew; the old one is kept', err)
      await root.removeEntry(INDEX_REWRITE).catch(() => {})
      return
    }
    this.requireIndex().close()
    this.index = undefined
    await root.removeEntry(INDEX)
    await rename(file, INDEX)
    this.index = await openSyncHandle(file)
    this.indexEnd = bytes.byteLength
    this.indexRecords = records.length
  }

  private requireRoot (): FileSystemDirectoryHandle {
    if (this.root == null) throw new OpenFailedError('the block directory is not open')
    return this.root
  }

  private requireIndex (): FileSystemSyncAccessHandle {
    if (this.index == null) throw new OpenFailedError('the block directory is not open')
    return this.index
  }
}

/** How long a file held by another handle is waited for. */
const HELD_FILE_WAIT_MS = 5_000

/**
 * A sync access handle on `file`, waiting while another holds it: when the
 * node moves to another tab, the closed tab's worker may let go of its
 * handles a moment after the lock that makes this tab lead.
 */
async function openSyncHandle (file: FileSystemFileHandle): Promise<FileSystemSyncAccessHandle> {
  const started = Date.now()
  for (let wait = 20; ; wait = Math.min(wait * 2, 500)) {
    try {
      return await file.createSyncAccessHandle()
    } catch (err) {
      if ((err as Error).name !== 'NoModificationAllowedError' || Date.now() - started > HELD_FILE_WAIT_MS) throw err
    }
    await new Promise(resolve => setTimeout(resolve, wait))
  }
}

/** Up to `length` bytes from `offset`: fewer only where the file ends first. */
function readAll (handle: FileSystemSyncAccessHandle, offset: number, length: number): Uint8Array {
  const out = new Uint8Array(length)
  let at = 0
  while (at < length) {
    const read = handle.read(out.subarray(at), { at: offset + at })
    if (read === 0) break
    at += read
  }
  return at === length ? out : out.subarray(0, at)
}

function writeAll (handle: FileSystemSyncAccessHandle, bytes: Uint8Array, offset: number): void {
  let at = 0
  while (at < bytes.byteLength) {
    const written = handle.write(bytes.subarray(at), { at: offset + at })
    if (written <= 0) throw new Error(`the file took ${at} of ${bytes.byteLength} bytes`)
    at += written
  }
}
