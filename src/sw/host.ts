import { createSite } from '../api/site.ts'
import { createNode } from '../node/create-node.ts'
import { whenIdle } from '../node/idle.ts'
import { storageEstimate } from '../node/host-info.ts'
import { seekLeadership } from '../node/leader.ts'
import { openBrowserStores, startBlockWorker } from '../node/stores/browser-stores.ts'
import { createLogger } from '../logger.ts'
import { chooseBlockstore } from './blockstore-config.ts'
import { answerServiceWorker } from './bridge.ts'
import { loadNetworkConfig } from './network-config.ts'
import type { RequestHandler } from './bridge.ts'
import type { McpNode } from '../node/create-node.ts'
import type { HostInfo, LeaderState } from '../node/host-info.ts'

const log = createLogger('mcp:host')

/** How long a tab keeps the blockstore's worker it started ahead, waiting to lead. */
const SPARE_WORKER_MS = 3_000

export interface Host {
  tabId: string
  /** Resolves once the service worker controls this page: API calls work from then on. */
  ready: Promise<void>
  leader(): LeaderState
}

export interface StartHostInit {
  /** Where the service worker script is served. */
  serviceWorkerUrl?: string
  /** IndexedDB database prefix (lets tests keep separate nodes in one origin). */
  storePrefix?: string
}

/**
 * Boots an app tab: registers the service worker, queues for the node lock
 * and, once this tab holds it, opens the stores, starts the node and answers
 * the API for every tab on the origin.
 */
export function startHost (init: StartHostInit = {}): Host {
  const tabId = crypto.randomUUID()
  let node: McpNode | undefined
  let handler: RequestHandler | undefined
  const ready = registerWorker(init.serviceWorkerUrl ?? '/sw.js')
  const bridge = answerServiceWorker(tabId, () => handler)
  const hostInfo: HostInfo = { leader: () => leaderState(), storage: storageEstimate }

  // the blockstore's worker starts now, while this tab waits for the lock (most tabs lead: the first
  // one open does); a tab that does not lead soon lets it go, and starts one if it ever leads
  let blockWorker: Worker | undefined = startBlockWorker()
  const idleWorker = setTimeout(() => { blockWorker?.terminate(); blockWorker = undefined }, SPARE_WORKER_MS)

  const leadership = seekLeadership({
    async lead () {
      clearTimeout(idleWorker)
      const worker = blockWorker ?? startBlockWorker()
      blockWorker = undefined
      const started = performance.now()
      // marks for the start-up's stages (read by the benchmarks, and by anyone with DevTools open)
      performance.mark('mcp:lead')
      void navigator.storage?.persist?.().catch(() => false)
      const prefix = init.storePrefix ?? 'mcp-node'
      // the relay list is read from the server: only libp2p's start, after the node's first answer, waits for it
      const network = loadNetworkConfig()
      const stores = await chooseBlockstore(prefix).then(async (blocks) => openBrowserStores(prefix, blocks, worker))
      performance.mark('mcp:stores-open')
      const running = await createNode({ stores, network, backgroundStartsWhen: afterFirstAnswer })
      node = running
      performance.mark('mcp:node-started')
      flushCacheWhenHidden(running)
      handler = createSite({ node: running, host: hostInfo })
      await ready
      await bridge.announce(leadership.since ?? Date.now())
      performance.mark('mcp:answering')
      log(`this tab runs the node ${running.peerId.toString()} (answering after ${Math.round(performance.now() - started)} ms)`)
      // the node answers from its stores while libp2p goes on starting
      void running.network.ready().then(() => {
        performance.mark('mcp:network-started')
        log(`the node's network started (${Math.round(performance.now() - started)} ms)`)
      }, (err: unknown) => { log.error('the node\'s network could not start: it answers offline', err) })
    },
    async resign () {
      handler = undefined
      await bridge.resign().catch(() => {})
      await node?.stop().catch((err: unknown) => { log.error('stopping the node failed', err) })
    }
  })

  /**
   * The node's background work (libp2p, the cache's files) begins once it
   * has answered the first request, which the worker held while no tab led,
   * and the page is next idle; or after a second if nobody asks anything.
   */
  async function afterFirstAnswer (): Promise<void> {
    await Promise.race([bridge.firstAnswer, new Promise(resolve => setTimeout(resolve, 1_000))])
    await whenIdle()
  }

  function leaderState (): LeaderState {
    return { tab_id: tabId, is_leader: leadership.isLeader, leader_since: leadership.since }
  }

  return { tabId, ready, leader: leaderState }
}

/**
 * The cache flushes on its own timer; when the page is hidden or unloads,
 * flush at once: the tab may not get the chance later.
 */
function flushCacheWhenHidden (node: McpNode): void {
  const flush = (): void => {
    node.cache.flush().catch((err: unknown) => { log.error('flushing the CID cache failed', err) })
  }
  addEventListener('pagehide', flush)
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') flush()
  })
}

async function registerWorker (url: string): Promise<void> {
  const container = navigator.serviceWorker
  if (container == null) {
    throw new Error('this browser has no service workers (a private window, or an insecure origin?)')
  }
  if (container.controller != null) {
    // a newer worker took over (the app asked it to): this page runs the older build, so it reloads
    container.addEventListener('controllerchange', () => { location.reload() }, { once: true })
    // already served by the worker (every visit but the first): registering again only checks
    // for an update, which took seconds now and then, and nothing here needs to wait for it
    container.register(url, { scope: '/' }).catch((err: unknown) => { log.error('checking the service worker for an update failed', err) })
    return
  }
  await container.register(url, { scope: '/' })
  if (container.controller != null) return
  // the worker claims open pages when it activates; wait for that claim
  await new Promise<void>((resolve) => {
    container.addEventListener('controllerchange', () => { resolve() }, { once: true })
    if (container.controller != null) resolve()
  })
}
