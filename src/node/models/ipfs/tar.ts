/**
 * A minimal ustar writer (with PAX headers for long names). Written here
 * because `it-tar` pulls Node's Buffer and stream shims into the browser
 * bundle for what is a few hundred bytes of header formatting.
 */

export interface TarEntry {
  path: string
  type: 'file' | 'directory'
  size: number
  mode?: number
  /** Seconds since the epoch. */
  mtime?: number
  content?: AsyncIterable<Uint8Array> | Iterable<Uint8Array>
}

const BLOCK = 512
const encoder = new TextEncoder()
/**
 * Headers, padding and small files are gathered into chunks of this size:
 * each chunk of a reply crosses to the service worker as a message of its
 * own, and a folder of 1000 small files made 3000 of a few hundred bytes.
 */
const GATHERED = 64 * 1024

/** A tar archive of `entries`, in chunks of GATHERED bytes or more (a large file's own chunks pass as they are). */
export async function * tarStream (entries: AsyncIterable<TarEntry>): AsyncGenerator<Uint8Array> {
  let gathered = new Uint8Array(GATHERED)
  let filled = 0
  for await (const chunk of tarChunks(entries)) {
    if (filled > 0 && filled + chunk.byteLength > GATHERED) {
      yield gathered.subarray(0, filled)
      gathered = new Uint8Array(GATHERED)
      filled = 0
    }
    if (chunk.byteLength >= GATHERED) {
      yield chunk
      continue
    }
    gathered.set(chunk, filled)
    filled += chunk.byteLength
  }
  if (filled > 0) yield gathered.subarray(0, filled)
}

async function * tarChunks (entries: AsyncIterable<TarEntry>): AsyncGenerator<Uint8Array> {
  for await (const entry of entries) {
    const name = entry.type === 'directory' ? `${entry.path.replace(/\/$/, '')}/` : entry.path
    if (encoder.encode(name).byteLength > 100) {
      const record = paxRecord('path', name)
      yield header({ name: 'PaxHeader', size: record.byteLength, type: 'x', mode: 0o644, mtime: entry.mtime ?? 0 })
      yield padded(record)
    }
    const size = entry.type === 'file' ? entry.size : 0
    yield header({
      name: name.slice(-100),
      size,
      type: entry.type === 'file' ? '0' : '5',
      mode: entry.mode ?? (entry.type === 'file' ? 0o644 : 0o755),
      mtime: entry.mtime ?? 0
    })
    if (entry.type === 'file' && entry.content != null) {
      let written = 0
      for await (const chunk of entry.content) {
        written += chunk.byteLength
        yield chunk
      }
      if (written !== size) {
        throw new Error(`tar: ${entry.path} produced ${written} bytes, expected ${size}`)
      }
      const rest = size % BLOCK
      if (rest !== 0) yield new Uint8Array(BLOCK - rest)
    }
  }
  yield new Uint8Array(BLOCK * 2)
}

interface HeaderFields {
  name: string
  size: number
  type: string
  mode: number
  mtime: number
}

function header (fields: HeaderFields): Uint8Array {
  const buf = new Uint8Array(BLOCK)
  writeString(buf, 0, 100, fields.name)
  writeOctal(buf, 100, 8, fields.mode)
  writeOctal(buf, 108, 8, 0)
  writeOctal(buf, 116, 8, 0)
  writeOctal(buf, 124, 12, fields.size)
  writeOctal(buf, 136, 12, fields.mtime)
  buf.fill(0x20, 148, 156) // checksum is computed with its own field as spaces
  writeString(buf, 156, 1, fields.type)
  writeString(buf, 257, 6, 'ustar')
  writeString(buf, 263, 2, '00')
  let sum = 0
  for (const byte of buf) sum += byte
  writeOctal(buf, 148, 7, sum)
  return buf
}

function paxRecord (key: string, value: string): Uint8Array {
  const body = ` ${key}=${value}\n`
  // the record's length includes the digits of the length itself
  let length = encoder.encode(body).byteLength + 1
  while (String(length).length + encoder.encode(body).byteLength !== length) length++
  return encoder.encode(`${length}${body}`)
}

function padded (bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(bytes.byteLength / BLOCK) * BLOCK)
  out.set(bytes)
  return out
}

function writeString (buf: Uint8Array, offset: number, length: number, value: string): void {
  buf.set(encoder.encode(value).subarray(0, length), offset)
}

function writeOctal (buf: Uint8Array, offset: number, length: number, value: number): void {
  writeString(buf, offset, length - 1, value.toString(8).padStart(length - 1, '0'))
}
