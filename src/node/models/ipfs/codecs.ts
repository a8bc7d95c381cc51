import * as dagCbor from '@ipld/dag-cbor'
import * as dagJson from '@ipld/dag-json'
import * as dagPb from '@ipld/dag-pb'
import * as json from 'multiformats/codecs/json'
import * as raw from 'multiformats/codecs/raw'
import { identity } from 'multiformats/hashes/identity'
import { sha256, sha512 } from 'multiformats/hashes/sha2'
import { InvalidParametersError, UnsupportedCodecError } from '../../errors.ts'
import type { BlockCodec } from 'multiformats/codecs/interface'
import type { MultihashHasher } from 'multiformats/hashes/interface'

export type CodecName = 'raw' | 'dag-pb' | 'dag-cbor' | 'dag-json' | 'json'
export type HasherName = 'sha2-256' | 'sha2-512' | 'identity'

const CODECS: Record<CodecName, BlockCodec<number, unknown>> = {
  raw: raw as BlockCodec<number, unknown>,
  'dag-pb': dagPb as unknown as BlockCodec<number, unknown>,
  'dag-cbor': dagCbor,
  'dag-json': dagJson,
  json
}

const HASHERS: Record<HasherName, MultihashHasher> = {
  'sha2-256': sha256,
  'sha2-512': sha512,
  identity: identity as unknown as MultihashHasher
}

/** Names accepted for each codec (Kubo's old `format` values included). */
const CODEC_ALIASES: Record<string, CodecName> = {
  raw: 'raw',
  'dag-pb': 'dag-pb',
  protobuf: 'dag-pb',
  v0: 'dag-pb',
  'dag-cbor': 'dag-cbor',
  cbor: 'dag-cbor',
  'dag-json': 'dag-json',
  json: 'json'
}

export function codecByName (name: string): BlockCodec<number, unknown> {
  const codec = CODEC_ALIASES[name.toLowerCase()]
  if (codec == null) {
    throw new UnsupportedCodecError(`codec "${name}" is not one of ${Object.keys(CODECS).join(', ')}`)
  }
  return CODECS[codec]
}

export function codecByCode (code: number): BlockCodec<number, unknown> {
  const codec = Object.values(CODECS).find(c => c.code === code)
  if (codec == null) {
    throw new UnsupportedCodecError(`codec 0x${code.toString(16)} cannot be decoded by this node`)
  }
  return codec
}

export function hasherByName (name: string): MultihashHasher {
  const hasher = HASHERS[name.toLowerCase() as HasherName]
  if (hasher == null) {
    throw new InvalidParametersError(`hash "${name}" is not one of ${Object.keys(HASHERS).join(', ')}`)
  }
  return hasher
}

/** The hasher for a multihash code, to check a block against its CID. */
export function hasherByCode (code: number): MultihashHasher {
  const hasher = Object.values(HASHERS).find(h => h.code === code)
  if (hasher == null) throw new InvalidParametersError(`multihash 0x${code.toString(16)} is not supported (sha2-256, sha2-512, identity are)`)
  return hasher
}
