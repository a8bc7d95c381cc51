// `npm run bench`: measures the node in real Chromium beside the limits it
// chases, each measured in the same run (a ratio holds on a noisy machine;
// an absolute time does not). Prints one table and writes bench/results.json.
//
//   BENCH_ONLY=api,memory,webrtc,stages,journal,cache,bundle   run some sections
//   BENCH_REPEATS=3                                      repetitions (medians)
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { BROWSER_ARGS, findBrowser } from '../tools/find-browser.mjs'
import { apiSection, memorySection } from './sections/api.mjs'
import { bundleSection } from './sections/bundle.mjs'
import { openBenchPage, openApp, REPEATS } from './sections/common.mjs'
import { CORES, cpuMarks, machineTicks, stealPercent } from './sections/cpu.mjs'
import { cacheSection, journalSection, stagesSection } from './sections/pages.mjs'
import { webrtcSection } from './sections/webrtc.mjs'

const APP_PORT = 4180
const BENCH_PORT = 4181
const APP = `http://127.0.0.1:${APP_PORT}`
const BENCH = `http://127.0.0.1:${BENCH_PORT}`
const ROOT = fileURLToPath(new URL('..', import.meta.url))
const VITE = `${ROOT}/node_modules/vite/bin/vite.js`
const SECTIONS = ['api', 'memory', 'webrtc', 'stages', 'journal', 'cache', 'bundle']

/** Starts a server process and resolves once it prints its port. */
async function startServer (args) {
  const server = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
  const port = args[args.indexOf('--port') + 1]
  await new Promise((resolve, reject) => {
    server.stdout.on('data', (chunk) => { if (String(chunk).includes(`:${port}`)) resolve() })
    server.on('exit', (code) => { reject(new Error(`${args.join(' ')} exited with ${code}`)) })
  })
  return server
}

/**
 * Browser profiles on disk, one per context: Playwright's own contexts are
 * off the record, where IndexedDB and OPFS live in memory, and the node's
 * figures are for storage that persists. Separate profiles are separate
 * peers (one profile's tabs share one node).
 */
function diskProfiles (executablePath) {
  const dirs = []
  const contexts = []
  return {
    async newContext () {
      const dir = mkdtempSync(join(tmpdir(), 'mcp-bench-'))
      dirs.push(dir)
      const context = await chromium.launchPersistentContext(dir, { executablePath, args: BROWSER_ARGS })
      contexts.push(context)
      return context
    },
    /** The profile directory `context` runs on: its browser's processes are found by it (cpu.mjs). */
    dirOf (context) {
      return dirs[contexts.indexOf(context)]
    },
    async close () {
      await Promise.allSettled(contexts.map(async c => c.close()))
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
    }
  }
}

/** The scripts a fresh visit fetches until its node is up (paths under dist/). */
async function scriptsLoaded (profiles) {
  const context = await profiles.newContext()
  const scripts = new Set()
  context.on('response', (response) => {
    const { pathname } = new URL(response.url())
    if (pathname.endsWith('.js') && pathname !== '/sw.js' && response.request().resourceType() === 'script') scripts.add(pathname)
  })
  await openApp(profiles, APP, context)
  await context.close()
  return [...scripts]
}

function printTable (rows, browserVersion, steal) {
  // a virtual machine's host may take a share of its cores: every figure falls with it, the ratios less
  const host = steal == null ? '' : `, ${steal.toFixed(0)}% of the CPU taken by the host (steal)`
  console.log(`\nmedians of ${REPEATS} runs, ${browserVersion}, profiles on disk, ${CORES} cores${host}\n`)
  console.log(`${'measure'.padEnd(80)} ${'value'.padStart(9)} ${'unit'.padEnd(5)} ${'× limit'.padStart(8)}  target`)
  for (const r of rows) {
    const value = r.value.toFixed(r.value < 1 ? 3 : r.value < 10 ? 2 : 1)
    const ratio = r.ratio == null ? '' : r.ratio.toFixed(2)
    const target = r.target == null ? '' : `${r.target} ${r.met ? 'met' : 'NOT met'}`
    console.log(`${r.measure.padEnd(80)} ${value.padStart(9)} ${r.unit.padEnd(5)} ${ratio.padStart(8)}  ${target}`)
  }
}

async function main () {
  const executablePath = findBrowser()
  if (executablePath == null) throw new Error('no Chromium found: run `node tools/ensure-tools.mjs`')
  const only = process.env.BENCH_ONLY?.split(',').map(s => s.trim()) ?? SECTIONS
  const unknown = only.filter(s => !SECTIONS.includes(s))
  if (unknown.length > 0) throw new Error(`unknown sections ${unknown.join(', ')}: choose from ${SECTIONS.join(', ')}`)
  // the app with its local relay, as `npm start` serves it; the benchmark pages beside it
  const app = await startServer(['--import', './tools/node-polyfills.mjs', 'tools/serve.mjs', '--port', String(APP_PORT), '--relay-port', '0'])
  const pages = await startServer([VITE, 'preview', '-c', 'bench/vite.config.ts', '--port', String(BENCH_PORT), '--strictPort', '--host', '127.0.0.1'])
  const profiles = diskProfiles(executablePath)
  const rows = []
  const samples = {}
  const ticks = machineTicks()
  try {
    const bench = await openBenchPage(profiles, BENCH)
    const version = (await bench.evaluate(() => navigator.userAgent)).match(/(?:Headless)?Chrome\/[\d.]+/)?.[0] ?? 'Chromium'
    const run = async (name, section) => {
      if (!only.includes(name)) return
      const started = Date.now()
      const result = await section()
      rows.push(...result.rows)
      samples[name] = result.samples
      console.error(`${name}: ${Math.round((Date.now() - started) / 1000)} s`)
    }
    const benchCpu = await cpuMarks(bench, profiles.dirOf(bench.context()))
    await run('api', async () => apiSection(profiles, { origin: APP, bench, benchCpu }))
    await run('memory', async () => memorySection(profiles, { origin: APP }))
    await run('webrtc', async () => webrtcSection(profiles, { origin: APP }))
    await run('stages', async () => stagesSection(bench))
    await run('journal', async () => journalSection(bench))
    await run('cache', async () => cacheSection(bench))
    await run('bundle', async () => bundleSection(new URL('../dist/', import.meta.url), await scriptsLoaded(profiles)))
    const steal = stealPercent(ticks, machineTicks())
    printTable(rows, version, steal)
    writeFileSync(new URL('./results.json', import.meta.url), `${JSON.stringify({ date: new Date().toISOString(), chromium: version, repeats: REPEATS, cores: CORES, steal_percent: steal, rows, samples }, null, 2)}\n`)
  } finally {
    await profiles.close()
    app.kill()
    pages.kill()
  }
}

main().catch((err) => { console.error(err); process.exit(1) })
