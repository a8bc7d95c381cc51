// Finds a Chromium for the end-to-end tests and benchmarks: $CHROMIUM_PATH,
// then Playwright's own download (a developer laptop), then the system's
// (Debian's `chromium`, which is what CI installs).
import { existsSync } from 'node:fs'
import { chromium } from 'playwright-core'

const SYSTEM_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable']

export function findBrowser () {
  if (process.env.CHROMIUM_PATH != null && existsSync(process.env.CHROMIUM_PATH)) return process.env.CHROMIUM_PATH
  try {
    const bundled = chromium.executablePath()
    if (bundled != null && existsSync(bundled)) return bundled
  } catch {}
  return SYSTEM_PATHS.find(p => existsSync(p))
}

/** Flags for headless Chromium on a machine with no network but loopback. */
export const BROWSER_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-features=WebRtcHideLocalIpsWithMdns'
]
