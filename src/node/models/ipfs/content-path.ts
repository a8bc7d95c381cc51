import { CID } from 'multiformats/cid'
import { InvalidCIDError, UnsupportedCodecError } from '../../errors.ts'

/** Codecs this node can decode; a CID naming any other is refused up front. */
export const KNOWN_CODECS: ReadonlyMap<number, string> = new Map([
  [0x00, 'identity'],
  [0x55, 'raw'],
  [0x70, 'dag-pb'],
  [0x71, 'dag-cbor'],
  [0x0129, 'dag-json'],
  [0x0200, 'json'],
  [0x72, 'libp2p-key']
])

/** Parses a CID string, refusing malformed strings and unknown codecs. */
export function parseCid (text: string): CID {
  let cid: CID
  try {
    cid = CID.parse(text.trim())
  } catch (err) {
    throw new InvalidCIDError(`"${text}" is not a valid CID: ${(err as Error).message}`)
  }
  if (!KNOWN_CODECS.has(cid.code)) {
    throw new UnsupportedCodecError(`CID ${text} uses codec 0x${cid.code.toString(16)}, which this node cannot decode`)
  }
  return cid
}

export interface ContentPath {
  cid: CID
  /** Path segments below the CID, already URL-decoded. */
  segments: string[]
}

/** Parses `<cid>[/a/b]` or `/ipfs/<cid>[/a/b]`. */
export function parseContentPath (text: string): ContentPath {
  const parts = text.split('/').filter(p => p !== '')
  if (parts[0] === 'ipfs') parts.shift()
  if (parts.length === 0) {
    throw new InvalidCIDError('a CID is required')
  }
  const [first, ...rest] = parts
  return { cid: parseCid(safeDecode(first)), segments: rest.map(safeDecode) }
}

export function formatContentPath (path: ContentPath): string {
  return ['/ipfs', path.cid.toString(), ...path.segments].join('/')
}

function safeDecode (segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}
