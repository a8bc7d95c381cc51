/**
 * The kinds of credential the node keeps, their fields, which are secret,
 * and how each is checked. A missing required field or a malformed value is
 * an InvalidParametersError that names the field.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { InvalidParametersError } from '../errors.ts'

export type CredentialType = 's3' | 'storacha' | 'filecoin' | 'ipfs' | 'ipfs_cluster' | 'generic'

export interface FieldSpec {
  name: string
  secret: boolean
  required: boolean
  description: string
  /** Returns a reason when the value is malformed. */
  check?(value: string): string | undefined
}

export interface TypeSpec {
  type: CredentialType
  description: string
  fields: FieldSpec[]
}

const matches = (pattern: RegExp, shape: string) => (value: string): string | undefined =>
  pattern.test(value) ? undefined : `expected ${shape}`

const url = (value: string): string | undefined => {
  try {
    const u = new URL(value)
    return u.protocol === 'https:' || u.protocol === 'http:' ? undefined : 'expected an http(s) URL'
  } catch {
    return 'expected an http(s) URL'
  }
}

const peerId = (value: string): string | undefined => {
  try {
    peerIdFromString(value)
    return undefined
  } catch {
    return 'expected a peer id (12D3KooW… or Qm…)'
  }
}

const address = (value: string): string | undefined => {
  try {
    multiaddr(value)
    return undefined
  } catch {
    return 'expected a multiaddr such as /ip4/127.0.0.1/tcp/5001'
  }
}

const clusterSecret = matches(/^[0-9a-f]{64}$/i, '64 hexadecimal characters (32 bytes)')

export const CREDENTIAL_TYPES: Readonly<Record<CredentialType, TypeSpec>> = {
  s3: {
    type: 's3',
    description: 'An S3-compatible bucket store (AWS, MinIO, R2, …)',
    fields: [
      { name: 'aws_access_key_id', secret: false, required: true, description: 'Access key id', check: matches(/^[A-Za-z0-9]{16,128}$/, '16 to 128 letters and digits') },
      { name: 'aws_secret_access_key', secret: true, required: true, description: 'Secret access key', check: matches(/^\S{16,256}$/, '16 to 256 characters without spaces') },
      { name: 'endpoint_url', secret: false, required: false, description: 'Endpoint of a non-AWS store', check: url },
      { name: 'region', secret: false, required: false, description: 'Region, e.g. us-east-1', check: matches(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$|^auto$/, 'a region such as us-east-1 (or auto)') }
    ]
  },
  storacha: {
    type: 'storacha',
    description: 'Storacha (web3.storage) space',
    fields: [
      { name: 'api_token', secret: true, required: true, description: 'API token', check: matches(/^\S{8,}$/, 'at least 8 characters without spaces') },
      { name: 'space_did', secret: false, required: false, description: 'Space DID (did:key:z…)', check: matches(/^did:key:z[1-9A-HJ-NP-Za-km-z]{40,}$/, 'a did:key DID such as did:key:z6Mk…') }
    ]
  },
  filecoin: {
    type: 'filecoin',
    description: 'A Filecoin storage provider or API',
    fields: [
      { name: 'api_key', secret: true, required: true, description: 'API key', check: matches(/^\S{8,}$/, 'at least 8 characters without spaces') },
      { name: 'api_secret', secret: true, required: false, description: 'API secret', check: matches(/^\S{8,}$/, 'at least 8 characters without spaces') },
      { name: 'wallet_address', secret: false, required: false, description: 'Wallet address (f1…, f3…, t1…)', check: matches(/^[ft][0-4][a-z0-9]{6,}$/, 'a Filecoin address such as f1… or t3…') },
      { name: 'provider', secret: false, required: false, description: 'Storage provider id (f0…)', check: matches(/^[ft]0\d+$/, 'a provider id such as f01234') }
    ]
  },
  ipfs: {
    type: 'ipfs',
    description: 'Another IPFS node',
    fields: [
      { name: 'identity', secret: false, required: false, description: 'The node\'s peer id', check: peerId },
      { name: 'api_address', secret: false, required: false, description: 'Its RPC API multiaddr', check: address },
      { name: 'cluster_secret', secret: true, required: false, description: 'Its cluster secret', check: clusterSecret }
    ]
  },
  ipfs_cluster: {
    type: 'ipfs_cluster',
    description: 'An IPFS Cluster',
    fields: [
      { name: 'cluster_secret', secret: true, required: true, description: 'Cluster secret', check: clusterSecret }
    ]
  },
  generic: {
    type: 'generic',
    description: 'Any other service: every value is kept secret',
    fields: []
  }
}

/** Longest value accepted in any field, and the most fields a generic credential may hold. */
export const MAX_VALUE_LENGTH = 8192
export const MAX_GENERIC_FIELDS = 32

export interface SplitValues {
  public: Record<string, string>
  secret: Record<string, string>
}

/** The type a service's credentials take: a known service is its own type; anything else is generic. */
export function typeOf (service: string): TypeSpec {
  return Object.hasOwn(CREDENTIAL_TYPES, service) ? CREDENTIAL_TYPES[service as CredentialType] : CREDENTIAL_TYPES.generic
}

/**
 * How an error names a field the caller sent: only names shaped like field
 * names are echoed, since a secret pasted into the wrong place (as a key)
 * must not come back in an error, a log or the operations list.
 */
function label (key: string): string {
  return /^[a-z_][a-z0-9_]{0,31}$/.test(key) ? `values.${key}` : 'values: a field whose name is not shown (not lower_snake_case)'
}

/** Checks values against the type and splits them into what may be shown and what is encrypted. */
export function validateValues (spec: TypeSpec, values: Record<string, unknown>): SplitValues {
  const out: SplitValues = { public: {}, secret: {} }
  for (const [key, value] of Object.entries(values)) {
    if (typeof value !== 'string') throw new InvalidParametersError(`${label(key)}: a string is required`)
    if (value.length > MAX_VALUE_LENGTH) throw new InvalidParametersError(`${label(key)}: at most ${MAX_VALUE_LENGTH} characters`)
  }
  if (spec.type === 'generic') {
    const entries = Object.entries(values as Record<string, string>).filter(([, v]) => v !== '')
    if (entries.length === 0) throw new InvalidParametersError('values: a generic credential needs at least one value')
    if (entries.length > MAX_GENERIC_FIELDS) throw new InvalidParametersError(`values: at most ${MAX_GENERIC_FIELDS} fields`)
    for (const [key] of entries) {
      if (!/^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/.test(key)) throw new InvalidParametersError(`${label(key)}: field names are letters, digits, _ . - (at most 64)`)
    }
    out.secret = Object.fromEntries(entries)
    return out
  }
  const known = new Set(spec.fields.map(f => f.name))
  for (const key of Object.keys(values)) {
    if (!known.has(key)) throw new InvalidParametersError(`${label(key)}: not a field of ${spec.type} credentials (${[...known].join(', ')})`)
  }
  for (const field of spec.fields) {
    const value = (values as Record<string, string>)[field.name]
    if (value == null || value === '') {
      if (field.required) throw new InvalidParametersError(`values.${field.name}: required for ${spec.type} credentials`)
      continue
    }
    const problem = field.check?.(value)
    if (problem != null) throw new InvalidParametersError(`values.${field.name}: ${problem}`)
    ;(field.secret ? out.secret : out.public)[field.name] = value
  }
  return out
}
