import { withBitswap } from '@helia/bitswap'
import { ipns } from '@helia/ipns'
import { withLibp2pLight } from '@helia/libp2p'
import { isStartable } from '@libp2p/interface'
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
import { forgetPeersIfRelaysChanged, networkOptions } from './network.ts'
import { RepoLock } from './repo-lock.ts'
import { MemoryRepoBlockstore } from './stores/memory-repo-blockstore.ts'
import type { CacheFiles } from './cache/cache-files.ts'
import type { CidCache } from './cache/cid-cache.ts'
import type { CacheConfig } from './cache/config.ts'
import type { CredentialStore } from './credentials/credential-store.ts'
import type { TieredBlockstore } from './cache/tiered-blockstore.ts'
import type { JournalStore } from './journal/types.ts'
import type { NetworkConfig, NetworkServices } from './network.ts'
import type { RepoBlockstore } from './stores/repo-blockstore.ts'
import type { IPNS } from '@helia/ipns'
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
  /** Join the network through these relays; without it the node is offline (no transports). */
  network?: NetworkConfig
  /** The CID cache's tunables (partitioning, flush timing, memory tier size, heat thresholds). */
  cache?: Partial<CacheConfig>
  /** PBKDF2 iterations for a credentials passphrase (tests lower it). */
  credentialOptions?: { iterations?: number }
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
  /** Unix ms when the node finished starting. */
  startedAt: number
  /** True while the node is networked and connected to at least one peer that could send blocks. */
  readonly online: boolean
  /** The mutable file system, its journal already recovered. */
  mfs: Mfs
  /** IPNS: records kept in the datastore, and put to the DHT when online. */
  names: IPNS
  /** Tells other nodes of this app about this one, and lists those it hears (networked nodes only). */
  announcer?: NodeAnnouncer
  /** Content streamed to and from peers over WebRTC (networked nodes only). */
  sessions?: ContentSessions
  /** Bytes exchanged with peers over libp2p streams; an offline node's stay at zero, as it exchanges none. */
  bandwidth: Bandwidth
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
 */
export async function createNode (init: CreateNodeInit): Promise<McpNode> {
  const { blockstore, datastore } = init.stores
  const networked = init.network != null
  if (init.network != null) await forgetPeersIfRelaysChanged(datastore, init.network)
  const local = createCidCache(init.stores, init.cache)
  const bandwidth = new Bandwidth()
  const light = createHeliaLight({
    blockstore: local.blockstore,
    datastore,
    codecs: [dagCbor, dagJson, json],
    hashers: [sha512]
  })
  // offline, the node has no services at all; online it has every one of NetworkServices
  // (bitswap then fetches blocks that are not local from connected peers)
  const helia: NodeHelia = init.network != null
    ? withBitswap(withLibp2pLight(light, networkOptions(init.network, { bandwidth }))) as unknown as NodeHelia
    // a copy: @helia/libp2p writes the node's private key and datastore into the options it is given,
    // so a shared object would give a second node the first one's identity, and no "self" key in its keychain
    : withLibp2pLight(light, { ...OFFLINE })
  await helia.start()
  // ipns() reads helia.libp2p, which exists only once started; so it missed the
  // start event that runs its republisher, and is started here instead
  const names = ipns(helia)
  if (isStartable(names)) await names.start()
  const pubsub = helia.libp2p.services.pubsub
  const announcer = pubsub != null
    ? new NodeAnnouncer(pubsub, { peer_id: helia.libp2p.peerId.toString(), role: 'browser-node', version: VERSIONS.app, capabilities: CAPABILITIES })
    : undefined
  announcer?.start()
  const repoLock = new RepoLock()
  const sessions = networked
    ? new ContentSessions(helia, { repoLock, onReceived: (cid, size) => { local.cache.noteAdded(cid, { size, source: 'webrtc' }) } })
    : undefined
  await sessions?.start()
  const mfs = await Mfs.open({ helia, journal: new FsJournal(init.stores.journal) })
  // the node answers before the cache has read its files: changes queue until it has
  local.cache.start()
  const startedAt = Date.now()
  return {
    helia,
    stores: init.stores,
    cache: local.cache,
    blockstore: local.blockstore,
    repoLock,
    credentials: new Credentials(init.stores.credentials, init.credentialOptions),
    startedAt,
    get online () {
      return networked && helia.libp2p.getConnections().length > 0
    },
    mfs,
    names,
    announcer,
    sessions,
    bandwidth,
    async stop (): Promise<void> {
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
