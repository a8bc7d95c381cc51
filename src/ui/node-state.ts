/**
 * What the header and the Overview show about the node, polled from the API:
 * whether it answers, its id, and which tab runs it.
 */
import { signal } from '@preact/signals'
import { api, ApiError } from './api-client.ts'
import { hostLoaded } from './host.ts'
import type { Host } from './host.ts'
import type { Health, NetworkState } from './api-client.ts'

export interface NodeState {
  phase: 'starting' | 'up' | 'down'
  message: string
  health?: Health
  leads?: boolean
}

const POLL_MS = 5_000
/** While the node's network is still starting: soon, so the header says when it has. */
const STARTING_POLL_MS = 500

/** What the header says of a node that answers, by the state of its network. */
const NETWORK_NOTE: Record<NetworkState, string> = {
  starting: ' Joining the network…',
  started: '',
  offline: ' It runs offline.',
  failed: ' Its network could not start: it works offline.'
}

export const nodeState = signal<NodeState>({ phase: 'starting', message: 'Starting the node…' })
/** True once the node has first answered through the service worker (or failed to): the pages load their data from then on. */
export const apiReady = signal(false)

const firstAnswer = Promise.withResolvers<void>()
/**
 * Resolves once the node has first answered (or failed to): what is only
 * decoration, the charts' library, waits for it rather than compete with
 * the node's start for the page's thread.
 */
export const nodeAnswered: Promise<void> = firstAnswer.promise

/** Asks the node how it is; resolves with when to ask next. */
async function poll (host: Host): Promise<number> {
  try {
    const [health, daemon] = await Promise.all([api.health(), api.daemonStatus()])
    nodeState.value = {
      phase: health.node_started ? 'up' : 'down',
      message: health.node_started ? `The node is up.${NETWORK_NOTE[health.network] ?? ''}` : 'The node is not started.',
      health,
      leads: daemon.leader.tab_id === host.tabId
    }
    return health.network === 'starting' ? STARTING_POLL_MS : POLL_MS
  } catch (err) {
    const reason = err instanceof ApiError ? `${err.status} ${err.errorType}: ${err.message}` : String(err)
    nodeState.value = { ...nodeState.value, phase: 'down', message: `The node does not answer (${reason}).` }
    return POLL_MS
  } finally {
    firstAnswer.resolve()
  }
}

export function watchNode (): void {
  hostLoaded.then(async (host) => {
    await host.ready
    let next = await poll(host)
    // the pages load their data once the node has answered (or failed to): before, their
    // requests would only queue behind its start, and drawing them would slow that start
    apiReady.value = true
    while (true) {
      await new Promise(resolve => setTimeout(resolve, next))
      next = await poll(host)
    }
  }).catch((err: unknown) => {
    nodeState.value = { phase: 'down', message: `The app could not start: ${String(err)}` }
    firstAnswer.resolve()
  })
}
