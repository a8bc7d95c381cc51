import { withLibp2pLight } from '@helia/libp2p'
import * as dagCbor from '@ipld/dag-cbor'
import * as dagJson from '@ipld/dag-json'
import { MemoryDatastore } from 'datastore-core'
import { createHeliaLight } from 'helia'
import * as json from 'multiformats/codecs/json'
import { sha512 } from 'multiformats/hashes/sha2'
import { FsJournal } from './journal/fs-journal.ts'
import { MemoryJournalStore } from './journal/memory-journal-store.ts'
import { Mfs } from './models/mfs/mfs.ts'
import { MemoryRepoBlockstore } from './stores/memory-repo-blockstore.ts'
import type { JournalStore } from './journal/types.ts'
import type { RepoBlockstore } from './stores/repo-blockstore.ts'
import type { HeliaWithLibp2p } from '@helia/libp2p'
import type { ServiceMap } from '@libp2p/interface'
import type { Datastore } from 'interface-datastore'
import type { Libp2pOptions } from 'libp2p'

export interface NodeStores {
  blockstore: RepoBlockstore
  datastore: Datastore & { close?(): Promise<void> }
  /** The MFS journal and root. */
  journal: JournalStore
}

export interface CreateNodeInit {
  stores: NodeStores
  /** libp2p options merged over the offline defaults (no transports, no listeners). */
  libp2p?: Partial<Libp2pOptions>
}

/** A started node: Helia with libp2p, and the raw stores beneath it. */
export interface McpNode {
  helia: HeliaWithLibp2p<ServiceMap>
  stores: NodeStores
  /** Unix ms when the node finished starting. */
  startedAt: number
  /** True when some block broker can fetch blocks that are not local. */
  online: boolean
  /** The mutable file system, its journal already recovered. */
  mfs: Mfs
  /** Stops libp2p and Helia, then closes the stores. */
  stop(): Promise<void>
}

/**
 * Starts Helia with only what this project configures: no public bootstrap
 * peers, delegated routers or gateways (createHelia() would dial them), so the
 * node never reaches past what the app is configured with.
 */
export async function createNode (init: CreateNodeInit): Promise<McpNode> {
  const { blockstore, datastore } = init.stores
  const helia = withLibp2pLight(createHeliaLight({
    blockstore,
    datastore,
    codecs: [dagCbor, dagJson, json],
    hashers: [sha512]
  }), {
    addresses: { listen: [] },
    transports: [],
    connectionEncrypters: [],
    streamMuxers: [],
    ...init.libp2p
  })
  await helia.start()
  const mfs = await Mfs.open({ helia, journal: new FsJournal(init.stores.journal) })
  const startedAt = Date.now()
  return {
    helia,
    stores: init.stores,
    startedAt,
    online: false,
    mfs,
    async stop (): Promise<void> {
      await helia.stop()
      await blockstore.close()
      await datastore.close?.()
      await init.stores.journal.close()
    }
  }
}

/** Stores that live only in memory: unit tests and throwaway nodes. */
export function memoryStores (): NodeStores {
  return { blockstore: new MemoryRepoBlockstore(), datastore: new MemoryDatastore(), journal: new MemoryJournalStore() }
}
