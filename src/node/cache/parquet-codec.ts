/**
 * Records ↔ Parquet bytes, through apache-arrow tables and parquet-wasm. This
 * module is imported lazily (its wasm is ~5 MB): nothing on a request path
 * waits for it.
 */
import {
  Bool, Field, Float32, Int32, Int64, Int8, Map_, Schema, Struct, Table, TimestampMillisecond, Utf8,
  tableFromIPC, tableToIPC, vectorFromArray
} from 'apache-arrow'
import { CURRENT_SCHEMA_VERSION, columnSpec, columnsOf, COLUMN_NAMES } from './schema.ts'
import type { CidRecord, ColumnSpec, ColumnType } from './schema.ts'
import type { DataType, Vector } from 'apache-arrow'

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

function toArrowValue (type: ColumnType, value: unknown): unknown {
  if (value == null) return null
  if (type === 'int64') return BigInt(Math.round(value as number))
  if (type === 'map_utf8') return new Map(Object.entries(value as Record<string, string>))
  return value
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
    const values = records.map(r => toArrowValue(column.type, r[column.name]))
    vectors[column.name] = vectorFromArray(values, arrowType(column.type) as never)
  }
  const table = new Table(schema, vectors)
  const wasmTable = pw.Table.fromIPCStream(tableToIPC(table, 'stream'))
  const properties = new pw.WriterPropertiesBuilder()
    .setCompression(pw.Compression.SNAPPY)
    .setKeyValueMetadata(metadata)
    .setCreatedBy('mcp-browser-node cid-cache')
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
  const records: Array<Record<string, unknown>> = Array.from({ length: rows }, () => ({}))
  for (const name of COLUMN_NAMES) {
    const spec = columnSpec(name) as ColumnSpec
    const vector = table.getChild(name)
    if (vector == null) {
      for (const record of records) record[name] = null
      continue
    }
    const values = columnValues(vector, spec.type)
    for (let i = 0; i < rows; i++) records[i][name] = values[i]
  }
  return { version, records: records as unknown as CidRecord[], metadata }
}

function columnValues (vector: Vector, type: ColumnType): unknown[] {
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
  const table = new Table(new Schema([new Field('cid', new Utf8(), false)], metadata), { cid: vectorFromArray([...cids], new Utf8()) })
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
