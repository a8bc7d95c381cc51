/**
 * Records ↔ Parquet bytes, through apache-arrow tables and parquet-wasm. This
 * module is imported lazily (its wasm is ~5 MB): nothing on a request path
 * waits for it.
 */
import {
  Bool, Field, Float32, Int32, Int64, Int8, Map_, Schema, Struct, Table, TimestampMillisecond, Utf8,
  makeData, makeVector, tableFromIPC, tableToIPC, vectorFromArray
} from 'apache-arrow'
import { CURRENT_SCHEMA_VERSION, columnSpec, columnsOf, COLUMN_NAMES } from './schema.ts'
import type { CidRecord, ColumnName, ColumnSpec, ColumnType } from './schema.ts'
import type { Data, DataType, Vector } from 'apache-arrow'

/** The Parquet key-value metadata entry that names a file's schema version. */
export const SCHEMA_VERSION_KEY = 'mcp.schema_version'

type ParquetWasm = typeof import('parquet-wasm')

let parquet: Promise<ParquetWasm> | undefined

/** parquet-wasm, initialised once: the browser build fetches its wasm, Node's reads it from disk. */
async function loadParquet (): Promise<ParquetWasm> {
  parquet ??= (async () => {
    const mod = await import('parquet-wasm')
    const init = (mod as { default?: unknown }).default
    if (typeof init === 'function') await (init as () => Promise<unknown>)()
    return mod
  })()
  return parquet
}

function arrowType (type: ColumnType): DataType {
  switch (type) {
    case 'utf8': return new Utf8()
    case 'int64': return new Int64()
    case 'int32': return new Int32()
    case 'int8': return new Int8()
    case 'float32': return new Float32()
    case 'bool': return new Bool()
    case 'timestamp_ms': return new TimestampMillisecond()
    case 'map_utf8': return new Map_<Utf8, Utf8>(new Field('entries', new Struct<{ key: Utf8, value: Utf8 }>([
      new Field('key', new Utf8(), false),
      new Field('value', new Utf8(), true)
    ]), false), false)
  }
}

/**
 * Builds a column's Arrow buffers directly: apache-arrow's generic builders
 * (vectorFromArray) took ~340 ms per 100 000-row text column, which made a
 * flush of 100 000 records take seconds.
 */
function buildColumn (type: ColumnType, values: readonly unknown[]): Vector {
  const length = values.length
  const validity = new Uint8Array((length + 7) >> 3)
  let nullCount = 0
  for (let i = 0; i < length; i++) {
    if (values[i] == null) nullCount++
    else validity[i >> 3] |= 1 << (i & 7)
  }
  const nullBitmap = nullCount === 0 ? undefined : validity
  switch (type) {
    case 'utf8': {
      const { data, valueOffsets } = utf8Buffers(values as ReadonlyArray<string | null>)
      return makeVector(makeData({ type: new Utf8(), length, nullCount, nullBitmap, valueOffsets, data }))
    }
    case 'int64':
      return makeVector(makeData({ type: new Int64(), length, nullCount, nullBitmap, data: int64Buffer(values) }))
    case 'timestamp_ms':
      return makeVector(makeData({ type: new TimestampMillisecond(), length, nullCount, nullBitmap, data: int64Buffer(values) }))
    case 'int32':
      return makeVector(makeData({ type: new Int32(), length, nullCount, nullBitmap, data: Int32Array.from(values, v => (v as number | null) ?? 0) }))
    case 'int8':
      return makeVector(makeData({ type: new Int8(), length, nullCount, nullBitmap, data: Int8Array.from(values, v => (v as number | null) ?? 0) }))
    case 'float32':
      return makeVector(makeData({ type: new Float32(), length, nullCount, nullBitmap, data: Float32Array.from(values, v => (v as number | null) ?? 0) }))
    case 'bool': {
      const bits = new Uint8Array((length + 7) >> 3)
      for (let i = 0; i < length; i++) if (values[i] === true) bits[i >> 3] |= 1 << (i & 7)
      return makeVector(makeData({ type: new Bool(), length, nullCount, nullBitmap, data: bits }))
    }
    case 'map_utf8':
      // rarely set: the generic builder is fine here
      return vectorFromArray(values.map(v => v == null ? null : new Map(Object.entries(v as Record<string, string>))), arrowType(type) as never)
  }
}

/**
 * One getter per column, so each property read is monomorphic: `r[name]`
 * with sixteen different names at one site was a large part of a flush.
 */
const COLUMN_GETTERS: { [K in ColumnName]: (r: CidRecord) => CidRecord[K] } = {
  cid: r => r.cid,
  size_bytes: r => r.size_bytes,
  mimetype: r => r.mimetype,
  filename: r => r.filename,
  extension: r => r.extension,
  storage_tier: r => r.storage_tier,
  is_pinned: r => r.is_pinned,
  added_timestamp: r => r.added_timestamp,
  last_accessed: r => r.last_accessed,
  access_count: r => r.access_count,
  heat_score: r => r.heat_score,
  source: r => r.source,
  cid_version: r => r.cid_version,
  multihash_type: r => r.multihash_type,
  valid: r => r.valid,
  properties: r => r.properties
}

const TWO_32 = 2 ** 32

/** 64-bit little-endian integers written as 32-bit halves: no BigInt per value. */
function int64Buffer (values: readonly unknown[]): BigInt64Array {
  const out = new BigInt64Array(values.length)
  const halves = new Int32Array(out.buffer)
  for (let i = 0; i < values.length; i++) {
    const v = Math.round((values[i] as number | null) ?? 0)
    const high = Math.floor(v / TWO_32)
    halves[2 * i] = v - high * TWO_32
    halves[2 * i + 1] = high
  }
  return out
}

/** UTF-8 bytes of every string back to back, and where each starts. */
function utf8Buffers (values: ReadonlyArray<string | null>): { data: Uint8Array, valueOffsets: Int32Array } {
  const encoder = new TextEncoder()
  const valueOffsets = new Int32Array(values.length + 1)
  let capacity = 16
  for (const v of values) if (v != null) capacity += v.length
  let data = new Uint8Array(capacity)
  let at = 0
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    if (v != null && v.length > 0) {
      if (data.length - at < v.length * 3) {
        const grown = new Uint8Array(Math.max(data.length * 2, at + v.length * 3))
        grown.set(data.subarray(0, at))
        data = grown
      }
      // ASCII byte by byte (most values: CIDs, types, tiers); encodeInto per short string costs more than the copy
      let j = 0
      for (; j < v.length; j++) {
        const code = v.charCodeAt(j)
        if (code >= 0x80) break
        data[at++] = code
      }
      if (j < v.length) at += encoder.encodeInto(v.slice(j), data.subarray(at)).written
    }
    valueOffsets[i + 1] = at
  }
  return { data: data.subarray(0, at), valueOffsets }
}

export interface EncodeOptions {
  /** Write under this (older) schema version: tests and migrations. */
  version?: number
  /** Extra key-value metadata for the file. */
  metadata?: Record<string, string>
}

/** Encodes records as one Parquet file (Snappy, statistics on). */
export async function encodeRecords (records: readonly CidRecord[], options: EncodeOptions = {}): Promise<Uint8Array> {
  const pw = await loadParquet()
  const version = options.version ?? CURRENT_SCHEMA_VERSION
  const columns = columnsOf(version)
  const metadata = new Map<string, string>([[SCHEMA_VERSION_KEY, String(version)], ...Object.entries(options.metadata ?? {})])
  const schema = new Schema(columns.map(c => new Field(c.name, arrowType(c.type), c.nullable)), metadata)
  const vectors: Record<string, Vector> = {}
  for (const column of columns) {
    const get = COLUMN_GETTERS[column.name]
    vectors[column.name] = buildColumn(column.type, records.map(r => get(r)))
  }
  const table = new Table(schema, vectors)
  const wasmTable = pw.Table.fromIPCStream(tableToIPC(table, 'stream'))
  const properties = new pw.WriterPropertiesBuilder()
    .setCompression(pw.Compression.SNAPPY)
    .setKeyValueMetadata(metadata)
    .setCreatedBy('mcp-browser-node cid-cache')
    // CIDs and names are all different: a dictionary only costs time there
    .setColumnDictionaryEnabled('cid', false)
    .setColumnDictionaryEnabled('filename', false)
    .build()
  return pw.writeParquet(wasmTable, properties)
}

export interface DecodedFile {
  /** The schema version the file was written under. */
  version: number
  records: CidRecord[]
  metadata: Record<string, string>
}

/**
 * Reads a cache file through the compatibility view: every column of the
 * current schema is present on each record, those the file lacks as null.
 */
export async function decodeRecords (bytes: Uint8Array): Promise<DecodedFile> {
  const pw = await loadParquet()
  const table = tableFromIPC(pw.readParquet(bytes).intoIPCStream())
  const metadata = Object.fromEntries(table.schema.metadata)
  const version = Number(metadata[SCHEMA_VERSION_KEY] ?? 1)
  const rows = table.numRows
  const columns = {} as Record<ColumnName, unknown[]>
  for (const name of COLUMN_NAMES) {
    const vector = table.getChild(name)
    columns[name] = vector == null ? new Array<unknown>(rows).fill(null) : columnValues(vector, (columnSpec(name) as ColumnSpec).type)
  }
  const c = columns as { [K in ColumnName]: Array<CidRecord[K]> }
  const records = new Array<CidRecord>(rows)
  for (let i = 0; i < rows; i++) {
    // one literal per row: every record has the same shape (objects grown key by key are much slower)
    records[i] = {
      cid: c.cid[i],
      size_bytes: c.size_bytes[i],
      mimetype: c.mimetype[i],
      filename: c.filename[i],
      extension: c.extension[i],
      storage_tier: c.storage_tier[i],
      is_pinned: c.is_pinned[i] ?? false,
      added_timestamp: c.added_timestamp[i],
      last_accessed: c.last_accessed[i],
      access_count: c.access_count[i] ?? 0,
      heat_score: c.heat_score[i] ?? 0,
      source: c.source[i],
      cid_version: c.cid_version[i],
      multihash_type: c.multihash_type[i],
      valid: c.valid[i],
      properties: c.properties[i]
    }
  }
  return { version, records, metadata }
}

/** A column's values, read from its buffers where that is much faster than `vector.get(i)`. */
function columnValues (vector: Vector, type: ColumnType): unknown[] {
  if (type === 'utf8' || type === 'int64' || type === 'timestamp_ms' || type === 'int32' || type === 'int8' || type === 'float32') {
    const out: unknown[] = []
    for (const chunk of vector.data) {
      if (type === 'utf8') readUtf8(chunk, out)
      else readNumbers(chunk, out)
    }
    return out
  }
  return slowValues(vector, type)
}

function isNull (chunk: Data, i: number): boolean {
  if (chunk.nullCount === 0 || chunk.nullBitmap == null || chunk.nullBitmap.length === 0) return false
  const bit = chunk.offset + i
  return (chunk.nullBitmap[bit >> 3] & (1 << (bit & 7))) === 0
}

function readNumbers (chunk: Data, out: unknown[]): void {
  const values = chunk.values as ArrayLike<number | bigint> & ArrayBufferView
  const nulls = chunk.nullCount > 0 && chunk.nullBitmap != null && chunk.nullBitmap.length > 0
  if (values instanceof BigInt64Array) {
    // read 64-bit integers as 32-bit halves: no BigInt per value
    const halves = new Int32Array(values.buffer, values.byteOffset, values.length * 2)
    for (let i = 0; i < chunk.length; i++) {
      const at = 2 * (chunk.offset + i)
      out.push(nulls && isNull(chunk, i) ? null : (halves[at] >>> 0) + halves[at + 1] * 4294967296)
    }
    return
  }
  for (let i = 0; i < chunk.length; i++) {
    out.push(nulls && isNull(chunk, i) ? null : values[chunk.offset + i] as number)
  }
}

const utf8Decoder = new TextDecoder()

function readUtf8 (chunk: Data, out: unknown[]): void {
  const offsets = chunk.valueOffsets as Int32Array
  const bytes = chunk.values as Uint8Array
  const start = offsets[chunk.offset]
  const end = offsets[chunk.offset + chunk.length]
  // one decode of the whole buffer; when it is ASCII, characters and bytes line up and each value is a slice
  const whole = utf8Decoder.decode(bytes.subarray(start, end))
  const ascii = whole.length === end - start
  const nulls = chunk.nullCount > 0
  for (let i = 0; i < chunk.length; i++) {
    if (nulls && isNull(chunk, i)) {
      out.push(null)
      continue
    }
    const from = offsets[chunk.offset + i]
    const to = offsets[chunk.offset + i + 1]
    out.push(ascii ? whole.slice(from - start, to - start) : utf8Decoder.decode(bytes.subarray(from, to)))
  }
}

function slowValues (vector: Vector, type: ColumnType): unknown[] {
  const out = new Array<unknown>(vector.length)
  for (let i = 0; i < vector.length; i++) {
    const value: unknown = vector.get(i)
    if (value == null) {
      out[i] = null
    } else if (type === 'int64') {
      out[i] = Number(value)
    } else if (type === 'timestamp_ms') {
      out[i] = value instanceof Date ? value.getTime() : Number(value)
    } else if (type === 'map_utf8') {
      out[i] = { ...(value as { toJSON(): Record<string, string> }).toJSON() }
    } else {
      out[i] = value
    }
  }
  return out
}

const INDEX_COLUMN_KEY = 'mcp.index_column'
const INDEX_GENERATION_KEY = 'mcp.generation'

/** A sorted index file: the CIDs in the column's value order, tagged with the flush generation it matches. */
export async function encodeIndex (column: string, cids: readonly string[], generation: number): Promise<Uint8Array> {
  const pw = await loadParquet()
  const metadata = new Map([[INDEX_COLUMN_KEY, column], [INDEX_GENERATION_KEY, String(generation)]])
  const schema = new Schema([new Field('cid', new Utf8(), false)], metadata)
  // apache-arrow refuses a table made of empty columns (its batch's schema is not the table's): an empty index is a table of no batches
  const table = cids.length === 0 ? new Table(schema) : new Table(schema, { cid: vectorFromArray([...cids], new Utf8()) })
  const properties = new pw.WriterPropertiesBuilder().setCompression(pw.Compression.SNAPPY).setKeyValueMetadata(metadata).build()
  return pw.writeParquet(pw.Table.fromIPCStream(tableToIPC(table, 'stream')), properties)
}

export async function decodeIndex (bytes: Uint8Array): Promise<{ column: string, generation: number, cids: string[] }> {
  const pw = await loadParquet()
  const table = tableFromIPC(pw.readParquet(bytes).intoIPCStream())
  const cids = table.getChild('cid')
  return {
    column: table.schema.metadata.get(INDEX_COLUMN_KEY) ?? '',
    generation: Number(table.schema.metadata.get(INDEX_GENERATION_KEY) ?? -1),
    cids: cids == null ? [] : [...cids] as string[]
  }
}
