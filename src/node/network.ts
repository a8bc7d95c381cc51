import { bootstrap } from '@libp2p/bootstrap'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { gossipsub } from '@libp2p/gossipsub'
import { identify, identifyPush } from '@libp2p/identify'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { noise } from '@libp2p/noise'
import { ping } from '@libp2p/ping'
import { webRTC } from '@libp2p/webrtc'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import { Key } from 'interface-datastore'
import { ipnsSelector } from 'ipns/selector'
import { ipnsValidator } from 'ipns/validator'
import { bandwidthMetrics } from './models/network/bandwidth-metrics.ts'
import type { Bandwidth } from './models/network/bandwidth.ts'
import type { Identify, IdentifyPush } from '@libp2p/identify'
import type { GossipSub } from '@libp2p/gossipsub'
import type { KadDHT } from '@libp2p/kad-dht'
import type { Ping } from '@libp2p/ping'
import type { DataChannelOptions } from '@libp2p/webrtc'
import type { Datastore } from 'interface-datastore'
import type { Libp2pOptions } from 'libp2p'

/** The libp2p services a networked node runs. */
export interface NetworkServices extends Record<string, unknown> {
  identify: Identify
  identifyPush: IdentifyPush
  ping: Ping
  dht: KadDHT
  pubsub: GossipSub
}

/** Where the node finds the network: relay multiaddrs (each with its /p2p/ id). */
export interface NetworkConfig {
  relays: string[]
  /** False when the list could not be read (the app opened offline): the peers the node learned are kept. */
  relaysKnown?: boolean
}

/** What the node's libp2p reports to, beside its configuration. */
export interface NetworkHooks {
  /** Counts the bytes of every protocol stream (Kubo's `stats/bw`). */
  bandwidth?: Bandwidth
}

/**
 * What a WebRTC stream holds of what arrives before its reader listens.
 * Bitswap's receiver listens on a stream only once it has closed its own
 * side, which waits a round trip, while the sender's blocks already come:
 * a message of four 1 MiB blocks passed libp2p's 4 MiB default, the stream
 * was aborted and its blocks lost, and bitswap never sends a block twice, so
 * a fetch from another browser stalled (2 of 12 fetches of 64 MiB, measured
 * with bitswap's logs on). A data channel has no flow control of its own to
 * hold the sender back, as yamux has; the bytes are the reader's anyway. The
 * stream's options take it, though the transport's type does not list it.
 */
const WEBRTC_STREAMS: DataChannelOptions & { maxReadBufferLength: number } = { maxReadBufferLength: 32 * 1024 * 1024 }

/**
 * libp2p for a browser node: WebSockets to reach the relay, a circuit-relay
 * reservation there, and native WebRTC to other browsers (signalled over the
 * relayed link). The relays are the bootstrap list, so they are dialled at
 * start and redialled when the link drops. The connection gater lets loopback
 * and plain ws through: the relays are configured, not discovered, and on a
 * developer's machine they live on 127.0.0.1.
 */
export function networkOptions (config: NetworkConfig, hooks: NetworkHooks = {}): Libp2pOptions<NetworkServices> {
  return {
    ...(hooks.bandwidth != null ? { metrics: bandwidthMetrics(hooks.bandwidth) } : {}),
    addresses: { listen: ['/p2p-circuit', '/webrtc'] },
    transports: [webSockets(), webRTC({ dataChannel: WEBRTC_STREAMS }), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: { denyDialMultiaddr: () => false },
    // a WebRTC dial is signalled through the relay, which takes longer than a socket
    connectionManager: { addressDialTimeout: 10_000, dialTimeout: 30_000 },
    peerDiscovery: config.relays.length > 0 ? [bootstrap({ list: config.relays })] : [],
    services: {
      identify: identify(),
      identifyPush: identifyPush(),
      // sequential pings (count > 1) can overlap a closing stream; one stream per connection is too tight
      ping: ping({ maxOutboundStreams: 4 }),
      dht: kadDHT({
        clientMode: true,
        peerInfoMapper: passthroughMapper,
        validators: { ipns: ipnsValidator },
        selectors: { ipns: ipnsSelector }
      }),
      // gossipsub, not floodsub: floodsub drops a peer for good when the relayed
      // link that carried the WebRTC signalling closes (seen in one run of six)
      pubsub: gossipsub({ allowPublishToZeroTopicPeers: true })
    }
  }
}

/** Where the relay list the peer store was built with is remembered. */
const RELAYS_KEY = new Key('/local/mcp/relays')
/** libp2p's persistent peer store (see @libp2p/peer-store). */
const PEER_STORE_PREFIX = '/peers/'

/**
 * libp2p redials the relays it held reservations on at the last start (their
 * tags persist in the peer store), so a node told to use other relays would
 * go back to the old ones. When the configured list differs from the one the
 * peer store was built with, the learned peers are forgotten before start.
 */
export async function forgetPeersIfRelaysChanged (datastore: Datastore, config: NetworkConfig): Promise<boolean> {
  if (config.relaysKnown === false) return false
  const wanted = new TextEncoder().encode(JSON.stringify([...config.relays].sort()))
  const previous = await datastore.has(RELAYS_KEY) ? await datastore.get(RELAYS_KEY) : undefined
  if (previous != null && new TextDecoder().decode(previous) === new TextDecoder().decode(wanted)) return false
  for await (const key of datastore.queryKeys({ prefix: PEER_STORE_PREFIX })) {
    await datastore.delete(key)
  }
  await datastore.put(RELAYS_KEY, wanted)
  return previous != null
}
