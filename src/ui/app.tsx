/**
 * The app's frame: a header with the node's status, a left navigation (a
 * top bar on narrow screens) and the page the URL names. Pages talk to the
 * node only through the API client.
 */
import { useEffect, useRef } from 'preact/hooks'
import { applyUpdate, updateWaiting } from './app-update.ts'
import { ConfirmDialog } from './components/confirm-dialog.tsx'
import { ErrorBoundary } from './components/error-boundary.tsx'
import { apiReady, nodeState } from './node-state.ts'
import { followLink, route } from './router.ts'
import { ApiReferencePage } from './pages/api-reference.tsx'
import { CachePage } from './pages/cache.tsx'
import { ConsolePage } from './pages/console.tsx'
import { CredentialsPage } from './pages/credentials.tsx'
import { ExplorePage } from './pages/explore.tsx'
import { FilesPage } from './pages/files.tsx'
import { JournalPage } from './pages/journal.tsx'
import { NamesPage } from './pages/names.tsx'
import { OverviewPage } from './pages/overview.tsx'
import { PeersPage } from './pages/peers.tsx'
import { PinsPage } from './pages/pins.tsx'
import type { FunctionComponent } from 'preact'

export interface PageDef { path: string, title: string, component: FunctionComponent }

export const PAGES: PageDef[] = [
  { path: '/', title: 'Overview', component: OverviewPage },
  { path: '/files', title: 'Files', component: FilesPage },
  { path: '/explore', title: 'Explore', component: ExplorePage },
  { path: '/pins', title: 'Pins', component: PinsPage },
  { path: '/names', title: 'Names', component: NamesPage },
  { path: '/peers', title: 'Peers', component: PeersPage },
  { path: '/journal', title: 'Journal', component: JournalPage },
  { path: '/cache', title: 'Cache', component: CachePage },
  { path: '/credentials', title: 'Credentials', component: CredentialsPage },
  { path: '/console', title: 'Console', component: ConsolePage },
  { path: '/api-reference', title: 'API', component: ApiReferencePage }
]

export function pageFor (path: string): PageDef | undefined {
  if (path === '/' || path === '') return PAGES[0]
  // the service worker hands a gateway path to the app when no tab runs the node: it opens in Explore
  if (path.startsWith('/ipfs/') || path.startsWith('/ipns/')) return PAGES.find(p => p.path === '/explore')
  return PAGES.find(p => p.path !== '/' && (path === p.path || path.startsWith(`${p.path}/`)))
}

function NotFound () {
  return (
    <section>
      <h1 tabIndex={-1}>No such page</h1>
      <p>Nothing lives at <code>{route.value.path}</code>. Pick a page from the navigation.</p>
    </section>
  )
}

export function App () {
  const page = pageFor(route.value.path)
  const main = useRef<HTMLElement>(null)
  const first = useRef(true)
  useEffect(() => {
    document.title = `${page?.title ?? 'Not found'} · MCP browser node`
    // after a navigation (not the first load), move focus to the new page's heading so a screen reader announces it
    if (first.current) { first.current = false; return }
    main.current?.querySelector<HTMLElement>('h1')?.focus()
  }, [page])
  const state = nodeState.value
  const Page = page?.component ?? NotFound
  return (
    <div class='frame' onClick={followLink}>
      <a class='skip' href='#main'>Skip to content</a>
      <header class='top'>
        <a class='brand' href='/'>MCP browser node</a>
        <p id='status' role='status' aria-live='polite' class={`status ${state.phase}`}>{state.message}</p>
        {updateWaiting.value
          ? (
            <p class='update' aria-live='polite'>
              A new version of the app is ready.{' '}
              <button type='button' class='small' onClick={() => { void applyUpdate() }}>Update (reloads every tab of the app)</button>
            </p>
            )
          : null}
      </header>
      <nav aria-label='Pages' class='pages'>
        <ul>
          {PAGES.map(p => (
            <li key={p.path}>
              <a href={p.path} aria-current={page === p ? 'page' : undefined}>{p.title}</a>
            </li>
          ))}
        </ul>
      </nav>
      <main id='main' ref={main}>
        {apiReady.value
          ? <ErrorBoundary resetKey={route.value.path + route.value.query.toString()}><Page /></ErrorBoundary>
          : <><h1 tabIndex={-1}>{page?.title ?? 'Not found'}</h1><p class='note' aria-busy='true'>Connecting to the node…</p></>}
      </main>
      <ConfirmDialog />
    </div>
  )
}
