/**
 * A small Prometheus registry: counters, gauges and histograms with labels,
 * written out in the text exposition format 0.0.4 and as JSON. Written here
 * rather than taken from prom-client, which reaches for Node's util, cluster,
 * perf_hooks and v8 and needs each aliased away to bundle for a browser; the
 * output is checked by `promtool check metrics` in the tests.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram'
export type Labels = Record<string, string>

export interface Sample {
  labels: Labels
  value: number
}

export interface HistogramSample {
  labels: Labels
  /** Cumulative counts by upper bound (`+Inf` last). */
  buckets: Array<{ le: number, count: number }>
  sum: number
  count: number
}

export interface MetricSnapshot {
  name: string
  help: string
  type: MetricType
  samples: Sample[] | HistogramSample[]
}

export interface MetricInit {
  name: string
  help: string
  labelNames?: readonly string[]
}

/** Values read at scrape time, for figures another part of the node already keeps. */
export type Collect = () => Sample[] | Promise<Sample[]>

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/

function labelKey (labelNames: readonly string[], labels: Labels): string {
  return labelNames.map(n => labels[n] ?? '').join('\u0000')
}

abstract class Metric {
  readonly name: string
  readonly help: string
  readonly labelNames: readonly string[]
  abstract readonly type: MetricType

  constructor (init: MetricInit) {
    if (!NAME.test(init.name)) throw new TypeError(`bad metric name ${init.name}`)
    for (const l of init.labelNames ?? []) if (!LABEL.test(l) || l.startsWith('__')) throw new TypeError(`bad label name ${l}`)
    this.name = init.name
    this.help = init.help
    this.labelNames = init.labelNames ?? []
  }

  protected pick (labels: Labels = {}): Labels {
    const out: Labels = {}
    for (const n of this.labelNames) out[n] = labels[n] ?? ''
    return out
  }

  abstract snapshot (): Promise<MetricSnapshot>
}

class ValueMetric extends Metric {
  readonly type: 'counter' | 'gauge'
  private readonly values = new Map<string, Sample>()
  private readonly collect?: Collect

  constructor (type: 'counter' | 'gauge', init: MetricInit & { collect?: Collect }) {
    super(init)
    this.type = type
    this.collect = init.collect
  }

  protected add (labels: Labels | undefined, by: number): void {
    const picked = this.pick(labels)
    const key = labelKey(this.labelNames, picked)
    const sample = this.values.get(key)
    if (sample == null) this.values.set(key, { labels: picked, value: by })
    else sample.value += by
  }

  protected put (labels: Labels | undefined, value: number): void {
    const picked = this.pick(labels)
    this.values.set(labelKey(this.labelNames, picked), { labels: picked, value })
  }

  async snapshot (): Promise<MetricSnapshot> {
    const collected = this.collect == null ? [] : (await this.collect()).map(s => ({ labels: this.pick(s.labels), value: s.value }))
    return { name: this.name, help: this.help, type: this.type, samples: [...this.values.values(), ...collected].map(s => ({ labels: { ...s.labels }, value: s.value })) }
  }
}

export class Counter extends ValueMetric {
  constructor (init: MetricInit & { collect?: Collect }) {
    if (!init.name.endsWith('_total')) throw new TypeError(`counter ${init.name} must end in _total`)
    super('counter', init)
  }

  inc (labels?: Labels, by = 1): void {
    if (by < 0) throw new RangeError('a counter only goes up')
    this.add(labels, by)
  }
}

export class Gauge extends ValueMetric {
  constructor (init: MetricInit & { collect?: Collect }) {
    super('gauge', init)
  }

  set (labels: Labels | undefined, value: number): void {
    this.put(labels, value)
  }
}

export class Histogram extends Metric {
  readonly type = 'histogram'
  readonly bounds: readonly number[]
  private readonly series = new Map<string, { labels: Labels, counts: number[], sum: number, count: number }>()

  constructor (init: MetricInit & { buckets: readonly number[] }) {
    super(init)
    if (init.labelNames?.includes('le') === true) throw new TypeError('"le" is reserved in histograms')
    this.bounds = [...init.buckets].sort((a, b) => a - b)
  }

  observe (labels: Labels | undefined, value: number): void {
    const picked = this.pick(labels)
    const key = labelKey(this.labelNames, picked)
    let s = this.series.get(key)
    if (s == null) this.series.set(key, s = { labels: picked, counts: new Array(this.bounds.length).fill(0), sum: 0, count: 0 })
    const i = this.bounds.findIndex(b => value <= b)
    if (i >= 0) s.counts[i]++
    s.sum += value
    s.count++
  }

  async snapshot (): Promise<MetricSnapshot> {
    const samples: HistogramSample[] = [...this.series.values()].map(s => {
      let cumulative = 0
      const buckets = this.bounds.map((le, i) => ({ le, count: (cumulative += s.counts[i]) }))
      buckets.push({ le: Infinity, count: s.count })
      return { labels: { ...s.labels }, buckets, sum: s.sum, count: s.count }
    })
    return { name: this.name, help: this.help, type: 'histogram', samples }
  }
}

export class MetricsRegistry {
  private readonly metrics = new Map<string, Metric>()

  register<M extends Metric> (metric: M): M {
    if (this.metrics.has(metric.name)) throw new TypeError(`metric ${metric.name} is registered twice`)
    this.metrics.set(metric.name, metric)
    return metric
  }

  counter (init: MetricInit & { collect?: Collect }): Counter {
    return this.register(new Counter(init))
  }

  gauge (init: MetricInit & { collect?: Collect }): Gauge {
    return this.register(new Gauge(init))
  }

  histogram (init: MetricInit & { buckets: readonly number[] }): Histogram {
    return this.register(new Histogram(init))
  }

  async snapshot (): Promise<MetricSnapshot[]> {
    return Promise.all([...this.metrics.values()].map(async m => m.snapshot()))
  }

  /** The Prometheus text exposition format, version 0.0.4. */
  async exposition (): Promise<string> {
    return formatExposition(await this.snapshot())
  }
}

export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

export function formatExposition (metrics: readonly MetricSnapshot[]): string {
  const lines: string[] = []
  for (const m of metrics) {
    lines.push(`# HELP ${m.name} ${escapeHelp(m.help)}`)
    lines.push(`# TYPE ${m.name} ${m.type}`)
    if (m.type === 'histogram') {
      for (const s of m.samples as HistogramSample[]) {
        for (const b of s.buckets) lines.push(`${m.name}_bucket${formatLabels({ ...s.labels, le: formatNumber(b.le) })} ${b.count}`)
        lines.push(`${m.name}_sum${formatLabels(s.labels)} ${formatNumber(s.sum)}`)
        lines.push(`${m.name}_count${formatLabels(s.labels)} ${s.count}`)
      }
    } else {
      for (const s of m.samples as Sample[]) lines.push(`${m.name}${formatLabels(s.labels)} ${formatNumber(s.value)}`)
    }
  }
  return lines.join('\n') + '\n'
}

function formatLabels (labels: Labels): string {
  const entries = Object.entries(labels)
  if (entries.length === 0) return ''
  return `{${entries.map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',')}}`
}

function escapeHelp (help: string): string {
  return help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')
}

function formatNumber (n: number): string {
  if (n === Infinity) return '+Inf'
  if (n === -Infinity) return '-Inf'
  if (Number.isNaN(n)) return 'NaN'
  return String(n)
}

/** The value below which `q` of the observations fall, interpolated within its bucket (as PromQL's histogram_quantile). */
export function histogramQuantile (q: number, buckets: ReadonlyArray<{ le: number, count: number }>): number | null {
  const total = buckets.at(-1)?.count ?? 0
  if (total === 0) return null
  const rank = q * total
  let prevLe = 0
  let prevCount = 0
  for (const b of buckets) {
    if (b.count >= rank) {
      if (b.le === Infinity) return prevLe
      const inBucket = b.count - prevCount
      return inBucket === 0 ? b.le : prevLe + (b.le - prevLe) * ((rank - prevCount) / inBucket)
    }
    prevLe = b.le
    prevCount = b.count
  }
  return prevLe
}
