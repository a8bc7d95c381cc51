/**
 * A newer build of the app, installed by the service worker and waiting:
 * the open tabs run the older build's files (the worker serves them from
 * its copy), so the newer one takes over only when the person asks, and
 * then every tab of the app reloads (src/sw/host.ts).
 */
import { signal } from '@preact/signals'

export const updateWaiting = signal(false)

export function watchForUpdates (): void {
  const container = navigator.serviceWorker
  if (container == null) return
  void container.getRegistration().then((registration) => {
    if (registration == null) return
    const check = (): void => { updateWaiting.value = registration.waiting != null && container.controller != null }
    check()
    registration.addEventListener('updatefound', () => { registration.installing?.addEventListener('statechange', check) })
  })
}

/** Lets the waiting build take over; every tab of the app then reloads into it. */
export async function applyUpdate (): Promise<void> {
  const registration = await navigator.serviceWorker?.getRegistration()
  registration?.waiting?.postMessage({ type: 'mcp:activate-update' })
}
