import { peerIdFromString } from '@libp2p/peer-id'
import { base36 } from 'multiformats/bases/base36'
import { CID } from 'multiformats/cid'
import { InvalidParametersError, NameNotFoundError, NetworkUnavailableError } from '../../errors.ts'
import { formatContentPath, parseContentPath } from '../ipfs/content-path.ts'
import { translateLibraryError } from '../ipfs/library-errors.ts'
import { resolveEntry } from '../ipfs/resolve.ts'
import type { IPNS } from '@helia/ipns'
import type { Helia } from '@helia/interface'
import type { AbortOptions } from 'abort-error'
import type { ContentPath } from '../ipfs/content-path.ts'

const LIBP2P_KEY = 0x72

export interface PublishNameOptions extends AbortOptions {
  /** Record lifetime in ms (Kubo's default is 24 h). */
  lifetime?: number
  /** Cache hint in ms. */
  ttl?: number
  /** Store locally only, without putting the record to the DHT. */
  offline?: boolean
}

export interface PublishedName {
  /** The IPNS name (base36 libp2p-key CID). */
  name: string
  value: string
  sequence: bigint
}

/** Publishes `/ipfs/<cid>[/path]` (or a bare CID) under a key of the keychain. */
export async function publishName (ipns: IPNS, keyName: string, value: string, options: PublishNameOptions = {}): Promise<PublishedName> {
  const path = formatContentPath(parseContentPath(value))
  try {
    const result = await ipns.publish(keyName, path, { lifetime: options.lifetime, ttl: options.ttl, offline: options.offline, signal: options.signal })
    return { name: result.publicKey.toCID().toString(base36), value: path, sequence: result.record.sequence ?? 0n }
  } catch (err) {
    throw translateLibraryError(err, `publishing under "${keyName}"`, options.signal)
  }
}

export interface ResolveNameOptions extends AbortOptions {
  /** Follow records that point to other IPNS names (default true). */
  recursive?: boolean
  /** Skip the local cache and ask the network. */
  nocache?: boolean
  offline?: boolean
}

/** `/ipns/<name>` or `<name>`: a peer id or a libp2p-key CID. DNSLink needs DNS, which this node never uses. */
export function parseIpnsName (text: string): CID {
  const name = text.replace(/^\/ipns\//, '').split('/')[0]
  if (name.includes('.')) {
    throw new InvalidParametersError(`"${name}" looks like a DNSLink domain; this node resolves only key-based IPNS names`)
  }
  try {
    if (name.startsWith('1') || name.startsWith('Qm')) return peerIdFromString(name).toCID()
    const cid = CID.parse(name, name.startsWith('k') ? base36 : undefined)
    if (cid.code !== LIBP2P_KEY) throw new Error('the CID does not have the libp2p-key codec')
    return cid
  } catch (err) {
    throw new InvalidParametersError(`"${text}" is not an IPNS name: ${(err as Error).message}`)
  }
}

export interface ResolvedName {
  path: string
  sequence: bigint
  /** The shortest cache hint (ms) of the records followed; absent when none gave one. */
  ttlMs?: number
}

/** Resolves a name to the `/ipfs/` path its record (or chain of records) points at. */
export async function resolveName (ipns: IPNS, name: CID, options: ResolveNameOptions = {}): Promise<ResolvedName> {
  let last: { value: string, sequence: bigint } | undefined
  let ttlNs: bigint | undefined
  try {
    for await (const result of ipns.resolve(name, { nocache: options.nocache, offline: options.offline, signal: options.signal })) {
      last = { value: result.value, sequence: result.record.sequence ?? 0n }
      const ttl = result.record.ttl
      // a chain is only as fresh as its shortest-lived link
      if (ttl != null && (ttlNs == null || ttl < ttlNs)) ttlNs = ttl
      if (options.recursive === false) break
    }
  } catch (err) {
    const e = err as Error
    if (e.name === 'RecordNotFoundError' || e.name === 'NotFoundError' || e.name === 'RecordsFailedValidationError') {
      throw new NameNotFoundError(`no valid IPNS record found for ${name.toString(base36)}${options.offline === true ? ' in the local store (the node is offline)' : ''}`)
    }
    throw translateLibraryError(err, `resolving ${name.toString(base36)}`, options.signal)
  }
  if (last == null) throw new NameNotFoundError(`no IPNS record for ${name.toString(base36)}`)
  return { path: last.value, sequence: last.sequence, ...(ttlNs != null ? { ttlMs: Number(ttlNs / 1_000_000n) } : {}) }
}

/**
 * A content path as clients give it: `/ipfs/<cid>/…`, `<cid>/…`, or
 * `/ipns/<name>/…`, whose name is resolved first (what follows it is a path
 * inside what the name points at).
 */
export async function resolveContentPath (ipns: IPNS, text: string, options: ResolveNameOptions = {}): Promise<ContentPath> {
  if (!text.startsWith('/ipns/')) return parseContentPath(text)
  const [name, ...rest] = text.slice('/ipns/'.length).split('/')
  const resolved = await resolveName(ipns, parseIpnsName(name), options)
  return parseContentPath([resolved.path.replace(/\/$/, ''), ...rest].join('/'))
}

export interface PublishPathOptions extends PublishNameOptions {
  /** Publish only what can be found, locally or from peers (Kubo's --resolve); default true. */
  resolve?: boolean
  /** Without a connection, store the record locally only rather than refuse. */
  allowOffline: boolean
}

/**
 * What both faces' `name publish` do: refuse when offline unless allowed,
 * check that the path resolves, then publish. The key is the face's to
 * choose (each accepts names in its own forms); defaults are the caller's.
 */
export async function publishPath (helia: Pick<Helia, 'blockstore'>, ipns: IPNS, keyName: string, path: string, options: PublishPathOptions): Promise<PublishedName> {
  if (options.offline === true && !options.allowOffline) {
    throw new NetworkUnavailableError('can\'t publish while offline: the node has no connection to peers (allow publishing offline to store the record locally only)')
  }
  if (options.resolve !== false) {
    await resolveEntry(helia, parseContentPath(path), { signal: options.signal, offline: options.offline })
  }
  return publishName(ipns, keyName, path, options)
}
