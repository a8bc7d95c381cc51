import { withBitswap } from '@helia/bitswap'
import type { Helia, HeliaMixin, Routing } from '@helia/interface'
import type { HeliaWithLibp2p } from '@helia/libp2p'
import type { ServiceMap } from '@libp2p/interface'

/**
 * How long bitswap waits for a wanted block from the peers it is connected
 * to before it searches the routing for providers: Kubo's default
 * (`Internal.Bitswap.ProviderSearchDelay`).
 */
export const PROVIDER_SEARCH_DELAY_MS = 1000

/**
 * Helia as bitswap sees it: the same node, whose routing starts a provider
 * search only once a block has been wanted for `delayMs`.
 *
 * @helia/bitswap 4 sends its wants to the connected peers and, at the same
 * time, starts a provider search for every block (`Network.findAndConnect`),
 * aborted when the block comes. A 64 MiB file fetched over WebRTC from a
 * connected peer made a DHT query through the relay for each of its 65
 * blocks: the fetching page's thread spent 1.40–1.47 s of CPU on the fetch,
 * 1.18–1.27 s without them, and the relay 0.21–0.24 s, 0.16 s at most.
 * Kubo asks the connected peers first and searches only after a second
 * without the block; so does this: bitswap aborts the search's signal when the
 * block comes, and a search aborted while it waits never starts. Nothing else
 * in the node (the DHT endpoints, IPNS) sees the delay.
 */
export function withProviderSearchDelay<T extends Pick<Helia, 'routing'>> (helia: T, delayMs = PROVIDER_SEARCH_DELAY_MS): T {
  const routing = helia.routing
  async function * findProviders (cid: Parameters<Routing['findProviders']>[0], options: Parameters<Routing['findProviders']>[1] = {}): ReturnType<Routing['findProviders']> {
    if (!await waited(delayMs, options.signal)) return
    yield * routing.findProviders(cid, options)
  }
  // proxies, not copies: bitswap spreads the node it is given into its parts' components
  const delayed = new Proxy(routing, { get: (target, prop, receiver) => prop === 'findProviders' ? findProviders : Reflect.get(target, prop, receiver) })
  return new Proxy(helia, { get: (target, prop, receiver) => prop === 'routing' ? delayed : Reflect.get(target, prop, receiver) })
}

/** Whether `ms` passed before `signal` aborted. */
async function waited (ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted === true) return false
  return new Promise(resolve => {
    const aborted = (): void => {
      clearTimeout(timer)
      resolve(false)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', aborted)
      resolve(true)
    }, ms)
    signal?.addEventListener('abort', aborted, { once: true })
  })
}

/**
 * `withBitswap`, whose bitswap sees the node through `withProviderSearchDelay`
 * (@helia/bitswap makes its block broker in its mixin's start, from the node
 * that start is given, and exports nothing else that would make one).
 */
export function withDelayedSearchBitswap<M extends ServiceMap> (helia: HeliaWithLibp2p<M>, delayMs = PROVIDER_SEARCH_DELAY_MS): HeliaWithLibp2p<M> {
  const addMixin = helia.addMixin.bind(helia)
  const view = new Proxy(helia, {
    get: (target, prop, receiver) => prop === 'addMixin'
      ? (mixin: HeliaMixin) => { addMixin({ ...mixin, start: async (started: Helia) => mixin.start?.(withProviderSearchDelay(started, delayMs)) }) }
      : Reflect.get(target, prop, receiver)
  })
  withBitswap(view)
  return helia
}
