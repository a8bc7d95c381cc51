import { expect, test } from '@playwright/test'
import { call, openApp, utf8 } from './helpers.ts'
import type { Page } from '@playwright/test'

const HELLO_V0 = 'Qmf412jQZiuVUtdgnB36FXFX7xg5V6KEbSJ4dpQuhkLyfD'
const HELLO_V1 = 'bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e'

let page: Page
test.beforeAll(async ({ browser }) => {
  page = await openApp(await browser.newContext())
})
test.afterAll(async () => { await page.context().close() })

test('core routes answer through the service worker', async () => {
  const health = await call(page, '/health')
  expect(health.json).toMatchObject({ status: 'ok', node_started: true, api_version: 'v0' })
  const status = await call(page, '/daemon/status')
  expect(status.json).toMatchObject({ daemon: 'none', node_running: true })
  expect(status.json.leader.is_leader).toBe(true)
  const version = await call(page, '/cli/version')
  expect(version.json.versions.helia).toMatch(/^7\./)
  const id = await call(page, '/ipfs/id')
  expect(id.json.id).toBe(health.json.node_id)
  expect((await call(page, '/ipfs/version')).json.helia).toBe(version.json.versions.helia)
  const openapi = await call(page, '/openapi.json')
  expect(Object.keys(openapi.json.paths)).toContain('/api/v0/mcp/ipfs/cat/{cid}')
  const ops = await call(page, '/operations?limit=3')
  expect(ops.json.operations.map((o: { operation: string }) => o.operation)).toEqual(['openapi', 'ipfs_version', 'ipfs_id'])
  expect(ops.json.operations[1]).toMatchObject({ method: 'GET', path: '/api/v0/mcp/ipfs/version', status: 200 })
})

test('add in three shapes gives Kubo- and Helia-compatible CIDs, and cat streams them back with Range', async () => {
  const v0 = await call(page, '/ipfs/add', { json: { content: 'hello world', cid_version: 0 } })
  expect(v0.json).toMatchObject({ cid: HELLO_V0, size: 11, pinned: true })
  const v1 = await call(page, '/ipfs/add/json', { json: { content: 'hello world' } })
  expect(v1.json.cid).toBe(HELLO_V1)
  const rabin = await call(page, '/ipfs/add?chunker=rabin-16-32-64&cid_version=0', { rawBody: 'hello world'.repeat(20), headers: { 'Content-Type': 'application/octet-stream' } })
  expect(rabin.status).toBe(200)
  expect(utf8((await call(page, `/ipfs/cat/${rabin.json.cid as string}`)).bytes)).toBe('hello world'.repeat(20))
  const rawBody = await call(page, '/ipfs/add?filename=hello.txt', { rawBody: 'hello world', headers: { 'Content-Type': 'application/octet-stream' } })
  expect(rawBody.json).toMatchObject({ cid: HELLO_V1, name: 'hello.txt' })

  const tree = await call(page, '/ipfs/add/file', { form: [['file', 'alpha', 'site/a.txt'], ['file', 'beta', 'site/b/c.txt']] })
  expect(tree.json.type).toBe('directory')
  expect(tree.json.entries.map((e: { name: string }) => e.name).sort()).toEqual(['site', 'site/a.txt', 'site/b', 'site/b/c.txt'])
  const nested = await call(page, `/ipfs/cat/${tree.json.cid as string}/b/c.txt`)
  expect(utf8(nested.bytes)).toBe('beta')
  expect(nested.headers['x-ipfs-path']).toBe(`/ipfs/${tree.json.cid as string}/b/c.txt`)

  const ranged = await call(page, `/ipfs/cat/${HELLO_V1}`, { headers: { Range: 'bytes=6-' } })
  expect(ranged.status).toBe(206)
  expect(ranged.headers['content-range']).toBe('bytes 6-10/11')
  expect(utf8(ranged.bytes)).toBe('world')
  const sliced = await call(page, `/ipfs/cat/${HELLO_V1}?offset=0&length=5`)
  expect(utf8(sliced.bytes)).toBe('hello')
  const posted = await call(page, '/ipfs/cat', { json: { cid: HELLO_V0 } })
  expect(utf8(posted.bytes)).toBe('hello world')

  const tar = await call(page, `/ipfs/get/${tree.json.cid as string}`)
  expect(tar.headers['content-type']).toBe('application/x-tar')
  expect(utf8(tar.bytes)).toContain('site/b/c.txt'.replace('site', tree.json.cid as string))
  expect(tar.bytes!.length % 512).toBe(0)
})

test('a large file streams in and out intact, whole and in ranges that cross its blocks', async () => {
  const result = await page.evaluate(async () => {
    const size = 24 * 1024 * 1024 + 123
    const data = new Uint8Array(size)
    // every byte its own: a block sent twice, or out of order, or a range off by one shows
    let x = 2463534242
    for (let i = 0; i < size; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; data[i] = x & 0xff }
    const digest = async (bytes: Uint8Array<ArrayBuffer>): Promise<string> => [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))].map(v => v.toString(16).padStart(2, '0')).join('')
    const added = await (await fetch('/api/v0/mcp/ipfs/add', { method: 'POST', body: new Blob([data]), headers: { 'Content-Type': 'application/octet-stream' } })).json()
    const back = new Uint8Array(await (await fetch(`/api/v0/mcp/ipfs/cat/${added.cid as string}`)).arrayBuffer())
    // from inside the first block to inside the fourth (blocks of 1 MiB)
    const from = 1024 * 1024 - 7
    const to = 3 * 1024 * 1024 + 11
    const ranged = await fetch(`/api/v0/mcp/ipfs/cat/${added.cid as string}`, { headers: { Range: `bytes=${from}-${to}` } })
    const part = new Uint8Array(await ranged.arrayBuffer())
    const tail = new Uint8Array(await (await fetch(`/api/v0/mcp/ipfs/cat/${added.cid as string}?offset=${size - 200}&length=1000`)).arrayBuffer())
    return {
      size: added.size as number,
      same: back.length === size && await digest(back) === await digest(data),
      status: ranged.status,
      range: ranged.headers.get('content-range'),
      partSame: part.length === to - from + 1 && await digest(part) === await digest(data.subarray(from, to + 1)),
      tailSame: tail.length === 200 && await digest(tail) === await digest(data.subarray(size - 200))
    }
  })
  expect(result).toEqual({ size: 24 * 1024 * 1024 + 123, same: true, status: 206, range: `bytes ${1024 * 1024 - 7}-${3 * 1024 * 1024 + 11}/${24 * 1024 * 1024 + 123}`, partSame: true, tailSame: true })
})


test('a form\'s files stream in through the service worker intact: the same CIDs and bytes as raw bodies', async () => {
  const result = await page.evaluate(async () => {
    const made = (size: number, seed: number): Uint8Array<ArrayBuffer> => {
      const data = new Uint8Array(size)
      let x = seed
      for (let i = 0; i < size; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; data[i] = x & 0xff }
      return data
    }
    // the first file's chunks are cut where its content begins (after a field), the second's are not
    const big = made(5 * 1024 * 1024 + 77, 2463534242)
    const second = made(2 * 1024 * 1024 + 5, 88172645)
    const form = new FormData()
    form.append('pin', 'true')
    form.append('file', new Blob([big]), 'set/big.bin')
    form.append('file', new Blob([second]), 'set/second.bin')
    const added = await (await fetch('/api/v0/mcp/ipfs/add', { method: 'POST', body: form })).json()
    const raw = async (data: Uint8Array<ArrayBuffer>): Promise<string> => (await (await fetch('/api/v0/mcp/ipfs/add?pin=false', { method: 'POST', body: new Blob([data]), headers: { 'Content-Type': 'application/octet-stream' } })).json()).cid
    const digest = async (bytes: Uint8Array<ArrayBuffer>): Promise<string> => [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))].map(v => v.toString(16).padStart(2, '0')).join('')
    const back = new Uint8Array(await (await fetch(`/api/v0/mcp/ipfs/cat/${added.cid as string}/big.bin`)).arrayBuffer())
    const cids = Object.fromEntries((added.entries as Array<{ name: string, cid: string }>).map(e => [e.name, e.cid]))
    return {
      name: added.name,
      bigSame: cids['set/big.bin'] === await raw(big),
      secondSame: cids['set/second.bin'] === await raw(second),
      bytesSame: back.length === big.length && await digest(back) === await digest(big)
    }
  })
  expect(result).toEqual({ name: 'set', bigSame: true, secondSame: true, bytesSame: true })
})
test('pins, blocks and dag nodes round-trip', async () => {
  const added = await call(page, '/ipfs/add', { json: { content: 'to pin', pin: false } })
  const cid = added.json.cid as string
  expect((await call(page, '/ipfs/pin', { json: { cid, name: 'doc' } })).json).toMatchObject({ cid, type: 'recursive', name: 'doc' })
  expect((await call(page, '/ipfs/pin/ls?type=recursive')).json.pins).toContainEqual({ cid, type: 'recursive', name: 'doc' })
  expect((await call(page, '/ipfs/pin/rm', { json: { cid } })).json.unpinned).toBe(true)
  expect((await call(page, '/ipfs/unpin', { json: { cid } })).status).toBe(404)

  const block = await call(page, '/ipfs/block/put', { rawBody: 'hello world', headers: { 'Content-Type': 'application/octet-stream' } })
  expect(block.json).toMatchObject({ cid: HELLO_V1, size: 11 })
  const got = await call(page, `/ipfs/block/get/${HELLO_V1}`)
  expect(got.headers['content-type']).toBe('application/vnd.ipld.raw')
  expect(utf8(got.bytes)).toBe('hello world')
  expect((await call(page, `/ipfs/block/stat/${HELLO_V1}`)).json).toMatchObject({ cid: HELLO_V1, size: 11 })

  const leaf = await call(page, '/ipfs/dag/put', { json: { object: { n: 1 } } })
  const root = await call(page, '/ipfs/dag/put', { json: { object: { leaf: { '/': leaf.json.cid } } } })
  const dag = await call(page, `/ipfs/dag/get/${root.json.cid as string}`)
  expect(dag.json).toEqual({ leaf: { '/': leaf.json.cid } })
  expect((await call(page, `/ipfs/dag/get/${root.json.cid as string}/leaf/n`)).json).toBe(1)
  expect((await call(page, `/ipfs/dag/resolve/${root.json.cid as string}/leaf/n`)).json).toMatchObject({ cid: leaf.json.cid, remainder_path: 'n' })

  const stats = await call(page, '/ipfs/stats')
  expect(stats.json.operations.ipfs_add.count).toBeGreaterThan(0)
  expect(stats.json.repo.object_count).toBeGreaterThan(0)
  expect(stats.json.storage.available).toBe(true)
})

test('bad input gets a clear 4xx JSON error, each kind its own', async () => {
  const absent = 'bafkreicrbn7tn4ocxbkw7jsuqonvaba46i6fvuo3k6k7ufr4q3tetoo7p4'
  const unknownCodec = 'bagm3gaqsebiqw7zw6hblqvlpuzkihg2qaqopepc22hnvpfp2cy6inzsjxhpx6'
  const cases: Array<[string, Parameters<typeof call>[2], number, string]> = [
    ['/ipfs/cat/nope', {}, 400, 'InvalidCIDError'],
    [`/ipfs/cat/${unknownCodec}`, {}, 400, 'UnsupportedCodecError'],
    ['/ipfs/add', { rawBody: '{"content":', headers: { 'Content-Type': 'application/json' } }, 400, 'InvalidJSONError'],
    ['/ipfs/pin', { json: {} }, 400, 'InvalidRequestError'],
    ['/ipfs/add', { rawBody: '<x/>', headers: { 'Content-Type': 'application/xml' } }, 415, 'UnsupportedMediaTypeError'],
    ['/ipfs/block/put', { zeros: 2 * 1024 * 1024 + 1, headers: { 'Content-Type': 'application/octet-stream' } }, 413, 'BlockTooLargeError'],
    ['/no/such/route', {}, 404, 'RouteNotFoundError'],
    [`/ipfs/cat/${HELLO_V1}/inside`, {}, 404, 'PathNotFoundError'],
    // the node is connected to the relay, so absent content is looked for until the deadline
    [`/ipfs/cat/${absent}?timeout=1500ms`, {}, 504, 'DeadlineExceededError'],
    ['/health?timeout=forever', {}, 400, 'InvalidRequestError']
  ]
  for (const [path, init, status, type] of cases) {
    const started = Date.now()
    const reply = await call(page, path, init)
    expect(Date.now() - started).toBeLessThan(5_000)
    expect({ path, status: reply.status, type: reply.json?.error_type }).toEqual({ path, status, type })
    expect(reply.json.success).toBe(false)
    expect(reply.json.error).toEqual(expect.any(String))
  }
})

test('a request whose deadline passes gets a 504 and loses nothing stored before', async () => {
  const kept = await call(page, '/ipfs/add', { json: { content: 'kept before the timeout' } })
  const reply = await page.evaluate(async () => {
    const data = new Uint8Array(32 * 1024 * 1024)
    const response = await fetch('/api/v0/mcp/ipfs/add?timeout=5ms', { method: 'POST', body: new Blob([data]), headers: { 'Content-Type': 'application/octet-stream' } })
    return { status: response.status, body: await response.json() }
  })
  expect(reply.status).toBe(504)
  expect(reply.body.error_type).toBe('DeadlineExceededError')
  const back = await call(page, `/ipfs/cat/${kept.json.cid as string}`)
  expect(utf8(back.bytes)).toBe('kept before the timeout')
})
