import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { NetworkStart } from '../../src/node/network-start.ts'
import { postJson, startTestApi, startTestSite } from './helpers.ts'
import type { TestApi, TestSite } from './helpers.ts'

describe('the network start', () => {
  it('waits for the start, then answers at once', async () => {
    const starting = Promise.withResolvers<void>()
    const network = new NetworkStart(starting.promise)
    expect(network.status).toBe('starting')
    let ready = false
    const waiting = network.ready().then(() => { ready = true })
    await new Promise(resolve => setTimeout(resolve, 10))
    expect(ready).toBe(false)
    starting.resolve()
    await waiting
    expect(network.status).toBe('started')
    await network.ready()
  })

  it('says why it failed, to every caller', async () => {
    const network = new NetworkStart(Promise.reject(new Error('no transport')))
    await expect(network.ready()).rejects.toMatchObject({ name: 'NetworkStartError', message: /no transport/ })
    await expect(network.ready()).rejects.toMatchObject({ name: 'NetworkStartError' })
    expect(network.status).toBe('failed')
    expect(network.error?.message).toBe('no transport')
    // stopping waits for the start to settle, whichever way it went
    await network.settled()
  })

  it('stops waiting when the signal aborts', async () => {
    const network = new NetworkStart(new Promise(() => {}))
    const controller = new AbortController()
    const waiting = network.ready({ signal: controller.signal })
    controller.abort(new Error('gone'))
    await expect(waiting).rejects.toThrow('gone')
  })
})

describe('a node that answers while its network starts', () => {
  let api: TestApi
  let mayStart: PromiseWithResolvers<void>

  beforeEach(async () => {
    // a networked node (no relays) whose libp2p is held back until the test lets it start
    mayStart = Promise.withResolvers<void>()
    api = await startTestApi({ network: { relays: [] }, backgroundStartsWhen: async () => mayStart.promise })
  })
  afterEach(async () => {
    mayStart.resolve()
    await api.stop()
  })

  it('answers health, content and MFS at once, and says the network is starting', async () => {
    const health = await api.json('/health')
    expect(health.body).toMatchObject({ success: true, node_started: true, network: 'starting', node_id: api.node.peerId.toString() })
    const added = await api.json('/ipfs/add', postJson({ content: 'before the network' }))
    expect(added.body.cid).toBe('bafkreig5744vlg6rot5bs6jtq2ogrvjs36vlet3qdmhs7w7s64gzjzidxq')
    expect(await (await api.request(`/ipfs/cat/${added.body.cid as string}`)).text()).toBe('before the network')
    expect((await api.json('/ipfs/files/mkdir', postJson({ path: '/early' }))).status).toBe(200)
    expect((await api.json('/ipfs/files/ls?path=/')).body.Entries.map((e: { Name: string }) => e.Name)).toEqual(['early'])
    expect((await api.json('/debug')).body.node).toMatchObject({ network: 'starting', listen_addresses: [], online: false })
  })

  it('holds a route that needs libp2p until the network has started', async () => {
    expect(() => api.node.helia.libp2p).toThrow(/Not started/)
    let answered = false
    const id = api.json('/ipfs/id').then((reply) => { answered = true; return reply })
    await new Promise(resolve => setTimeout(resolve, 50))
    expect(answered).toBe(false)
    mayStart.resolve()
    const { status, body } = await id
    expect(status).toBe(200)
    expect(body.id).toBe(api.node.peerId.toString())
    expect(api.node.helia.libp2p.peerId.equals(api.node.peerId)).toBe(true)
  })

  it('answers 504 when the network does not start within the deadline, and 503 when it could not start', async () => {
    const late = await api.json('/ipfs/swarm/peers?timeout=100')
    expect(late.status).toBe(504)
    expect(late.body.error_type).toBe('DeadlineExceededError')
    mayStart.reject(new Error('the relay list is unusable'))
    const failed = await api.json('/ipfs/swarm/peers')
    expect(failed.status).toBe(503)
    expect(failed.body).toMatchObject({ success: false, error_type: 'NetworkStartError' })
    expect(failed.body.error).toMatch(/relay list is unusable/)
    expect((await api.json('/health')).body.network).toBe('failed')
    // what does not need the network still works
    expect((await api.json('/ipfs/add', postJson({ content: 'offline' }))).status).toBe(200)
  })
})

describe('Kubo commands while the network starts', () => {
  let site: TestSite
  let mayStart: PromiseWithResolvers<void>

  beforeEach(async () => {
    mayStart = Promise.withResolvers<void>()
    site = await startTestSite({}, { network: { relays: [] }, backgroundStartsWhen: async () => mayStart.promise })
  })
  afterEach(async () => {
    mayStart.resolve()
    await site.stop()
  })

  it('adds, cats and serves the gateway at once', async () => {
    const form = new FormData()
    form.append('file', new Blob(['hello world\n']), '')
    const added = await site.request('/api/v0/add', { method: 'POST', body: form })
    expect(added.status).toBe(200)
    const { Hash } = await added.json() as { Hash: string }
    expect(Hash).toBe('QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o')
    expect(await (await site.request(`/api/v0/cat?arg=${Hash}`, { method: 'POST' })).text()).toBe('hello world\n')
    expect(await (await site.request(`/ipfs/${Hash}`)).text()).toBe('hello world\n')
  })

  it('waits for the network before id, and answers version at once', async () => {
    const version = await site.request('/api/v0/version', { method: 'POST' })
    expect(version.status).toBe(200)
    let answered = false
    const id = site.request('/api/v0/id', { method: 'POST' }).then(async (r) => { answered = true; return r.json() })
    await new Promise(resolve => setTimeout(resolve, 50))
    expect(answered).toBe(false)
    mayStart.resolve()
    expect((await id).ID).toBe(site.node.peerId.toString())
  })
})

describe('stopping a node', () => {
  it('does not wait for a network start that was never let begin', async () => {
    const api = await startTestApi({ network: { relays: [] }, backgroundStartsWhen: async () => new Promise(() => {}) })
    await api.stop()
    expect(api.node.network.status).toBe('failed')
    expect(api.node.network.error?.message).toMatch(/stopped before its network started/)
  })
})

describe('a relay list still arriving', () => {
  it('holds only libp2p\'s start: the node answers meanwhile, and its network starts once the list is in', async () => {
    const list = Promise.withResolvers<{ relays: string[] }>()
    const api = await startTestApi({ network: list.promise })
    expect((await api.json('/ipfs/add', postJson({ content: 'while the relays load' }))).status).toBe(200)
    await new Promise(resolve => setTimeout(resolve, 50))
    expect(api.node.network.status).toBe('starting')
    list.resolve({ relays: [] })
    await api.node.network.ready()
    expect((await api.json('/health')).body.network).toBe('started')
    await api.stop()
  })
})

