/**
 * Caching for gateway replies: content under `/ipfs/` never changes, so it
 * may be kept for a year; a reply reached through `/ipns/` is only as fresh
 * as the name's record says.
 */

/** A year, as Kubo's gateway sends for immutable content. */
export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=29030400, immutable'

/** How long an `/ipns/` reply may be kept when its record gives no TTL. */
export const DEFAULT_IPNS_MAX_AGE_SECONDS = 60

export function ipnsCacheControl (ttlMs: number | undefined): string {
  const seconds = ttlMs == null ? DEFAULT_IPNS_MAX_AGE_SECONDS : Math.max(0, Math.floor(ttlMs / 1000))
  return `public, max-age=${seconds}`
}

/**
 * Whether `If-None-Match` names this ETag, with the weak comparison RFC 9110
 * asks of it (a `W/` prefix on either side does not matter), or is `*`.
 */
export function matchesIfNoneMatch (header: string | undefined, etag: string): boolean {
  if (header == null || header.trim() === '') return false
  if (header.trim() === '*') return true
  const opaque = (tag: string): string => tag.trim().replace(/^W\//, '')
  const wanted = opaque(etag)
  return header.split(',').some(tag => opaque(tag) === wanted)
}
