/** Building records: what a CID says of itself, and what its caller knows. */
import { CID } from 'multiformats/cid'
import { heatScore } from './heat.ts'
import type { CidRecord } from './schema.ts'

export interface NewRecordInit {
  size?: number
  filename?: string
  mimetype?: string
  pinned?: boolean
  source: string | null
  properties?: Record<string, string>
  now: number
}

/** Multihash codes this node hashes with, by name. */
const MULTIHASH_NAMES: Record<number, string> = {
  0x00: 'identity',
  0x12: 'sha2-256',
  0x13: 'sha2-512',
  0x16: 'sha3-256',
  0x1e: 'blake3',
  0xb220: 'blake2b-256'
}

export function multihashName (code: number): string {
  return MULTIHASH_NAMES[code] ?? `0x${code.toString(16)}`
}

/** The last path segment as the name, and its extension (lower case, no dot). */
export function splitFilename (name: string): { filename: string, extension: string | null } {
  const filename = name.split('/').filter(s => s !== '').pop() ?? name
  const dot = filename.lastIndexOf('.')
  return { filename, extension: dot > 0 && dot < filename.length - 1 ? filename.slice(dot + 1).toLowerCase() : null }
}

export function newRecord (cid: CID, init: NewRecordInit): CidRecord {
  const name = init.filename != null && init.filename !== '' ? splitFilename(init.filename) : undefined
  const record: CidRecord = {
    cid: cid.toString(),
    size_bytes: init.size ?? null,
    mimetype: init.mimetype ?? null,
    filename: name?.filename ?? null,
    extension: name?.extension ?? null,
    storage_tier: 'indexeddb',
    is_pinned: init.pinned === true,
    added_timestamp: init.now,
    last_accessed: init.now,
    access_count: 0,
    heat_score: 0,
    source: init.source,
    cid_version: cid.version,
    multihash_type: multihashName(cid.multihash.code),
    valid: true,
    properties: init.properties ?? null
  }
  record.heat_score = heatScore(record, init.now)
  return record
}

/** Fills what an older file lacks but the CID itself tells (the compatibility view leaves them null). */
export function fillDerivedFields (record: CidRecord): void {
  if (record.cid_version != null && record.multihash_type != null) return
  try {
    const cid = CID.parse(record.cid)
    record.cid_version ??= cid.version
    record.multihash_type ??= multihashName(cid.multihash.code)
  } catch {
    record.valid = false
  }
}
