/**
 * The CID cache: a metadata record for every CID the node touches, held in
 * memory (a Map: O(1) lookups) and persisted as partitioned Parquet files.
 * Loading starts with the node but nobody waits for it: changes made before
 * it finishes are queued and applied on top. Flushes run on a debounced
 * timer (and on pagehide), never on a request's path.
 */
import { createLogger } from '../../logger.ts'
import { nextTask } from '../idle.ts'
import { RecordNotFoundError, TierCapacityError } from '../errors.ts'
import { resolveCacheConfig } from './config.ts'
import { heatScore } from './heat.ts'
import { MemoryTier } from './memory-tier.ts'
import { assignPartitions } from './partitions.ts'
import { runQuery } from './query.ts'
import { fillDerivedFields, newRecord, splitFilename } from './record.ts'
import { CURRENT_SCHEMA_VERSION, SCHEMA_HISTORY, columnsOf } from './schema.ts'
import { SortedIndex } from './sorted-index.ts'
import { WorkloadTracker } from './workload.ts'
import type { CacheFiles } from './cache-files.ts'
import type { CacheConfig } from './config.ts'
import type { MemoryTierStats } from './memory-tier.ts'
import type { PartitionStrategy } from './partitions.ts'
import type { CacheQuery, QueryResult } from './query.ts'
import type { NewRecordInit } from './record.ts'
import type { CidRecord, ColumnName, ColumnSpec, StorageTier } from './schema.ts'
import type { WorkloadReport } from './workload.ts'
import type { AbortOptions } from 'abort-error'
import type { CID } from 'multiformats/cid'

const log = createLogger('mcp:cache')

const MANIFEST = '_manifest.json'
const SCHEMA_DIR = '_schema_versions'
const INDEX_DIR = '_indexes'

/** Where a read found the content's root: memory, the persistent store, or neither (the network). */
export type LookupTier = StorageTier | 'network'

/** What the cache needs of the block stores to move content between tiers. */
export interface CacheBlocks {
  memory: MemoryTier
  /** True when the persistent store holds the block. */
  hasLocal(cid: CID, options?: AbortOptions): Promise<boolean>
  /** Every block of the DAG under `cid` from the persistent store; fails past `maxBytes`. */
  readDag(cid: CID, maxBytes: number, options?: AbortOptions): Promise<Array<{ cid: CID, bytes: Uint8Array }>>
}

export interface CidCacheInit {
  files: CacheFiles
  /** When absent, the cache keeps records only (no memory tier). */
  blocks?: CacheBlocks
  config?: Partial<CacheConfig>
  /** Unix ms; tests pass a clock. */
  now?(): number
}

interface Manifest {
  generation: number
  schema_version: number
  partition_strategy: PartitionStrategy
  files: Array<{ path: string, rows: number, bytes: number }>
  indexes: ColumnName[]
  flushed_at: number
}

export interface TierCounts { hits: number, misses: number }

interface SlotFile {
  path: string
  cids: string[]
  bytes: number
}

/** `day=…/part-00000.g7.parquet` → `day=…/part-00000.parquet` */
const slotOf = (path: string): string => path.replace(/\.g\d+\.parquet$/, '.parquet')
const pathFor = (slot: string, generation: number): string => slot.replace(/\.parquet$/, `.g${generation}.parquet`)

export interface CacheStats {
  loaded: boolean
  load_ms: number | null
  /** Of load_ms: reading the files, and decoding them. */
  load_phases: { read_ms: number, decode_ms: number }
  records: number
  partitions: number
  bytes_on_disk: number
  schema_version: number
  /** Files on disk by the schema version they were written under. */
  files_by_version: Record<string, number>
  partition_strategy: PartitionStrategy
  max_partition_rows: number
  dirty_records: number
  flushes: number
  last_flush_ms: number | null
  last_flush_at: number | null
  flush_errors: number
  load_errors: number
  /** A file could not be read at load, so nothing is written this session. */
  read_only: boolean
  /** Content lookups (cat/get) by the tier that answered. */
  tiers: {
    memory: TierCounts & MemoryTierStats
    indexeddb: TierCounts & { records: number }
  }
  indexed_columns: ColumnName[]
}

export interface TierMove {
  cid: string
  storage_tier: StorageTier
  bytes: number
  evicted: string[]
}

export class CidCache {
  readonly config: CacheConfig
  private readonly files: CacheFiles
  private readonly blocks?: CacheBlocks
  private readonly now: () => number
  private readonly records = new Map<string, CidRecord>()
  private readonly dirty = new Set<string>()
  /**
   * Each partition slot (`day=…/part-00000.parquet`) and the file holding it
   * now, as last written or read: what a flush compares against. A rewritten
   * slot gets a new file named for the generation (`part-00000.g7.parquet`),
   * and the old file goes only after the manifest names the new one, so a
   * flush cut short leaves the previous generation whole.
   */
  private slots = new Map<string, SlotFile>()
  private filesByVersion: Record<string, number> = {}
  private generation = 0
  private readonly indexes = new Map<ColumnName, SortedIndex>()
  private indexesChanged = false
  private readonly workload = new WorkloadTracker()
  private readonly lookups = { memory: { hits: 0, misses: 0 }, indexeddb: { hits: 0, misses: 0 } }
  private loaded = false
  private loadMs: number | null = null
  private readonly loadPhases = { read_ms: 0, decode_ms: 0 }
  private loadErrors = 0
  private loading?: Promise<void>
  /** Changes made before loading finished, applied in order once it has. */
  private pending: Array<() => void> = []
  private flushTimer?: ReturnType<typeof setTimeout>
  /** performance.now() of the first unflushed change, and of the last. */
  private dirtySince?: number
  private lastChangeAt = 0
  private flushing?: Promise<void>
  private flushes = 0
  private flushErrors = 0
  private lastFlushMs: number | null = null
  private lastFlushAt: number | null = null
  private schemaWritten = false
  private heatRefreshedAt = 0
  private readonly promoting = new Set<string>()
  private stopped = false
  /** Records were dropped since the last flush (their files must be rewritten). */
  private removedSinceFlush = false
  /** A file could not be read at load: nothing is written this session, so it is not overwritten or orphaned. */
  private readOnly = false

  constructor (init: CidCacheInit) {
    this.files = init.files
    this.blocks = init.blocks
    this.config = resolveCacheConfig(init.config)
    this.now = init.now ?? Date.now
  }

  /** Starts loading the files in the background; `ready()` resolves when done. */
  start (): void {
    this.loading ??= this.load()
  }

  /** Resolves once the records on disk are in memory. */
  async ready (): Promise<void> {
    this.start()
    await this.loading
  }

  /** Flushes what is dirty and stops the timer. */
  async stop (): Promise<void> {
    clearTimeout(this.flushTimer)
    if (this.loading != null) await this.flush().catch((err: unknown) => { log.error('final flush failed', err) })
    this.stopped = true
  }

  // ─── changes: each is applied now if loaded, else queued ───────────────

  /** New content (add, MFS write, block/dag put) or content that reached the node another way. */
  noteAdded (cid: CID, init: Omit<NewRecordInit, 'now'>): void {
    if (!this.config.recordAccess) return
    const now = this.now()
    this.change(() => {
      this.workload.writes++
      const key = this.keyOf(cid)
      const existing = this.records.get(key)
      if (existing == null) {
        this.records.set(key, newRecord(cid, { ...init, now }))
      } else {
        mergeInfo(existing, init)
        if (init.pinned === true) existing.is_pinned = true
        existing.last_accessed = now
        existing.heat_score = heatScore(existing, now)
      }
      this.touched(key)
    })
  }

  /** A read of the content (cat, get): counts the access, updates heat, may promote it. */
  noteRead (cid: CID, tier: LookupTier | undefined, init: Omit<NewRecordInit, 'now'>): void {
    if (!this.config.recordAccess || tier == null) return
    this.countLookup(tier)
    const now = this.now()
    this.change(() => {
      this.workload.reads++
      const key = this.keyOf(cid)
      let record = this.records.get(key)
      if (record == null) {
        record = newRecord(cid, { ...init, source: tier === 'network' ? 'network' : init.source, now })
        this.records.set(key, record)
      } else {
        mergeInfo(record, init)
      }
      record.access_count += 1
      record.last_accessed = now
      record.heat_score = heatScore(record, now)
      record.storage_tier = this.blocks?.memory.holds(key) === true ? 'memory' : 'indexeddb'
      record.valid = true
      this.touched(key)
      if (record.heat_score >= this.config.promoteHeat && record.storage_tier !== 'memory') this.promoteInBackground(cid)
    })
  }

  notePinned (cid: CID, pinned: boolean, init: Omit<NewRecordInit, 'now'> = { source: 'pin' }): void {
    if (!this.config.recordAccess) return
    const now = this.now()
    this.change(() => {
      this.workload.writes++
      const key = this.keyOf(cid)
      let record = this.records.get(key)
      if (record == null) {
        if (!pinned) return
        record = newRecord(cid, { ...init, now })
        this.records.set(key, record)
      }
      record.is_pinned = pinned
      this.touched(key)
    })
  }

  /** Drops records (their blocks were collected as garbage). */
  forget (cids: Iterable<string>): void {
    const list = [...cids]
    this.change(() => {
      for (const key of list) {
        if (!this.records.delete(key)) continue
        this.blocks?.memory.evict(key)
        this.dirty.delete(key)
        this.removedSinceFlush = true
        this.invalidateIndexes()
      }
      this.scheduleFlush()
    })
  }

  /** Where a read of `cid` will find its root block, before it is read; undefined when the cache records nothing. */
  async lookup (cid: CID, options?: AbortOptions): Promise<LookupTier | undefined> {
    if (!this.config.recordAccess) return undefined
    const key = this.keyOf(cid)
    if (this.blocks == null) return 'indexeddb'
    if (this.blocks.memory.get(cid) != null) return 'memory'
    // a record means the blocks are here (garbage collection drops the records of what it removes): no store read
    if (this.records.get(key)?.valid === true) return 'indexeddb'
    return await this.blocks.hasLocal(cid, options) ? 'indexeddb' : 'network'
  }

  // ─── reads ─────────────────────────────────────────────────────────────

  /** The record of a CID, found under either version of a dag-pb CID (Qm… and bafy… name the same content). */
  async get (cid: CID): Promise<CidRecord> {
    await this.ready()
    this.workload.cidLookups++
    const record = this.records.get(this.keyOf(cid))
    if (record == null) throw new RecordNotFoundError(`the cache holds no record of ${cid.toString()}`)
    this.refreshHeat()
    return { ...record }
  }

  /** Every record, for whole scans (GC, export); not copies. */
  async all (): Promise<ReadonlyMap<string, CidRecord>> {
    await this.ready()
    return this.records
  }

  async query (query: CacheQuery): Promise<QueryResult> {
    await this.ready()
    this.refreshHeat()
    const result = runQuery(this.records.values(), query, this.usableIndexes())
    const sorts = query.sort == null ? [] : Array.isArray(query.sort) ? query.sort : [query.sort]
    this.workload.noteQuery((query.filters ?? []).map(f => f.column as ColumnName), sorts.map(s => s.column as ColumnName))
    return { ...result, records: result.records.map(r => ({ ...r })) }
  }

  /** The hottest records first. */
  async hot (limit: number): Promise<CidRecord[]> {
    await this.ready()
    this.refreshHeat(true)
    return runQuery(this.records.values(), { sort: [{ column: 'heat_score', order: 'desc' }, { column: 'last_accessed', order: 'desc' }], limit }).records.map(r => ({ ...r }))
  }

  stats (): CacheStats {
    const memory = this.blocks?.memory.stats() ?? { bytes: 0, blocks: 0, records: 0, max_bytes: 0, evictions: 0 }
    return {
      loaded: this.loaded,
      load_ms: this.loadMs,
      load_phases: { ...this.loadPhases },
      records: this.records.size,
      partitions: this.slots.size,
      bytes_on_disk: [...this.slots.values()].reduce((a, b) => a + b.bytes, 0),
      schema_version: CURRENT_SCHEMA_VERSION,
      files_by_version: { ...this.filesByVersion },
      partition_strategy: this.config.partitionStrategy,
      max_partition_rows: this.config.maxPartitionRows,
      dirty_records: this.dirty.size,
      flushes: this.flushes,
      last_flush_ms: this.lastFlushMs,
      last_flush_at: this.lastFlushAt,
      flush_errors: this.flushErrors,
      load_errors: this.loadErrors,
      read_only: this.readOnly,
      tiers: {
        memory: { ...this.lookups.memory, ...memory },
        indexeddb: { ...this.lookups.indexeddb, records: this.records.size - memory.records }
      },
      indexed_columns: [...this.indexes.keys()]
    }
  }

  schema (): { version: number, columns: ColumnSpec[], history: typeof SCHEMA_HISTORY } {
    return { version: CURRENT_SCHEMA_VERSION, columns: columnsOf(), history: SCHEMA_HISTORY }
  }

  /** Every record as one Parquet file (current schema). */
  async exportParquet (): Promise<Uint8Array> {
    await this.ready()
    this.refreshHeat()
    const { encodeRecords } = await import('./parquet-codec.ts')
    const rows = [...this.records.values()].sort((a, b) => a.added_timestamp - b.added_timestamp || (a.cid < b.cid ? -1 : 1))
    return encodeRecords(rows, { metadata: { 'mcp.exported_at': new Date(this.now()).toISOString() } })
  }

  /** Reports the workload and builds sorted indexes for the columns that earned one. */
  async optimize (): Promise<WorkloadReport> {
    await this.ready()
    const earned = this.workload.earnedIndexes()
    for (const column of [...this.indexes.keys()]) {
      if (!earned.includes(column)) {
        this.indexes.delete(column)
        this.indexesChanged = true
      }
    }
    for (const column of earned) {
      if (!this.indexes.has(column)) {
        this.indexes.set(column, new SortedIndex(column))
        this.indexesChanged = true
      }
    }
    this.usableIndexes()
    if (this.indexesChanged) this.scheduleFlush()
    return this.workload.report([...this.indexes.keys()])
  }

  // ─── tiers ─────────────────────────────────────────────────────────────

  /** Copies the content's blocks into the memory tier, evicting colder records if needed. */
  async promote (cid: CID, options?: AbortOptions): Promise<TierMove> {
    const blocks = this.requireBlocks()
    await this.ready()
    const key = this.keyOf(cid)
    const record = this.records.get(key)
    if (record == null) throw new RecordNotFoundError(`the cache holds no record of ${key}: add or read it first`)
    const memory = blocks.memory
    let dag: Array<{ cid: CID, bytes: Uint8Array }>
    try {
      dag = await blocks.readDag(cid, memory.maxBytes, options)
    } catch (err) {
      if ((err as Error).name === 'RangeError') throw new TierCapacityError(`${key} is larger than the memory tier (${memory.maxBytes} bytes)`)
      throw err
    }
    const evicted = memory.admit(key, dag)
    for (const other of evicted) this.setTier(other, 'indexeddb')
    this.setTier(key, 'memory')
    return { cid: key, storage_tier: 'memory', bytes: dag.reduce((n, b) => n + b.bytes.byteLength, 0), evicted }
  }

  /** Drops the content's blocks from the memory tier (they stay in IndexedDB). */
  async demote (cid: CID): Promise<TierMove> {
    const blocks = this.requireBlocks()
    await this.ready()
    const key = this.keyOf(cid)
    if (!this.records.has(key)) throw new RecordNotFoundError(`the cache holds no record of ${key}`)
    const held = blocks.memory.holdings().find(h => h.owner === key)?.bytes ?? 0
    blocks.memory.evict(key)
    this.setTier(key, 'indexeddb')
    return { cid: key, storage_tier: 'indexeddb', bytes: held, evicted: [] }
  }

  // ─── persistence ──────────────────────────────────────────────────────

  /** Writes every changed partition now (also the debounced timer's job). */
  async flush (): Promise<void> {
    clearTimeout(this.flushTimer)
    this.flushTimer = undefined
    await this.ready()
    while (this.flushing != null) await this.flushing.catch(() => {})
    // from here to setting `flushing`, nothing awaits: one flush at a time
    if (this.stopped || this.readOnly) return
    if (this.dirty.size === 0 && !this.removedSinceFlush && !this.indexesChanged && this.generation > 0 && this.schemaWritten) return
    this.flushing = this.writeFiles()
    try {
      await this.flushing
    } finally {
      this.flushing = undefined
    }
  }

  private async writeFiles (): Promise<void> {
    const started = performance.now()
    const dirty = new Set(this.dirty)
    const removed = this.removedSinceFlush
    this.dirty.clear()
    this.removedSinceFlush = false
    this.dirtySince = undefined
    try {
      const { encodeRecords, encodeIndex } = await import('./parquet-codec.ts')
      await this.writeSchemaVersions()
      const assignment = assignPartitions(this.records.values(), this.config.partitionStrategy, this.config.maxPartitionRows)
      const generation = this.generation + 1
      const next = new Map<string, SlotFile>()
      const writes: Array<Promise<void>> = []
      for (const [slot, records] of assignment) {
        const cids = records.map(r => r.cid)
        const before = this.slots.get(slot)
        if (before != null && before.cids.length === cids.length && cids.every((c, i) => c === before.cids[i] && !dirty.has(c))) {
          next.set(slot, before)
          continue
        }
        // each file encoded in a task of its own: one after another in one task, 100 000 records
        // held the page's thread (every request, the app's paint) for 270 ms, measured in Chromium 156
        await nextTask()
        const file = await encodeRecords(records)
        const path = pathFor(slot, generation)
        // the write proceeds (off the main thread) while the next file is encoded
        writes.push(this.files.write(path, file))
        next.set(slot, { path, cids, bytes: file.byteLength })
      }
      await Promise.all(writes)
      const indexes = this.usableIndexes()
      for (const [column, index] of indexes) {
        await nextTask()
        await this.files.write(`${INDEX_DIR}/${column}.parquet`, await encodeIndex(column, index.records.map(r => r.cid), generation))
      }
      const manifest: Manifest = {
        generation,
        schema_version: CURRENT_SCHEMA_VERSION,
        partition_strategy: this.config.partitionStrategy,
        files: [...next.values()].map(f => ({ path: f.path, rows: f.cids.length, bytes: f.bytes })),
        indexes: [...indexes.keys()],
        flushed_at: this.now()
      }
      await this.files.write(MANIFEST, new TextEncoder().encode(JSON.stringify(manifest, null, 2)))
      // only now that the manifest names the new files do the old ones go
      const kept = new Set([...next.values()].map(f => f.path))
      for (const old of this.slots.values()) {
        if (!kept.has(old.path)) await this.files.remove(old.path)
      }
      this.generation = generation
      this.slots = next
      this.filesByVersion = { [CURRENT_SCHEMA_VERSION]: next.size }
      this.indexesChanged = false
      this.flushes++
      this.lastFlushMs = performance.now() - started
      this.lastFlushAt = this.now()
    } catch (err) {
      // what was not written is written next time
      for (const key of dirty) if (this.records.has(key)) this.dirty.add(key)
      if (removed) this.removedSinceFlush = true
      this.flushErrors++
      this.scheduleFlush()
      throw err
    }
  }

  private async writeSchemaVersions (): Promise<void> {
    if (this.schemaWritten) return
    const encode = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value, null, 2))
    const current = await readJsonFile<{ version: number, history: Array<{ version: number, applied_at: number }> }>(this.files, `${SCHEMA_DIR}/current.json`)
    for (const version of SCHEMA_HISTORY) {
      await this.files.write(`${SCHEMA_DIR}/v${version.version}.json`, encode({ ...version, columns: columnsOf(version.version) }))
    }
    const history = current?.history ?? []
    if (current?.version !== CURRENT_SCHEMA_VERSION) history.push({ version: CURRENT_SCHEMA_VERSION, applied_at: this.now() })
    await this.files.write(`${SCHEMA_DIR}/current.json`, encode({ version: CURRENT_SCHEMA_VERSION, history }))
    this.schemaWritten = true
  }

  private async load (): Promise<void> {
    const started = performance.now()
    try {
      const { decodeRecords, decodeIndex } = await import('./parquet-codec.ts')
      const manifest = await readJsonFile<Manifest>(this.files, MANIFEST)
      const paths = manifest?.files.map(f => f.path) ??
        (await this.files.list()).map(f => f.path).filter(p => p.endsWith('.parquet') && !p.startsWith('_'))
      const versions: Record<string, number> = {}
      // the reads overlap (OPFS works off the main thread); decoding is one file at a time
      const read = performance.now()
      const contents = await Promise.all(paths.map(async path => this.files.read(path).catch((err: unknown) => {
        this.readFailed(path, err)
        return undefined
      })))
      this.loadPhases.read_ms = performance.now() - read
      for (const [i, path] of paths.entries()) {
        const bytes = contents[i]
        if (bytes == null) continue
        try {
          // each file decoded in a task of its own, as a flush encodes them
          await nextTask()
          const t = performance.now()
          const file = await decodeRecords(bytes)
          this.loadPhases.decode_ms += performance.now() - t
          versions[file.version] = (versions[file.version] ?? 0) + 1
          const outdated = file.version !== CURRENT_SCHEMA_VERSION
          for (const record of file.records) {
            fillDerivedFields(record)
            this.records.set(record.cid, record)
            // rewritten under the current schema at the next flush
            if (outdated) this.dirty.add(record.cid)
          }
          this.slots.set(slotOf(path), { path, cids: file.records.map(r => r.cid), bytes: bytes.byteLength })
        } catch (err) {
          this.readFailed(path, err)
        }
      }
      this.filesByVersion = versions
      this.generation = manifest?.generation ?? 0
      if (manifest != null && !this.readOnly) await this.removeOrphans(new Set(paths))
      for (const column of manifest?.indexes ?? []) {
        const index = new SortedIndex(column)
        const file = await this.files.read(`${INDEX_DIR}/${column}.parquet`).catch(() => undefined)
        const saved = file == null ? undefined : await decodeIndex(file).catch(() => undefined)
        index.build(this.records.values(), saved?.generation === this.generation ? saved.cids : undefined)
        this.indexes.set(column, index)
      }
    } catch (err) {
      this.readFailed('the manifest', err)
    }
    this.loaded = true
    this.loadMs = performance.now() - started
    const queued = this.pending
    this.pending = []
    for (const apply of queued) apply()
    if (this.dirty.size > 0) this.scheduleFlush()
  }

  // ─── internals ────────────────────────────────────────────────────────

  /** Files a flush wrote but never named in a manifest (it was cut short). */
  private async removeOrphans (named: ReadonlySet<string>): Promise<void> {
    try {
      for (const { path } of await this.files.list()) {
        if (path.endsWith('.parquet') && !path.startsWith('_') && !named.has(path)) await this.files.remove(path)
      }
    } catch (err) {
      log.debug('left unnamed cache files in place', err)
    }
  }

  /** The record's key: a dag-pb CID's record is found under either version (Qm… or bafy…). */
  private keyOf (cid: CID): string {
    const key = cid.toString()
    if (this.records.has(key)) return key
    const other = otherVersion(cid)
    return other != null && this.records.has(other) ? other : key
  }

  private readFailed (what: string, err: unknown): void {
    this.loadErrors++
    this.readOnly = true
    log.error(`the CID cache could not read ${what}: it keeps records in memory only this session, and writes nothing over its files`, err)
  }

  private change (apply: () => void): void {
    if (this.loaded) {
      apply()
    } else {
      this.pending.push(apply)
      this.start()
    }
  }

  private touched (key: string): void {
    this.dirty.add(key)
    this.invalidateIndexes()
    this.scheduleFlush()
  }

  private invalidateIndexes (): void {
    for (const index of this.indexes.values()) index.invalidate()
  }

  private usableIndexes (): Map<ColumnName, SortedIndex> {
    for (const index of this.indexes.values()) {
      if (index.isStale) index.build(this.records.values())
    }
    return this.indexes
  }

  /** Arms the flush timer once; further changes only move its due time (no timer churn per change). */
  private scheduleFlush (): void {
    if (this.stopped) return
    this.lastChangeAt = performance.now()
    this.dirtySince ??= this.lastChangeAt
    if (this.flushTimer == null) this.armFlushTimer()
  }

  private armFlushTimer (): void {
    const due = (): number => Math.min(this.lastChangeAt + this.config.flushDebounceMs, (this.dirtySince ?? 0) + this.config.flushMaxDelayMs)
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined
      if (this.dirtySince == null && !this.indexesChanged) return
      if (performance.now() < due() - 1) {
        this.armFlushTimer()
        return
      }
      this.flush().catch((err: unknown) => { log.error('background flush failed', err) })
    }, Math.max(0, due() - performance.now()))
  }

  private countLookup (tier: LookupTier): void {
    if (tier === 'memory') {
      this.lookups.memory.hits++
      return
    }
    this.lookups.memory.misses++
    if (tier === 'indexeddb') this.lookups.indexeddb.hits++
    else this.lookups.indexeddb.misses++
  }

  /** Recomputes heat (it decays with age) at most every heatRefreshMs; demotes what went cold. */
  private refreshHeat (force = false): void {
    const now = this.now()
    if (!force && now - this.heatRefreshedAt < this.config.heatRefreshMs) return
    this.heatRefreshedAt = now
    for (const record of this.records.values()) {
      record.heat_score = heatScore(record, now)
      if (record.storage_tier === 'memory' && record.heat_score < this.config.demoteHeat) {
        this.blocks?.memory.evict(record.cid)
        record.storage_tier = 'indexeddb'
        this.dirty.add(record.cid)
      }
    }
    this.invalidateIndexes()
  }

  private setTier (key: string, tier: StorageTier): void {
    const record = this.records.get(key)
    if (record == null || record.storage_tier === tier) return
    record.storage_tier = tier
    this.touched(key)
  }

  private promoteInBackground (cid: CID): void {
    const key = this.keyOf(cid)
    if (this.blocks == null || this.promoting.has(key)) return
    this.promoting.add(key)
    setTimeout(() => {
      this.promote(cid)
        .catch((err: unknown) => { log.debug(`${key} stays in IndexedDB: ${(err as Error).message}`) })
        .finally(() => this.promoting.delete(key))
    }, 0)
  }

  private requireBlocks (): CacheBlocks {
    if (this.blocks == null) throw new TierCapacityError('this cache has no memory tier')
    return this.blocks
  }

  /** The heat used to pick what leaves the memory tier first. */
  heatOf (key: string): number {
    const record = this.records.get(key)
    return record == null ? -Infinity : heatScore(record, this.now())
  }
}

function otherVersion (cid: CID): string | undefined {
  if (cid.version === 1 && cid.code === DAG_PB_CODE && cid.multihash.code === SHA2_256_CODE) return cid.toV0().toString()
  if (cid.version === 0) return cid.toV1().toString()
  return undefined
}

const DAG_PB_CODE = 0x70
const SHA2_256_CODE = 0x12

function mergeInfo (record: CidRecord, init: Omit<NewRecordInit, 'now'>): void {
  if (init.size != null) record.size_bytes = init.size
  if (init.filename != null && init.filename !== '' && record.filename == null) {
    const { filename, extension } = splitFilename(init.filename)
    record.filename = filename
    record.extension = extension
  }
  if (init.mimetype != null && record.mimetype == null) record.mimetype = init.mimetype
}

async function readJsonFile<T> (files: CacheFiles, path: string): Promise<T | undefined> {
  const bytes = await files.read(path)
  if (bytes == null) return undefined
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as T
  } catch {
    return undefined
  }
}
