import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { DeadlineExceededError, InvalidParametersError, NetworkUnavailableError, PeerUnreachableError } from '../../errors.ts'
import type { NodeHelia } from '../../create-node.ts'
import type { Connection, PeerId } from '@libp2p/interface'
import type { AbortOptions } from 'abort-error'
import type { Multiaddr } from '@multiformats/multiaddr'

export type ConnectionType = 'webrtc' | 'relayed' | 'websockets' | 'other'

export interface ConnectionInfo {
  peer: string
  address: string
  type: ConnectionType
  direction: 'inbound' | 'outbound'
  /** Unix ms when the connection opened. */
  opened: number
  streams: number
  /** The protocol negotiated on each open stream. */
  stream_protocols: string[]
  limited: boolean
}

/** What kind of link a remote address describes: a direct WebRTC channel, a hop through a relay, or a socket. */
export function connectionType (address: Multiaddr | string): ConnectionType {
  const text = address.toString()
  const afterCircuit = text.split('/p2p-circuit').at(-1) ?? ''
  if (afterCircuit.includes('/webrtc') || (!text.includes('/p2p-circuit') && text.includes('/webrtc'))) return 'webrtc'
  if (text.includes('/p2p-circuit')) return 'relayed'
  if (/\/wss?(\/|$)/.test(text)) return 'websockets'
  return 'other'
}

export function describeConnection (c: Connection): ConnectionInfo {
  return {
    peer: c.remotePeer.toString(),
    address: c.remoteAddr.toString(),
    type: connectionType(c.remoteAddr),
    direction: c.direction,
    opened: c.timeline.open,
    streams: c.streams.length,
    stream_protocols: c.streams.map(s => s.protocol),
    limited: c.limits != null
  }
}

export function listConnections (helia: NodeHelia): ConnectionInfo[] {
  return helia.libp2p.getConnections().map(describeConnection)
}

/** Fails with a 503-class error when the node has no connection at all, naming what needed one. */
export function requireConnections (helia: NodeHelia, need: string): void {
  if (helia.libp2p.getConnections().length === 0) {
    throw new NetworkUnavailableError(`the node has no connections, so it cannot ${need} (is the relay reachable?)`)
  }
}

/** The relays this node holds a reservation on: its `/p2p-circuit` addresses, up to the circuit. */
export function relayReservations (helia: NodeHelia): string[] {
  return [...new Set(helia.libp2p.getMultiaddrs().map(String).filter(a => a.includes('/p2p-circuit')).map(a => a.split('/p2p-circuit')[0]))]
}

export function parseMultiaddr (text: string): Multiaddr {
  try {
    return multiaddr(text)
  } catch (err) {
    throw new InvalidParametersError(`"${text}" is not a valid multiaddr: ${(err as Error).message}`)
  }
}

export function parsePeerId (text: string): PeerId {
  try {
    return peerIdFromString(text)
  } catch (err) {
    throw new InvalidParametersError(`"${text}" is not a valid peer id: ${(err as Error).message}`)
  }
}

/** A multiaddr, or a bare peer id (dialled through addresses the node already knows). */
export function parseDialTarget (text: string): Multiaddr | PeerId {
  return text.startsWith('/') ? parseMultiaddr(text) : parsePeerId(text)
}

/**
 * Dial attempts before giving up: WebRTC signalling through a relay now and
 * then stalls until libp2p's dial timeout, and the next attempt succeeds; two
 * stalls in a row were seen too (1 in about 15 full test runs), so three.
 */
const DIAL_ATTEMPTS = 3

/** Dials and returns the connection actually opened (its real remote address and type). */
export async function connectPeer (helia: NodeHelia, target: Multiaddr | PeerId, options: AbortOptions = {}): Promise<ConnectionInfo> {
  let failure: Error | undefined
  for (let attempt = 0; attempt < DIAL_ATTEMPTS; attempt++) {
    try {
      return describeConnection(await helia.libp2p.dial(target, options))
    } catch (err) {
      if (options.signal?.aborted === true) throw new DeadlineExceededError(`dialling ${target.toString()} did not finish within the deadline`)
      failure = err as Error
    }
  }
  throw new PeerUnreachableError(`could not connect to ${target.toString()}: ${failure?.message ?? 'unknown error'}`)
}

export async function disconnectPeer (helia: NodeHelia, target: Multiaddr | PeerId, options: AbortOptions = {}): Promise<void> {
  await helia.libp2p.hangUp(target, options)
}
