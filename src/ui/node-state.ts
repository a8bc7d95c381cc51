/**
 * What the header and the Overview show about the node, polled from the API:
 * whether it answers, its id, and which tab runs it.
 */
import { signal } from '@preact/signals'
import { api, ApiError } from './api-client.ts'
import { hostLoaded } from './host.ts'
import type { Host } from './host.ts'
import type { Health } from './api-client.ts'

export interface NodeState {
  phase: 'starting' | 'up' | 'down'
  message: string
  health?: Health
  leads?: boolean
}

const POLL_MS = 5_000

export const nodeState = signal<NodeState>({ phase: 'starting', message: 'Starting the node…' })
/** True once the service worker controls this page: before that, a fetch to the API would reach the static server. */
export const apiReady = signal(false)

const firstAnswer = Promise.withResolvers<void>()
/**
 * Resolves once the node has first answered (or failed to): what is only
 * decoration, the charts' library, waits for it rather than compete with
 * the node's start for the page's thread.
 */
export const nodeAnswered: Promise<void> = firstAnswer.promise

async function poll (host: Host): Promise<void> {
  try {
    const [health, daemon] = await Promise.all([api.health(), api.daemonStatus()])
    nodeState.value = {
      phase: health.node_started ? 'up' : 'down',
      message: health.node_started ? 'The node is up.' : 'The node is not started.',
      health,
      leads: daemon.leader.tab_id === host.tabId
    }
  } catch (err) {
    const reason = err instanceof ApiError ? `${err.status} ${err.errorType}: ${err.message}` : String(err)
    nodeState.value = { ...nodeState.value, phase: 'down', message: `The node does not answer (${reason}).` }
  } finally {
    firstAnswer.resolve()
  }
}

export function watchNode (): void {
  hostLoaded.then(async (host) => {
    await host.ready
    apiReady.value = true
    await poll(host)
    setInterval(() => { void poll(host) }, POLL_MS)
  }).catch((err: unknown) => {
    nodeState.value = { phase: 'down', message: `The app could not start: ${String(err)}` }
    firstAnswer.resolve()
  })
}
