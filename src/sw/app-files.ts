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
   * Fetches the build's files into a cache of their own. A file that cannot
   * be fetched now is left for later (it is cached the first time a page
   * asks for it): a failed install would leave the first visit with no
   * worker at all, and so no API.
   */
  async install (): Promise<void> {
    const cache = await caches.open(this.#name)
    // `reload`: past the HTTP cache, so a half-deployed build is never stored as this version
    await Promise.allSettled(this.#files.precache.map(async path => cache.add(new Request(path, { cache: 'reload' }))))
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
    return this.#cached(SHELL, new Request(SHELL))
  }

  async #cached (path: string, request: Request): Promise<Response> {
    const cache = await caches.open(this.#name)
    const hit = await cache.match(path)
    if (hit != null) return hit
    const response = await fetch(request)
    // an on-demand file, or a precached one the browser dropped: keep it for next time
    if (response.ok && response.type === 'basic') await cache.put(path, response.clone()).catch(() => {})
    return response
  }
}

