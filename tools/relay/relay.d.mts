import type { Libp2p } from '@libp2p/interface'
export function startRelay (init?: { port?: number, host?: string }): Promise<{ node: Libp2p, addresses: string[] }>
