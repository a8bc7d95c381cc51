// Makes sure the tests' outside tools exist: a Chromium for the end-to-end
// tests and promtool to check the metrics. As root on Debian it installs
// what is missing from Debian's packages; otherwise it says what to do.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { findBrowser } from './find-browser.mjs'
import { promtoolPath } from './find-promtool.mjs'

const tools = [
  {
    name: 'browser',
    find: findBrowser,
    pkg: 'chromium',
    help: `No Chromium found for the end-to-end tests. Install one of:
  - Debian/Ubuntu (as root):  apt-get install -y chromium
  - anywhere else:            npx playwright install chromium
  - or point CHROMIUM_PATH at a Chromium/Chrome binary.`
  },
  {
    name: 'promtool',
    find: promtoolPath,
    pkg: 'prometheus',
    help: `No promtool found (the metrics tests run \`promtool check metrics\`). Install one of:
  - Debian/Ubuntu (as root):  apt-get install -y --no-install-recommends prometheus
  - anywhere else:            promtool from https://prometheus.io/download/ on the PATH
  - or point PROMTOOL_PATH at a promtool binary.`
  }
]

const missing = tools.filter(t => t.find() == null)
for (const t of tools.filter(t => !missing.includes(t))) console.log(`${t.name}: ${t.find()}`)
if (missing.length === 0) process.exit(0)

if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
  const pkgs = missing.map(t => t.pkg)
  console.log(`${missing.map(t => t.name).join(', ')}: not found; installing Debian's ${pkgs.join(', ')}`)
  const run = (args) => execFileSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
  run(['update', '-qq'])
  run(['install', '-y', '-qq', '--no-install-recommends', ...pkgs])
}

let failed = false
for (const t of missing) {
  const found = t.find()
  if (found != null) {
    console.log(`${t.name}: ${found}`)
  } else {
    console.error(t.help)
    failed = true
  }
}
process.exit(failed ? 1 : 0)
