import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { createApi } from '../../src/api/app.ts'
import { createSite } from '../../src/api/site.ts'
import { createNode, memoryStores } from '../../src/node/create-node.ts'
import { standaloneHost } from '../../src/node/host-info.ts'
import type { CreateNodeInit, McpNode } from '../../src/node/create-node.ts'

export const BASE = 'http://localhost/api/v0/mcp'

export interface TestApi {
  node: McpNode
  request(path: string, init?: RequestInit): Promise<Response>
  json<T = Record<string, any>>(path: string, init?: RequestInit): Promise<{ status: number, body: T }>
  stop(): Promise<void>
}

/** A node on memory stores and the API over it, called with app.request (no server, no browser). */
export async function startTestApi (init: Omit<CreateNodeInit, 'stores'> = {}): Promise<TestApi> {
  const node = await createNode({ stores: memoryStores(), ...init })
  const app = createApi({ node, host: standaloneHost() })
  const request = async (path: string, init?: RequestInit): Promise<Response> => app.request(`${BASE}${path}`, init)
  return {
    node,
    request,
    async json (path, init) {
      const response = await request(path, init)
      return { status: response.status, body: await response.json() }
    },
    stop: async () => { await node.stop() }
  }
}

export function postJson (body: unknown): RequestInit {
  return { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }
}

export interface TestSite {
  node: McpNode
  /** A request to any path of the site: `/api/v0/mcp/…`, `/api/v0/…` (Kubo RPC) or `/ipfs/…` (the gateway). */
  request(path: string, init?: RequestInit): Promise<Response>
  stop(): Promise<void>
}

/** Everything the service worker forwards (MCP, Kubo RPC, gateway) on one node on memory stores. */
export async function startTestSite (options: Parameters<typeof createSite>[1] = {}, init: Omit<CreateNodeInit, 'stores'> = {}): Promise<TestSite> {
  const node = await createNode({ stores: memoryStores(), ...init })
  const site = createSite({ node, host: standaloneHost() }, options)
  return {
    node,
    request: async (path, init) => site.fetch(new Request(`http://localhost${path}`, init)),
    stop: async () => { await node.stop() }
  }
}

/** Deterministic bytes (a linear congruential sequence): the same input gives the same CIDs in every run. */
export function bytes (n: number, seed = 1): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n)
  let x = seed
  for (let i = 0; i < n; i++) { x = (x * 1103515245 + 12345) >>> 0; out[i] = x >>> 24 }
  return out
}

/** The chunks, one after another, in one array. */
export function joinBytes (chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0))
  let at = 0
  for (const c of chunks) { out.set(c, at); at += c.byteLength }
  return out
}

/** Every byte of a stream. */
export async function readAll (stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = []
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) chunks.push(chunk)
  return joinBytes(chunks)
}

/** Equal bytes (a deep equality over megabytes takes seconds). */
export function sameBytes (a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))
}

/** A CID that is well formed but names no block any node has. */
export async function absentCid (): Promise<string> {
  return CID.create(1, raw.code, await sha256.digest(new TextEncoder().encode(`absent ${Math.random()}`))).toString()
}

/** A raw block of `text` and its CIDv1. */
export async function rawBlock (text: string): Promise<{ cid: CID, bytes: Uint8Array }> {
  const bytes = new TextEncoder().encode(text)
  return { cid: CID.create(1, raw.code, await sha256.digest(bytes)), bytes }
}

/**
 * A request body of `encoded` that sends all but its last `heldBytes` in
 * pieces of `pieceBytes`, and the rest once `release()` is called: a test
 * sees what a handler does while a body still arrives.
 */
export function heldBackBody (encoded: Uint8Array, heldBytes = 100, pieceBytes = 65_536): { body: ReadableStream<Uint8Array>, release: () => void } {
  let release!: () => void
  const released = new Promise<void>((resolve) => { release = resolve })
  let sent = 0
  const body = new ReadableStream<Uint8Array>({
    async pull (controller) {
      const end = encoded.byteLength - heldBytes
      if (sent < end) {
        const next = Math.min(end, sent + pieceBytes)
        controller.enqueue(encoded.slice(sent, next))
        sent = next
        return
      }
      await released
      controller.enqueue(encoded.slice(end))
      controller.close()
    }
  })
  return { body, release }
}
