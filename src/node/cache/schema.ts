/**
 * The CID cache's record schema and its version history. Each version lists
 * its columns; a file written under an older version is read through the
 * compatibility view (decodeRecords), which gives the columns it lacks as null.
 */

export type ColumnType = 'utf8' | 'int64' | 'int32' | 'int8' | 'float32' | 'bool' | 'timestamp_ms' | 'map_utf8'

export interface ColumnSpec {
  name: ColumnName
  type: ColumnType
  nullable: boolean
  description: string
}

export type StorageTier = 'memory' | 'indexeddb'

/** One row of the cache: what the node knows of a CID. */
export interface CidRecord {
  cid: string
  size_bytes: number | null
  mimetype: string | null
  filename: string | null
  extension: string | null
  storage_tier: StorageTier | null
  is_pinned: boolean
  /** Unix ms. */
  added_timestamp: number
  /** Unix ms. */
  last_accessed: number
  access_count: number
  heat_score: number
  /** How the CID reached the node: add, mfs, pin, network, webrtc, block, dag. */
  source: string | null
  cid_version: number | null
  multihash_type: string | null
  valid: boolean | null
  properties: Record<string, string> | null
}

export type ColumnName = keyof CidRecord

const COLUMNS: Record<ColumnName, ColumnSpec> = {
  cid: { name: 'cid', type: 'utf8', nullable: false, description: 'The CID, as a string' },
  size_bytes: { name: 'size_bytes', type: 'int64', nullable: true, description: 'Size of the content (file bytes, or the DAG\'s total)' },
  mimetype: { name: 'mimetype', type: 'utf8', nullable: true, description: 'Media type, when known or sniffed' },
  filename: { name: 'filename', type: 'utf8', nullable: true, description: 'The name it was added or written under' },
  extension: { name: 'extension', type: 'utf8', nullable: true, description: 'The filename\'s extension, lower case, without the dot' },
  storage_tier: { name: 'storage_tier', type: 'utf8', nullable: true, description: 'memory or indexeddb' },
  is_pinned: { name: 'is_pinned', type: 'bool', nullable: false, description: 'Pinned (directly or recursively) as a root' },
  added_timestamp: { name: 'added_timestamp', type: 'timestamp_ms', nullable: false, description: 'When the node first saw it (unix ms)' },
  last_accessed: { name: 'last_accessed', type: 'timestamp_ms', nullable: false, description: 'When it was last read or written (unix ms)' },
  access_count: { name: 'access_count', type: 'int32', nullable: false, description: 'Reads and writes since it was added' },
  heat_score: { name: 'heat_score', type: 'float32', nullable: false, description: '0.6·frequency + 0.4·recency (see heat.ts)' },
  source: { name: 'source', type: 'utf8', nullable: true, description: 'How it reached the node: add, mfs, pin, network, webrtc, block, dag' },
  cid_version: { name: 'cid_version', type: 'int8', nullable: true, description: 'CID version, 0 or 1' },
  multihash_type: { name: 'multihash_type', type: 'utf8', nullable: true, description: 'The multihash function, e.g. sha2-256' },
  valid: { name: 'valid', type: 'bool', nullable: true, description: 'False once the content was found missing or corrupt' },
  properties: { name: 'properties', type: 'map_utf8', nullable: true, description: 'Free-form string properties' }
}

export interface SchemaVersion {
  version: number
  columns: ColumnName[]
  change: string
}

/** Every schema version, oldest first. Add a version here; never edit an old one. */
export const SCHEMA_HISTORY: readonly SchemaVersion[] = [
  {
    version: 1,
    columns: ['cid', 'size_bytes', 'mimetype', 'filename', 'extension', 'storage_tier', 'is_pinned', 'added_timestamp', 'last_accessed', 'access_count', 'heat_score', 'source'],
    change: 'first version'
  },
  {
    version: 2,
    columns: ['cid', 'size_bytes', 'mimetype', 'filename', 'extension', 'storage_tier', 'is_pinned', 'added_timestamp', 'last_accessed', 'access_count', 'heat_score', 'source', 'cid_version', 'multihash_type', 'valid', 'properties'],
    change: 'adds cid_version, multihash_type, valid and properties'
  }
]

export const CURRENT_SCHEMA_VERSION = SCHEMA_HISTORY[SCHEMA_HISTORY.length - 1].version

export function schemaVersion (version: number): SchemaVersion {
  const found = SCHEMA_HISTORY.find(v => v.version === version)
  if (found == null) throw new RangeError(`unknown cache schema version ${version}`)
  return found
}

export function columnsOf (version: number = CURRENT_SCHEMA_VERSION): ColumnSpec[] {
  return schemaVersion(version).columns.map(name => COLUMNS[name])
}

export function columnSpec (name: string): ColumnSpec | undefined {
  return Object.hasOwn(COLUMNS, name) ? COLUMNS[name as ColumnName] : undefined
}

export const COLUMN_NAMES = Object.keys(COLUMNS) as ColumnName[]
