import { peerIdFromCID } from '@libp2p/peer-id'
import { createLogger } from '../../../logger.ts'
import { DeadlineExceededError, NameNotFoundError } from '../../errors.ts'
import { requireConnections } from './peers.ts'
import type { McpNode, NodeHelia } from '../../create-node.ts'
import type { PeerId } from '@libp2p/interface'
import type { AbortOptions } from 'abort-error'
import type { CID } from 'multiformats/cid'

const log = createLogger('mcp:dht')

export interface PeerAddresses {
  id: string
  addresses: string[]
}

/** The addresses of a peer, from the peer store or a DHT query. */
export async function findPeer (helia: NodeHelia, peerId: PeerId, options: AbortOptions = {}): Promise<PeerAddresses> {
  requireConnections(helia, 'ask the DHT')
  try {
    const info = await helia.libp2p.peerRouting.findPeer(peerId, options)
    return { id: info.id.toString(), addresses: info.multiaddrs.map(String) }
  } catch (err) {
    if (options.signal?.aborted === true) throw new DeadlineExceededError(`no addresses for ${peerId.toString()} within the deadline`)
    throw new NameNotFoundError(`no addresses found for ${peerId.toString()}: ${(err as Error).message}`)
  }
}

/** Up to `limit` providers of a CID; those found before the deadline when it passes. */
export async function findProviders (helia: NodeHelia, cid: CID, limit: number, options: AbortOptions = {}): Promise<PeerAddresses[]> {
  requireConnections(helia, 'ask the DHT')
  const found: PeerAddresses[] = []
  try {
    for await (const provider of helia.routing.findProviders(cid, options)) {
      // helia names providers by CID; peers are known by their base58 id everywhere else
      const id = peerIdFromCID(provider.id).toString()
      if (found.some(p => p.id === id)) continue
      found.push({ id, addresses: provider.multiaddrs.map(String) })
      if (found.length >= limit) break
    }
  } catch (err) {
    if (options.signal?.aborted !== true && found.length === 0) log.debug(`findProviders ${cid.toString()} ended: ${(err as Error).message}`)
  }
  return found
}

/** Tells the DHT this node provides a CID. */
export async function provide (helia: NodeHelia, cid: CID, options: AbortOptions = {}): Promise<void> {
  requireConnections(helia, 'ask the DHT')
  await helia.routing.provide(cid, options)
}

/** Provides in the background, for replies that must not wait on the DHT. */
export function provideInBackground (node: Pick<McpNode, 'helia' | 'online'>, cid: CID): void {
  // a node that is offline (or whose network is still starting) has nobody to tell: skip quietly rather than fail in the background
  if (!node.online) return
  provide(node.helia, cid).catch((err: unknown) => { log.debug(`providing ${cid.toString()} failed: ${(err as Error).message}`) })
}
