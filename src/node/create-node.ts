import { ipns } from '@helia/ipns'
import { withLibp2pLight } from '@helia/libp2p'
import { loadOrCreateSelfKey } from '@libp2p/config'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import * as dagCbor from '@ipld/dag-cbor'
import * as dagJson from '@ipld/dag-json'
import { MemoryDatastore } from 'datastore-core'
import { createHeliaLight } from 'helia'
import * as json from 'multiformats/codecs/json'
import { sha512 } from 'multiformats/hashes/sha2'
import { MemoryCacheFiles } from './cache/cache-files.ts'
import { createCidCache } from './cache/create-cid-cache.ts'
import { MemoryCredentialStore } from './credentials/credential-store.ts'
import { Credentials } from './credentials/credentials.ts'
import { FsJournal } from './journal/fs-journal.ts'
import { MemoryJournalStore } from './journal/memory-journal-store.ts'
import { Mfs } from './models/mfs/mfs.ts'
import { NodeAnnouncer } from './models/network/announcer.ts'
import { Bandwidth } from './models/network/bandwidth.ts'
import { ContentSessions } from './models/network/content-sessions.ts'
import { VERSIONS } from '../version.ts'
import { whenIdle } from './idle.ts'
import { NetworkStart } from './network-start.ts'
import { forgetPeersIfRelaysChanged, networkOptions } from './network.ts'
import { withDelayedSearchBitswap } from './provider-search-delay.ts'
import { RepoLock } from './repo-lock.ts'
import { readLocalFirst } from './stores/local-first.ts'
import { MemoryRepoBlockstore } from './stores/memory-repo-blockstore.ts'
import { planFileRead } from './models/ipfs/file-plan.ts'
import type { CacheFiles } from './cache/cache-files.ts'
import type { CidCache } from './cache/cid-cache.ts'
import type { CacheConfig } from './cache/config.ts'
import type { CredentialStore } from './credentials/credential-store.ts'
import type { TieredBlockstore } from './cache/tiered-blockstore.ts'
import type { JournalStore } from './journal/types.ts'
import type { NetworkConfig, NetworkServices } from './network.ts'
import type { RepoBlockstore } from './stores/repo-blockstore.ts'
import type { IPNS } from '@helia/ipns'
import type { AbortOptions, PeerId, PrivateKey } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'
import type { HeliaWithLibp2p } from '@helia/libp2p'
import type { Datastore } from 'interface-datastore'
import type { Libp2pOptions } from 'libp2p'

export interface NodeStores {
  blockstore: RepoBlockstore
  datastore: Datastore & { close?(): Promise<void> }
  /** The MFS journal and root. */
  journal: JournalStore
  /** Where the CID cache keeps its Parquet files. */
  cacheFiles: CacheFiles
  /** Encrypted storage-service credentials. */
  credentials: CredentialStore
}

export interface CreateNodeInit {
  stores: NodeStores
  /**
   * Join the network through these relays; without it the node is offline
   * (no transports). It may still be arriving (read from the server): only
   * libp2p's start waits for it.
   */
  network?: NetworkConfig | Promise<NetworkConfig>
  /** The CID cache's tunables (partitioning, flush timing, memory tier size, heat thresholds). */
  cache?: Partial<CacheConfig>
  /** PBKDF2 iterations for a credentials passphrase (tests lower it). */
  credentialOptions?: { iterations?: number }
  /**
   * When the node's work in the background may begin: starting libp2p and
   * reading the CID cache's files. By default when the page's thread is next
   * idle once the node answers, so its first requests are not held up; the
   * host holds it until the first of them is answered, and a host may hold
   * it longer (until a person agrees to join the network, say).
   */
  backgroundStartsWhen?: () => Promise<void>
}

/** Helia with libp2p; the network services exist only when the node is online. */
export type NodeHelia = HeliaWithLibp2p<Partial<NetworkServices>>

/** A started node: Helia with libp2p, and the raw stores beneath it. */
export interface McpNode {
  helia: NodeHelia
  stores: NodeStores
  /** A metadata record for every CID the node touches; its memory tier sits in front of the blockstore. */
  cache: CidCache
  /** The blockstore Helia reads through, with no network behind it: the memory tier over the persistent store. */
  blockstore: TieredBlockstore
  /** Storage-service credentials, encrypted at rest. */
  credentials: Credentials
  /** Held shared by every change to the repository, exclusively by garbage collection. */
  repoLock: RepoLock
  /** Unix ms when the node began to answer. */
  startedAt: number
  /** This node's peer id, known before its network starts. */
  peerId: PeerId
  /** Whether the node was started with a network (relays, transports) or offline. */
  networked: boolean
  /** The start of libp2p and what runs on it, which goes on after the node answers: `helia.libp2p` is there once it has. */
  network: NetworkStart
  /** True while the node is networked, its network started, and connected to at least one peer that could send blocks. */
  readonly online: boolean
  /** The mutable file system, its journal already recovered. */
  mfs: Mfs
  /** IPNS: records kept in the datastore, and put to the DHT when online. */
  names: IPNS
  /** Tells other nodes of this app about this one, and lists those it hears (networked nodes, once their network has started). */
  readonly announcer?: NodeAnnouncer
  /** Content streamed to and from peers over WebRTC (networked nodes, once their network has started). */
  readonly sessions?: ContentSessions
  /** Bytes exchanged with peers over libp2p streams; an offline node's stay at zero, as it exchanges none. */
  bandwidth: Bandwidth
  /**
   * Bytes [offset, offset + length) of a file straight from the store, the
   * page's thread never touching them: a Blob of its blocks' Blobs (OPFS's
   * files, the Blobs IndexedDB keeps large blocks as), which the browser
   * reads itself, or, for a file of many blocks kept as bytes, a port on
   * which the blockstore's worker streams them. Undefined when that cannot
   * be (a store in this thread, leaves that are not raw, a block not held).
   */
  serveFileFromStore(cid: CID, offset: number, length: number, options?: AbortOptions): Promise<MessagePort | Blob | undefined>
  /** Stops libp2p and Helia, then closes the stores. */
  stop(): Promise<void>
}

/** What this node offers, as announced to the other nodes of this app. */
const CAPABILITIES = ['ipfs', 'mfs', 'fs_journal', 'ipns', 'dht', 'webrtc', 'bitswap']

const OFFLINE: Libp2pOptions<Partial<NetworkServices>> = { addresses: { listen: [] }, transports: [], connectionEncrypters: [], streamMuxers: [] }

/**
 * Starts Helia with only what this project configures: no public bootstrap
 * peers, delegated routers or gateways (createHelia() would dial them), so the
 * node never reaches past what the app is configured with.
 *
 * Resolves once the node answers from its stores: blocks, pins, MFS, IPNS
 * records and keys. libp2p and what runs on it (bitswap, the announcer,
 * WebRTC sessions) go on starting behind it, in Helia's own start, and
 * `node.network` says when they have; starting libp2p took longer than
 * everything else in a tab's start put together.
 */
export async function createNode (init: CreateNodeInit): Promise<McpNode> {
  const { blockstore, datastore } = init.stores
  const networked = init.network != null
  const local = createCidCache(init.stores, init.cache)
  const bandwidth = new Bandwidth()
  const light = createHeliaLight({
    blockstore: local.blockstore,
    datastore,
    codecs: [dagCbor, dagJson, json],
    hashers: [sha512]
  })
  // IPNS is made before libp2p exists (its constructor reads every part of Helia, libp2p
  // included, and libp2p is only there once started); it resolves from the datastore at
  // once, and starts republishing when Helia's start (network included) is done
  const names = ipns(light)
  // the peer id is known before libp2p starts: the key @helia/libp2p would load (the keychain's "self"),
  // read while the stores and MFS start
  const selfKey = loadOrCreateSelfKey(datastore)
  selfKey.catch(() => {})
  const localReady = Promise.withResolvers<void>()
  const networkMayStart = Promise.withResolvers<void>()
  // Helia starts its stores, then runs its mixins in order: the first says the stores are up,
  // and holds the rest (libp2p) until the node answers and the page's thread is free
  light.addMixin({
    name: 'mcp-local-ready',
    start: async () => {
      localReady.resolve()
      await networkMayStart.promise
    }
  })
  // offline, the node has no services at all; online it has every one of NetworkServices
  // (bitswap then fetches blocks that are not local from connected peers); either way a
  // fresh options object: @helia/libp2p writes the node's datastore into the one it is given.
  // Online, the options are filled in by the mixin before libp2p's, once the relay list is in.
  const libp2pOptions: Libp2pOptions<Partial<NetworkServices>> = init.network != null ? {} : { ...OFFLINE }
  light.addMixin({ name: 'mcp-self-key', start: async () => { libp2pOptions.privateKey = await selfKey } })
  if (init.network != null) {
    const config = init.network
    light.addMixin({
      name: 'mcp-network-config',
      start: async () => {
        const network = await config
        Object.assign(libp2pOptions, networkOptions(network, { bandwidth }))
        await forgetPeersIfRelaysChanged(datastore, network)
      }
    })
  }
  const helia: NodeHelia = init.network != null
    ? withDelayedSearchBitswap(withLibp2pLight(light, libp2pOptions)) as unknown as NodeHelia
    : withLibp2pLight(light, libp2pOptions)
  readLocalFirst(helia.blockstore, local.blockstore)
  const starting = helia.start()
  await Promise.race([localReady.promise, starting])
  const repoLock = new RepoLock()
  let announcer: NodeAnnouncer | undefined
  let sessions: ContentSessions | undefined
  const network = new NetworkStart(starting.then(async () => {
    const pubsub = helia.libp2p.services.pubsub
    announcer = pubsub != null
      ? new NodeAnnouncer(pubsub, { peer_id: helia.libp2p.peerId.toString(), role: 'browser-node', version: VERSIONS.app, capabilities: CAPABILITIES })
      : undefined
    announcer?.start()
    if (networked) {
      sessions = new ContentSessions(helia, { repoLock, onReceived: (cid, size) => { local.cache.noteAdded(cid, { size, source: 'webrtc' }) } })
      await sessions.start()
    }
  }))
  let mfs: Mfs
  let privateKey: PrivateKey
  try {
    mfs = await Mfs.open({ helia, journal: new FsJournal(init.stores.journal), local: local.blockstore })
    privateKey = await selfKey
  } catch (err) {
    // a node that cannot answer does not start its network either
    networkMayStart.reject(err)
    await starting.catch(() => {})
    await helia.stop().catch(() => {})
    throw err
  }
  const startedAt = Date.now()
  // the node answers before the cache has read its files (changes queue until it has, and
  // what needs its records waits for them): reading them, with the Parquet codec's wasm, is
  // work for the background, as the network's start is
  let stopped = false
  void (init.backgroundStartsWhen ?? whenIdle)().then(() => {
    if (stopped) return
    networkMayStart.resolve()
    local.cache.start()
  }, (err: unknown) => { networkMayStart.reject(err) })
  return {
    helia,
    peerId: peerIdFromPrivateKey(privateKey),
    stores: init.stores,
    cache: local.cache,
    blockstore: local.blockstore,
    repoLock,
    credentials: new Credentials(init.stores.credentials, init.credentialOptions),
    startedAt,
    networked,
    network,
    get online () {
      return networked && network.status === 'started' && helia.libp2p.getConnections().length > 0
    },
    mfs,
    names,
    get announcer () { return announcer },
    get sessions () { return sessions },
    bandwidth,
    async serveFileFromStore (cid, offset, length, options) {
      if (blockstore.serveFile == null) return undefined
      const plan = await planFileRead(helia.blockstore, cid, offset, length, options)
      return plan == null ? undefined : blockstore.serveFile(plan)
    },
    async stop (): Promise<void> {
      stopped = true
      // a network not yet let start never will; one still starting would go on after the stores close
      networkMayStart.reject(new Error('the node stopped before its network started'))
      await network.settled()
      announcer?.stop()
      await sessions?.stop()
      await local.cache.stop()
      await helia.stop()
      await blockstore.close()
      await datastore.close?.()
      await init.stores.journal.close()
      await init.stores.credentials.close()
    }
  }
}

/** Stores that live only in memory: unit tests and throwaway nodes. */
export function memoryStores (): NodeStores {
  return { blockstore: new MemoryRepoBlockstore(), datastore: new MemoryDatastore(), journal: new MemoryJournalStore(), cacheFiles: new MemoryCacheFiles(), credentials: new MemoryCredentialStore() }
}
