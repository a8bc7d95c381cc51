/**
 * Kubo's IPNS, key, identity, swarm, ping, routing, statistics and repo
 * commands, over the models the MCP routes call: names and keys
 * (names-controller), id and gc (ipfs-node-controller), peers (swarm and
 * distributed controllers) and the DHT (dht-controller). Network commands
 * fail as the MCP routes do when the node has no connection, before any
 * reply starts, so a client never waits on a node that cannot answer.
 */
import { base32 } from 'multiformats/bases/base32'
import { base36 } from 'multiformats/bases/base36'
import { toString as uint8ArrayToString } from 'uint8arrays/to-string'
import { agentVersion } from '../../version.ts'
import { ContentNotFoundError, InvalidParametersError } from '../../node/errors.ts'
import { parseCid } from '../../node/models/ipfs/content-path.ts'
import { collectGarbage, nodeCollectorComponents } from '../../node/models/ipfs/repo-gc.ts'
import { findPeer, findProviders, provide } from '../../node/models/network/dht.ts'
import { describePeers } from '../../node/models/network/distributed.ts'
import { parseDuration } from '../../node/models/network/duration.ts'
import { generateKey, listKeys, removeKey, requireKey, SELF_KEY } from '../../node/models/network/keys.ts'
import { parseIpnsName, publishPath, resolveName } from '../../node/models/network/names.ts'
import { connectPeer, parseDialTarget, parsePeerId, requireConnections } from '../../node/models/network/peers.ts'
import { pingPeer } from '../../node/models/network/ping.ts'
import { args, countOption, flagOption, ndjsonReply, requiredArg, stringOption } from './kubo-args.ts'
import type { ApiDeps, ApiEnv } from '../env.ts'
import type { KuboApp } from './kubo-app.ts'
import type { NodeHelia } from '../../node/create-node.ts'
import type { PeerId, PublicKey } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Context } from 'hono'

/** Kubo's defaults for `name/publish` (boxo's ipns.DefaultRecordLifetime and DefaultRecordTTL). */
const DEFAULT_LIFETIME_MS = 48 * 3_600_000
const DEFAULT_TTL_MS = 5 * 60_000
const DEFAULT_PING_COUNT = 10
/** Kubo paces pings one a second. */
const PING_INTERVAL_MS = 1000
const DEFAULT_NUM_PROVIDERS = 20
/** The key size libp2p gives an RSA key, the only one the keychain makes. */
const RSA_BITS = 2048
/** Kubo's StorageMax when no limit is known (corerepo.NoLimit, math.MaxUint64). */
const NO_LIMIT = 2n ** 64n - 1n

/** Routing event types (go-libp2p's routing.QueryEventType), as kubo-rpc-client's mapEvent reads them. */
const FINAL_PEER = 2
const PROVIDER = 4

/** libp2p's protobuf KeyType enum, for the `PublicKey` Kubo writes. */
const KEY_TYPE_CODES: Record<PublicKey['type'], number> = { RSA: 0, Ed25519: 1, secp256k1: 2, ECDSA: 3 }

/** Kubo's IdOutput, also the `Identify` of each swarm peer. */
interface IdOutput {
  ID: string
  PublicKey: string
  Addresses: string[] | null
  AgentVersion: string
  Protocols: string[] | null
}

/** What Kubo writes for an `Identify` nobody asked for: Go's zero value. */
const NO_IDENTIFY: IdOutput = { ID: '', PublicKey: '', Addresses: null, AgentVersion: '', Protocols: null }

/** A swarm peer as Kubo's connInfo marshals it (empty fields left out). */
interface ConnInfo {
  Addr: string
  Peer: string
  Latency?: string
  Direction?: number
  Streams?: Array<{ Protocol: string }>
  Identify: IdOutput
}

/** A routing query event as go-libp2p marshals it. */
interface QueryEvent {
  Extra: string
  ID: string
  Responses: Array<{ Addrs: string[], ID: string }> | null
  Type: number
}

interface PingResult {
  Success: boolean
  /** Nanoseconds, as Go marshals a time.Duration. */
  Time: number
  Text: string
}

/**
 * A JSON reply whose bigint values are written as bare integers: Kubo's
 * uint64 figures (StorageMax is 2^64-1 when unlimited) do not fit a double.
 */
function uint64Json (value: unknown): Response {
  const marker = '\u0000uint64:'
  const text = JSON.stringify(value, (_key, v: unknown) => typeof v === 'bigint' ? `${marker}${v.toString()}` : v)
    .replace(/"\\u0000uint64:(\d+)"/g, '$1')
  return new Response(text, { status: 200, headers: { 'Content-Type': 'application/json' } })
}

/** A Go-style duration option (`24h`, `90s`) in ms; a malformed one is a 400. */
function durationOption (c: Context<ApiEnv>, name: string): number | undefined {
  const value = stringOption(c, name)
  return value == null ? undefined : parseDuration(value, name)
}

/** Every non-empty `arg=`, with the first required under `name`. */
function requiredArgs (c: Context<ApiEnv>, name: string): string[] {
  requiredArg(c, 0, name)
  return args(c).filter(a => a !== '')
}

/** A public key as Kubo shows it: the libp2p protobuf (Type, Data), base64 with padding. */
function marshalPublicKey (key: PublicKey): string {
  const data = key.raw
  const length: number[] = []
  for (let n = data.byteLength; ; n >>>= 7) {
    if (n < 0x80) { length.push(n); break }
    length.push((n & 0x7f) | 0x80)
  }
  const out = new Uint8Array(3 + length.length + data.byteLength)
  out.set([0x08, KEY_TYPE_CODES[key.type], 0x12, ...length])
  out.set(data, 3 + length.length)
  return uint8ArrayToString(out, 'base64pad')
}

/** `peerid-base`: Kubo's b58mh (the default), or a libp2p-key CID in base36 or base32. */
function peerIdFormat (c: Context<ApiEnv>): (id: PeerId) => string {
  const base = stringOption(c, 'peerid-base') ?? 'b58mh'
  if (base === 'b58mh') return id => id.toString()
  if (base === 'base36' || base === 'k') return id => id.toCID().toString(base36)
  if (base === 'base32' || base === 'b') return id => id.toCID().toString(base32)
  throw new InvalidParametersError(`peerid-base "${base}" is not one of b58mh, base36 (k), base32 (b)`)
}

/** An address with the peer's `/p2p/` suffix, as Kubo lists them (peer.AddrInfoToP2pAddrs). */
function withPeer (address: string, peer: string): string {
  return address.endsWith(`/p2p/${peer}`) ? address : `${address}/p2p/${peer}`
}

/** A connection's remote address without the peer's own `/p2p/` suffix, as Kubo's `Addr`. */
function withoutPeer (address: string, peer: string): string {
  return address.endsWith(`/p2p/${peer}`) ? address.slice(0, -`/p2p/${peer}`.length) : address
}

/** The peer a dial target names: its id, or the last `/p2p/` of a multiaddr. */
function targetPeer (target: Multiaddr | PeerId): string | undefined {
  if (!('getComponents' in target)) return target.toString()
  return target.getComponents().filter(p => p.name === 'p2p').at(-1)?.value
}

/** A duration as Go's time.Duration.String() writes it (`12.5ms`, `1m30s`). */
function goDuration (ms: number): string {
  let ns = Math.round(ms * 1e6)
  const trim = (n: number, digits: number): string => n.toFixed(digits).replace(/\.?0+$/, '')
  if (ns === 0) return '0s'
  if (ns < 1e3) return `${ns}ns`
  if (ns < 1e6) return `${trim(ns / 1e3, 3)}µs`
  if (ns < 1e9) return `${trim(ns / 1e6, 6)}ms`
  const hours = Math.floor(ns / 3.6e12)
  ns -= hours * 3.6e12
  const minutes = Math.floor(ns / 6e10)
  ns -= minutes * 6e10
  const seconds = `${trim(ns / 1e9, 9) || '0'}s`
  if (hours > 0) return `${hours}h${minutes}m${seconds}`
  return minutes > 0 ? `${minutes}m${seconds}` : seconds
}

/** What the peer store knows of a peer (identify fills it), shaped as Kubo's IdOutput. */
async function peerIdentity (helia: NodeHelia, peerId: PeerId, format: (id: PeerId) => string): Promise<IdOutput> {
  const stored = await helia.libp2p.peerStore.get(peerId).catch((err: unknown) => {
    if ((err as Error).name === 'NotFoundError') return undefined
    throw err
  })
  const publicKey = peerId.publicKey ?? stored?.id.publicKey
  const agent = stored?.metadata.get('AgentVersion')
  return {
    ID: format(peerId),
    PublicKey: publicKey != null ? marshalPublicKey(publicKey) : '',
    Addresses: (stored?.addresses ?? []).map(a => withPeer(a.multiaddr.toString(), peerId.toString())).sort(),
    AgentVersion: agent != null ? new TextDecoder().decode(agent) : '',
    Protocols: [...(stored?.protocols ?? [])].sort()
  }
}

/** Resolves after `ms`, or rejects as soon as the signal aborts. */
async function pause (ms: number, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted()
  await new Promise<void>((resolve, reject) => {
    const onAbort = (): void => { clearTimeout(timer); reject(signal.reason) }
    const timer = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve() }, ms)
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

/** The system the node runs on: its libraries, and the browser that hosts them when there is one. */
function systemDescription (deps: ApiDeps): string {
  const userAgent = (globalThis.navigator as Navigator | undefined)?.userAgent
  return [`helia/${deps.versions.helia}`, `libp2p/${deps.versions.libp2p}`, userAgent].filter(s => s != null && s !== '').join(' ')
}

export function registerKuboNamesAndNode (app: KuboApp, deps: ApiDeps): void {
  const { node, versions } = deps
  const { helia } = node
  /**
   * There is no fs-repo here: the repository is in the IndexedDB format this
   * app version writes, so that is the repo version `version` and `repo/stat` give.
   */
  const repoVersion = `mcp-browser-node@${versions.app}`

  /** A key of the keychain by name, or by the IPNS name or peer id `key/list` shows for it (Kubo accepts either). */
  async function publishingKey (value: string, signal: AbortSignal): Promise<string> {
    try {
      await requireKey(helia, value, { signal })
      return value
    } catch (err) {
      if ((err as Error).name !== 'KeyNotFoundError') throw err
      const match = (await listKeys(helia, { signal })).find(k => k.id === value || k.peer_id === value)
      if (match == null) throw err
      return match.name
    }
  }

  app.post('/name/publish', async (c) => {
    const signal = c.var.signal
    const path = requiredArg(c, 0, 'ipfs-path')
    if (flagOption(c, 'allow-delegated', false)) throw new InvalidParametersError('allow-delegated is not supported: this node has no delegated publishers')
    if (stringOption(c, 'sequence') != null) throw new InvalidParametersError('sequence is not supported: a record always takes the next sequence number')
    const lifetime = durationOption(c, 'lifetime') ?? DEFAULT_LIFETIME_MS
    if (lifetime <= 0) throw new InvalidParametersError('lifetime must be greater than zero')
    const ttl = durationOption(c, 'ttl') ?? Math.min(DEFAULT_TTL_MS, lifetime)
    if (ttl > lifetime) throw new InvalidParametersError(`ttl (${ttl} ms) must not be greater than lifetime (${lifetime} ms)`)
    const key = await publishingKey(stringOption(c, 'key') ?? SELF_KEY, signal)
    // Kubo's defaults: publishing offline must be asked for
    const published = await publishPath(helia, node.names, key, path, {
      lifetime,
      ttl,
      resolve: flagOption(c, 'resolve', true),
      allowOffline: flagOption(c, 'allow-offline', false),
      offline: !node.online,
      signal
    })
    return c.json({ Name: published.name, Value: published.value })
  })

  app.post('/name/resolve', async (c) => {
    // Kubo resolves the node's own name when none is given
    const name = args(c)[0] || node.peerId.toString()
    const recursive = flagOption(c, 'recursive', true)
    const nocache = flagOption(c, 'nocache', false)
    const stream = flagOption(c, 'stream', false)
    const resolved = await resolveName(node.names, parseIpnsName(name), { recursive, nocache, offline: !node.online, signal: c.var.signal })
    // a path below the name (`/ipns/<name>/a/b`) carries over onto what the name points at
    const below = name.replace(/^\/ipns\//, '').split('/').slice(1).filter(s => s !== '')
    const reply = { Path: below.length > 0 ? `${resolved.path}/${below.join('/')}` : resolved.path }
    return stream ? ndjsonReply([reply]) : c.json(reply)
  })

  app.post('/key/gen', async (c) => {
    const name = requiredArg(c, 0, 'name')
    const type = stringOption(c, 'type') ?? 'ed25519'
    const size = countOption(c, 'size')
    if (size != null && !(type.toLowerCase() === 'rsa' && size === RSA_BITS)) {
      throw new InvalidParametersError(`size ${size} is not supported: keys are ed25519, secp256k1, ecdsa or ${RSA_BITS}-bit rsa`)
    }
    const key = await generateKey(helia, name, type, { signal: c.var.signal })
    return c.json({ Name: key.name, Id: key.id })
  })

  app.post('/key/list', async (c) => {
    const keys = await listKeys(helia, { signal: c.var.signal })
    return c.json({ Keys: keys.map(k => ({ Name: k.name, Id: k.id })) })
  })

  app.post('/key/rm', async (c) => {
    const removed = []
    for (const name of requiredArgs(c, 'name')) {
      const key = await removeKey(helia, name, { signal: c.var.signal })
      removed.push({ Name: key.name, Id: key.id })
    }
    return c.json({ Keys: removed })
  })

  app.post('/id', async (c) => {
    const format = peerIdFormat(c)
    const self = helia.libp2p.peerId
    const arg = args(c)[0]
    const target = arg != null && arg !== '' ? parsePeerId(arg) : self
    if (target.equals(self)) {
      const out: IdOutput = {
        ID: format(self),
        PublicKey: self.publicKey != null ? marshalPublicKey(self.publicKey) : '',
        Addresses: helia.libp2p.getMultiaddrs().map(a => withPeer(a.toString(), self.toString())).sort(),
        AgentVersion: agentVersion(versions),
        Protocols: [...helia.libp2p.getProtocols()].sort()
      }
      return c.json(out)
    }
    // another peer: dialled as swarm/connect does, then described from what identify told the peer store
    await connectPeer(helia, target, { signal: c.var.signal })
    return c.json(await peerIdentity(helia, target, format))
  })

  app.post('/version', (c) => c.json({
    Version: versions.app,
    // the build records no commit
    Commit: '',
    Repo: repoVersion,
    System: systemDescription(deps),
    // no Go runtime runs here
    Golang: ''
  }))

  app.post('/swarm/peers', async (c) => {
    const verbose = flagOption(c, 'verbose', false)
    const withStreams = verbose || flagOption(c, 'streams', false)
    const withLatency = verbose || flagOption(c, 'latency', false)
    const withDirection = verbose || flagOption(c, 'direction', false)
    const withIdentify = verbose || flagOption(c, 'identify', false)
    const peers: ConnInfo[] = []
    for (const peer of await describePeers(helia)) {
      const identify = withIdentify ? await peerIdentity(helia, parsePeerId(peer.peer_id), id => id.toString()) : NO_IDENTIFY
      for (const connection of peer.connections) {
        const info: ConnInfo = { Addr: withoutPeer(connection.address, connection.peer), Peer: connection.peer, Identify: identify }
        // go-libp2p's network.Direction: 1 inbound, 2 outbound
        if (withDirection) info.Direction = connection.direction === 'inbound' ? 1 : 2
        if (withLatency) info.Latency = peer.latency_ms == null ? 'n/a' : goDuration(peer.latency_ms)
        if (withStreams && connection.stream_protocols.length > 0) info.Streams = [...connection.stream_protocols].sort().map(Protocol => ({ Protocol }))
        peers.push(info)
      }
    }
    peers.sort((a, b) => a.Addr < b.Addr ? -1 : a.Addr > b.Addr ? 1 : 0)
    return c.json({ Peers: peers })
  })

  app.post('/swarm/connect', async (c) => {
    const strings: string[] = []
    for (const address of requiredArgs(c, 'address')) {
      const connection = await connectPeer(helia, parseDialTarget(address), { signal: c.var.signal })
      strings.push(`connect ${connection.peer} success`)
    }
    return c.json({ Strings: strings })
  })

  app.post('/ping', async (c) => {
    const signal = c.var.signal
    const text = requiredArg(c, 0, 'peer ID')
    const target = parseDialTarget(text)
    const peer = targetPeer(target) ?? text
    if (peer === helia.libp2p.peerId.toString()) throw new InvalidParametersError('can\'t ping self')
    const count = countOption(c, 'count') ?? DEFAULT_PING_COUNT
    if (count < 1) throw new InvalidParametersError(`ping count must be greater than 0, was ${count}`)
    // the first ping runs before the reply starts: an offline node or an unreachable peer is an error status, not a stream
    const startedAt = performance.now()
    const [first] = await pingPeer(helia, target, 1, { signal })
    async function * results (): AsyncGenerator<PingResult> {
      yield { Success: true, Time: 0, Text: `PING ${peer}.` }
      yield { Success: true, Time: Math.round(first * 1e6), Text: '' }
      let answered = 1
      let total = first
      let last = startedAt
      for (let i = 1; i < count; i++) {
        await pause(Math.max(0, last + PING_INTERVAL_MS - performance.now()), signal)
        last = performance.now()
        try {
          const [rtt] = await pingPeer(helia, target, 1, { signal })
          answered++
          total += rtt
          yield { Success: true, Time: Math.round(rtt * 1e6), Text: '' }
        } catch (err) {
          if (signal.aborted) throw err
          // as Kubo: a lost ping is a line of the reply, and the next one is still sent
          yield { Success: false, Time: 0, Text: `Ping error: ${(err as Error).message}` }
        }
      }
      yield { Success: true, Time: 0, Text: `Average latency: ${(total / answered).toFixed(2)}ms` }
    }
    return ndjsonReply(results())
  })

  app.post('/routing/findprovs', async (c) => {
    const cid = parseCid(requiredArg(c, 0, 'key'))
    const wanted = countOption(c, 'num-providers') ?? DEFAULT_NUM_PROVIDERS
    if (wanted < 1) throw new InvalidParametersError('number of providers must be greater than 0')
    const providers = await findProviders(helia, cid, wanted, { signal: c.var.signal })
    return ndjsonReply(providers.map((p): QueryEvent => ({ Extra: '', ID: '', Responses: [{ Addrs: p.addresses, ID: p.id }], Type: PROVIDER })))
  })

  app.post('/routing/findpeer', async (c) => {
    const peerId = parsePeerId(requiredArg(c, 0, 'peerID'))
    if (peerId.equals(helia.libp2p.peerId)) throw new InvalidParametersError('finding your own node in the DHT is not supported')
    const found = await findPeer(helia, peerId, { signal: c.var.signal })
    const event: QueryEvent = { Extra: '', ID: '', Responses: [{ Addrs: found.addresses, ID: found.id }], Type: FINAL_PEER }
    return ndjsonReply([event])
  })

  app.post('/routing/provide', async (c) => {
    const cids = requiredArgs(c, 'key').map(parseCid)
    if (flagOption(c, 'recursive', false)) throw new InvalidParametersError('recursive is not supported: name every CID to provide')
    // as Kubo: the network first, then that every block is here to be provided
    requireConnections(helia, 'ask the DHT')
    for (const cid of cids) {
      if (!await node.blockstore.has(cid, { signal: c.var.signal })) throw new ContentNotFoundError(`block ${cid.toString()} not found locally, cannot provide`)
    }
    for (const cid of cids) await provide(helia, cid, { signal: c.var.signal })
    // Kubo's provide reports success with no events at all
    return ndjsonReply([])
  })

  /**
   * Bytes exchanged with peers over libp2p streams, as go-libp2p's bandwidth
   * counter gives them to Kubo: totals since the node started and rates over
   * the last few seconds, for the node, one peer (`peer`) or one protocol
   * (`proto`). A node without the network exchanges nothing, so it answers
   * zeros rather than Kubo's "not online" error: the figures are true.
   */
  app.post('/stats/bw', async (c) => {
    const peerOption = stringOption(c, 'peer')
    const protocol = stringOption(c, 'proto')
    if (peerOption != null && protocol != null) throw new InvalidParametersError('please only specify peer OR protocol')
    const peer = peerOption != null ? parsePeerId(peerOption).toString() : undefined
    const poll = flagOption(c, 'poll', false)
    const interval = durationOption(c, 'interval') ?? 1000
    if (interval <= 0) throw new InvalidParametersError('interval must be greater than zero')
    // libp2p traffic, as Kubo reports it: stream bytes with peers, not this API's own
    const sample = (): { TotalIn: number, TotalOut: number, RateIn: number, RateOut: number } => {
      const bw = node.bandwidth.stats({ peer, protocol })
      return { TotalIn: bw.totalIn, TotalOut: bw.totalOut, RateIn: bw.rateIn, RateOut: bw.rateOut }
    }
    if (!poll) return c.json(sample())
    const signal = c.var.signal
    async function * samples (): AsyncGenerator<ReturnType<typeof sample>> {
      yield sample()
      // polling goes on until the client leaves or the request's deadline ends it
      while (true) {
        try {
          await pause(interval, signal)
        } catch {
          return
        }
        yield sample()
      }
    }
    return ndjsonReply(samples())
  })

  app.post('/repo/stat', async (c) => {
    const sizeOnly = flagOption(c, 'size-only', false)
    flagOption(c, 'human', false)
    const [repo, storage] = await Promise.all([node.stores.blockstore.stat({ signal: c.var.signal }), deps.host.storage()])
    // the browser's quota for the origin is the most the repository can grow to
    const storageMax = storage.quota_bytes != null ? BigInt(Math.floor(storage.quota_bytes)) : NO_LIMIT
    if (sizeOnly) return uint64Json({ RepoSize: repo.bytes, StorageMax: storageMax, NumObjects: 0, RepoPath: '', Version: '' })
    return uint64Json({
      RepoSize: repo.bytes,
      StorageMax: storageMax,
      NumObjects: repo.blocks,
      RepoPath: node.stores.blockstore.location ?? '',
      Version: repoVersion
    })
  })

  app.post('/repo/gc', async (c) => {
    const silent = flagOption(c, 'silent', false)
    // quiet changes only Kubo's text output; errors end the reply either way, so stream-errors changes nothing here
    flagOption(c, 'quiet', false)
    flagOption(c, 'stream-errors', false)
    // collectGarbage takes the repo lock itself, exclusively (kubo-app leaves this command out of the shared hold)
    const result = await collectGarbage(nodeCollectorComponents(node), { signal: c.var.signal })
    return ndjsonReply(silent ? [] : result.removed.map(cid => ({ Key: { '/': cid.toString() } })))
  })
}
