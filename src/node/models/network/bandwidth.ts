/**
 * Bytes exchanged with peers, counted the way Kubo's `stats/bw` counts them
 * (go-libp2p's BandwidthCounter, fed by the swarm's streams): the payload of
 * protocol streams, as totals since the node started and as rates over a
 * short window, for the node as a whole, per protocol and per peer. The
 * node's libp2p metrics component (bandwidth-metrics.ts) feeds it.
 */

export type BandwidthDirection = 'in' | 'out'

export interface BandwidthStats {
  /** Bytes received since the node started. */
  totalIn: number
  /** Bytes sent since the node started. */
  totalOut: number
  /** Bytes received per second, over the last window. */
  rateIn: number
  /** Bytes sent per second, over the last window. */
  rateOut: number
}

/** Narrows the figures to one peer or one protocol, as Kubo's `--peer` and `--proto` do. */
export interface BandwidthFilter {
  /** A peer id, as a string. */
  peer?: string
  /** A protocol id, e.g. `/ipfs/bitswap/1.2.0`. */
  protocol?: string
}

export interface BandwidthInit {
  /** Seconds the rates are averaged over. */
  windowSeconds?: number
  /** Peers counted apart; beyond this the one first seen longest ago is forgotten (the node's totals keep its bytes). */
  maxPeers?: number
  /** The clock, in Unix ms (tests move it by hand). */
  now?(): number
}

const DEFAULT_WINDOW_SECONDS = 5
const DEFAULT_MAX_PEERS = 1024
/** A rate is never taken over less than this, so the first bytes of a new flow do not read as a burst. */
const MIN_RATE_SPAN_MS = 1000

/**
 * One direction of traffic: a running total and one bucket per second of the
 * window. Buckets are cleared as the clock passes them, when bytes arrive or a
 * rate is read, so no timer runs and an idle node costs nothing.
 */
class Flow {
  total = 0
  private readonly buckets: number[]
  private readonly since: number
  /** The second (Unix seconds) the newest bucket belongs to. */
  private second: number

  constructor (windowSeconds: number, now: number) {
    this.buckets = new Array<number>(windowSeconds).fill(0)
    this.since = now
    this.second = Math.floor(now / 1000)
  }

  add (bytes: number, now: number): void {
    this.advance(now)
    this.total += bytes
    this.buckets[this.second % this.buckets.length] += bytes
  }

  rate (now: number): number {
    this.advance(now)
    const bytes = this.buckets.reduce((n, b) => n + b, 0)
    const windowStart = (this.second - this.buckets.length + 1) * 1000
    // a flow younger than the window is averaged over its own life, not over seconds before it began
    const span = Math.max(now - Math.max(windowStart, this.since), MIN_RATE_SPAN_MS)
    return bytes * 1000 / span
  }

  private advance (now: number): void {
    const second = Math.floor(now / 1000)
    if (second <= this.second) return
    const passed = Math.min(second - this.second, this.buckets.length)
    for (let i = 1; i <= passed; i++) this.buckets[(this.second + i) % this.buckets.length] = 0
    this.second = second
  }
}

class Meter {
  readonly in: Flow
  readonly out: Flow

  constructor (windowSeconds: number, now: number) {
    this.in = new Flow(windowSeconds, now)
    this.out = new Flow(windowSeconds, now)
  }

  stats (now: number): BandwidthStats {
    return { totalIn: this.in.total, totalOut: this.out.total, rateIn: this.in.rate(now), rateOut: this.out.rate(now) }
  }
}

const NOTHING: BandwidthStats = { totalIn: 0, totalOut: 0, rateIn: 0, rateOut: 0 }

/** The node's libp2p traffic: totals and recent rates, overall, per protocol and per peer. */
export class Bandwidth {
  private readonly windowSeconds: number
  private readonly maxPeers: number
  private readonly now: () => number
  private readonly all: Meter
  private readonly protocols = new Map<string, Meter>()
  private readonly peers = new Map<string, Meter>()

  constructor (init: BandwidthInit = {}) {
    this.windowSeconds = Math.max(1, Math.round(init.windowSeconds ?? DEFAULT_WINDOW_SECONDS))
    this.maxPeers = init.maxPeers ?? DEFAULT_MAX_PEERS
    this.now = init.now ?? Date.now
    this.all = new Meter(this.windowSeconds, this.now())
  }

  /** Counts bytes of a protocol stream; `peer` is left out when the stream's connection could not be found. */
  record (direction: BandwidthDirection, bytes: number, protocol: string, peer?: string): void {
    if (bytes <= 0) return
    const now = this.now()
    this.all[direction].add(bytes, now)
    this.meter(this.protocols, protocol, now)[direction].add(bytes, now)
    if (peer != null) {
      if (!this.peers.has(peer) && this.peers.size >= this.maxPeers) {
        const oldest = this.peers.keys().next().value
        if (oldest != null) this.peers.delete(oldest)
      }
      this.meter(this.peers, peer, now)[direction].add(bytes, now)
    }
  }

  /** The node's figures, or one peer's or one protocol's; a peer or protocol never seen has exchanged nothing. */
  stats (filter: BandwidthFilter = {}): BandwidthStats {
    const now = this.now()
    if (filter.peer != null) return this.peers.get(filter.peer)?.stats(now) ?? { ...NOTHING }
    if (filter.protocol != null) return this.protocols.get(filter.protocol)?.stats(now) ?? { ...NOTHING }
    return this.all.stats(now)
  }

  private meter (meters: Map<string, Meter>, key: string, now: number): Meter {
    let meter = meters.get(key)
    if (meter == null) {
      meter = new Meter(this.windowSeconds, now)
      meters.set(key, meter)
    }
    return meter
  }
}
