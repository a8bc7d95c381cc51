/**
 * What every gateway responder works from (the request, the content it names
 * once any IPNS name is resolved, how long the reply may be cached) and the
 * headers and reply shapes they share.
 */
import { toReadableStream } from '../streams.ts'
import { matchesIfNoneMatch } from './http-cache.ts'
import type { ApiDeps, ApiEnv } from '../env.ts'
import type { GatewayPath } from './request-path.ts'
import type { ContentPath } from '../../node/models/ipfs/content-path.ts'
import type { ReadOptions } from '../../node/models/ipfs/resolve.ts'
import type { Context } from 'hono'
import type { CID } from 'multiformats/cid'

export interface GatewayRequest {
  c: Context<ApiEnv>
  deps: ApiDeps
  path: GatewayPath
  /** The content the URL names: its CID (an `/ipns/` name already resolved) and the segments below it. */
  target: ContentPath
  cacheControl: string
  /** The request's deadline, and whether to stay off the network. */
  read: Required<Pick<ReadOptions, 'offline'>> & ReadOptions
  /** A HEAD request: headers only, no content read that the headers do not need. */
  head: boolean
}

/**
 * Content from the network is served on the app's own origin, where the
 * node's keys, credentials and API live: a page from `/ipfs/` must never run
 * scripts there. Sandboxed without `allow-scripts`, HTML still renders with
 * its styles and images (it keeps its origin, so the service worker still
 * answers what it loads), and scripts, forms and plugins stay off. Sites that
 * need scripts want a gateway on an origin of their own.
 */
export const CONTENT_SANDBOX = 'sandbox allow-same-origin allow-popups allow-popups-to-escape-sandbox allow-downloads'

/** The headers every content reply carries; `roots` are the CIDs the path went through (X-Ipfs-Roots). */
export function contentHeaders (req: GatewayRequest, roots: CID[] | undefined, etag: string): Headers {
  const headers = new Headers({
    ETag: etag,
    'Cache-Control': req.cacheControl,
    'X-Ipfs-Path': req.path.urlPath,
    // the same URL answers differently for `Accept: application/vnd.ipld.raw` or `.car`
    Vary: 'Accept',
    'Content-Security-Policy': CONTENT_SANDBOX,
    'X-Content-Type-Options': 'nosniff'
  })
  if (roots != null && roots.length > 0) headers.set('X-Ipfs-Roots', roots.map(cid => cid.toString()).join(','))
  return headers
}

/** A 304 when the client already holds this version (If-None-Match), else undefined. */
export function notModified (req: GatewayRequest, headers: Headers): Response | undefined {
  const etag = headers.get('etag')
  if (etag == null || !matchesIfNoneMatch(req.c.req.header('if-none-match'), etag)) return undefined
  return new Response(null, { status: 304, headers })
}

/** The reply, with no body for HEAD (a stream is then never started, so nothing is read). */
export function reply (req: GatewayRequest, status: number, headers: Headers, body: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array> | Uint8Array | string | undefined): Response {
  if (req.head || body == null) return new Response(null, { status, headers })
  if (typeof body === 'string' || body instanceof Uint8Array || body instanceof ReadableStream) return new Response(body as BodyInit, { status, headers })
  return new Response(toReadableStream(body), { status, headers })
}

/** A gateway error body is text for a person, as Kubo's gateway writes them. */
export function textReply (status: number, message: string, headers: Record<string, string> = {}): Response {
  return new Response(`${message}\n`, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', ...headers } })
}
