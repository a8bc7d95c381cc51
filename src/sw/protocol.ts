/**
 * Messages between the service worker and the app's pages. Kept in one
 * module, imported by both sides, so the two can never disagree.
 */

/** Service worker → leader page, on the leader's port: answer this request (replies carry its id). */
export interface ForwardedRequest {
  type: 'mcp:request'
  id: number
  method: string
  url: string
  headers: Array<[string, string]>
  /** A small body whole, a larger one as the port it streams on (body-port.ts), null when there is none. */
  body: ArrayBuffer | MessagePort | null
}

/**
 * Service worker → every page: which of you leads? (the worker restarted, or
 * forgot a leader that stopped answering). A leader answers each question
 * once: `asking` names this worker and this time it forgot, and the worker
 * asks again every quarter second while requests wait.
 */
export interface LeaderQuery {
  type: 'mcp:who-leads'
  asking: string
}

/**
 * Page → service worker: this page runs the node now. It transfers a port,
 * the leader's: requests go to the page and replies come back on it
 * directly, where a client's postMessage and a port made for each request
 * took a trip through the browser each way.
 */
export interface LeaderAnnouncement {
  type: 'mcp:leader'
  tabId: string
  since: number
}

/** Page → service worker: this page no longer runs the node. */
export interface LeaderResignation {
  type: 'mcp:resign'
  tabId: string
}

/** Leader → service worker, on the leader's port. */
export interface ForwardedResponse {
  type: 'mcp:response'
  id: number
  status: number
  statusText: string
  headers: Array<[string, string]>
  /**
   * A JSON body whole, in a transferred buffer; a file's bytes as a Blob of
   * the files they are kept in (file-blob.ts); any other as a port it
   * streams on (body-port.ts); null when there is none.
   */
  body: ArrayBuffer | MessagePort | Blob | null
}

/** Leader → service worker, on the leader's port: this page is not (or no longer) the leader. */
export interface NotLeaderReply {
  type: 'mcp:not-leader'
  id: number
}

/** Service worker → leader, on the leader's port: the client gave up on the request. */
export interface AbortNotice {
  type: 'mcp:abort'
  id: number
}

/** Page → the waiting (newer) worker: take over now; every tab of the app then reloads. */
export interface UpdateActivation {
  type: 'mcp:activate-update'
}

export type PageToWorker = LeaderAnnouncement | LeaderResignation | UpdateActivation
export type WorkerToPage = LeaderQuery
/** What the worker sends on a leader's port. */
export type WorkerToLeader = ForwardedRequest | AbortNotice
export type PortReply = ForwardedResponse | NotLeaderReply

/** Paths the service worker answers through the leader. */
export const FORWARDED_PREFIXES = ['/api/v0/', '/api/v0/mcp', '/ipfs/', '/ipns/']

/** Gateway paths: a page navigated to one, with no node running anywhere, gets the app, which starts the node and shows it. */
export const GATEWAY_PREFIXES = ['/ipfs/', '/ipns/']

/** Paths answered as another API path: Prometheus looks for `/metrics` at the root. */
export const REWRITTEN_PATHS: Readonly<Record<string, string>> = { '/metrics': '/api/v0/mcp/metrics' }

/** How long a request waits for a leader before it gets a 503. */
export const LEADER_WAIT_MS = 8_000
/** How long a gateway navigation waits for a leader before it is given the app instead. */
export const NAVIGATION_LEADER_WAIT_MS = 1_500
