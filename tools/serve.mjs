// Serves the built app (dist/) and runs the local relay beside it; the relay's
// address goes into dist/config.json, where the app's nodes pick it up.
//
//   node --import ./tools/node-polyfills.mjs tools/serve.mjs [--port 5173] [--relay-port 9090]
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { preview } from 'vite'
import { startRelay } from './relay/relay.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))

function option (name, fallback) {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : fallback
}

const port = Number(option('port', '5173'))
const relayPort = Number(option('relay-port', '9090'))

const relay = await startRelay({ port: relayPort })
writeFileSync(`${root}/dist/config.json`, `${JSON.stringify({ relays: relay.addresses }, null, 2)}\n`)
for (const address of relay.addresses) console.log(`  ➜  Relay:   ${address}`)

const server = await preview({ root: `${root}/src/ui`, configFile: `${root}/vite.config.ts`, preview: { port, strictPort: true, host: '127.0.0.1' } })
server.printUrls()

let stopping = false
async function stop (signal) {
  if (stopping) return
  stopping = true
  console.log(`\n${signal}: stopping the relay and the web server`)
  await Promise.allSettled([relay.node.stop(), server.close()])
  process.exit(0)
}
process.on('SIGINT', () => { void stop('SIGINT') })
process.on('SIGTERM', () => { void stop('SIGTERM') })
