/**
 * Reads a gateway URL (`/ipfs/<cid>[/path]`, `/ipns/<name>[/path]`) into its
 * parts, keeping the path as the client wrote it for headers and redirects:
 * a decoded name may hold characters a header cannot carry.
 */
import { InvalidCIDError } from '../../node/errors.ts'

export type Namespace = 'ipfs' | 'ipns'

export interface GatewayPath {
  namespace: Namespace
  /** The CID (`/ipfs/`) or name (`/ipns/`), as written. */
  root: string
  /** Path segments below the root, URL-decoded. */
  segments: string[]
  /** The URL's path ended with `/` (a directory asked for as one). */
  trailingSlash: boolean
  /** The URL's path, still URL-encoded: what X-Ipfs-Path and redirects carry. */
  urlPath: string
  /** The query string with its `?`, or '' (kept across a redirect). */
  search: string
}

export function parseGatewayPath (url: string): GatewayPath {
  const { pathname, search } = new URL(url)
  const [namespace, root, ...rest] = pathname.split('/').filter(s => s !== '')
  if (namespace !== 'ipfs' && namespace !== 'ipns') {
    throw new InvalidCIDError(`${pathname} is not a gateway path: it starts with /ipfs/ or /ipns/`)
  }
  if (root == null || root === '') {
    throw new InvalidCIDError(namespace === 'ipfs' ? 'a CID is required after /ipfs/' : 'a name is required after /ipns/')
  }
  return {
    namespace,
    root: safeDecode(root),
    segments: rest.map(safeDecode),
    trailingSlash: pathname.endsWith('/'),
    urlPath: pathname,
    search
  }
}

function safeDecode (segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}
