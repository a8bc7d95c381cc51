import { multiaddr } from '@multiformats/multiaddr'
import { createLogger } from '../logger.ts'
import type { NetworkConfig } from '../node/network.ts'

const log = createLogger('mcp:config')

/** Where a person's own relay list is kept (set in the app, per browser profile). */
const STORAGE_KEY = 'mcp-node:relays'

/** The relay list a person saved in the app, if any. */
export function savedRelays (): string[] | undefined {
  try {
    const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null') as unknown
    return Array.isArray(saved) ? saved.filter((r): r is string => typeof r === 'string') : undefined
  } catch {
    return undefined
  }
}

/** Saves a relay list for this browser profile (it takes effect when the node next starts); null forgets it. */
export function saveRelays (relays: string[] | null): void {
  if (relays == null) localStorage.removeItem(STORAGE_KEY)
  else localStorage.setItem(STORAGE_KEY, JSON.stringify(relays))
}

/**
 * The relays this tab's node joins through: `?relay=<multiaddr>` (repeatable)
 * in the page URL, else the list saved in the app, else `/config.json` served
 * with the app (which the local relay writes when it starts). Malformed
 * addresses are reported and skipped.
 */
export async function loadNetworkConfig (): Promise<NetworkConfig> {
  const fromQuery = new URLSearchParams(location.search).getAll('relay')
  const saved = savedRelays()
  let relays = fromQuery.length > 0 ? fromQuery : saved ?? []
  if (fromQuery.length === 0 && saved == null) {
    try {
      const response = await fetch('/config.json', { cache: 'no-store' })
      const config = await response.json() as Partial<NetworkConfig>
      relays = Array.isArray(config.relays) ? config.relays.filter((r): r is string => typeof r === 'string') : []
    } catch (err) {
      log.error('no usable /config.json: the node starts without relays, and keeps the peers it knew', err)
      return { relays: [], relaysKnown: false }
    }
  }
  return { relays: relays.filter(valid) }
}

export function valid (address: string): boolean {
  try {
    multiaddr(address)
    return true
  } catch (err) {
    log.error(`ignoring relay address "${address}"`, err)
    return false
  }
}
