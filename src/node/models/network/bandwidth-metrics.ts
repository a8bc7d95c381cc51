/**
 * libp2p's `metrics` component, reduced to what `stats/bw` needs: the bytes
 * of every protocol stream, handed to a Bandwidth model.
 *
 * libp2p has no other hook that sees every stream in both directions with its
 * protocol. The published implementations do not fit this node: the latest
 * `@libp2p/simple-metrics` on the npm registry (1.3.16) is built for libp2p
 * 2's source/sink streams, and `@libp2p/prometheus-metrics` 5 needs Node
 * (prom-client, `node:fs`, `process`) and resets its byte counts at every
 * scrape. So this component counts bytes itself, and discards the other
 * metrics libp2p, Helia and their services register (dials, DHT queries,
 * bitswap blocks): the app's own registry (src/api/metrics.ts) holds the
 * figures it exports.
 *
 * Streams, not connections, are counted because that is what Kubo reports and
 * because a WebRTC connection's own MultiaddrConnection carries no bytes:
 * each stream is a data channel of its own. As in go-libp2p, the bytes of a
 * relayed connection's streams are counted again as the relay's hop stream.
 * The few bytes that negotiate a stream's protocol are not counted: libp2p
 * hands the stream over only once that is done.
 */
import { serviceCapabilities } from '@libp2p/interface'
import type { Bandwidth } from './bandwidth.ts'
import type { Connection, Counter, CounterGroup, Histogram, HistogramGroup, Metric, MetricGroup, Metrics, MultiaddrConnection, Stream, Summary, SummaryGroup } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'

/** The libp2p components this one reads: the open connections, to tell whose a stream is. */
export interface BandwidthMetricsComponents {
  connectionManager: { getConnections(): Connection[] }
}

type AnyMetric = Metric & MetricGroup & Counter & CounterGroup & Histogram & HistogramGroup & Summary & SummaryGroup

/** What every registration gets back: updates that go nowhere (see the module comment). */
const UNKEPT: AnyMetric = {
  update () {},
  increment () {},
  decrement () {},
  observe () {},
  reset () {},
  timer: () => () => {}
}

class BandwidthMetrics implements Metrics {
  readonly [Symbol.toStringTag] = 'mcp:bandwidth-metrics'
  readonly [serviceCapabilities]: string[] = ['@libp2p/metrics']
  private readonly components: BandwidthMetricsComponents
  private readonly bandwidth: Bandwidth

  constructor (components: BandwidthMetricsComponents, bandwidth: Bandwidth) {
    this.components = components
    this.bandwidth = bandwidth
  }

  trackMultiaddrConnection (_maConn: MultiaddrConnection): void {
    // connections are not counted: their bytes are the streams' plus encryption
    // and muxer framing, and a WebRTC connection's carry none (see the module comment)
  }

  /** libp2p calls this once a stream's protocol is negotiated, before any protocol handler reads it. */
  trackProtocolStream (stream: Stream): void {
    const protocol = stream.protocol
    const peer = this.remotePeerOf(stream)

    // Incoming bytes are seen as they are dispatched, by wrapping dispatchEvent:
    // a 'message' listener of our own would make the stream hand out data
    // buffered before the protocol handler has started reading, and the handler
    // would miss its first frame (js-libp2p#3393).
    const dispatchEvent = stream.dispatchEvent.bind(stream)
    // bytes a reader gave back to the stream with unshift() come through again: count them once
    let returned = 0
    stream.dispatchEvent = (event: Event): boolean => {
      if (event.type === 'message') {
        const bytes = byteLengthOf(event)
        const again = Math.min(bytes, returned)
        returned -= again
        this.bandwidth.record('in', bytes - again, protocol, peer)
      }
      return dispatchEvent(event)
    }
    const unshift = stream.unshift.bind(stream)
    stream.unshift = (data: Uint8Array | Uint8ArrayList): void => {
      unshift(data)
      returned += data.byteLength
    }
    const send = stream.send.bind(stream)
    stream.send = (data: Uint8Array | Uint8ArrayList): boolean => {
      // counted once send() has taken the bytes: it throws on a closed stream, and then nothing goes out
      const accepted = send(data)
      this.bandwidth.record('out', data.byteLength, protocol, peer)
      return accepted
    }
  }

  registerMetric (): AnyMetric { return UNKEPT }
  registerMetricGroup (): AnyMetric { return UNKEPT }
  registerCounter (): AnyMetric { return UNKEPT }
  registerCounterGroup (): AnyMetric { return UNKEPT }
  registerHistogram (): AnyMetric { return UNKEPT }
  registerHistogramGroup (): AnyMetric { return UNKEPT }
  registerSummary (): AnyMetric { return UNKEPT }
  registerSummaryGroup (): AnyMetric { return UNKEPT }

  traceFunction <F> (_name: string, fn: F): F {
    return fn
  }

  createTrace (): undefined {
    return undefined
  }

  /**
   * The stream is in its connection's list by the time libp2p tracks it; a
   * browser node has tens of connections with a few streams each, so a scan
   * costs little next to the round trip that negotiated the protocol.
   */
  private remotePeerOf (stream: Stream): string | undefined {
    for (const connection of this.components.connectionManager.getConnections()) {
      if (connection.streams.includes(stream)) return connection.remotePeer.toString()
    }
    return undefined
  }
}

function byteLengthOf (event: Event): number {
  const data = (event as Partial<MessageEvent<unknown>>).data
  return data != null && typeof data === 'object' && 'byteLength' in data && typeof data.byteLength === 'number' ? data.byteLength : 0
}

/** The `metrics` option of a libp2p node whose stream bytes feed `bandwidth`. */
export function bandwidthMetrics (bandwidth: Bandwidth): (components: BandwidthMetricsComponents) => Metrics {
  return (components) => new BandwidthMetrics(components, bandwidth)
}
