/**
 * Client-side routing on the History API: every page has a real URL
 * (the static server answers any path with index.html), so reload,
 * bookmarks and back/forward work.
 */
import { signal } from '@preact/signals'

export interface Location { path: string, query: URLSearchParams }

function decoded (pathname: string): string {
  try {
    return decodeURIComponent(pathname)
  } catch {
    // a malformed escape (`/files/100%`) is shown as typed rather than breaking the app
    return pathname
  }
}

function current (): Location {
  return { path: decoded(location.pathname), query: new URLSearchParams(location.search) }
}

export const route = signal<Location>(current())

export function navigate (to: string, options: { replace?: boolean } = {}): void {
  if (to === location.pathname + location.search) return
  if (options.replace === true) history.replaceState(null, '', to)
  else history.pushState(null, '', to)
  route.value = current()
}

addEventListener('popstate', () => { route.value = current() })

/** Plain links inside the app navigate without a reload; modified clicks keep the browser's meaning. */
export function followLink (event: MouseEvent): void {
  const a = (event.target as Element | null)?.closest('a')
  if (a == null || a.target !== '' || a.hasAttribute('download') || a.origin !== location.origin) return
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
  if (a.pathname.startsWith('/api/') || a.pathname === '/metrics') return
  // an in-page anchor (the skip link) keeps the browser's scroll-and-focus behaviour
  if (a.hash !== '' && a.pathname === location.pathname && a.search === location.search) return
  event.preventDefault()
  navigate(a.pathname + a.search)
}
