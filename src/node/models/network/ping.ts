import { DeadlineExceededError, NetworkUnavailableError, PeerUnreachableError } from '../../errors.ts'
import type { NodeHelia } from '../../create-node.ts'
import type { PeerId } from '@libp2p/interface'
import type { AbortOptions } from 'abort-error'
import type { Multiaddr } from '@multiformats/multiaddr'

/** Round-trip times (ms) of `count` libp2p pings. */
export async function pingPeer (helia: NodeHelia, target: PeerId | Multiaddr, count: number, options: AbortOptions = {}): Promise<number[]> {
  const ping = helia.libp2p.services.ping
  if (ping == null) throw new NetworkUnavailableError('this node runs without the network, so it cannot ping')
  const rtts: number[] = []
  for (let i = 0; i < count; i++) {
    try {
      rtts.push(await ping.ping(target, options))
    } catch (err) {
      if (options.signal?.aborted === true) throw new DeadlineExceededError(`ping ${target.toString()} did not answer within the deadline`)
      throw new PeerUnreachableError(`ping ${target.toString()} failed: ${(err as Error).message}`)
    }
  }
  return rtts
}
