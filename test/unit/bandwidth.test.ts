import { noise } from '@libp2p/noise'
import { byteStream, streamPair } from '@libp2p/utils'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSite } from '../../src/api/site.ts'
import { createNode, memoryStores } from '../../src/node/create-node.ts'
import { standaloneHost } from '../../src/node/host-info.ts'
import { Bandwidth } from '../../src/node/models/network/bandwidth.ts'
import { bandwidthMetrics } from '../../src/node/models/network/bandwidth-metrics.ts'
import { startRelay } from '../../tools/relay/relay.mjs'
import { bytes } from './helpers.ts'
import type { McpNode } from '../../src/node/create-node.ts'
import type { Libp2p } from '@libp2p/interface'

// @libp2p/websockets dials with the global WebSocket, which Node has from 22 on (it is undici's);
// on Node 20 undici's own is installed in its place
if (typeof globalThis.WebSocket !== 'function') {
  globalThis.WebSocket = (await import('undici')).WebSocket as unknown as typeof WebSocket
}

describe('Bandwidth model', () => {
  it('keeps totals, and rates over the window that fall to zero once traffic stops', () => {
    let now = 1_000_000
    const bw = new Bandwidth({ windowSeconds: 5, now: () => now })
    expect(bw.stats()).toEqual({ totalIn: 0, totalOut: 0, rateIn: 0, rateOut: 0 })

    // 1000 bytes in each of ten seconds, out twice as much
    for (let i = 0; i < 10; i++) {
      bw.record('in', 1000, '/p/a', 'peer-1')
      bw.record('out', 2000, '/p/b', 'peer-2')
      now += 1000
    }
    const steady = bw.stats()
    expect(steady.totalIn).toBe(10_000)
    expect(steady.totalOut).toBe(20_000)
    expect(steady.rateIn).toBeCloseTo(1000, -1)
    expect(steady.rateOut).toBeCloseTo(2000, -1)

    now += 10_000
    expect(bw.stats()).toEqual({ totalIn: 10_000, totalOut: 20_000, rateIn: 0, rateOut: 0 })
  })

  it('averages a young flow over its own life, never less than a second', () => {
    let now = 5_000_500
    const bw = new Bandwidth({ windowSeconds: 10, now: () => now })
    bw.record('in', 4000, '/p', 'peer')
    expect(bw.stats().rateIn).toBe(4000)
    now += 2000
    expect(bw.stats().rateIn).toBe(2000)
  })

  it('splits the figures by peer and by protocol; one never seen has exchanged nothing', () => {
    const bw = new Bandwidth()
    bw.record('in', 10, '/p/a', 'peer-1')
    bw.record('out', 20, '/p/a', 'peer-2')
    bw.record('in', 5, '/p/b')
    expect(bw.stats()).toMatchObject({ totalIn: 15, totalOut: 20 })
    expect(bw.stats({ protocol: '/p/a' })).toMatchObject({ totalIn: 10, totalOut: 20 })
    expect(bw.stats({ protocol: '/p/b' })).toMatchObject({ totalIn: 5, totalOut: 0 })
    expect(bw.stats({ peer: 'peer-1' })).toMatchObject({ totalIn: 10, totalOut: 0 })
    expect(bw.stats({ peer: 'peer-2' })).toMatchObject({ totalIn: 0, totalOut: 20 })
    expect(bw.stats({ peer: 'peer-3' })).toEqual({ totalIn: 0, totalOut: 0, rateIn: 0, rateOut: 0 })
    expect(bw.stats({ protocol: '/p/c' })).toEqual({ totalIn: 0, totalOut: 0, rateIn: 0, rateOut: 0 })
  })

  it('forgets the peer first seen longest ago past its limit, and keeps the node\'s totals', () => {
    const bw = new Bandwidth({ maxPeers: 2 })
    bw.record('in', 1, '/p', 'a')
    bw.record('in', 2, '/p', 'b')
    bw.record('in', 4, '/p', 'c')
    expect(bw.stats({ peer: 'a' }).totalIn).toBe(0)
    expect(bw.stats({ peer: 'b' }).totalIn).toBe(2)
    expect(bw.stats({ peer: 'c' }).totalIn).toBe(4)
    expect(bw.stats().totalIn).toBe(7)
  })
})

describe('bandwidth metrics on a stream', () => {
  const noConnections = { connectionManager: { getConnections: () => [] } }

  it('counts bytes a reader gave back to the stream once, and bytes sent', async () => {
    const bw = new Bandwidth()
    const [outbound, inbound] = await streamPair()
    // as libp2p does once the protocol is negotiated
    inbound.protocol = '/p'
    bandwidthMetrics(bw)(noConnections).trackProtocolStream(inbound)
    outbound.send(bytes(100))
    // a protocol reads a header, then hands the stream on: byteStream gives back what it read ahead
    const reader = byteStream(inbound)
    expect((await reader.read({ bytes: 10 })).byteLength).toBe(10)
    reader.unwrap()
    let rest = 0
    for await (const chunk of inbound) {
      rest += chunk.byteLength
      if (rest >= 90) break
    }
    expect(rest).toBe(90)
    expect(bw.stats({ protocol: '/p' })).toMatchObject({ totalIn: 100, totalOut: 0 })

    inbound.send(bytes(7))
    expect(bw.stats({ protocol: '/p' })).toMatchObject({ totalIn: 100, totalOut: 7 })
    // no connection holds the stream here, so no peer is credited
    expect(bw.stats()).toMatchObject({ totalIn: 100, totalOut: 7 })
  })

  it('leaves data that arrived before anyone reads buffered for the protocol handler', async () => {
    const bw = new Bandwidth()
    const [outbound, inbound] = await streamPair()
    // as libp2p does once the protocol is negotiated
    inbound.protocol = '/p'
    bandwidthMetrics(bw)(noConnections).trackProtocolStream(inbound)
    outbound.send(bytes(32))
    await expect.poll(() => inbound.readBufferLength).toBe(32)
    // nothing is dispatched, and so nothing counted, until a reader attaches (js-libp2p#3393)
    expect(bw.stats().totalIn).toBe(0)
    for await (const chunk of inbound) {
      expect(chunk.byteLength).toBe(32)
      break
    }
    expect(bw.stats().totalIn).toBe(32)
  })
})

const ECHO = '/mcp-test/echo/1.0.0'

async function wsNode (bandwidth: Bandwidth, listen: string[]): Promise<Libp2p> {
  return createLibp2p({
    addresses: { listen },
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: { denyDialMultiaddr: () => false },
    metrics: bandwidthMetrics(bandwidth)
  })
}

describe('bandwidth metrics on two libp2p nodes over WebSockets', () => {
  const server = new Bandwidth()
  const client = new Bandwidth()
  let a: Libp2p
  let b: Libp2p

  beforeAll(async () => {
    b = await wsNode(server, ['/ip4/127.0.0.1/tcp/0/ws'])
    a = await wsNode(client, [])
    await b.handle(ECHO, async (stream) => {
      // read after a pause: bytes that arrive before the handler reads must still reach it, counted once
      await new Promise(resolve => setTimeout(resolve, 50))
      for await (const chunk of stream) stream.send(chunk)
      await stream.close()
    })
  })

  afterAll(async () => {
    await a?.stop()
    await b?.stop()
  })

  it('counts each protocol stream\'s bytes once, in both directions, per protocol and per peer', async () => {
    const payload = bytes(300_000)
    const stream = await a.dialProtocol(b.getMultiaddrs()[0], ECHO)
    const echoed = (async () => {
      let n = 0
      for await (const chunk of stream) {
        n += chunk.byteLength
        if (n >= payload.length) break
      }
      return n
    })()
    for (let offset = 0; offset < payload.length; offset += 64 * 1024) {
      if (!stream.send(payload.subarray(offset, offset + 64 * 1024))) await stream.onDrain()
    }
    // closed once all is echoed: a stream whose remote closed its end before the
    // handler began to read would leave the handler's iterator waiting
    expect(await echoed).toBe(payload.length)
    await stream.close()

    expect(client.stats({ protocol: ECHO })).toMatchObject({ totalIn: payload.length, totalOut: payload.length })
    await expect.poll(() => server.stats({ protocol: ECHO }).totalOut).toBe(payload.length)
    expect(server.stats({ protocol: ECHO }).totalIn).toBe(payload.length)
    // each side sees the traffic as the other peer's
    expect(client.stats({ peer: b.peerId.toString() }).totalIn).toBeGreaterThanOrEqual(payload.length)
    expect(server.stats({ peer: a.peerId.toString() }).totalIn).toBeGreaterThanOrEqual(payload.length)
    expect(client.stats().totalOut).toBeGreaterThanOrEqual(payload.length)
    expect(client.stats().rateIn).toBeGreaterThan(0)
  })
})

describe('stats/bw and the Prometheus metric on a networked node', () => {
  let relay: Libp2p
  let node: McpNode
  let site: ReturnType<typeof createSite>

  beforeAll(async () => {
    const started = await startRelay({ port: 0 })
    relay = started.node
    node = await createNode({ stores: memoryStores(), network: { relays: started.addresses } })
    site = createSite({ node, host: standaloneHost() })
  }, 30_000)

  afterAll(async () => {
    await node?.stop()
    await relay?.stop()
  })

  it('reports the bytes exchanged with the relay, overall, for its peer and for identify', async () => {
    const rpc = async (command: string): Promise<Record<string, number>> =>
      (await site.fetch(new Request(`http://localhost/api/v0/${command}`, { method: 'POST' }))).json()
    await expect.poll(async () => (await rpc('stats/bw')).TotalIn, { timeout: 15_000 }).toBeGreaterThan(0)
    const relayId = relay.peerId.toString()
    await expect.poll(async () => (await rpc(`stats/bw?peer=${relayId}`)).TotalOut, { timeout: 15_000 }).toBeGreaterThan(0)
    expect((await rpc('stats/bw?proto=/ipfs/id/1.0.0')).TotalIn).toBeGreaterThan(0)

    const all = await rpc('stats/bw')
    const text = await (await site.fetch(new Request('http://localhost/api/v0/mcp/metrics'))).text()
    const counted = (direction: string): number => Number(text.split('\n').find(l => l.startsWith(`mcp_libp2p_bytes_total{direction="${direction}"} `))?.split(' ')[1])
    expect(counted('in')).toBeGreaterThanOrEqual(all.TotalIn)
    expect(counted('out')).toBeGreaterThanOrEqual(all.TotalOut)
  })
})
