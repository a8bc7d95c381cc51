/** The Web Lock whose holder runs the node; every app tab queues for it. */
export const NODE_LOCK = 'mcp-node'

export interface LeadershipInit {
  /** Called once this tab holds the lock; resolve when the node is up. */
  lead(): Promise<void>
  /** Called when this tab is about to give up the lock (page hidden for good). */
  resign(): Promise<void>
  lockName?: string
}

export interface Leadership {
  readonly isLeader: boolean
  /** Unix ms when this tab took the lock. */
  readonly since: number | null
  /** Resolves when this tab leads (never, if another tab keeps the lock). */
  readonly led: Promise<void>
}

/**
 * Queues for the lock; the holder runs the node until the page goes away,
 * when the browser releases the lock and the next tab in the queue takes over.
 */
export function seekLeadership (init: LeadershipInit): Leadership {
  const led = Promise.withResolvers<void>()
  const state = { isLeader: false, since: null as number | null, led: led.promise }
  const released = Promise.withResolvers<void>()
  void navigator.locks.request(init.lockName ?? NODE_LOCK, async () => {
    state.since = Date.now()
    await init.lead()
    state.isLeader = true
    led.resolve()
    // hold the lock until the page is going away for good
    await released.promise
  }).catch((err: unknown) => { led.reject(err) })
  addEventListener('pagehide', (event) => {
    if ((event as PageTransitionEvent).persisted) return
    if (!state.isLeader) return
    state.isLeader = false
    void init.resign().finally(() => { released.resolve() })
  })
  return state
}
