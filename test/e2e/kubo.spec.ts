import '../../tools/node-polyfills.mjs'
import { fileURLToPath } from 'node:url'
import { expect, test } from '@playwright/test'
import { startRelay } from '../../tools/relay/relay.mjs'
import { build } from 'vite'
import { call, openApp } from './helpers.ts'
import { makePng, makeWebm } from './media.ts'
import type { BrowserContext, Page } from '@playwright/test'
import type { Rollup } from 'vite'

/** The real kubo-rpc-client, bundled for the page as an app would ship it (global `KuboRpcClient`). */
let clientCode = ''

test.beforeAll(async () => {
  const result = await build({
    configFile: false,
    logLevel: 'warn',
    build: {
      write: false,
      minify: false,
      lib: { entry: fileURLToPath(new URL('./kubo-client.entry.ts', import.meta.url)), formats: ['iife'], name: 'KuboRpcClient', fileName: () => 'kubo.js' }
    }
  }) as Rollup.RollupOutput | Rollup.RollupOutput[]
  clientCode = (Array.isArray(result) ? result[0] : result).output[0].code
})

async function openWithClient (context: BrowserContext, path = '/'): Promise<Page> {
  const page = await openApp(context, path)
  await page.addScriptTag({ content: clientCode })
  return page
}

test('kubo-rpc-client adds, reads, lists and pins with the CIDs Kubo gives', async ({ context }) => {
  const page = await openWithClient(context)
  const result = await page.evaluate(async () => {
    const { create } = (window as any).KuboRpcClient
    const ipfs = create({ url: `${location.origin}/api/v0` })
    const text = (chunks: Uint8Array[]): string => new TextDecoder().decode(new Uint8Array(chunks.flatMap(c => [...c])))
    const collect = async (it: AsyncIterable<any>): Promise<any[]> => { const out: any[] = []; for await (const v of it) out.push(v); return out }

    const hello = await ipfs.add('hello world')
    const helloV1 = await ipfs.add('hello world', { cidVersion: 1 })
    const cat = text(await collect(ipfs.cat(hello.cid)))
    const part = text(await collect(ipfs.cat(hello.cid, { offset: 6, length: 3 })))
    const tree = await collect(ipfs.addAll([
      { path: 'site/index.html', content: '<h1>hi</h1>' },
      { path: 'site/css/style.css', content: 'h1{color:red}' }
    ]))
    const root = tree.at(-1)
    const listed = await collect(ipfs.ls(root.cid))
    const pins = (await collect(ipfs.pin.ls({ type: 'recursive' }))).map((p: any) => p.cid.toString())
    const unpinned = (await ipfs.pin.rm(hello.cid)).toString()
    const afterRm = (await collect(ipfs.pin.ls({ type: 'recursive' }))).map((p: any) => p.cid.toString())
    const repinned = (await ipfs.pin.add(hello.cid)).toString()

    const progress: number[] = []
    const big = new Uint8Array(700_000).map((_, i) => (i * 7) % 256)
    const chunked = await ipfs.add(big, { chunker: 'size-65536', rawLeaves: true, cidVersion: 1 })
    // in a browser the client counts upload progress itself (XHR upload events); the node's own progress lines, as Kubo writes them:
    const form = new FormData()
    form.append('file', new Blob([big]), 'big.bin')
    const lines = (await (await fetch('/api/v0/add?progress=true&cid-version=1&chunker=size-65536&raw-leaves=true', { method: 'POST', body: form })).text()).trim().split('\n').map(l => JSON.parse(l))
    for (const line of lines) if (line.Bytes != null) progress.push(line.Bytes)
    const progressRoot = lines.at(-1).Hash
    const chunkedDefault = await ipfs.add(big)
    const wrapped = await ipfs.add({ path: 'note.txt', content: 'in a folder' }, { wrapWithDirectory: true })
    const hashedOnly = await ipfs.add('never stored, only hashed', { onlyHash: true })
    // a block that was only hashed is not here: asking for it ends in a not-found or a timed-out search, nothing else
    const storedAfterHash = await ipfs.block.stat(hashedOnly.cid, { timeout: 1500 }).then(() => 'stored', (err: Error) => err.message)
    const tar = new Uint8Array((await collect(ipfs.get(wrapped.cid))).flatMap((c: Uint8Array) => [...c]))
    return {
      progress,
      chunked: [chunked.cid.toString(), chunked.size],
      progressRoot,
      chunkedDefault: chunkedDefault.cid.toString(),
      wrapped: [wrapped.path, wrapped.cid.toString()],
      wrappedList: (await collect(ipfs.ls(wrapped.cid))).map((e: any) => e.name),
      hashedOnly: hashedOnly.cid.toString(),
      storedAfterHash,
      tarHasNote: new TextDecoder().decode(tar).includes('in a folder') && new TextDecoder().decode(tar).includes('note.txt'),
      hello: hello.cid.toString(),
      helloSize: hello.size,
      helloV1: helloV1.cid.toString(),
      cat,
      part,
      tree: tree.map((e: any) => [e.path, e.cid.toString()]),
      listed: listed.map((e: any) => [e.name, e.type, e.size]),
      pins,
      unpinned,
      afterRm,
      repinned
    }
  })
  // what `ipfs add` prints for the same bytes (CIDv0, 256 KiB dag-pb leaves), and `--cid-version 1`
  expect(result.hello).toBe('Qmf412jQZiuVUtdgnB36FXFX7xg5V6KEbSJ4dpQuhkLyfD')
  expect(result.helloSize).toBe(19)
  expect(result.helloV1).toBe('bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e')
  expect(result.cat).toBe('hello world')
  expect(result.part).toBe('wor')
  expect(result.tree.map(([path]) => path)).toEqual(['site/index.html', 'site/css/style.css', 'site/css', 'site'])
  expect(result.listed).toEqual([['css', 'dir', expect.any(Number)], ['index.html', 'file', 11]])
  expect(result.pins).toContain(result.hello)
  expect(result.pins).toContain(result.tree.at(-1)![1])
  expect(result.unpinned).toBe(result.hello)
  expect(result.afterRm).not.toContain(result.hello)
  expect(result.repinned).toBe(result.hello)
  // options change the DAG as they would in Kubo: 64 KiB raw leaves give another root than 256 KiB dag-pb leaves
  expect(result.progress.at(-1)).toBe(700_000)
  expect(result.progress.length).toBeGreaterThan(1)
  expect(result.chunked[0]).toMatch(/^bafybei/)
  expect(result.progressRoot).toBe(result.chunked[0])
  expect(result.chunked[1]).toBeGreaterThan(700_000)
  expect(result.chunkedDefault).toMatch(/^Qm/)
  expect(result.wrapped[0]).toBe('')
  expect(result.wrappedList).toEqual(['note.txt'])
  expect(result.hashedOnly).toMatch(/^Qm/)
  expect(result.storedAfterHash).toMatch(/not in the local store|deadline|timed out|aborted/i)
  expect(result.tarHasNote).toBe(true)
})

test('kubo-rpc-client drives blocks, DAGs, names, keys, MFS and the node', async ({ context }) => {
  const page = await openWithClient(context)
  const result = await page.evaluate(async () => {
    const { create } = (window as any).KuboRpcClient
    const ipfs = create({ url: `${location.origin}/api/v0` })
    const text = (chunks: Uint8Array[]): string => new TextDecoder().decode(new Uint8Array(chunks.flatMap(c => [...c])))
    const collect = async (it: AsyncIterable<any>): Promise<any[]> => { const out: any[] = []; for await (const v of it) out.push(v); return out }
    const out: Record<string, unknown> = {}

    const block = await ipfs.block.put(new TextEncoder().encode('a block'))
    out.block = block.toString()
    out.blockBytes = new TextDecoder().decode(await ipfs.block.get(block))
    out.blockStat = (await ipfs.block.stat(block)).size
    out.blockRm = (await collect(ipfs.block.rm(block))).map((r: any) => [r.cid.toString(), r.error ?? null])

    const node = await ipfs.dag.put({ greeting: 'hi', n: 7 })
    out.dag = node.toString()
    out.dagValue = (await ipfs.dag.get(node)).value
    const linked = await ipfs.dag.put({ child: node })
    const resolved = await ipfs.dag.resolve(`${linked.toString()}/child/greeting`)
    out.resolved = [resolved.cid.toString(), resolved.remainderPath]

    const key = await ipfs.key.gen('e2e-key', { type: 'ed25519' })
    out.keys = (await ipfs.key.list()).map((k: any) => k.name).sort()
    const published = await ipfs.name.publish(`/ipfs/${node.toString()}`, { key: 'e2e-key', allowOffline: true })
    out.published = [published.name === key.id, published.value]
    out.resolvedName = await collect(ipfs.name.resolve(`/ipns/${key.id}`))
    out.removedKey = (await ipfs.key.rm('e2e-key')).name

    await ipfs.files.mkdir('/docs/deep', { parents: true })
    await ipfs.files.write('/docs/deep/a.txt', 'alpha', { create: true })
    out.read = text(await collect(ipfs.files.read('/docs/deep/a.txt')))
    await ipfs.files.cp('/docs/deep/a.txt', '/docs/b.txt')
    await ipfs.files.mv('/docs/b.txt', '/docs/c.txt')
    out.ls = (await collect(ipfs.files.ls('/docs'))).map((e: any) => [e.name, e.type])
    const stat = await ipfs.files.stat('/docs/c.txt')
    out.stat = [stat.size, stat.type, stat.cid.toString()]
    await ipfs.files.rm('/docs/deep', { recursive: true })
    out.afterRm = (await collect(ipfs.files.ls('/docs'))).map((e: any) => e.name)
    out.flush = (await ipfs.files.flush('/docs')).toString() === (await ipfs.files.stat('/docs')).cid.toString()

    const id = await ipfs.id()
    out.id = id.id.toString()
    out.version = (await ipfs.version()).version
    const repo = await ipfs.repo.stat()
    out.repo = [Number(repo.numObjects) > 0, Number(repo.repoSize) > 0]
    const bw = await collect(ipfs.stats.bw())
    out.bw = bw.length > 0 && typeof bw[0].totalIn === 'bigint'
    const unpinned = await ipfs.add('garbage soon', { pin: false })
    const gc = await collect(ipfs.repo.gc())
    // as Kubo's, the blockstore is keyed by multihash: gc names what it removed as raw CIDv1s
    const digest = (cid: any): string => [...cid.multihash.bytes].join(',')
    out.gc = gc.some((r: any) => r.cid != null && digest(r.cid) === digest(unpinned.cid))
    return out
  })
  const health = await call(page, '/health')
  expect(result.block).toMatch(/^bafkrei/)
  expect(result.blockBytes).toBe('a block')
  expect(result.blockStat).toBe(7)
  expect(result.blockRm).toEqual([[result.block, null]])
  expect(result.dag).toMatch(/^bafyrei/)
  expect(result.dagValue).toEqual({ greeting: 'hi', n: 7 })
  expect(result.resolved).toEqual([result.dag, 'greeting'])
  expect(result.keys).toEqual(['e2e-key', 'self'])
  expect(result.published).toEqual([true, `/ipfs/${result.dag as string}`])
  expect(result.resolvedName).toEqual([`/ipfs/${result.dag as string}`])
  expect(result.removedKey).toBe('e2e-key')
  expect(result.read).toBe('alpha')
  expect(result.ls).toEqual([['c.txt', 'file'], ['deep', 'directory']])
  expect(result.stat).toEqual([5, 'file', expect.stringMatching(/^bafkrei|^Qm/)])
  expect(result.afterRm).toEqual(['c.txt'])
  expect(result.flush).toBe(true)
  expect(result.id).toBe(health.json.node_id)
  expect(result.version).toBe(health.json.version)
  expect(result.repo).toEqual([true, true])
  expect(result.bw).toBe(true)
  expect(result.gc).toBe(true)
})

test('two browsers: swarm connect and peers, ping, and the DHT through routing provide, findprovs and findpeer', async ({ browser }) => {
  test.setTimeout(90_000)
  const a = await openWithClient(await browser.newContext())
  const b = await openWithClient(await browser.newContext())
  try {
    let address: string | undefined
    await expect.poll(async () => {
      address = ((await call(a, '/ipfs/id')).json.addresses as string[]).find(x => x.includes('/p2p-circuit/webrtc'))
      return address
    }, { timeout: 20_000 }).toBeDefined()
    const shared = await a.evaluate(async () => {
      const { create } = (window as any).KuboRpcClient
      const ipfs = create({ url: `${location.origin}/api/v0` })
      const { cid } = await ipfs.add(`provided by A ${Math.random()}`)
      return { cid: cid.toString(), id: (await ipfs.id()).id.toString() }
    })
    const result = await b.evaluate(async ({ address, shared }) => {
      const { create, CID, multiaddr } = (window as any).KuboRpcClient
      const ipfs = create({ url: `${location.origin}/api/v0` })
      const collect = async (it: AsyncIterable<any>): Promise<any[]> => { const out: any[] = []; for await (const v of it) out.push(v); return out }
      await ipfs.swarm.connect(multiaddr(address))
      const peers = (await ipfs.swarm.peers()).map((p: any) => p.peer.toString())
      const pings = (await collect(ipfs.ping(shared.id, { count: 2 }))).filter((p: any) => p.time > 0)
      return { peers, pings: pings.map((p: any) => p.success), cid: CID.parse(shared.cid).toString() }
    }, { address: address!, shared })
    expect(result.peers).toContain(shared.id)
    expect(result.pings).toEqual([true, true])

    await a.evaluate(async (cid) => {
      const { create, CID } = (window as any).KuboRpcClient
      const ipfs = create({ url: `${location.origin}/api/v0` })
      for await (const _ of ipfs.routing.provide(CID.parse(cid))) { /* drained */ }
    }, shared.cid)
    await expect.poll(async () => b.evaluate(async (cid) => {
      const { create, CID } = (window as any).KuboRpcClient
      const ipfs = create({ url: `${location.origin}/api/v0` })
      const ids: string[] = []
      for await (const event of ipfs.routing.findProvs(CID.parse(cid), { timeout: 5000 })) {
        if (event.name === 'PROVIDER') for (const p of event.providers) ids.push(p.id.toString())
      }
      return ids
    }, shared.cid).catch(() => []), { timeout: 30_000 }).toContain(shared.id)
    const found = await b.evaluate(async (id) => {
      const { create } = (window as any).KuboRpcClient
      const ipfs = create({ url: `${location.origin}/api/v0` })
      const { peerIdFromString } = (window as any).KuboRpcClient
      for await (const event of ipfs.routing.findPeer(peerIdFromString(id), { timeout: 10_000 })) {
        if (event.name === 'FINAL_PEER') return event.peer.multiaddrs.map((m: any) => m.toString())
      }
      return []
    }, shared.id)
    expect(found.length).toBeGreaterThan(0)
  } finally {
    await a.context().close()
    await b.context().close()
  }
})

test('an image and a video load from /ipfs/ on the origin, and a website folder renders', async ({ context }) => {
  const page = await openWithClient(context)
  const [png, webm] = await Promise.all([makePng(page), makeWebm(page, 2)])
  const cids = await page.evaluate(async ({ png, webm }) => {
    const { create } = (window as any).KuboRpcClient
    const ipfs = create({ url: `${location.origin}/api/v0` })
    const image = await ipfs.add(new Uint8Array(png))
    const video = await ipfs.add(new Uint8Array(webm))
    const files: any[] = []
    for await (const entry of ipfs.addAll([
      { path: 'site/index.html', content: '<!doctype html><title>Site on IPFS</title><link rel="stylesheet" href="style.css"><h1>Served by the browser node</h1><script>document.title = "a script ran"; indexedDB.deleteDatabase("mcp-node/blocks")</script>' },
      { path: 'site/style.css', content: 'h1 { color: rgb(10, 20, 30) }' }
    ])) files.push(entry)
    return { image: image.cid.toString(), video: video.cid.toString(), site: files.at(-1).cid.toString() }
  }, { png: [...png], webm: [...webm] })

  const media = await page.evaluate(async ({ image, video }) => {
    const img = document.createElement('img')
    img.src = `/ipfs/${image}`
    document.body.append(img)
    await img.decode()
    const v = document.createElement('video')
    v.src = `/ipfs/${video}`
    v.preload = 'auto'
    document.body.append(v)
    await new Promise((resolve, reject) => { v.onloadedmetadata = resolve; v.onerror = () => { reject(new Error(`video error ${v.error?.code}`)) } })
    const seeked = new Promise(resolve => { v.onseeked = resolve })
    v.currentTime = 1.5
    await seeked
    return { width: img.naturalWidth, duration: v.duration, time: v.currentTime }
  }, cids)
  expect(media.width).toBe(64)
  expect(media.duration).toBeCloseTo(2, 1)
  expect(media.time).toBeCloseTo(1.5, 1)

  // a second tab of the same browser: the first tab's node serves the site through the service worker
  const tab = await context.newPage()
  const response = await tab.goto(`/ipfs/${cids.site}/`)
  expect(response?.status()).toBe(200)
  await expect(tab.getByRole('heading', { name: 'Served by the browser node' })).toBeVisible()
  await expect(tab.getByRole('heading')).toHaveCSS('color', 'rgb(10, 20, 30)')
  // it shares the app's origin, so it renders sandboxed: its script never runs
  expect(await tab.title()).toBe('Site on IPFS')
  expect(response?.headers()['content-security-policy']).toMatch(/^sandbox /)
  expect(response?.headers()['cache-control']).toBe('public, max-age=29030400, immutable')
})

test('a CAR from ?format=car imports into a fresh node in another browser and yields the same root', async ({ browser }) => {
  // B joins through a relay of its own, so it cannot fetch A's blocks over the network: only the CAR brings them
  const relay = await startRelay({ port: 0 })
  const a = await openWithClient(await browser.newContext())
  const b = await openWithClient(await browser.newContext(), `/?relay=${encodeURIComponent(relay.addresses[0])}`)
  try {
    const exported = await a.evaluate(async () => {
      const { create } = (window as any).KuboRpcClient
      const ipfs = create({ url: `${location.origin}/api/v0` })
      const files: any[] = []
      for await (const entry of ipfs.addAll([
        { path: 'pack/one.txt', content: 'one' },
        { path: 'pack/two.bin', content: new Uint8Array(300_000).map((_, i) => i % 251) }
      ])) files.push(entry)
      const root = files.at(-1).cid.toString()
      const response = await fetch(`/ipfs/${root}?format=car`)
      return { root, type: response.headers.get('content-type'), car: [...new Uint8Array(await response.arrayBuffer())] }
    })
    expect(exported.type).toMatch(/^application\/vnd\.ipld\.car; version=1(;|$)/)
    const imported = await b.evaluate(async ({ car, root }) => {
      const { create } = (window as any).KuboRpcClient
      const ipfs = create({ url: `${location.origin}/api/v0` })
      const before = await fetch(`/ipfs/${root}/one.txt?timeout=2s`)
      const roots = []
      for await (const r of ipfs.dag.import([new Uint8Array(car)])) roots.push(r.root.cid.toString())
      const one = await (await fetch(`/ipfs/${root}/one.txt`)).text()
      const two = new Uint8Array(await (await fetch(`/ipfs/${root}/two.bin`)).arrayBuffer())
      return { before: before.status, roots, one, twoOk: two.length === 300_000 && two.every((v, i) => v === i % 251) }
    }, exported)
    expect(imported.before).not.toBe(200)
    expect(imported.roots).toEqual([exported.root])
    expect(imported.one).toBe('one')
    expect(imported.twoOk).toBe(true)
  } finally {
    await a.context().close()
    await b.context().close()
    await Promise.resolve(relay.node.stop()).catch(() => {})
  }
})

test('opening /ipfs/<cid> when no tab runs the node opens the app, which starts it and shows the content', async ({ context }) => {
  const first = await openApp(context)
  const added = await call(first, '/ipfs/add', { json: { content: 'kept in this browser', filename: 'kept.txt' } })
  await first.close()
  const page = await context.newPage()
  await page.goto(`/ipfs/${added.json.cid as string}`)
  await expect(page.getByRole('banner').getByRole('status')).toHaveText('The node is up.', { timeout: 30_000 })
  await expect(page.getByLabel(`Preview of ${added.json.cid as string}`)).toHaveText('kept in this browser')
  // now a tab runs the node, the same URL is answered by the gateway itself
  const tab = await context.newPage()
  const response = await tab.goto(`/ipfs/${added.json.cid as string}`)
  expect(response?.headers()['etag']).toBe(`"${added.json.cid as string}"`)
  expect(await response?.text()).toBe('kept in this browser')
})
