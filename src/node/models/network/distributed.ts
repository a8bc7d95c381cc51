import { describeConnection, relayReservations, requireConnections } from './peers.ts'
import { webrtcAddresses } from './webrtc.ts'
import { NetworkUnavailableError } from '../../errors.ts'
import type { ConnectionInfo, ConnectionType } from './peers.ts'
import type { NodeHelia } from '../../create-node.ts'
import type { KadDHT, SingleKadDHT } from '@libp2p/kad-dht'

export interface PeerDescription {
  peer_id: string
  connections: ConnectionInfo[]
  /** The best link to the peer: webrtc over relayed over anything else. */
  connection_type: ConnectionType
  addresses: string[]
  protocols: string[]
  /** Last measured round trip (ms), when libp2p has one. */
  latency_ms: number | null
}

const PREFERENCE: ConnectionType[] = ['webrtc', 'websockets', 'relayed', 'other']

/** Every connected peer with its links, known addresses, protocols and latency. */
export async function describePeers (helia: NodeHelia): Promise<PeerDescription[]> {
  const byPeer = new Map<string, ReturnType<NodeHelia['libp2p']['getConnections']>>()
  for (const connection of helia.libp2p.getConnections()) {
    const key = connection.remotePeer.toString()
    byPeer.set(key, [...(byPeer.get(key) ?? []), connection])
  }
  return Promise.all([...byPeer].map(async ([peerId, connections]) => {
    const stored = await helia.libp2p.peerStore.get(connections[0].remotePeer).catch(() => undefined)
    const described = connections.map(describeConnection)
    const rtts = connections.map(c => c.rtt).filter((r): r is number => r != null)
    return {
      peer_id: peerId,
      connections: described,
      connection_type: PREFERENCE.find(t => described.some(d => d.type === t)) ?? 'other',
      addresses: stored?.addresses.map(a => a.multiaddr.toString()) ?? described.map(d => d.address),
      protocols: stored?.protocols ?? [],
      latency_ms: rtts.length > 0 ? Math.min(...rtts) : null
    }
  }))
}

export interface NetworkStatus {
  peer_id: string
  connections: Record<ConnectionType, number>
  relay_reservations: string[]
  webrtc_addresses: string[]
  dht_routing_table_size: number | null
}

/** This node's place in the network: connection counts by type, relay reservations, DHT table size. */
export function networkStatus (helia: NodeHelia): NetworkStatus {
  const counts: Record<ConnectionType, number> = { webrtc: 0, relayed: 0, websockets: 0, other: 0 }
  for (const c of helia.libp2p.getConnections()) counts[describeConnection(c).type]++
  return {
    peer_id: helia.libp2p.peerId.toString(),
    connections: counts,
    relay_reservations: relayReservations(helia),
    webrtc_addresses: webrtcAddresses(helia),
    dht_routing_table_size: hasRoutingTable(helia.libp2p.services.dht) ? helia.libp2p.services.dht.routingTable.size : null
  }
}

function hasRoutingTable (dht: KadDHT | undefined): dht is SingleKadDHT {
  return dht != null && 'routingTable' in dht
}

/** A random walk of the DHT: the peers closest to a random key, each marked if already connected. */
export async function discoverPeers (helia: NodeHelia, maxPeers: number, signal: AbortSignal): Promise<Array<{ peer_id: string, already_connected: boolean }>> {
  requireConnections(helia, 'discover peers')
  const dht = helia.libp2p.services.dht
  if (dht == null) throw new NetworkUnavailableError('this node runs without the DHT')
  const known = new Set(helia.libp2p.getPeers().map(String))
  const found = new Set<string>()
  try {
    for await (const event of dht.getClosestPeers(crypto.getRandomValues(new Uint8Array(32)), { signal })) {
      if (event.name === 'FINAL_PEER' || event.name === 'PEER_RESPONSE') {
        const peers = event.name === 'FINAL_PEER' ? [event.peer] : event.closer
        for (const p of peers) {
          const id = p.id.toString()
          if (id !== helia.libp2p.peerId.toString()) found.add(id)
        }
      }
      if (found.size >= maxPeers) break
    }
  } catch (err) {
    if (!signal.aborted) throw err
  }
  return [...found].slice(0, maxPeers).map(id => ({ peer_id: id, already_connected: known.has(id) }))
}
