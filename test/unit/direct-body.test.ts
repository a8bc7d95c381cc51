import { describe, expect, it } from 'vitest'
import { portServing } from '../../src/api/direct-body.ts'
import { createSite } from '../../src/api/site.ts'
import { createNode, memoryStores } from '../../src/node/create-node.ts'
import { standaloneHost } from '../../src/node/host-info.ts'
import { serveBlockstore } from '../../src/node/stores/block-service.ts'
import { MemoryRepoBlockstore } from '../../src/node/stores/memory-repo-blockstore.ts'
import { WorkerBlockstore } from '../../src/node/stores/worker-blockstore.ts'
import { receiveBody } from '../../src/sw/body-port.ts'
import { bytes, readAll, sameBytes } from './helpers.ts'
import type { MessageEndpoint } from '../../src/node/stores/block-service.ts'

describe('a file reply the blockstore\'s thread sends itself', () => {
  it('gives the bridge a port with the same bytes as the reply, a range\'s included, and is read in the page as ever', async () => {
    // the blockstore across a port, as in the browser, where it lives in a worker
    const channel = new MessageChannel()
    const inner = new MemoryRepoBlockstore()
    serveBlockstore(channel.port2 as unknown as MessageEndpoint, Promise.resolve(inner))
    const stores = { ...memoryStores(), blockstore: new WorkerBlockstore(channel.port1 as unknown as MessageEndpoint, 'memory-in-a-worker') }
    channel.port1.start()
    channel.port2.start()
    const node = await createNode({ stores })
    const site = createSite({ node, host: standaloneHost() })
    const data = bytes(3 * 1024 * 1024 + 17, 21)
    const added = await (await site.fetch(new Request('http://localhost/api/v0/mcp/ipfs/add', { method: 'POST', body: data, headers: { 'Content-Type': 'application/octet-stream' } }))).json() as { cid: string }

    for (const [path, init, expected] of [
      [`/api/v0/mcp/ipfs/cat/${added.cid}`, {}, data],
      [`/api/v0/mcp/ipfs/cat/${added.cid}`, { headers: { Range: 'bytes=1048570-2097160' } }, data.subarray(1048570, 2097161)],
      [`/ipfs/${added.cid}`, {}, data]
    ] as Array<[string, RequestInit, Uint8Array]>) {
      const viaPort = await site.fetch(new Request(`http://localhost${path}`, init))
      const port = await portServing(viaPort.body!)
      expect(port).toBeDefined()
      expect(sameBytes(await readAll(receiveBody(port!)), expected)).toBe(true)
      const inPage = await site.fetch(new Request(`http://localhost${path}`, init))
      expect(sameBytes(new Uint8Array(await inPage.arrayBuffer()), expected)).toBe(true)
    }
    await node.stop()
    channel.port1.close()
  })

  it('is not offered by a store in this thread', async () => {
    const node = await createNode({ stores: memoryStores() })
    const site = createSite({ node, host: standaloneHost() })
    const added = await (await site.fetch(new Request('http://localhost/api/v0/mcp/ipfs/add', { method: 'POST', body: bytes(2000, 3), headers: { 'Content-Type': 'application/octet-stream' } }))).json() as { cid: string }
    const reply = await site.fetch(new Request(`http://localhost/api/v0/mcp/ipfs/cat/${added.cid}`))
    expect(await portServing(reply.body!)).toBeUndefined()
    expect((await reply.arrayBuffer()).byteLength).toBe(2000)
    await node.stop()
  })
})
