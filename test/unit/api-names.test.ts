import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { postJson, startTestApi } from './helpers.ts'
import type { TestApi } from './helpers.ts'

describe('IPNS, keys, DHT and swarm routes on an offline node', () => {
  let api: TestApi
  beforeAll(async () => { api = await startTestApi() })
  afterAll(async () => { await api.stop() })

  it('publishes under self to the local store and resolves it back, newest value winning', async () => {
    const first = await api.json('/ipfs/add', postJson({ content: 'first value' }))
    const published = await api.json('/ipfs/name/publish', postJson({ path: `/ipfs/${first.body.cid as string}` }))
    expect(published.status).toBe(200)
    expect(published.body).toMatchObject({ Value: `/ipfs/${first.body.cid as string}`, published_to_network: false })
    expect(published.body.Name).toMatch(/^k51/)
    const resolved = await api.json(`/ipfs/name/resolve?name=/ipns/${published.body.Name as string}`)
    expect(resolved.body.Path).toBe(`/ipfs/${first.body.cid as string}`)

    const second = await api.json('/ipfs/add', postJson({ content: 'second value' }))
    const again = await api.json('/ipfs/name/publish', postJson({ cid: second.body.cid, lifetime: '1h30m' }))
    expect(again.body.sequence).toBe(published.body.sequence + 1)
    const byPeerId = await api.json('/ipfs/name/resolve', postJson({ name: api.node.peerId.toString() }))
    expect(byPeerId.body.Path).toBe(`/ipfs/${second.body.cid as string}`)
  })

  it('keys: generate, list (no private parts), publish under one, remove', async () => {
    const gen = await api.json('/ipfs/key/gen', postJson({ name: 'blog' }))
    expect(gen.body).toMatchObject({ Name: 'blog', type: 'Ed25519' })
    expect((await api.json('/ipfs/key/gen', postJson({ name: 'blog' }))).status).toBe(409)
    const list = await api.json('/ipfs/key/list')
    expect(list.body.Keys.map((k: { Name: string }) => k.Name)).toEqual(['blog', 'self'])
    expect(JSON.stringify(list.body)).not.toMatch(/private|pkcs8|"key"/i)

    const added = await api.json('/ipfs/add', postJson({ content: 'blog post' }))
    const published = await api.json('/ipfs/name/publish', postJson({ cid: added.body.cid, key: 'blog' }))
    expect(published.body.Name).toBe(gen.body.Id)
    expect((await api.json(`/ipfs/name/resolve?name=${gen.body.Id as string}`)).body.Path).toBe(`/ipfs/${added.body.cid as string}`)

    expect((await api.json('/ipfs/key/rm', postJson({ name: 'self' }))).status).toBe(400)
    expect((await api.json('/ipfs/key/rm', postJson({ name: 'blog' }))).body.removed).toBe(true)
    expect((await api.json('/ipfs/key/rm', postJson({ name: 'blog' }))).status).toBe(404)
    const gone = await api.json('/ipfs/name/publish', postJson({ cid: added.body.cid, key: 'blog' }))
    expect(gone.status).toBe(404)
    expect(gone.body.error_type).toBe('KeyNotFoundError')
  })

  it('refuses malformed names, paths, durations and key types', async () => {
    expect((await api.json('/ipfs/name/resolve?name=not-a-name')).status).toBe(400)
    expect((await api.json('/ipfs/name/resolve?name=example.com')).body.error).toMatch(/DNSLink/)
    expect((await api.json('/ipfs/name/publish', postJson({ path: '/ipfs/zzz' }))).status).toBe(400)
    expect((await api.json('/ipfs/name/publish', postJson({}))).status).toBe(400)
    expect((await api.json('/ipfs/name/publish', postJson({ cid: 'bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e', lifetime: 'forever', resolve: false }))).status).toBe(400)
    expect((await api.json('/ipfs/key/gen', postJson({ name: 'x', type: 'dsa' }))).status).toBe(400)
    expect((await api.json('/ipfs/key/gen', postJson({ name: 'bad name!' }))).status).toBe(400)
  })

  it('publishing a path that does not resolve is refused unless resolve=false', async () => {
    const absent = 'bafkreicrbn7tn4ocxbkw7jsuqonvaba46i6fvuo3k6k7ufr4q3tetoo7p4'
    const refused = await api.json('/ipfs/name/publish', postJson({ cid: absent }))
    expect(refused.status).toBe(404)
    expect(refused.body.error_type).toBe('ContentNotFoundError')
    const forced = await api.json('/ipfs/name/publish', postJson({ cid: absent, resolve: false }))
    expect(forced.body.Value).toBe(`/ipfs/${absent}`)
  })

  it('an unknown name is a 404 offline; publishing with allow_offline=false is a 503', async () => {
    const other = 'k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8'
    const missing = await api.json(`/ipfs/name/resolve?name=${other}`)
    expect(missing.status).toBe(404)
    expect(missing.body.error_type).toBe('NameNotFoundError')
    const offline = await api.json('/ipfs/name/publish', postJson({ cid: 'bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e', allow_offline: false }))
    expect(offline.status).toBe(503)
  })

  it('DHT and swarm say plainly that an offline node cannot reach the network', async () => {
    const find = await api.json(`/ipfs/dht/findpeer?peer_id=${api.node.peerId.toString()}`)
    expect(find.status).toBe(503)
    expect(find.body.error_type).toBe('NetworkUnavailableError')
    expect((await api.json('/ipfs/dht/findprovs?cid=not-a-cid')).status).toBe(400)
    expect((await api.json('/ipfs/dht/findpeer?peer_id=nope')).status).toBe(400)
    expect((await api.json('/ipfs/swarm/peers')).body).toMatchObject({ peers: [], count: 0 })
    const dial = await api.json('/ipfs/swarm/connect', postJson({ address: '/ip4/127.0.0.1/tcp/1/ws/p2p/12D3KooWLptRe6wgVzeurSaTTUEHreiiUmaQyGVL6waL7PNzkjLd' }))
    expect(dial.status).toBe(502)
    expect(dial.body.error_type).toBe('PeerUnreachableError')
  })
})

describe('WebRTC routes outside a browser', () => {
  let api: TestApi
  beforeAll(async () => { api = await startTestApi() })
  afterAll(async () => { await api.stop() })

  it('report honestly that Node has no WebRTC and the node no network', async () => {
    expect((await api.json('/webrtc/capabilities')).body).toMatchObject({ rtc_peer_connection: false, data_channels: false, audio_codecs: [], video_codecs: [] })
    const check = (await api.json('/webrtc/check')).body
    expect(check.webrtc_available).toBe(false)
    expect(check.missing).toEqual(['RTCPeerConnection is not available in this environment', 'the node runs without the network (no transports)'])
    expect((await api.json('/webrtc/status')).body).toMatchObject({ listen_addresses: [], active_connections: 0 })
    expect((await api.json('/webrtc/peers')).body.count).toBe(0)
    const connect = await api.json('/webrtc/connect', postJson({ peer_id: api.node.peerId.toString() }))
    expect(connect.status).toBe(503)
    expect((await api.json('/webrtc/connect', postJson({}))).status).toBe(400)
  })
})
