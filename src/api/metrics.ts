/**
 * The node's Prometheus metrics: requests by route template (never a raw
 * path, so no CID becomes a label), operations, cache tiers, the Parquet
 * files, peers, libp2p traffic, uptime and build. Figures other parts
 * already keep (cache, blockstore, libp2p, bandwidth) are read at scrape time.
 */
import { histogramQuantile, MetricsRegistry } from '../node/metrics/registry.ts'
import type { McpNode } from '../node/create-node.ts'
import type { Collect, HistogramSample, MetricSnapshot, Sample } from '../node/metrics/registry.ts'
import type { Versions } from '../version.ts'

/** Latency buckets, seconds: 1 ms to a minute (the default deadline). */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

export interface RequestObservation {
  /** The route's template, e.g. `/ipfs/cat/{cid}`; `unmatched` for unknown paths. */
  route: string
  method: string
  status: number
  operation: string
  seconds: number
  bytesIn: number
}

export interface MetricsSummary {
  timestamp: number
  requests_total: number
  errors_total: number
  latency_p95_seconds: number | null
  bytes_in_total: number
  bytes_out_total: number
  cache_hits_total: number
  cache_misses_total: number
  cache_hit_ratio: number | null
  peers_connected: number
  uptime_seconds: number
}

export class ApiMetrics {
  readonly registry = new MetricsRegistry()
  private readonly node: McpNode
  private readonly requests
  private readonly requestSeconds
  private readonly operations
  private readonly operationSeconds
  private readonly operationBytes

  constructor (node: McpNode, versions: Versions, startedAt: number) {
    this.node = node
    const r = this.registry
    this.requests = r.counter({ name: 'mcp_http_requests_total', help: 'API requests answered, by route template, method and status code.', labelNames: ['route', 'method', 'status'] })
    this.requestSeconds = r.histogram({ name: 'mcp_http_request_duration_seconds', help: 'Time to answer an API request (to the start of the reply body), by route template and method.', labelNames: ['route', 'method'], buckets: LATENCY_BUCKETS })
    this.operations = r.counter({ name: 'mcp_ipfs_operations_total', help: 'Node operations run through the API, by operation and outcome.', labelNames: ['operation', 'outcome'] })
    this.operationSeconds = r.histogram({ name: 'mcp_ipfs_operation_duration_seconds', help: 'Time an operation took, by operation.', labelNames: ['operation'], buckets: LATENCY_BUCKETS })
    this.operationBytes = r.counter({ name: 'mcp_ipfs_operation_bytes_total', help: 'Bytes read from requests (in) and written in replies (out), by operation.', labelNames: ['operation', 'direction'] })

    r.counter({
      name: 'mcp_cache_lookups_total',
      help: 'Content reads (cat, get) by the tier that held the root block: a miss in memory falls to IndexedDB, a miss there to the network.',
      labelNames: ['tier', 'result'],
      collect: () => {
        const t = node.cache.stats().tiers
        return [
          { labels: { tier: 'memory', result: 'hit' }, value: t.memory.hits },
          { labels: { tier: 'memory', result: 'miss' }, value: t.memory.misses },
          { labels: { tier: 'indexeddb', result: 'hit' }, value: t.indexeddb.hits },
          { labels: { tier: 'indexeddb', result: 'miss' }, value: t.indexeddb.misses }
        ]
      }
    })
    r.counter({
      name: 'mcp_cache_block_reads_total',
      help: 'Block reads by the tier that served them.',
      labelNames: ['tier'],
      collect: () => [
        { labels: { tier: 'memory' }, value: node.blockstore.reads.memory_hits },
        { labels: { tier: 'indexeddb' }, value: node.blockstore.reads.indexeddb_hits }
      ]
    })
    r.counter({
      name: 'mcp_cache_evictions_total',
      help: 'Records whose blocks left the memory tier.',
      collect: () => [{ labels: {}, value: node.blockstore.memory.stats().evictions }]
    })
    // both tier gauges are collected in the same scrape: they share one repository stat
    let repoStat: ReturnType<typeof node.stores.blockstore.stat> | undefined
    const statOnce = async (): ReturnType<typeof node.stores.blockstore.stat> => {
      repoStat ??= node.stores.blockstore.stat().finally(() => { repoStat = undefined })
      return repoStat
    }
    /** Bytes or blocks per tier: the memory tier's, and the whole repository's for IndexedDB. */
    const perTier = (figure: 'bytes' | 'blocks'): Collect => async () => {
      const repo = await statOnce()
      return [{ labels: { tier: 'memory' }, value: node.blockstore.memory.stats()[figure] }, { labels: { tier: 'indexeddb' }, value: repo[figure] }]
    }
    r.gauge({ name: 'mcp_cache_tier_bytes', help: 'Bytes held by each storage tier (IndexedDB: the whole repository).', labelNames: ['tier'], collect: perTier('bytes') })
    r.gauge({ name: 'mcp_cache_tier_items', help: 'Blocks held by each storage tier.', labelNames: ['tier'], collect: perTier('blocks') })
    r.gauge({ name: 'mcp_cache_tier_capacity_bytes', help: 'Capacity of the memory tier.', labelNames: ['tier'], collect: () => [{ labels: { tier: 'memory' }, value: node.blockstore.memory.maxBytes }] })
    r.gauge({ name: 'mcp_cache_records', help: 'Records in the CID cache.', collect: () => [{ labels: {}, value: node.cache.stats().records }] })
    r.gauge({ name: 'mcp_cache_parquet_partitions', help: 'Parquet files holding the CID cache.', collect: () => [{ labels: {}, value: node.cache.stats().partitions }] })
    r.gauge({ name: 'mcp_cache_parquet_bytes', help: 'Bytes of the CID cache\'s Parquet files.', collect: () => [{ labels: {}, value: node.cache.stats().bytes_on_disk }] })
    r.gauge({ name: 'mcp_cache_schema_version', help: 'Schema version of the CID cache\'s records.', collect: () => [{ labels: {}, value: node.cache.stats().schema_version }] })
    r.gauge({ name: 'mcp_cache_dirty_records', help: 'Records changed since the last flush.', collect: () => [{ labels: {}, value: node.cache.stats().dirty_records }] })
    r.counter({ name: 'mcp_cache_flushes_total', help: 'Flushes of the CID cache to its Parquet files.', collect: () => [{ labels: {}, value: node.cache.stats().flushes }] })
    r.counter({
      name: 'mcp_libp2p_bytes_total',
      help: 'Bytes received (in) and sent (out) over libp2p protocol streams with peers, as Kubo\'s stats/bw counts them.',
      labelNames: ['direction'],
      collect: () => {
        const bw = node.bandwidth.stats()
        return [{ labels: { direction: 'in' }, value: bw.totalIn }, { labels: { direction: 'out' }, value: bw.totalOut }]
      }
    })
    r.gauge({ name: 'mcp_peers_connected', help: 'Peers with an open connection.', collect: () => [{ labels: {}, value: peersConnected(node) }] })
    r.gauge({ name: 'mcp_uptime_seconds', help: 'Seconds since the node started.', collect: () => [{ labels: {}, value: (Date.now() - node.startedAt) / 1000 }] })
    r.gauge({ name: 'mcp_start_time_seconds', help: 'Unix time the API started.', collect: () => [{ labels: {}, value: startedAt / 1000 }] })
    r.gauge({ name: 'mcp_build_info', help: 'Always 1; the labels name the versions running.', labelNames: ['version', 'helia', 'libp2p'], collect: () => [{ labels: { version: versions.app, helia: versions.helia, libp2p: versions.libp2p }, value: 1 }] })
  }

  observeRequest (o: RequestObservation): void {
    this.requests.inc({ route: o.route, method: o.method, status: String(o.status) })
    this.requestSeconds.observe({ route: o.route, method: o.method }, o.seconds)
    this.operations.inc({ operation: o.operation, outcome: o.status >= 400 ? 'error' : 'success' })
    this.operationSeconds.observe({ operation: o.operation }, o.seconds)
    if (o.bytesIn > 0) this.operationBytes.inc({ operation: o.operation, direction: 'in' }, o.bytesIn)
  }

  addBytesOut (operation: string, bytes: number): void {
    this.operationBytes.inc({ operation, direction: 'out' }, bytes)
  }

  async exposition (): Promise<string> {
    return this.registry.exposition()
  }

  /** Every metric as JSON (histogram bounds as strings, `+Inf` last) and the headline figures the app charts. */
  async json (): Promise<{ metrics: unknown[], summary: MetricsSummary }> {
    const metrics = await this.registry.snapshot()
    return {
      metrics: metrics.map(m => m.type === 'histogram'
        ? { ...m, samples: (m.samples as HistogramSample[]).map(s => ({ ...s, buckets: s.buckets.map(b => ({ le: b.le === Infinity ? '+Inf' : String(b.le), count: b.count })) })) }
        : m),
      summary: summarise(metrics, this.node)
    }
  }
}

function peersConnected (node: McpNode): number {
  if (node.network.status !== 'started') return 0
  return new Set(node.helia.libp2p.getConnections().map(c => c.remotePeer.toString())).size
}

function samplesOf (metrics: readonly MetricSnapshot[], name: string): Sample[] {
  return (metrics.find(m => m.name === name)?.samples ?? []) as Sample[]
}

function sum (samples: readonly Sample[], where: (s: Sample) => boolean = () => true): number {
  return samples.filter(where).reduce((n, s) => n + s.value, 0)
}

function summarise (metrics: readonly MetricSnapshot[], node: McpNode): MetricsSummary {
  const requests = samplesOf(metrics, 'mcp_http_requests_total')
  const bytes = samplesOf(metrics, 'mcp_ipfs_operation_bytes_total')
  const lookups = samplesOf(metrics, 'mcp_cache_lookups_total')
  // every series' buckets added together: the latency of all requests
  const series = (metrics.find(m => m.name === 'mcp_http_request_duration_seconds')?.samples ?? []) as HistogramSample[]
  const merged = series[0]?.buckets.map((b, i) => ({ le: b.le, count: series.reduce((n, s) => n + s.buckets[i].count, 0) })) ?? []
  const hits = sum(lookups, s => s.labels.result === 'hit')
  // a memory miss that IndexedDB answered is not a miss of the cache as a whole
  const misses = sum(lookups, s => s.labels.tier === 'indexeddb' && s.labels.result === 'miss')
  return {
    timestamp: Date.now() / 1000,
    requests_total: sum(requests),
    errors_total: sum(requests, s => Number(s.labels.status) >= 400),
    latency_p95_seconds: histogramQuantile(0.95, merged),
    bytes_in_total: sum(bytes, s => s.labels.direction === 'in'),
    bytes_out_total: sum(bytes, s => s.labels.direction === 'out'),
    cache_hits_total: hits,
    cache_misses_total: misses,
    cache_hit_ratio: hits + misses === 0 ? null : hits / (hits + misses),
    peers_connected: peersConnected(node),
    uptime_seconds: (Date.now() - node.startedAt) / 1000
  }
}
