import { createLogger } from '../../../logger.ts'
import type { GossipSub, Message } from '@libp2p/gossipsub'

const log = createLogger('mcp:announce')

/** The pubsub topic on which nodes of this app say who they are. */
export const ANNOUNCE_TOPIC = 'mcp-browser-node/nodes/v1'
const ANNOUNCE_EVERY_MS = 20_000
/** Nodes not heard from for this long drop out of the list. */
const FORGET_AFTER_MS = 120_000

export interface NodeAnnouncement {
  peer_id: string
  role: string
  version: string
  capabilities: string[]
}

export interface KnownNode extends NodeAnnouncement {
  /** Unix ms of the last announcement heard. */
  last_seen: number
}

/**
 * Announces this node on a pubsub topic and keeps the announcements of the
 * other nodes that run this app (and so speak this API) as they arrive.
 */
export class NodeAnnouncer {
  private readonly pubsub: GossipSub
  private readonly self: NodeAnnouncement
  private readonly known = new Map<string, KnownNode>()
  private timer?: ReturnType<typeof setInterval>

  constructor (pubsub: GossipSub, self: NodeAnnouncement) {
    this.pubsub = pubsub
    this.self = self
  }

  start (): void {
    this.pubsub.subscribe(ANNOUNCE_TOPIC)
    this.pubsub.addEventListener('message', this.onMessage)
    // a peer that has just subscribed hears from us at once, not at the next tick
    this.pubsub.addEventListener('subscription-change', this.onSubscriptionChange)
    this.timer = setInterval(() => { void this.announce() }, ANNOUNCE_EVERY_MS)
  }

  stop (): void {
    clearInterval(this.timer)
    this.pubsub.removeEventListener('message', this.onMessage)
    this.pubsub.removeEventListener('subscription-change', this.onSubscriptionChange)
  }

  /** Nodes heard from recently, newest first. */
  list (): KnownNode[] {
    const cutoff = Date.now() - FORGET_AFTER_MS
    return [...this.known.values()].filter(n => n.last_seen >= cutoff).sort((a, b) => b.last_seen - a.last_seen)
  }

  async announce (): Promise<void> {
    try {
      await this.pubsub.publish(ANNOUNCE_TOPIC, new TextEncoder().encode(JSON.stringify(this.self)))
    } catch (err) {
      log.debug(`announcement not sent: ${(err as Error).message}`)
    }
  }

  private readonly onMessage = (event: CustomEvent<Message>): void => {
    const message = event.detail
    if (message.topic !== ANNOUNCE_TOPIC) return
    try {
      const body = JSON.parse(new TextDecoder().decode(message.data)) as Partial<NodeAnnouncement>
      const from = message.type === 'signed' ? message.from.toString() : undefined
      // a signed message names its sender; an announcement for another peer id is ignored
      if (from == null || body.peer_id !== from || typeof body.role !== 'string') return
      this.known.set(from, {
        peer_id: from,
        role: body.role,
        version: String(body.version ?? ''),
        capabilities: Array.isArray(body.capabilities) ? body.capabilities.map(String) : [],
        last_seen: Date.now()
      })
    } catch {
      log.debug('ignored a malformed announcement')
    }
  }

  private readonly onSubscriptionChange = (): void => {
    void this.announce()
  }
}
