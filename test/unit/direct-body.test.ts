import * as raw from 'multiformats/codecs/raw'
import { describe, expect, it } from 'vitest'
import { servedBody } from '../../src/api/direct-body.ts'
import { createSite } from '../../src/api/site.ts'
import { createNode, memoryStores } from '../../src/node/create-node.ts'
import { standaloneHost } from '../../src/node/host-info.ts'
import { readBlock } from '../../src/node/models/ipfs/dag-walker.ts'
import { serveBlockstore } from '../../src/node/stores/block-service.ts'
import { MemoryRepoBlockstore } from '../../src/node/stores/memory-repo-blockstore.ts'
import { blockBytes } from '../../src/node/stores/repo-blockstore.ts'
import { WorkerBlockstore } from '../../src/node/stores/worker-blockstore.ts'
import { receiveBody } from '../../src/sw/body-port.ts'
import { bytes, readAll, sameBytes } from './helpers.ts'
import type { MessageEndpoint } from '../../src/node/stores/block-service.ts'
import type { BlockBlob, RepoBlockstore } from '../../src/node/stores/repo-blockstore.ts'
import type { AbortOptions } from 'abort-error'
import type { CID } from 'multiformats/cid'

/**
 * Blocks in memory, each also given as a file of its own, as the OPFS store
 * gives them; `shortened` cuts that many bytes off every raw leaf, read
 * either way, as a damaged store would.
 */
class FilesBlockstore extends MemoryRepoBlockstore {
  shortened = 0

  async * get (cid: CID, options?: AbortOptions): AsyncGenerator<Uint8Array> {
    const bytes = await blockBytes(super.get(cid, options))
    yield cid.code === raw.code ? bytes.subarray(0, bytes.byteLength - this.shortened) : bytes
  }

  async blockBlob (cid: CID): Promise<BlockBlob | undefined> {
    if (!await this.has(cid)) return undefined
    return { blob: new File([await readBlock(this, cid) as Uint8Array<ArrayBuffer>], cid.toString()), copied: false }
  }
}

/**
 * A node whose blockstore is `inner` across a port, as in the browser, where
 * it lives in a worker; its API, and a file of 3 MiB and a few bytes added
 * through it (`seed` picks the bytes) and stored.
 */
async function nodeOverWorker (inner: RepoBlockstore, seed: number): Promise<{ site: ReturnType<typeof createSite>, data: Uint8Array, added: { cid: string }, stop(): Promise<void> }> {
  const channel = new MessageChannel()
  serveBlockstore(channel.port2 as unknown as MessageEndpoint, Promise.resolve(inner))
  const stores = { ...memoryStores(), blockstore: new WorkerBlockstore(channel.port1 as unknown as MessageEndpoint, 'in-a-worker') }
  channel.port1.start()
  channel.port2.start()
  const node = await createNode({ stores })
  const site = createSite({ node, host: standaloneHost() })
  const data = bytes(3 * 1024 * 1024 + 17, seed)
  const added = await (await site.fetch(new Request('http://localhost/api/v0/mcp/ipfs/add', { method: 'POST', body: data, headers: { 'Content-Type': 'application/octet-stream' } }))).json() as { cid: string }
  await stores.blockstore.flush()
  return { site, data, added, stop: async () => { await node.stop(); channel.port1.close() } }
}

describe('a file reply the blockstore\'s thread sends itself', () => {
  it('gives the bridge a port with the same bytes as the reply, a range\'s included, and is read in the page as ever', async () => {
    const { site, data, added, stop } = await nodeOverWorker(new MemoryRepoBlockstore(), 21)

    for (const [path, init, expected] of [
      [`/api/v0/mcp/ipfs/cat/${added.cid}`, {}, data],
      [`/api/v0/mcp/ipfs/cat/${added.cid}`, { headers: { Range: 'bytes=1048570-2097160' } }, data.subarray(1048570, 2097161)],
      [`/ipfs/${added.cid}`, {}, data]
    ] as Array<[string, RequestInit, Uint8Array]>) {
      const viaPort = await site.fetch(new Request(`http://localhost${path}`, init))
      const port = await servedBody(viaPort.body!)
      expect(port).toBeInstanceOf(MessagePort)
      expect(sameBytes(await readAll(receiveBody(port as MessagePort)), expected)).toBe(true)
      const inPage = await site.fetch(new Request(`http://localhost${path}`, init))
      expect(sameBytes(new Uint8Array(await inPage.arrayBuffer()), expected)).toBe(true)
    }
    await stop()
  })

  it('is a Blob of the store\'s files where it keeps blocks in files, with the same bytes, a range\'s included; a damaged block ends the body with an error', async () => {
    const inner = new FilesBlockstore()
    const { site, data, added, stop } = await nodeOverWorker(inner, 22)

    for (const [init, expected] of [
      [{}, data],
      // from the end of the first leaf into the third: a part of each end, the second whole
      [{ headers: { Range: 'bytes=1048570-2097160' } }, data.subarray(1048570, 2097161)],
      [{ headers: { Range: 'bytes=-17' } }, data.subarray(data.length - 17)]
    ] as Array<[RequestInit, Uint8Array]>) {
      const reply = await site.fetch(new Request(`http://localhost/api/v0/mcp/ipfs/cat/${added.cid}`, init))
      const served = await servedBody(reply.body!)
      expect(served).toBeInstanceOf(Blob)
      expect(Number(reply.headers.get('content-length'))).toBe(expected.byteLength)
      expect(sameBytes(new Uint8Array(await (served as Blob).arrayBuffer()), expected)).toBe(true)
    }

    // a leaf cut short: no Blob of a wrong length; the worker's stream ends with an error, never short
    inner.shortened = 1
    const reply = await site.fetch(new Request(`http://localhost/api/v0/mcp/ipfs/cat/${added.cid}`))
    const served = await servedBody(reply.body!)
    expect(served).toBeInstanceOf(MessagePort)
    await expect(readAll(receiveBody(served as MessagePort))).rejects.toThrow(/damaged in the local store/)
    await stop()
  })

  it('is not asked of the worker for a small file of one raw block, read already to resolve its path; a larger one still is', async () => {
    const { site, stop } = await nodeOverWorker(new FilesBlockstore(), 23)
    const small = bytes(100_000, 24)
    const large = bytes(200_000, 25)
    const form = new FormData()
    form.append('file', new Blob([small]), 'gallery/p001.jpg')
    form.append('file', new Blob([large]), 'gallery/p002.jpg')
    const dir = await (await site.fetch(new Request('http://localhost/api/v0/mcp/ipfs/add', { method: 'POST', body: form }))).json() as { cid: string }
    for (const [path, init, expected] of [
      [`/api/v0/mcp/ipfs/cat/${dir.cid}/p001.jpg`, {}, small],
      [`/ipfs/${dir.cid}/p001.jpg`, { headers: { Range: 'bytes=100-199' } }, small.subarray(100, 200)]
    ] as Array<[string, RequestInit, Uint8Array]>) {
      const reply = await site.fetch(new Request(`http://localhost${path}`, init))
      expect(await servedBody(reply.body!)).toBeUndefined()
      expect(sameBytes(new Uint8Array(await reply.arrayBuffer()), expected)).toBe(true)
    }
    const reply = await site.fetch(new Request(`http://localhost/ipfs/${dir.cid}/p002.jpg`))
    const served = await servedBody(reply.body!)
    expect(served).toBeInstanceOf(Blob)
    expect(sameBytes(new Uint8Array(await (served as Blob).arrayBuffer()), large)).toBe(true)
    await stop()
  })

  it('is not offered by a store in this thread', async () => {
    const node = await createNode({ stores: memoryStores() })
    const site = createSite({ node, host: standaloneHost() })
    const added = await (await site.fetch(new Request('http://localhost/api/v0/mcp/ipfs/add', { method: 'POST', body: bytes(2000, 3), headers: { 'Content-Type': 'application/octet-stream' } }))).json() as { cid: string }
    const reply = await site.fetch(new Request(`http://localhost/api/v0/mcp/ipfs/cat/${added.cid}`))
    expect(await servedBody(reply.body!)).toBeUndefined()
    expect((await reply.arrayBuffer()).byteLength).toBe(2000)
    await node.stop()
  })
})
