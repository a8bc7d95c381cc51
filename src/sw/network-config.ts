import { multiaddr } from '@multiformats/multiaddr'
import { createLogger } from '../logger.ts'
import type { NetworkConfig } from '../node/network.ts'

const log = createLogger('mcp:config')

/**
 * The relays this tab's node joins through: `?relay=<multiaddr>` (repeatable)
 * in the page URL, else `/config.json` served with the app (which the local
 * relay writes when it starts). Malformed addresses are reported and skipped.
 */
export async function loadNetworkConfig (): Promise<NetworkConfig> {
  const fromQuery = new URLSearchParams(location.search).getAll('relay')
  let relays = fromQuery
  if (relays.length === 0) {
    try {
      const response = await fetch('/config.json', { cache: 'no-store' })
      const config = await response.json() as Partial<NetworkConfig>
      relays = Array.isArray(config.relays) ? config.relays.filter((r): r is string => typeof r === 'string') : []
    } catch (err) {
      log.error('no usable /config.json: the node starts without relays', err)
    }
  }
  return { relays: relays.filter(valid) }
}

function valid (address: string): boolean {
  try {
    multiaddr(address)
    return true
  } catch (err) {
    log.error(`ignoring relay address "${address}"`, err)
    return false
  }
}
