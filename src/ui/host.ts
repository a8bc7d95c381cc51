/**
 * This tab's host: it runs the node when it holds the lock, and is served
 * through the service worker otherwise. Loaded after the app's frame: the
 * node (Helia, libp2p, the stores) is most of the code, and the page should
 * paint before it arrives.
 */
import type { Host } from '../sw/host.ts'

export type { Host }

/** The host script's URL in a build (vite.config.ts). */
declare const __NODE_HOST_URL__: string

type HostModule = typeof import('../sw/host.ts')

/**
 * The built host is a classic script (see vite.host.config.ts: Chromium
 * reuses its compiled code from one start to the next) that leaves its
 * exports in `mcpNodeHost`; the dev server has no such script and imports
 * the source.
 */
async function loadHost (): Promise<HostModule> {
  if (import.meta.env.DEV) return import('../sw/host.ts')
  const global = globalThis as { mcpNodeHost?: HostModule }
  await new Promise<void>((resolve, reject) => {
    const script = document.createElement('script')
    script.src = __NODE_HOST_URL__
    script.onload = () => { resolve() }
    script.onerror = () => { reject(new Error(`the node's script ${__NODE_HOST_URL__} could not be loaded`)) }
    document.head.append(script)
  })
  if (global.mcpNodeHost == null) throw new Error(`the node's script ${__NODE_HOST_URL__} did not define the node's host`)
  return global.mcpNodeHost
}

export const hostLoaded: Promise<Host> = loadHost().then(({ startHost }) => {
  performance.mark('mcp:host-loaded')
  return startHost()
})
