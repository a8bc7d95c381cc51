// The local libp2p relay: WebSockets on loopback, circuit relay v2 without
// the default limits (bitswap runs over relayed links until WebRTC is up),
// kad-dht in server mode with IPNS validation, identify and ping. It prints
// its multiaddr and, with --config FILE, writes the app's config.json there.
//
//   node --import ./tools/node-polyfills.mjs tools/relay/relay.mjs [--port 9090] [--config dist/config.json]
import { writeFileSync } from 'node:fs'
import { circuitRelayServer } from '@libp2p/circuit-relay-v2'
import { identify, identifyPush } from '@libp2p/identify'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { noise } from '@libp2p/noise'
import { ping } from '@libp2p/ping'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import { ipnsSelector } from 'ipns/selector'
import { ipnsValidator } from 'ipns/validator'
import { createLibp2p } from 'libp2p'

const log = (message) => { console.log(`[relay] ${new Date().toISOString()} ${message}`) }

function option (name, fallback) {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : fallback
}

export async function startRelay ({ port = 0, host = '127.0.0.1' } = {}) {
  const node = await createLibp2p({
    addresses: { listen: [`/ip4/${host}/tcp/${port}/ws`] },
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    // browsers on this machine dial loopback; nothing here is public
    connectionGater: { denyDialMultiaddr: () => false },
    connectionManager: { maxConnections: 1000 },
    services: {
      identify: identify(),
      identifyPush: identifyPush(),
      ping: ping(),
      relay: circuitRelayServer({
        reservations: { maxReservations: Infinity, applyDefaultLimit: false }
      }),
      dht: kadDHT({
        clientMode: false,
        peerInfoMapper: passthroughMapper,
        validators: { ipns: ipnsValidator },
        selectors: { ipns: ipnsSelector }
      })
    }
  })
  node.addEventListener('peer:connect', (event) => { log(`connected ${event.detail.toString()}`) })
  node.addEventListener('peer:disconnect', (event) => { log(`disconnected ${event.detail.toString()}`) })
  node.services.relay.addEventListener('relay:reservation', (event) => { log(`reservation for ${event.detail.addr.toString()}`) })
  const addresses = node.getMultiaddrs().map(String)
  return { node, addresses }
}

async function main () {
  const { node, addresses } = await startRelay({ port: Number(option('port', '9090')) })
  for (const a of addresses) log(`listening on ${a}`)
  const configPath = option('config')
  if (configPath != null) {
    writeFileSync(configPath, `${JSON.stringify({ relays: addresses }, null, 2)}\n`)
    log(`wrote ${configPath}`)
  }
  const stop = async (signal) => {
    log(`${signal}: stopping`)
    await node.stop()
    log('stopped')
    process.exit(0)
  }
  process.on('SIGINT', () => { void stop('SIGINT') })
  process.on('SIGTERM', () => { void stop('SIGTERM') })
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err) => { console.error('[relay] failed to start:', err); process.exit(1) })
}
