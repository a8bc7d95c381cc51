/**
 * This tab's host: it runs the node when it holds the lock, and is served
 * through the service worker otherwise. Loaded after the app's frame: the
 * node (Helia, libp2p, the stores) is most of the code, and the page should
 * paint before it arrives.
 */
import type { Host } from '../sw/host.ts'

export type { Host }

export const hostLoaded: Promise<Host> = import('../sw/host.ts').then(({ startHost }) => {
  performance.mark('mcp:host-loaded')
  return startHost()
})
