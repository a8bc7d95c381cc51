import { peerIdFromCID } from '@libp2p/peer-id'
import { createLogger } from '../../../logger.ts'
import { DeadlineExceededError, NameNotFoundError, NetworkUnavailableError } from '../../errors.ts'
import type { NodeHelia } from '../../create-node.ts'
import type { PeerId } from '@libp2p/interface'
import type { AbortOptions } from 'abort-error'
import type { CID } from 'multiformats/cid'

const log = createLogger('mcp:dht')

export interface PeerAddresses {
  id: string
  addresses: string[]
}

function requireNetwork (helia: NodeHelia): void {
  if (helia.libp2p.getConnections().length === 0) {
    throw new NetworkUnavailableError('the node has no connections: it cannot ask the DHT (is the relay reachable?)')
  }
}

/** The addresses of a peer, from the peer store or a DHT query. */
export async function findPeer (helia: NodeHelia, peerId: PeerId, options: AbortOptions = {}): Promise<PeerAddresses> {
  requireNetwork(helia)
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
  requireNetwork(helia)
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
  requireNetwork(helia)
  await helia.routing.provide(cid, options)
}

/** Provides in the background, for replies that must not wait on the DHT. */
export function provideInBackground (helia: NodeHelia, cid: CID): void {
  if (helia.libp2p.getConnections().length === 0) return
  provide(helia, cid).catch((err: unknown) => { log.debug(`providing ${cid.toString()} failed: ${(err as Error).message}`) })
}
