/**
 * The Metrics section: the node's headline figures from /metrics/json,
 * refreshed every few seconds, and a chart of the last ten minutes (uPlot,
 * loaded only when the section is first drawn).
 */
import { api } from './api-client.ts'
import type { MetricsSummary } from './api-client.ts'

const POLL_MS = 2_000
/** Ten minutes of samples. */
const WINDOW = (10 * 60 * 1000) / POLL_MS

export interface MetricsPanelElements {
  figures: HTMLElement
  chart: HTMLElement
  error: HTMLElement
}

interface Point {
  t: number
  requestsPerSecond: number
  p95Ms: number | null
  inPerSecond: number
  outPerSecond: number
  hitRatio: number | null
  peers: number
}

type Chart = { setData(data: Array<Array<number | null>>): void, setSize(size: { width: number, height: number }): void }

export function startMetricsPanel (el: MetricsPanelElements, formatBytes: (n: number) => string): void {
  const points: Point[] = []
  let previous: MetricsSummary | undefined
  let chart: Chart | undefined
  let chartLoading = false

  const figure = (name: string, value: string): void => {
    let dd = el.figures.querySelector<HTMLElement>(`dd[data-name="${name}"]`)
    if (dd == null) {
      const dt = document.createElement('dt')
      dt.textContent = name
      dd = document.createElement('dd')
      dd.dataset.name = name
      el.figures.append(dt, dd)
    }
    dd.textContent = value
  }

  async function tick (): Promise<void> {
    const { summary } = await api.metrics()
    el.error.textContent = ''
    if (previous != null) {
      const dt = Math.max(0.001, summary.timestamp - previous.timestamp)
      points.push({
        t: summary.timestamp,
        requestsPerSecond: (summary.requests_total - previous.requests_total) / dt,
        p95Ms: summary.latency_p95_seconds == null ? null : summary.latency_p95_seconds * 1000,
        inPerSecond: (summary.bytes_in_total - previous.bytes_in_total) / dt,
        outPerSecond: (summary.bytes_out_total - previous.bytes_out_total) / dt,
        hitRatio: summary.cache_hit_ratio,
        peers: summary.peers_connected
      })
      if (points.length > WINDOW) points.shift()
    }
    previous = summary
    const last = points.at(-1)
    figure('Requests', `${summary.requests_total} (${summary.errors_total} errors)${last != null ? `, ${last.requestsPerSecond.toFixed(1)}/s` : ''}`)
    figure('Latency p95', summary.latency_p95_seconds == null ? '—' : `${(summary.latency_p95_seconds * 1000).toFixed(1)} ms`)
    figure('Bytes in / out', `${formatBytes(summary.bytes_in_total)} / ${formatBytes(summary.bytes_out_total)}`)
    figure('Cache hit ratio', summary.cache_hit_ratio == null ? 'no reads yet' : `${(summary.cache_hit_ratio * 100).toFixed(1)} %`)
    figure('Peers', String(summary.peers_connected))
    await draw()
  }

  async function draw (): Promise<void> {
    if (points.length < 2) return
    const data = [
      points.map(p => p.t),
      points.map(p => p.requestsPerSecond),
      points.map(p => p.p95Ms),
      points.map(p => p.hitRatio == null ? null : p.hitRatio * 100),
      points.map(p => p.peers)
    ]
    if (chart != null) {
      chart.setData(data)
      return
    }
    if (chartLoading) return
    chartLoading = true
    const [{ default: UPlot }] = await Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')])
    chart = new UPlot({
      width: Math.max(280, el.chart.clientWidth),
      height: 220,
      series: [
        {},
        { label: 'requests/s', stroke: '#2c7be5', width: 2 },
        { label: 'p95 ms', stroke: '#e67e22', width: 2, scale: 'ms' },
        { label: 'cache hit %', stroke: '#27ae60', width: 2, scale: '%' },
        { label: 'peers', stroke: '#8e44ad', width: 2 }
      ],
      axes: [{}, {}, { scale: 'ms', side: 1, grid: { show: false } }],
      scales: { '%': { range: [0, 100] } }
    }, data as never, el.chart) as unknown as Chart
    new ResizeObserver(() => { chart?.setSize({ width: Math.max(280, el.chart.clientWidth), height: 220 }) }).observe(el.chart)
  }

  const loop = (): void => {
    tick().catch((err: unknown) => { el.error.textContent = `metrics unavailable: ${(err as Error).message}` })
      .finally(() => setTimeout(loop, POLL_MS))
  }
  loop()
}
