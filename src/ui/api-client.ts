/**
 * A small typed client for the MCP API, used by the app exactly as a
 * third-party script would: plain fetch to /api/v0/mcp, answered by the
 * service worker. Every failure becomes an ApiError carrying the status and
 * the error_type the API gave, so a page can show it next to its cause.
 */
import type { MetricsSummary } from '../api/metrics.ts'
import type { RecoveryAction, RecoveryReport } from '../node/journal/fs-journal.ts'

export type { MetricsSummary, RecoveryAction, RecoveryReport }
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

export type Query = Record<string, string | number | boolean | undefined>

export function apiUrl (path: string, query: Query = {}): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) params.set(key, String(value))
  }
  const search = params.toString()
  return `${API}${path}${search === '' ? '' : `?${search}`}`
}

/** The error a failed reply carries, read from its JSON envelope when it has one. */
export async function errorOf (response: Response): Promise<ApiError> {
  const body = await response.json().catch(() => undefined) as Envelope | undefined
  return new ApiError(response.status, body?.error_type ?? 'HttpError', body?.error ?? `${response.status} ${response.statusText}`)
}

export async function callJson<T extends Envelope> (path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(path.startsWith(API) ? path : `${API}${path}`, init)
  if (!response.ok) throw await errorOf(response)
  const body = await response.json().catch(() => undefined) as T | undefined
  if (body == null || !body.success) {
    throw new ApiError(response.status, body?.error_type ?? 'HttpError', body?.error ?? 'the reply was not the JSON the API sends')
  }
  return body
}

export async function getJson<T extends Envelope> (path: string, query?: Query, signal?: AbortSignal): Promise<T> {
  return callJson<T>(apiUrl(path, query), { signal })
}

export async function postJson<T extends Envelope> (path: string, body: unknown, signal?: AbortSignal): Promise<T> {
  return callJson<T>(`${API}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
    signal
  })
}

/** A byte reply (cat, files/read, block/get) as a Response, or the API's error. */
export async function fetchBytes (path: string, query?: Query, init?: RequestInit): Promise<Response> {
  const response = await fetch(apiUrl(path, query), init)
  if (!response.ok) throw await errorOf(response)
  return response
}

/** `starting`: the node answers from its stores while libp2p is still starting; `offline`: it runs without a network. */
export type NetworkState = 'starting' | 'started' | 'failed' | 'offline'
export interface Health extends Envelope { node_id: string, node_started: boolean, network: NetworkState, api_version: string, version: string }
export interface AddedEntry { name: string, cid: string, size: number, type: string }
export interface AddReply extends Envelope { cid: string, size: number, name: string, pinned: boolean, type: string, entries?: AddedEntry[] }
export interface AddProgress { name: string, bytes: number }
export interface DaemonStatus extends Envelope { leader: { tab_id: string, is_leader: boolean, leader_since: number | null }, uptime_seconds: number }
export interface Stats extends Envelope {
  repo: { size_bytes: number, object_count: number, pin_count: number }
  storage: { available: boolean, usage_bytes: number | null, quota_bytes: number | null, persisted: boolean | null }
}
export interface NetworkStatus extends Envelope {
  peer_id: string
  online: boolean
  connections: { webrtc: number, relayed: number, websockets: number, other: number }
  relay_reservations: string[]
  webrtc_addresses: string[]
}
export interface MetricsJson extends Envelope { summary: MetricsSummary }

export interface MfsEntry { name: string, type: 'file' | 'directory', size: number, cid: string, mode: string | null, mtime: number | null }
export interface MfsList extends Envelope { path: string, entries: MfsEntry[], count: number }
export interface MfsStat extends Envelope { path: string, cid: string, Size: number, CumulativeSize: number, Type: 'file' | 'directory' }

export interface Pin { cid: string, type: string, name: string | null }
export interface PinList extends Envelope { pins: Pin[], count: number }

export interface Key { name: string, id: string, peer_id: string, type: string }
export interface KeyList extends Envelope { keys: Key[], count: number }
export interface Published extends Envelope { name: string, value: string, sequence: number, published_to_network: boolean }
export interface Resolved extends Envelope { name: string, path: string, sequence: number }

export interface PeerConnection { peer: string, address: string, type: string, direction: 'inbound' | 'outbound', opened: number, streams: number, limited: boolean }
export interface Peer {
  peer_id: string
  connections: PeerConnection[]
  connection_type: string
  addresses: string[]
  protocols: string[]
  latency_ms: number | null
}
export interface PeerList extends Envelope { peers: Peer[], count: number }
export interface PingReply extends Envelope { peer_id: string, rtts_ms: number[], average_ms: number }
export interface Connected extends Envelope { peer: string, address: string, type: string, direction: string }
export interface WebrtcSession {
  session_id: string
  direction: 'outbound' | 'inbound'
  cid: string
  peer_id: string | null
  state: string
  bytes_total: number | null
  bytes_transferred: number
  blocks_transferred: number
  throughput_bytes_per_second: number | null
  connection_address: string | null
  error: string | null
}
export interface WebrtcStatus extends Envelope { listen_addresses: string[], active_connections: number, sessions: WebrtcSession[] }

export interface LsEntry { name: string, cid: string, type: string, size: number }
export interface LsReply extends Envelope { path: string, entries: LsEntry[] }
export interface BlockStat extends Envelope { cid: string, size: number }

export interface CacheTierStats { hits: number, misses: number, bytes?: number, max_bytes?: number, records: number, evictions?: number }
export interface CacheStats extends Envelope {
  stats: {
    loaded: boolean
    records: number
    partitions: number
    bytes_on_disk: number
    schema_version: number
    read_only: boolean
    last_flush_at: number | null
    partition_strategy: string
    indexed_columns: string[]
    tiers: { memory: CacheTierStats & { bytes: number, max_bytes: number }, indexeddb: CacheTierStats }
  }
}
export interface CacheRecord {
  cid: string
  size_bytes: number | null
  mimetype: string | null
  filename: string | null
  storage_tier: string | null
  is_pinned: boolean
  access_count: number
  heat_score: number
  last_accessed: number
  source: string
  [column: string]: unknown
}
export interface CacheRecords extends Envelope { records: CacheRecord[], count: number }
export interface CacheColumn { name: string, type: string, nullable: boolean, description: string }
export interface CacheSchema extends Envelope { version: number, columns: CacheColumn[] }
export interface CacheFilter { column: string, op: string, value: unknown }

export interface JournalEntry {
  entry_id: string
  seq: number
  operation_type: string
  path: string | null
  status: string
  timestamp: number
  duration_ms?: number
  result_cid?: string
  error?: string
  origin?: string
  data?: unknown
}
export interface JournalStatus extends Envelope {
  enabled: boolean
  entries: number
  journal_bytes: number
  counts_by_status: Record<string, number>
  last_checkpoint: { seq: number, timestamp: number, root_cid: string } | null
  root_cid: string
}
export interface JournalOperations extends Envelope { operations: JournalEntry[], count: number, total: number, offset: number }
export interface JournalStats extends Envelope { last_recovery: RecoveryReport | null, mean_apply_ms: number | null, transactions_completed: number }

export interface CredentialField { name: string, secret: boolean, required: boolean, description?: string }
export interface CredentialType { type: string, description: string, fields: CredentialField[] }
export interface CredentialTypes extends Envelope { types: CredentialType[] }
export interface CredentialSummary { id: string, service: string, name: string, credential_type: string, added_at: number, last_used: number | null, use_count: number }
export interface CredentialList extends Envelope { credentials: CredentialSummary[], count: number }
export interface CredentialStatus extends Envelope { passphrase_set: boolean, locked: boolean, count: number }

export interface CliReply extends Envelope { command: string, output: string, exit_code: number }

export const api = {
  health: async () => getJson<Health>('/health'),
  daemonStatus: async () => getJson<DaemonStatus>('/daemon/status'),
  stats: async () => getJson<Stats>('/ipfs/stats'),
  networkStatus: async () => getJson<NetworkStatus>('/distributed/status'),
  metrics: async () => getJson<MetricsJson>('/metrics/json'),
  cacheStats: async () => getJson<CacheStats>('/cache/stats'),
  /** The cache as a Parquet file, and the name the node gives it. */
  cacheExport: async (): Promise<{ blob: Blob, name: string }> => {
    const response = await fetchBytes('/cache/export')
    const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'cid-cache.parquet'
    return { blob: await response.blob(), name }
  },
  addText: async (text: string) => postJson<AddReply>('/ipfs/add', { content: text }),
  cancelAdd: async (id: string) => postJson<Envelope>('/ipfs/add/cancel', { id })
}

/** A path's segments percent-encoded for a URL: names may hold '#', '?', '%' or spaces. */
export function encodePath (path: string): string {
  return path.split('/').map(encodeURIComponent).join('/')
}

/** `/ipfs/<cid>/a b.txt` (or `<cid>/a b.txt`) as it goes after a route such as `/ipfs/cat/`. */
export function contentPathInUrl (path: string): string {
  return encodePath(path.replace(/^\/?ipfs\//, ''))
}

/** The URL that streams a content path's bytes (honours Range, so media can seek). */
export function catUrl (path: string): string {
  return `${API}/ipfs/cat/${contentPathInUrl(path)}`
}

/** The URL that streams an MFS file's bytes (honours Range). */
export function mfsReadUrl (path: string): string {
  return apiUrl('/ipfs/files/read', { path })
}
