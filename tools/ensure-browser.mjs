// Makes sure a Chromium exists for the end-to-end tests: installs Debian's
// package when running as root on Debian, otherwise says exactly what to do.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { findBrowser } from './find-browser.mjs'

const found = findBrowser()
if (found != null) {
  console.log(`browser: ${found}`)
  process.exit(0)
}

const isRoot = process.getuid?.() === 0
if (isRoot && existsSync('/usr/bin/apt-get')) {
  console.log('browser: none found; installing Debian\'s chromium (apt-get install -y chromium)')
  const run = (args) => execFileSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
  run(['update', '-qq'])
  run(['install', '-y', '-qq', 'chromium'])
  const installed = findBrowser()
  if (installed != null) {
    console.log(`browser: ${installed}`)
    process.exit(0)
  }
}

console.error(`No Chromium found for the end-to-end tests. Install one of:
  - Debian/Ubuntu (as root):  apt-get install -y chromium
  - anywhere else:            npx playwright install chromium
  - or point CHROMIUM_PATH at a Chromium/Chrome binary.`)
process.exit(1)
