/** Versions of this app and the libraries it runs, fixed at build time (see vite.config.ts). */
export interface Versions {
  app: string
  api: string
  helia: string
  libp2p: string
}

declare const __VERSIONS__: Versions

export const API_VERSION = 'v0'

export const VERSIONS: Versions = __VERSIONS__

/** How this node names itself to peers and clients (the `AgentVersion` of `id`). */
export function agentVersion (versions: Versions): string {
  return `mcp-browser-node/${versions.app} helia/${versions.helia} libp2p/${versions.libp2p}`
}
