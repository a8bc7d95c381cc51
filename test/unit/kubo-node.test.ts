import { create } from 'kubo-rpc-client'
import { base36 } from 'multiformats/bases/base36'
import { CID } from 'multiformats/cid'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { bytes, startTestSite } from './helpers.ts'
import type { TestSite } from './helpers.ts'

/** A Kubo RPC call: POST to /api/v0/<command>. */
async function rpc (site: TestSite, command: string, init: RequestInit = {}): Promise<Response> {
  return site.request(`/api/v0/${command}`, { method: 'POST', ...init })
}

async function rpcJson (site: TestSite, command: string, init?: RequestInit): Promise<{ status: number, body: any }> {
  const response = await rpc(site, command, init)
  return { status: response.status, body: await response.json() }
}

async function rpcLines (site: TestSite, command: string): Promise<{ status: number, lines: any[] }> {
  const response = await rpc(site, command)
  const text = await response.text()
  return { status: response.status, lines: text.split('\n').filter(l => l.trim() !== '').map(l => JSON.parse(l)) }
}

/** A files/write body as kubo-rpc-client sends it: the content as one multipart file part. */
function filePart (content: Uint8Array | string): RequestInit {
  const form = new FormData()
  form.append('file', new Blob([content as BlobPart]), 'arg')
  return { body: form }
}

async function mcpAdd (site: TestSite, content: string, pin = true): Promise<string> {
  const response = await site.request('/api/v0/mcp/ipfs/add', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ content, pin, cid_version: 1 }) })
  return (await response.json()).cid
}

function expectKuboError (reply: { status: number, body: any }, status: 400 | 500, message?: RegExp): void {
  expect(reply.status).toBe(status)
  expect(reply.body).toEqual({ Message: expect.any(String), Code: status === 400 ? 1 : 0, Type: 'error' })
  if (message != null) expect(reply.body.Message).toMatch(message)
}

describe('Kubo RPC: files/*', () => {
  let site: TestSite
  beforeAll(async () => { site = await startTestSite() })
  afterAll(async () => { await site.stop() })

  it('mkdir -p, write, read back byte-equal, and stat, ls and flush agree', async () => {
    const mkdir = await rpc(site, 'files/mkdir?arg=/docs/deep/er&parents=true')
    expect(mkdir.status).toBe(200)
    expect(await mkdir.text()).toBe('')
    // parents also accepts a directory that is there already
    expect((await rpc(site, 'files/mkdir?arg=/docs/deep&parents=true')).status).toBe(200)

    // over two of the importer's 1 MiB chunks: three leaves under one node
    const data = new Uint8Array(2_200_000).map((_, i) => (i * 31 + 7) % 251)
    const write = await rpc(site, 'files/write?arg=/docs/deep/data.bin&create=true', filePart(data))
    expect(write.status).toBe(200)
    expect(await write.text()).toBe('')
    const read = await rpc(site, 'files/read?arg=/docs/deep/data.bin')
    expect(read.headers.get('content-type')).toBe('text/plain')
    const back = new Uint8Array(await read.arrayBuffer())
    // compared as buffers: a deep equality over two million elements takes seconds
    expect(back.byteLength).toBe(data.byteLength)
    expect(Buffer.compare(back, data)).toBe(0)
    const part = await rpc(site, 'files/read?arg=/docs/deep/data.bin&offset=1048570&count=12')
    expect([...new Uint8Array(await part.arrayBuffer())]).toEqual([...data.subarray(1_048_570, 1_048_582)])

    const stat = await rpcJson(site, 'files/stat?arg=/docs/deep/data.bin')
    expect(stat.status).toBe(200)
    expect(stat.body).toEqual({ Hash: expect.any(String), Size: 2_200_000, CumulativeSize: expect.any(Number), Blocks: 3, Type: 'file' })
    expect(stat.body.CumulativeSize).toBeGreaterThan(2_200_000)
    const long = await rpcJson(site, 'files/ls?arg=/docs/deep&long=true')
    expect(long.body).toEqual({
      Entries: [
        { Name: 'data.bin', Type: 0, Size: 2_200_000, Hash: stat.body.Hash },
        { Name: 'er', Type: 1, Size: 0, Hash: expect.stringMatching(/^bafy/) }
      ]
    })
    const short = await rpcJson(site, 'files/ls?arg=/docs/deep')
    expect(short.body.Entries).toEqual([{ Name: 'data.bin', Type: 0, Size: 0, Hash: '' }, { Name: 'er', Type: 0, Size: 0, Hash: '' }])

    const dir = await rpcJson(site, 'files/stat?arg=/docs/deep')
    expect(dir.body).toMatchObject({ Type: 'directory', Size: 0, Blocks: 2 })
    expect((await rpcJson(site, 'files/flush?arg=/docs/deep')).body).toEqual({ Cid: dir.body.Hash })
    expect((await rpcJson(site, 'files/flush')).body.Cid).toBe(site.node.mfs.root().toString())
  })

  it('write follows Kubo: no create or truncate unless asked, offsets splice', async () => {
    const missing = await rpcJson(site, 'files/write?arg=/absent.txt', filePart('x'))
    expectKuboError(missing, 500, /does not exist/)
    await rpc(site, 'files/write?arg=/o.txt&create=true', filePart('abcdefgh'))
    await rpc(site, 'files/write?arg=/o.txt&offset=2', filePart('XY'))
    expect(await (await rpc(site, 'files/read?arg=/o.txt')).text()).toBe('abXYefgh')
    await rpc(site, 'files/write?arg=/o.txt&truncate=true', filePart('short'))
    expect(await (await rpc(site, 'files/read?arg=/o.txt')).text()).toBe('short')
    await rpc(site, 'files/write?arg=/o.txt&offset=1&count=1', filePart('ZZZ'))
    expect(await (await rpc(site, 'files/read?arg=/o.txt')).text()).toBe('sZort')
    await rpc(site, 'files/write?arg=/made/by/parents.txt&create=true&parents=true', filePart('p'))
    expect((await rpcJson(site, 'files/stat?arg=/made/by/parents.txt')).body.Size).toBe(1)

    // a body cut short inside its file is a 400, and what the file held stays
    const request = new Request('http://localhost/', { method: 'POST', ...filePart(bytes(100_000, 3)) })
    const encoded = new Uint8Array(await request.arrayBuffer())
    const cut = await rpcJson(site, 'files/write?arg=/o.txt&truncate=true', { body: encoded.slice(0, 50_000), headers: { 'Content-Type': request.headers.get('content-type')! } })
    expectKuboError(cut, 400, /ended inside a part/)
    expect(await (await rpc(site, 'files/read?arg=/o.txt')).text()).toBe('sZort')
  })

  it('cp, mv and rm change the tree as Kubo\'s do', async () => {
    await rpc(site, 'files/write?arg=/src.txt&create=true', filePart('source'))
    const original = (await rpcJson(site, 'files/stat?arg=/src.txt')).body.Hash
    expect(await (await rpc(site, 'files/cp?arg=/src.txt&arg=/copy.txt')).text()).toBe('')
    expect((await rpcJson(site, 'files/stat?arg=/copy.txt')).body.Hash).toBe(original)

    // a copy from /ipfs/ links content that is not in MFS yet
    const added = await mcpAdd(site, 'from the repo')
    await rpc(site, `files/cp?arg=/ipfs/${added}&arg=/linked.txt`)
    expect(await (await rpc(site, 'files/read?arg=/linked.txt')).text()).toBe('from the repo')

    // force replaces a file that is in the way
    expectKuboError(await rpcJson(site, 'files/cp?arg=/linked.txt&arg=/copy.txt'), 400, /already exists/)
    await rpc(site, 'files/cp?arg=/linked.txt&arg=/copy.txt&force=true')
    expect(await (await rpc(site, 'files/read?arg=/copy.txt')).text()).toBe('from the repo')
    // a forced copy that cannot happen leaves the file it was to replace
    expect((await rpc(site, 'files/cp?arg=/does-not-exist&arg=/copy.txt&force=true')).status).toBeGreaterThanOrEqual(400)
    expect(await (await rpc(site, 'files/read?arg=/copy.txt')).text()).toBe('from the repo')

    await rpc(site, 'files/mv?arg=/copy.txt&arg=/moved.txt')
    const names = async (): Promise<string[]> => (await rpcJson(site, 'files/ls?arg=/')).body.Entries.map((e: { Name: string }) => e.Name)
    expect(await names()).toContain('moved.txt')
    expect(await names()).not.toContain('copy.txt')

    const rm = await rpc(site, 'files/rm?arg=/moved.txt&arg=/linked.txt')
    expect(rm.status).toBe(200)
    expect(await rm.text()).toBe('')
    expect(await names()).not.toContain('moved.txt')
    expect(await names()).not.toContain('linked.txt')

    await rpc(site, 'files/mkdir?arg=/full/inner&parents=true')
    expectKuboError(await rpcJson(site, 'files/rm?arg=/full'), 400, /not empty/)
    await rpc(site, 'files/rm?arg=/full&recursive=true')
    expect(await names()).not.toContain('full')
    // force succeeds on what is not there
    expect((await rpc(site, 'files/rm?arg=/never&force=true')).status).toBe(200)
  })

  it('bad input is a 400 in Kubo\'s error shape', async () => {
    expectKuboError(await rpcJson(site, 'files/stat'), 400, /"path" is required/)
    expectKuboError(await rpcJson(site, 'files/ls?arg=relative'), 400, /start with "\/"/)
    expectKuboError(await rpcJson(site, 'files/mkdir?arg=/x&parents=maybe'), 400, /parents/)
    expectKuboError(await rpcJson(site, 'files/read?arg=/src.txt&offset=-1'), 400, /offset/)
    expectKuboError(await rpcJson(site, 'files/write?arg=/w.txt&create=true', { body: 'raw', headers: { 'Content-Type': 'text/plain' } }), 400, /multipart/)
    expectKuboError(await rpcJson(site, 'files/write?arg=/w.txt&create=true&cid-version=0', filePart('x')), 400, /CIDv1/)
    expectKuboError(await rpcJson(site, 'files/cp?arg=/src.txt'), 400, /"dest" is required/)
    expectKuboError(await rpcJson(site, 'files/read?arg=/docs'), 400, /not a file/)
    expectKuboError(await rpcJson(site, 'files/stat?arg=/nothing/here'), 500, /does not exist/)
    const get = await site.request('/api/v0/files/ls')
    expect(get.status).toBe(405)
  })
})

describe('Kubo RPC: names, keys, node, swarm, routing, stats and repo on an offline node', () => {
  let site: TestSite
  beforeAll(async () => { site = await startTestSite() })
  afterAll(async () => { await site.stop() })

  it('key gen, list and rm', async () => {
    const gen = await rpcJson(site, 'key/gen?arg=blog&type=ed25519')
    expect(gen.status).toBe(200)
    expect(gen.body).toEqual({ Name: 'blog', Id: expect.stringMatching(/^k51/) })
    expectKuboError(await rpcJson(site, 'key/gen?arg=blog'), 400, /already exists/)
    expectKuboError(await rpcJson(site, 'key/gen?arg=other&type=dsa'), 400, /key type/)
    expectKuboError(await rpcJson(site, 'key/gen?arg=other&size=4096'), 400, /size/)
    const list = await rpcJson(site, 'key/list')
    expect(list.body).toEqual({ Keys: [{ Name: 'blog', Id: gen.body.Id }, { Name: 'self', Id: expect.stringMatching(/^k51/) }] })
    const rm = await rpcJson(site, 'key/rm?arg=blog')
    expect(rm.body).toEqual({ Keys: [{ Name: 'blog', Id: gen.body.Id }] })
    expect((await rpcJson(site, 'key/list')).body.Keys.map((k: { Name: string }) => k.Name)).toEqual(['self'])
    expectKuboError(await rpcJson(site, 'key/rm?arg=self'), 400, /self/)
    expectKuboError(await rpcJson(site, 'key/rm'), 400, /"name" is required/)
  })

  it('name publish (allow-offline) then resolve gives the path, plain and streamed', async () => {
    const cid = await mcpAdd(site, 'published value')
    const refused = await rpcJson(site, `name/publish?arg=/ipfs/${cid}`)
    expectKuboError(refused, 500, /can't publish while offline/)

    const published = await rpcJson(site, `name/publish?arg=/ipfs/${cid}&allow-offline=true&lifetime=1h&ttl=1m`)
    expect(published.status).toBe(200)
    expect(published.body).toEqual({ Name: expect.stringMatching(/^k51/), Value: `/ipfs/${cid}` })
    const self = (await rpcJson(site, 'key/list')).body.Keys[0].Id
    expect(published.body.Name).toBe(self)

    expect((await rpcJson(site, `name/resolve?arg=/ipns/${published.body.Name as string}`)).body).toEqual({ Path: `/ipfs/${cid}` })
    // no argument: the node's own name
    expect((await rpcJson(site, 'name/resolve')).body).toEqual({ Path: `/ipfs/${cid}` })
    const streamed = await rpcLines(site, `name/resolve?arg=${site.node.peerId.toString()}&stream=true`)
    expect(streamed.lines).toEqual([{ Path: `/ipfs/${cid}` }])

    // under a generated key, named by its IPNS name as `key list -l` shows it
    const key = (await rpcJson(site, 'key/gen?arg=site')).body
    const other = await mcpAdd(site, 'another value')
    const underKey = await rpcJson(site, `name/publish?arg=${other}&key=${key.Id as string}&allow-offline=true`)
    expect(underKey.body).toEqual({ Name: key.Id, Value: `/ipfs/${other}` })

    expectKuboError(await rpcJson(site, `name/publish?arg=/ipfs/${cid}&allow-offline=true&lifetime=forever`), 400, /lifetime/)
    expectKuboError(await rpcJson(site, `name/publish?arg=/ipfs/${cid}&allow-offline=true&lifetime=1m&ttl=1h`), 400, /ttl/)
    expectKuboError(await rpcJson(site, 'name/publish?arg=/ipfs/not-a-cid&allow-offline=true'), 400)
    expectKuboError(await rpcJson(site, 'name/resolve?arg=example.com'), 400, /DNSLink/)
  })

  it('id is the node\'s identity; version names this app honestly', async () => {
    const peerId = site.node.peerId
    const id = await rpcJson(site, 'id')
    expect(id.body).toEqual({ ID: peerId.toString(), PublicKey: expect.any(String), Addresses: [], AgentVersion: expect.stringMatching(/^mcp-browser-node\//), Protocols: expect.any(Array) })
    // the protobuf of an Ed25519 key: Type 1, then 32 bytes of Data
    const key = Uint8Array.from(atob(id.body.PublicKey as string), ch => ch.charCodeAt(0))
    expect([...key.subarray(0, 4)]).toEqual([0x08, 0x01, 0x12, 0x20])
    expect(key.subarray(4)).toEqual(peerId.publicKey?.raw)
    expect((await rpcJson(site, `id?arg=${peerId.toString()}&peerid-base=base36`)).body.ID).toBe(peerId.toCID().toString(base36))
    expectKuboError(await rpcJson(site, 'id?arg=not-a-peer'), 400, /peer id/)
    expectKuboError(await rpcJson(site, 'id?peerid-base=base2'), 400, /peerid-base/)

    const health = await (await site.request('/api/v0/mcp/health')).json()
    const version = await rpcJson(site, 'version')
    expect(version.body).toEqual({ Version: health.version, Commit: '', Repo: `mcp-browser-node@${health.version as string}`, System: expect.stringMatching(/^helia\/\S+ libp2p\/\S+/), Golang: '' })
  })

  it('network commands fail clearly, never hang, on a node with no connection', async () => {
    const other = '12D3KooWGRUVh7aUBGvVxtJTyddjBQFqnZb1bJaaDVHtxNQZwsEv'
    expect((await rpcJson(site, 'swarm/peers?verbose=true')).body).toEqual({ Peers: [] })
    expectKuboError(await rpcJson(site, 'swarm/connect?arg=/not/a/multiaddr'), 400, /multiaddr/)
    expectKuboError(await rpcJson(site, 'swarm/connect'), 400, /"address" is required/)
    expectKuboError(await rpcJson(site, `swarm/connect?arg=/ip4/127.0.0.1/tcp/1/p2p/${other}&timeout=5s`), 500, /could not connect/)

    expectKuboError(await rpcJson(site, `ping?arg=${other}`), 500, /without the network/)
    expectKuboError(await rpcJson(site, `ping?arg=${site.node.peerId.toString()}`), 400, /ping self/)
    expectKuboError(await rpcJson(site, `ping?arg=${other}&count=0`), 400, /count/)
    expectKuboError(await rpcJson(site, 'ping?arg=nope'), 400, /peer id/)

    const cid = await mcpAdd(site, 'provide me')
    expectKuboError(await rpcJson(site, `routing/findprovs?arg=${cid}`), 500, /no connections/)
    expectKuboError(await rpcJson(site, `routing/findprovs?arg=${cid}&num-providers=0`), 400, /greater than 0/)
    expectKuboError(await rpcJson(site, 'routing/findprovs?arg=bogus'), 400, /CID/)
    expectKuboError(await rpcJson(site, `routing/findpeer?arg=${other}`), 500, /no connections/)
    expectKuboError(await rpcJson(site, `routing/findpeer?arg=${site.node.peerId.toString()}`), 400, /your own node/)
    expectKuboError(await rpcJson(site, `routing/provide?arg=${cid}`), 500, /no connections/)
    expectKuboError(await rpcJson(site, `routing/provide?arg=${cid}&recursive=true`), 400, /recursive/)
  })

  it('stats/bw reports libp2p traffic: an offline node exchanges none, whatever its API moved', async () => {
    await mcpAdd(site, 'x'.repeat(5000))
    const zeros = { TotalIn: 0, TotalOut: 0, RateIn: 0, RateOut: 0 }
    const bw = await rpcJson(site, 'stats/bw')
    expect(bw.status).toBe(200)
    expect(bw.body).toEqual(zeros)
    // polling goes on while the client reads: two samples, then the client leaves
    const polled = await rpc(site, 'stats/bw?poll=true&interval=100ms')
    expect(polled.status).toBe(200)
    const lines: unknown[] = []
    let text = ''
    const reader = polled.body!.pipeThrough(new TextDecoderStream()).getReader()
    while (lines.length < 2) {
      const { value, done } = await reader.read()
      if (done) break
      text += value
      while (text.includes('\n')) {
        const end = text.indexOf('\n')
        lines.push(JSON.parse(text.slice(0, end)))
        text = text.slice(end + 1)
      }
    }
    await reader.cancel()
    expect(lines.slice(0, 2)).toEqual([zeros, zeros])
    // one peer's or one protocol's figures, as Kubo gives them; never seen, they are zeros too
    expect((await rpcJson(site, `stats/bw?peer=${site.node.peerId.toString()}`)).body).toEqual(zeros)
    expect((await rpcJson(site, 'stats/bw?proto=/ipfs/bitswap/1.2.0')).body).toEqual(zeros)
    expectKuboError(await rpcJson(site, 'stats/bw?peer=not-a-peer'), 400, /peer id/)
    expectKuboError(await rpcJson(site, `stats/bw?peer=${site.node.peerId.toString()}&proto=/ipfs/id/1.0.0`), 400, /peer OR protocol/)
    expectKuboError(await rpcJson(site, 'stats/bw?interval=0s'), 400, /interval/)
  })

  it('repo/stat counts objects; repo/gc removes an unpinned block and keeps pinned and MFS ones', async () => {
    const pinned = await mcpAdd(site, 'keep me')
    const loose = await mcpAdd(site, 'collect me', false)
    await rpc(site, 'files/write?arg=/kept.txt&create=true', filePart('kept by MFS'))
    const inMfs = (await rpcJson(site, 'files/stat?arg=/kept.txt')).body.Hash

    const before = await rpcJson(site, 'repo/stat')
    expect(before.body).toEqual({ RepoSize: expect.any(Number), StorageMax: expect.any(Number), NumObjects: expect.any(Number), RepoPath: 'memory', Version: expect.stringMatching(/^mcp-browser-node@/) })
    expect(before.body.NumObjects).toBeGreaterThan(0)
    expect(before.body.RepoSize).toBeGreaterThan(0)
    // no quota is known outside a browser: Kubo's "no limit", 2^64-1, written as an exact integer
    expect(await (await rpc(site, 'repo/stat')).text()).toContain('"StorageMax":18446744073709551615')
    expect((await rpcJson(site, 'repo/stat?size-only=true')).body).toMatchObject({ RepoSize: before.body.RepoSize, NumObjects: 0 })

    const gc = await rpc(site, 'repo/gc')
    expect(gc.headers.get('x-chunked-output')).toBe('1')
    const removed = (await gc.text()).split('\n').filter(l => l !== '').map(l => JSON.parse(l))
    expect(removed).toContainEqual({ Key: { '/': loose } })
    expect(removed).not.toContainEqual({ Key: { '/': pinned } })
    expect(removed).not.toContainEqual({ Key: { '/': inMfs } })
    expect(await site.node.blockstore.has(CID.parse(loose))).toBe(false)
    expect(await site.node.blockstore.has(CID.parse(pinned))).toBe(true)
    const after = await rpcJson(site, 'repo/stat')
    expect(after.body.NumObjects).toBe(before.body.NumObjects - removed.length)
    expect((await rpcLines(site, 'repo/gc?silent=true')).lines).toEqual([])
  })
})

describe('the real kubo-rpc-client against the node', () => {
  let site: TestSite
  beforeAll(async () => { site = await startTestSite() })
  afterAll(async () => { await site.stop() })
  afterEach(() => { vi.unstubAllGlobals() })

  it('drives MFS, keys, names, id, version, stats and the repo as it would a Kubo daemon', async () => {
    // the client calls the global fetch: route it to the site, as the service worker would
    vi.stubGlobal('fetch', async (input: string | URL | Request, init?: RequestInit) => {
      const url = new URL(input instanceof Request ? input.url : input.toString())
      return site.request(`${url.pathname}${url.search}`, init)
    })
    const ipfs = create({ url: 'http://localhost/api/v0' })
    const collect = async <T>(it: AsyncIterable<T>): Promise<T[]> => { const out: T[] = []; for await (const v of it) out.push(v); return out }
    const text = (chunks: Uint8Array[]): string => new TextDecoder().decode(new Uint8Array(chunks.flatMap(c => [...c])))

    await ipfs.files.mkdir('/docs/deep', { parents: true })
    await ipfs.files.write('/docs/deep/a.txt', 'alpha', { create: true })
    expect(text(await collect(ipfs.files.read('/docs/deep/a.txt')))).toBe('alpha')
    expect(text(await collect(ipfs.files.read('/docs/deep/a.txt', { offset: 1, length: 3 })))).toBe('lph')
    await ipfs.files.cp('/docs/deep/a.txt', '/docs/b.txt')
    await ipfs.files.mv('/docs/b.txt', '/docs/c.txt')
    const listed = await collect(ipfs.files.ls('/docs'))
    expect(listed.map(e => [e.name, e.type])).toEqual([['c.txt', 'file'], ['deep', 'directory']])
    const stat = await ipfs.files.stat('/docs/c.txt')
    expect([stat.size, stat.type]).toEqual([5, 'file'])
    expect(listed[0].cid.toString()).toBe(stat.cid.toString())
    await ipfs.files.rm('/docs/deep', { recursive: true })
    expect((await collect(ipfs.files.ls('/docs'))).map(e => e.name)).toEqual(['c.txt'])
    expect((await ipfs.files.flush('/docs')).toString()).toBe((await ipfs.files.stat('/docs')).cid.toString())

    const key = await ipfs.key.gen('client-key', { type: 'ed25519' })
    expect((await ipfs.key.list()).map(k => k.name).sort()).toEqual(['client-key', 'self'])
    const published = await ipfs.name.publish(`/ipfs/${stat.cid.toString()}`, { key: 'client-key', allowOffline: true })
    expect([published.name, published.value]).toEqual([key.id, `/ipfs/${stat.cid.toString()}`])
    expect(await collect(ipfs.name.resolve(`/ipns/${key.id}`))).toEqual([`/ipfs/${stat.cid.toString()}`])
    expect((await ipfs.key.rm('client-key')).name).toBe('client-key')

    const id = await ipfs.id()
    expect(id.id.toString()).toBe(site.node.peerId.toString())
    const health = await (await site.request('/api/v0/mcp/health')).json()
    expect((await ipfs.version()).version).toBe(health.version)
    expect(await ipfs.swarm.peers()).toEqual([])
    const bw = await collect(ipfs.stats.bw())
    expect(bw.length).toBe(1)
    expect(typeof bw[0].totalIn).toBe('bigint')
    const repo = await ipfs.repo.stat()
    expect(repo.numObjects > 0n && repo.repoSize > 0n).toBe(true)
    // the client reads JSON numbers as doubles, so Kubo's 2^64-1 reaches it rounded, as from a daemon
    expect(repo.storageMax).toBe(BigInt(Number(2n ** 64n - 1n)))

    const loose = await mcpAdd(site, 'garbage soon', false)
    const gc = await collect(ipfs.repo.gc())
    expect(gc.some(r => r.cid?.toString() === loose)).toBe(true)

    await expect(ipfs.files.stat('/nowhere')).rejects.toThrow(/does not exist/)
  })
})
