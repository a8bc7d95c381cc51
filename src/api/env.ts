import type { McpNode } from '../node/create-node.ts'
import type { NetworkStart } from '../node/network-start.ts'
import type { ApiMetrics } from './metrics.ts'
import type { HostInfo } from '../node/host-info.ts'
import type { RepoLock } from '../node/repo-lock.ts'
import type { OperationLog } from '../node/models/core/operation-log.ts'
import type { RequestStats } from '../node/models/core/request-stats.ts'
import type { RunningAdds } from './running-adds.ts'
import type { Versions } from '../version.ts'

/** Everything the controllers may use; built once by createApi(). */
export interface ApiDeps {
  node: McpNode
  host: HostInfo
  versions: Versions
  operations: OperationLog
  stats: RequestStats
  metrics: ApiMetrics
  /** Adds in progress that a client may cancel by id. */
  adds: RunningAdds
  /** Unix ms when the API was created. */
  startedAt: number
}

/** Per-request values the middleware sets for controllers. */
export interface ApiVariables {
  operation: string
  /** The matched route's template (`/ipfs/cat/{cid}`): a label that never holds a CID. */
  route: string
  /** Aborts when the request's deadline passes or the client goes away. */
  signal: AbortSignal
  timeoutMs: number
  /** The node's repo lock (writers shared, garbage collection exclusive). */
  repoLock: RepoLock
  /** The start of the node's network, which routes that need libp2p wait for. */
  network: NetworkStart
}

export interface ApiEnv {
  Variables: ApiVariables
}
