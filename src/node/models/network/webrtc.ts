import { connectPeer, describeConnection, parseDialTarget, relayReservations } from './peers.ts'
import { NetworkUnavailableError } from '../../errors.ts'
import type { ConnectionInfo } from './peers.ts'
import type { NodeHelia } from '../../create-node.ts'
import type { AbortOptions } from 'abort-error'

export interface WebRTCCapabilities {
  rtc_peer_connection: boolean
  data_channels: boolean
  audio_codecs: string[]
  video_codecs: string[]
}

/** What this JavaScript environment supports (a browser page: everything; Node: nothing). */
export function webrtcCapabilities (): WebRTCCapabilities {
  const hasPeerConnection = typeof globalThis.RTCPeerConnection === 'function'
  const codecs = (kind: 'audio' | 'video'): string[] => {
    const sender = globalThis.RTCRtpSender as typeof RTCRtpSender | undefined
    return [...new Set((sender?.getCapabilities?.(kind)?.codecs ?? []).map(c => c.mimeType))]
  }
  return {
    rtc_peer_connection: hasPeerConnection,
    data_channels: hasPeerConnection && typeof globalThis.RTCDataChannel === 'function',
    audio_codecs: codecs('audio'),
    video_codecs: codecs('video')
  }
}

export function webrtcConnections (helia: NodeHelia): ConnectionInfo[] {
  return helia.libp2p.getConnections().map(describeConnection).filter(c => c.type === 'webrtc')
}

/** This node's WebRTC listen addresses (one per relay reservation). */
export function webrtcAddresses (helia: NodeHelia): string[] {
  return helia.libp2p.getMultiaddrs().map(String).filter(a => a.includes('/webrtc'))
}

/**
 * Dials a peer over WebRTC: a multiaddr as given, or a peer id through each
 * relay this node holds a reservation on (where the other browser is expected
 * to hold one too). The reply is the connection actually opened.
 */
export async function connectWebRTC (helia: NodeHelia, target: string, options: AbortOptions = {}): Promise<ConnectionInfo> {
  const parsed = parseDialTarget(target)
  if (target.startsWith('/')) return connectPeer(helia, parsed, options)
  const relays = relayReservations(helia)
  if (relays.length === 0) {
    throw new NetworkUnavailableError('this node holds no relay reservation, so it cannot signal a WebRTC connection')
  }
  let failure: Error | undefined
  for (const relay of relays) {
    try {
      return await connectPeer(helia, parseDialTarget(`${relay}/p2p-circuit/webrtc/p2p/${target}`), options)
    } catch (err) {
      failure = err as Error
    }
  }
  throw failure!
}
