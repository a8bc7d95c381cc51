import type { ApiEnv } from './env.ts'
import type { McpNode } from '../node/create-node.ts'
import type { ReadOptions } from '../node/models/ipfs/resolve.ts'
import type { Context } from 'hono'

/**
 * How a request reads content: under its signal, from peers only while the
 * node is online, and a file's bytes that stop coming fail once the
 * request's timeout passes without any (its deadline no longer counts once
 * the reply has begun).
 */
export function contentReads (c: Context<ApiEnv>, node: Pick<McpNode, 'online'>): ReadOptions & { offline: boolean } {
  return { signal: c.var.signal, offline: !node.online, stallMs: c.var.timeoutMs }
}
