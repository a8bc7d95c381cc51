/** A small typed client for the MCP API, used by the app exactly as a third-party script would. */
import type { MetricsSummary } from '../api/metrics.ts'

export type { MetricsSummary }
export const API = '/api/v0/mcp'

export interface Envelope {
  success: boolean
  operation: string
  timestamp: number
  error?: string
  error_type?: string
}

export class ApiError extends Error {
  static name = 'ApiError'
  name = 'ApiError'
  readonly status: number
  readonly errorType: string

  constructor (status: number, errorType: string, message: string) {
    super(message)
    this.status = status
    this.errorType = errorType
  }
}

export async function callJson<T extends Envelope> (path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(`${API}${path}`, init)
  const body = await response.json().catch(() => undefined) as T | undefined
  if (!response.ok || body == null || !body.success) {
    throw new ApiError(response.status, body?.error_type ?? 'HttpError', body?.error ?? `${response.status} ${response.statusText}`)
  }
  return body
}

export interface Health extends Envelope { node_id: string, node_started: boolean, api_version: string }
export interface AddReply extends Envelope { cid: string, size: number, name: string, pinned: boolean, entries?: Array<{ name: string, cid: string, size: number }> }
export interface DaemonStatus extends Envelope { leader: { tab_id: string, is_leader: boolean, leader_since: number | null } }
export interface Stats extends Envelope {
  repo: { size_bytes: number, object_count: number, pin_count: number }
  storage: { available: boolean, usage_bytes: number | null, quota_bytes: number | null, persisted: boolean | null }
}

export interface NetworkStatus extends Envelope {
  connections: { webrtc: number, relayed: number, websockets: number, other: number }
  relay_reservations: string[]
}

export interface MetricsJson extends Envelope { summary: MetricsSummary }
export interface CacheStats extends Envelope {
  stats: {
    loaded: boolean
    records: number
    partitions: number
    bytes_on_disk: number
    schema_version: number
    tiers: { memory: { bytes: number, max_bytes: number, records: number } }
  }
}

export const api = {
  metrics: async () => callJson<MetricsJson>('/metrics/json'),
  cacheStats: async () => callJson<CacheStats>('/cache/stats'),
  /** The cache as a Parquet file, and the name the node gives it. */
  cacheExport: async (): Promise<{ blob: Blob, name: string }> => {
    const response = await fetch(`${API}/cache/export`)
    if (!response.ok) {
      const body = await response.json().catch(() => undefined) as Envelope | undefined
      throw new ApiError(response.status, body?.error_type ?? 'HttpError', body?.error ?? response.statusText)
    }
    const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'cid-cache.parquet'
    return { blob: await response.blob(), name }
  },
  networkStatus: async () => callJson<NetworkStatus>('/distributed/status'),
  health: async () => callJson<Health>('/health'),
  daemonStatus: async () => callJson<DaemonStatus>('/daemon/status'),
  stats: async () => callJson<Stats>('/ipfs/stats'),
  addText: async (text: string) => callJson<AddReply>('/ipfs/add', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ content: text })
  }),
  addFiles: async (files: File[]) => {
    const form = new FormData()
    for (const file of files) form.append('file', file, file.webkitRelativePath !== '' ? file.webkitRelativePath : file.name)
    return callJson<AddReply>('/ipfs/add', { method: 'POST', body: form })
  },
  /** The raw cat Response, for streaming and headers. */
  cat: async (path: string) => {
    const response = await fetch(`${API}/ipfs/cat/${path.replace(/^\/?ipfs\//, '')}`)
    if (!response.ok) {
      const body = await response.json().catch(() => undefined) as Envelope | undefined
      throw new ApiError(response.status, body?.error_type ?? 'HttpError', body?.error ?? response.statusText)
    }
    return response
  }
}
