import { getMimeType } from 'hono/utils/mime'

interface Signature {
  type: string
  bytes: Array<number | null>
  offset?: number
}

/** Magic numbers for the types a browser previews; `null` matches any byte. */
const SIGNATURES: Signature[] = [
  { type: 'image/png', bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { type: 'image/jpeg', bytes: [0xff, 0xd8, 0xff] },
  { type: 'image/gif', bytes: [0x47, 0x49, 0x46, 0x38] },
  { type: 'image/webp', bytes: [0x52, 0x49, 0x46, 0x46, null, null, null, null, 0x57, 0x45, 0x42, 0x50] },
  { type: 'image/avif', bytes: [0x66, 0x74, 0x79, 0x70, 0x61, 0x76, 0x69, 0x66], offset: 4 },
  { type: 'image/bmp', bytes: [0x42, 0x4d] },
  { type: 'image/x-icon', bytes: [0x00, 0x00, 0x01, 0x00] },
  { type: 'application/pdf', bytes: [0x25, 0x50, 0x44, 0x46, 0x2d] },
  { type: 'audio/wav', bytes: [0x52, 0x49, 0x46, 0x46, null, null, null, null, 0x57, 0x41, 0x56, 0x45] },
  { type: 'audio/ogg', bytes: [0x4f, 0x67, 0x67, 0x53] },
  { type: 'audio/flac', bytes: [0x66, 0x4c, 0x61, 0x43] },
  { type: 'audio/mpeg', bytes: [0x49, 0x44, 0x33] },
  { type: 'video/webm', bytes: [0x1a, 0x45, 0xdf, 0xa3] },
  { type: 'video/mp4', bytes: [0x66, 0x74, 0x79, 0x70], offset: 4 },
  { type: 'application/zip', bytes: [0x50, 0x4b, 0x03, 0x04] },
  { type: 'application/gzip', bytes: [0x1f, 0x8b] },
  { type: 'application/wasm', bytes: [0x00, 0x61, 0x73, 0x6d] }
]

/** How many leading bytes sniffing looks at. */
export const TEXT_SAMPLE = 1024

/** The Content-Type a name's extension gives, if it has a known one. */
export function contentTypeByName (name: string | undefined): string | undefined {
  return name != null && name.includes('.') ? getMimeType(name) : undefined
}

/**
 * The Content-Type for some content: from its name's extension when it has
 * one, else from its first bytes (magic numbers, then a text check).
 */
export function sniffContentType (name: string | undefined, head: Uint8Array | undefined): string {
  const byName = contentTypeByName(name)
  if (byName != null) return byName
  if (head == null || head.byteLength === 0) return 'application/octet-stream'
  for (const sig of SIGNATURES) {
    const offset = sig.offset ?? 0
    if (head.byteLength >= offset + sig.bytes.length && sig.bytes.every((b, i) => b === null || head[offset + i] === b)) {
      return sig.type
    }
  }
  const text = new TextDecoder().decode(head.subarray(0, TEXT_SAMPLE)).trimStart().toLowerCase()
  if (text.startsWith('<svg') || (text.startsWith('<?xml') && text.includes('<svg'))) return 'image/svg+xml'
  if (text.startsWith('<!doctype html') || text.startsWith('<html')) return 'text/html; charset=utf-8'
  return looksLikeText(head.subarray(0, TEXT_SAMPLE)) ? 'text/plain; charset=utf-8' : 'application/octet-stream'
}

/** No control bytes other than whitespace, and valid UTF-8 (a sequence cut at the end of the sample is allowed). */
function looksLikeText (bytes: Uint8Array): boolean {
  for (const b of bytes) {
    if (b < 0x09 || (b > 0x0d && b < 0x20 && b !== 0x1b) || b === 0x7f) return false
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true })
    return true
  } catch {
    return false
  }
}
