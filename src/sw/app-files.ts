/// <reference lib="webworker" />
/**
 * The app's own files, kept by the service worker in Cache Storage: a tab
 * opens from them with no request to the server (and so opens offline too),
 * and Chromium keeps a full code cache for scripts a worker caches while it
 * installs, so the node's chunk starts without being compiled again.
 */

/** The build's files, written into the worker by vite.sw.config.ts. */
export interface AppFiles {
  /** Names the build: a new build is a new cache. */
  version: string
  /** Fetched while the worker installs: the page, its styles and every script. */
  precache: string[]
  /** Cached the first time they are asked for (the Parquet codec's 5 MB of wasm). */
  onDemand: string[]
}

declare const self: ServiceWorkerGlobalScope

const CACHE_PREFIX = 'mcp-app-'
/** The page every app URL is: the app routes in the page, as the web server's fallback does. */
const SHELL = '/index.html'
/** Files the server has beside the build's: read from it each time (the relay list changes when the relay restarts). */
const SERVER_FILES = new Set(['/config.json', '/sw.js'])
/** How long an install waits for the app's files before it lets the worker take the pages. */
const INSTALL_LIMIT_MS = 3_000

export class AppCache {
  readonly #files: AppFiles
  readonly #name: string
  readonly #known: Set<string>

  constructor (files: AppFiles) {
    this.#files = files
    this.#name = `${CACHE_PREFIX}${files.version}`
    this.#known = new Set([...files.precache, ...files.onDemand])
  }

  /**
   * Fetches the build's files into a cache of their own, for at most
   * `limitMs`. A file not fetched by then is left for later (it is cached
   * the first time a page asks for it): the first visit's API waits for the
   * install, and a failed one would leave it with no worker at all.
   */
  async install (limitMs = INSTALL_LIMIT_MS): Promise<void> {
    const cache = await caches.open(this.#name)
    // `no-cache`: revalidated with the server, so a file the page has just loaded is not fetched again,
    // and a stale copy is never stored as this version
    const adding = Promise.allSettled(this.#files.precache.map(async path => cache.add(new Request(path, { cache: 'no-cache' }))))
    await Promise.race([adding, new Promise(resolve => setTimeout(resolve, limitMs))])
  }

  /** Whether an earlier build's files are cached: pages open now may run them. */
  async earlierBuildCached (): Promise<boolean> {
    return (await caches.keys()).some(n => n.startsWith(CACHE_PREFIX) && n !== this.#name)
  }

  /** Removes the caches of earlier builds. */
  async removeOthers (): Promise<void> {
    const names = await caches.keys()
    await Promise.all(names.filter(n => n.startsWith(CACHE_PREFIX) && n !== this.#name).map(async n => caches.delete(n)))
  }

  /**
   * The answer for a GET of one of the app's files, or of a page of the app
   * (a navigation to any other path on the origin); undefined for anything else.
   */
  respond (request: Request, url: URL): Promise<Response> | undefined {
    if (request.method !== 'GET' || SERVER_FILES.has(url.pathname)) return undefined
    if (request.mode === 'navigate') return url.pathname.startsWith('/assets/') ? undefined : this.shell()
    if (url.search === '' && this.#known.has(url.pathname)) return this.#cached(url.pathname, request)
    return undefined
  }

  /** The app's page, whatever the URL: a gateway path opened with no node running gets the app, which starts one. */
  async shell (): Promise<Response> {
    return this.#cached(SHELL, new Request(SHELL, { cache: 'no-cache' }))
  }

  async #cached (path: string, request: Request): Promise<Response> {
    const cache = await caches.open(this.#name)
    const hit = await cache.match(path)
    if (hit != null) return hit
    const response = await fetch(request)
    // an on-demand file, or a precached one the browser dropped: kept for next time, while the page already reads it
    if (response.ok && response.type === 'basic') void cache.put(path, response.clone()).catch(() => {})
    return response
  }
}

