/**
 * The OPFS store's index (opfs-blockstore.ts): a log of records, each
 * "this block's bytes are at this place in this pack" or "this block is
 * gone", appended once the bytes they name are on the disk. Read from the
 * start, a later record for a key overrides an earlier one.
 *
 * A record, little-endian:
 *   kind u8 (1 put, 2 delete) · key length u8 · key (ASCII)
 *   · put only: pack u32 · offset f64 (a whole number) · length u32
 *   · FNV-1a of all the bytes before it, u32
 * A record cut short or whose check fails ends the log: the store stopped
 * while appending it, and it (with anything after it) never counted.
 */

export interface PutRecord {
  kind: 'put'
  key: string
  pack: number
  offset: number
  length: number
}

export interface DeleteRecord {
  kind: 'delete'
  key: string
}

export type IndexRecord = PutRecord | DeleteRecord

const PUT = 1
const DELETE = 2
/** A key's length is one byte. */
export const MAX_KEY_LENGTH = 255
/** The longest record: a put of the longest key. */
export const MAX_RECORD_BYTES = 2 + MAX_KEY_LENGTH + 16 + 4

export function encodeRecords (records: IndexRecord[]): Uint8Array {
  const size = records.reduce((total, record) => total + recordSize(record), 0)
  const out = new Uint8Array(size)
  const view = new DataView(out.buffer)
  let at = 0
  for (const record of records) {
    const start = at
    if (record.key.length > MAX_KEY_LENGTH) throw new RangeError(`a key of ${record.key.length} characters is longer than the index takes (${MAX_KEY_LENGTH})`)
    view.setUint8(at, record.kind === 'put' ? PUT : DELETE)
    view.setUint8(at + 1, record.key.length)
    at += 2
    for (let i = 0; i < record.key.length; i++) out[at + i] = record.key.charCodeAt(i)
    at += record.key.length
    if (record.kind === 'put') {
      view.setUint32(at, record.pack, true)
      view.setFloat64(at + 4, record.offset, true)
      view.setUint32(at + 12, record.length, true)
      at += 16
    }
    view.setUint32(at, fnv1a(out, start, at), true)
    at += 4
  }
  return out
}

/** The whole records at the start of `bytes`, and how many bytes they take (where a torn or damaged record begins). */
export function decodeRecords (bytes: Uint8Array): { records: IndexRecord[], validBytes: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const records: IndexRecord[] = []
  let at = 0
  while (at + 2 <= bytes.byteLength) {
    const kind = view.getUint8(at)
    const keyLength = view.getUint8(at + 1)
    const end = at + 2 + keyLength + (kind === PUT ? 16 : 0)
    if ((kind !== PUT && kind !== DELETE) || end + 4 > bytes.byteLength) break
    if (view.getUint32(end, true) !== fnv1a(bytes, at, end)) break
    const key = String.fromCharCode(...bytes.subarray(at + 2, at + 2 + keyLength))
    if (kind === PUT) {
      const fields = at + 2 + keyLength
      records.push({ kind: 'put', key, pack: view.getUint32(fields, true), offset: view.getFloat64(fields + 4, true), length: view.getUint32(fields + 12, true) })
    } else {
      records.push({ kind: 'delete', key })
    }
    at = end + 4
  }
  return { records, validBytes: at }
}

function recordSize (record: IndexRecord): number {
  return 2 + record.key.length + (record.kind === 'put' ? 16 : 0) + 4
}

/** 32-bit FNV-1a of bytes[from, to): tells a record written whole from one the disk holds half of. */
function fnv1a (bytes: Uint8Array, from: number, to: number): number {
  let hash = 0x811c9dc5
  for (let i = from; i < to; i++) {
    hash ^= bytes[i]
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}
