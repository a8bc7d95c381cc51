/**
 * Samples /metrics/json every two seconds from the moment the app starts and
 * keeps ten minutes of points, so the Overview's charts have history even
 * when the page is opened later.
 */
import { signal } from '@preact/signals'
import { api } from './api-client.ts'
import type { MetricsSummary } from './api-client.ts'

export const SAMPLE_MS = 2_000
const WINDOW = (10 * 60 * 1000) / SAMPLE_MS

export interface MetricsPoint {
  /** Unix seconds. */
  t: number
  requestsPerSecond: number
  p95Ms: number | null
  inPerSecond: number
  outPerSecond: number
  hitRatio: number | null
  peers: number
}

export interface MetricsHistory {
  latest?: MetricsSummary
  points: MetricsPoint[]
  error?: string
}

export const metricsHistory = signal<MetricsHistory>({ points: [] })

let started = false

export function sampleMetrics (): void {
  if (started) return
  started = true
  let previous: MetricsSummary | undefined
  const tick = async (): Promise<void> => {
    const { summary } = await api.metrics()
    const points = metricsHistory.value.points.slice(-(WINDOW - 1))
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
    }
    previous = summary
    metricsHistory.value = { latest: summary, points }
  }
  const loop = (): void => {
    tick().catch((err: unknown) => {
      metricsHistory.value = { ...metricsHistory.value, error: `metrics unavailable: ${(err as Error).message}` }
    }).finally(() => setTimeout(loop, SAMPLE_MS))
  }
  loop()
}
