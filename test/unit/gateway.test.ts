import { CarReader } from '@ipld/car'
import * as dagPb from '@ipld/dag-pb'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { importCar } from '../../src/node/models/ipfs/car.ts'
import { absentCid, bytes, postJson, startTestSite } from './helpers.ts'
import type { TestSite } from './helpers.ts'

const API = '/api/v0/mcp'

async function addJson (site: TestSite, body: Record<string, unknown>): Promise<string> {
  const response = await site.request(`${API}/ipfs/add`, postJson(body))
  expect(response.status).toBe(200)
  return (await response.json() as { cid: string }).cid
}

async function addTree (site: TestSite, files: Record<string, string | Uint8Array<ArrayBuffer>>): Promise<string> {
  const form = new FormData()
  for (const [path, content] of Object.entries(files)) form.append('file', new Blob([content]), path)
  const response = await site.request(`${API}/ipfs/add`, { method: 'POST', body: form })
  expect(response.status).toBe(200)
  return (await response.json() as { cid: string }).cid
}

async function readBytes (response: Response): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await response.arrayBuffer())
}

/** Every block a dag-pb/raw DAG links to, from the blocks of a CAR: proves the CAR is complete. */
function linkedFrom (root: CID, blocks: Map<string, Uint8Array>): string[] {
  const reached: string[] = []
  const stack = [root]
  while (stack.length > 0) {
    const cid = stack.pop()!
    const key = cid.toString()
    if (reached.includes(key)) continue
    reached.push(key)
    const block = blocks.get(key)
    if (block == null) throw new Error(`the CAR lacks ${key}`)
    if (cid.code === dagPb.code) for (const link of dagPb.decode(block).Links) stack.push(link.Hash)
  }
  return reached
}

async function readCar (response: Response): Promise<{ roots: CID[], blocks: Map<string, Uint8Array> }> {
  const reader = await CarReader.fromBytes(await readBytes(response))
  const blocks = new Map<string, Uint8Array>()
  for await (const block of reader.blocks()) {
    const digest = await sha256.digest(block.bytes)
    expect(digest.digest).toEqual(block.cid.multihash.digest)
    blocks.set(block.cid.toString(), block.bytes)
  }
  return { roots: await reader.getRoots(), blocks }
}

describe('path gateway', () => {
  let site: TestSite
  let helloCid: string
  let bigCid: string
  let big: Uint8Array<ArrayBuffer>
  let websiteCid: string
  let filesCid: string

  beforeAll(async () => {
    site = await startTestSite()
    helloCid = await addJson(site, { content: 'hello gateway' })
    big = bytes(100_000, 3)
    const added = await site.request(`${API}/ipfs/add?chunker=size-16384`, { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: big })
    bigCid = (await added.json() as { cid: string }).cid
    websiteCid = await addTree(site, {
      'site/index.html': '<!doctype html><title>home</title><p>welcome</p>',
      'site/style.css': 'p { color: teal }',
      'site/sub/page.txt': 'a page below'
    })
    filesCid = await addTree(site, {
      'files/a #1.txt': 'alpha',
      'files/<b>x</b>.txt': 'bold',
      'files/"><img src=x onerror=alert(1)>.txt': 'xss',
      'files/sub/inner.bin': bytes(3000, 5)
    })
  })
  afterAll(async () => { await site.stop() })

  it('serves a file with its type, length, ETag, path and an immutable Cache-Control', async () => {
    const r = await site.request(`/ipfs/${helloCid}`)
    expect(r.status).toBe(200)
    expect(await r.text()).toBe('hello gateway')
    expect(r.headers.get('content-type')).toBe('text/plain; charset=utf-8')
    expect(r.headers.get('content-length')).toBe('13')
    expect(r.headers.get('etag')).toBe(`"${helloCid}"`)
    expect(r.headers.get('x-ipfs-path')).toBe(`/ipfs/${helloCid}`)
    expect(r.headers.get('x-ipfs-roots')).toBe(helloCid)
    expect(r.headers.get('cache-control')).toBe('public, max-age=29030400, immutable')

    const css = await site.request(`/ipfs/${websiteCid}/style.css`)
    expect(css.headers.get('content-type')).toMatch(/^text\/css/)
    expect(await css.text()).toBe('p { color: teal }')
    const roots = css.headers.get('x-ipfs-roots')!.split(',')
    expect(roots[0]).toBe(websiteCid)
    expect(roots).toHaveLength(2)
  })

  it('HEAD gives the same headers and no body', async () => {
    const r = await site.request(`/ipfs/${bigCid}`, { method: 'HEAD' })
    expect(r.status).toBe(200)
    expect(r.headers.get('content-length')).toBe('100000')
    expect(r.headers.get('etag')).toBe(`"${bigCid}"`)
    expect((await readBytes(r)).byteLength).toBe(0)
    const dir = await site.request(`/ipfs/${filesCid}/`, { method: 'HEAD' })
    expect(dir.status).toBe(200)
    expect(dir.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(await dir.text()).toBe('')
  })

  it('answers a Range with 206 and Content-Range, and 416 past the end', async () => {
    const r = await site.request(`/ipfs/${bigCid}`, { headers: { Range: 'bytes=16380-16399' } })
    expect(r.status).toBe(206)
    expect(r.headers.get('content-range')).toBe('bytes 16380-16399/100000')
    expect(r.headers.get('content-length')).toBe('20')
    expect(await readBytes(r)).toEqual(big.subarray(16380, 16400))
    const past = await site.request(`/ipfs/${bigCid}`, { headers: { Range: 'bytes=200000-' } })
    expect(past.status).toBe(416)
    expect(past.headers.get('content-range')).toBe('bytes */100000')
    expect(past.headers.get('content-type')).toMatch(/^text\/plain/)
  })

  it('answers If-None-Match with 304', async () => {
    const r = await site.request(`/ipfs/${helloCid}`, { headers: { 'If-None-Match': `"${helloCid}"` } })
    expect(r.status).toBe(304)
    expect(r.headers.get('etag')).toBe(`"${helloCid}"`)
    expect(await r.text()).toBe('')
    const css = await site.request(`/ipfs/${websiteCid}/style.css`)
    const again = await site.request(`/ipfs/${websiteCid}/style.css`, { headers: { 'If-None-Match': `W/"x", ${css.headers.get('etag')!}` } })
    expect(again.status).toBe(304)
    const other = await site.request(`/ipfs/${helloCid}`, { headers: { 'If-None-Match': '"something-else"' } })
    expect(other.status).toBe(200)
  })

  it('redirects a directory without a trailing slash, keeping the query', async () => {
    const r = await site.request(`/ipfs/${websiteCid}?x=1`)
    expect(r.status).toBe(301)
    expect(r.headers.get('location')).toBe(`/ipfs/${websiteCid}/?x=1`)
    const sub = await site.request(`/ipfs/${websiteCid}/sub`)
    expect(sub.status).toBe(301)
    expect(sub.headers.get('location')).toBe(`/ipfs/${websiteCid}/sub/`)
  })

  it('serves a directory\'s index.html as HTML', async () => {
    const r = await site.request(`/ipfs/${websiteCid}/`)
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toMatch(/^text\/html/)
    expect(await r.text()).toContain('<p>welcome</p>')
    expect(r.headers.get('x-ipfs-roots')!.split(',')).toHaveLength(2)
  })

  it('lists a directory without index.html, every name escaped and every link encoded', async () => {
    const r = await site.request(`/ipfs/${filesCid}/`)
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(r.headers.get('content-security-policy')).toContain("default-src 'none'")
    const html = await r.text()
    // a slash in a name makes a directory: `<b>x</b>.txt` is the directory `<b>x<` holding `b>.txt`
    expect(html).toContain('&lt;b&gt;x&lt;/')
    expect(html).not.toContain('<b>x')
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;.txt')
    expect(html).not.toContain('<img')
    expect(html).toContain(`href="/ipfs/${filesCid}/a%20%231.txt"`)
    expect(html).toContain(`href="/ipfs/${filesCid}/sub/"`)
    expect(html).toContain(`href="/ipfs/${filesCid}/%3Cb%3Ex%3C/"`)
    expect(html).toContain('5 B')
    expect(html).not.toContain('href="../"')

    const sub = await site.request(`/ipfs/${filesCid}/sub/`)
    const subHtml = await sub.text()
    expect(subHtml).toContain('href="../"')
    expect(subHtml).toContain('2.9 KiB')

    const linked = await site.request(`/ipfs/${filesCid}/a%20%231.txt`)
    expect(await linked.text()).toBe('alpha')
  })

  it('?filename= names the file inline; with download=true as an attachment', async () => {
    const inline = await site.request(`/ipfs/${helloCid}?filename=greeting.txt`)
    expect(inline.headers.get('content-disposition')).toBe('inline; filename="greeting.txt"')
    const saved = await site.request(`/ipfs/${helloCid}?filename=greeting.txt&download=true`)
    expect(saved.headers.get('content-disposition')).toBe('attachment; filename="greeting.txt"')
    expect(await saved.text()).toBe('hello gateway')
    const accented = await site.request(`/ipfs/${helloCid}?filename=${encodeURIComponent('résumé "v2".txt')}`)
    expect(accented.headers.get('content-disposition')).toBe(`inline; filename="r_sum_ _v2_.txt"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22v2%22.txt`)
    const plain = await site.request(`/ipfs/${helloCid}`)
    expect(plain.headers.get('content-disposition')).toBeNull()
  })

  it('?format=raw and Accept: application/vnd.ipld.raw give the block as block/get does', async () => {
    const expected = await readBytes(await site.request(`${API}/ipfs/block/get/${websiteCid}`))
    const r = await site.request(`/ipfs/${websiteCid}?format=raw`)
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toBe('application/vnd.ipld.raw')
    expect(r.headers.get('x-content-type-options')).toBe('nosniff')
    expect(r.headers.get('content-disposition')).toBe(`attachment; filename="${websiteCid}.bin"`)
    expect(r.headers.get('etag')).toBe(`"${websiteCid}.raw"`)
    expect(await readBytes(r)).toEqual(expected)
    const accepted = await site.request(`/ipfs/${websiteCid}`, { headers: { Accept: 'application/vnd.ipld.raw' } })
    expect(accepted.status).toBe(200)
    expect(await readBytes(accepted)).toEqual(expected)

    // with a path, the block the path ends at
    const leaf = await site.request(`/ipfs/${websiteCid}/style.css?format=raw`)
    const leafCid = leaf.headers.get('x-ipfs-roots')!.split(',').at(-1)!
    const leafBlock = await readBytes(await site.request(`${API}/ipfs/block/get/${leafCid}`))
    expect(await readBytes(leaf)).toEqual(leafBlock)
  })

  it('?format=car gives the whole DAG, which a second node imports and reads back', async () => {
    const r = await site.request(`/ipfs/${bigCid}?format=car`)
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toMatch(/^application\/vnd\.ipld\.car; version=1/)
    expect(r.headers.get('content-disposition')).toBe(`attachment; filename="${bigCid}.car"`)
    expect(r.headers.get('x-content-type-options')).toBe('nosniff')
    const carBytes = await readBytes(r)
    const { roots, blocks } = await readCar(new Response(carBytes))
    expect(roots.map(String)).toEqual([bigCid])
    const reached = linkedFrom(CID.parse(bigCid), blocks)
    // 100 000 bytes in 16 KiB chunks: seven leaves and their root
    expect(reached).toHaveLength(8)
    expect(blocks.size).toBe(8)

    const other = await startTestSite()
    try {
      expect((await other.request(`/ipfs/${bigCid}`)).status).toBe(404)
      const imported = await importCar(other.node.helia, (async function * () { yield carBytes })())
      expect(imported.blocks).toBe(8)
      const back = await other.request(`/ipfs/${bigCid}`)
      expect(back.status).toBe(200)
      expect(await readBytes(back)).toEqual(big)

      const tree = await site.request(`/ipfs/${websiteCid}`, { headers: { Accept: 'application/vnd.ipld.car' } })
      expect(tree.status).toBe(200)
      await importCar(other.node.helia, (async function * () { yield await readBytes(tree) })())
      const page = await other.request(`/ipfs/${websiteCid}/sub/page.txt`)
      expect(await page.text()).toBe('a page below')
      const home = await other.request(`/ipfs/${websiteCid}/`)
      expect(await home.text()).toContain('<p>welcome</p>')
    } finally {
      await other.stop()
    }
  })

  it('a CAR for a path holds the blocks down the path, then the DAG at its end; dag-scope=block only its block', async () => {
    const r = await site.request(`/ipfs/${websiteCid}/sub/page.txt?format=car`)
    expect(r.status).toBe(200)
    const roots = r.headers.get('x-ipfs-roots')!.split(',')
    expect(roots).toHaveLength(3)
    const car = await readCar(r)
    expect(car.roots.map(String)).toEqual([websiteCid])
    expect([...car.blocks.keys()].sort()).toEqual([...roots].sort())

    const scoped = await readCar(await site.request(`/ipfs/${bigCid}?format=car&dag-scope=block`))
    expect([...scoped.blocks.keys()]).toEqual([bigCid])
    const entity = await readCar(await site.request(`/ipfs/${filesCid}/sub?format=car&dag-scope=entity`))
    expect(entity.blocks.size).toBe(2)
    expect(entity.roots.map(String)).toEqual([filesCid])
    expect((await site.request(`/ipfs/${bigCid}?format=car&dag-scope=most`)).status).toBe(400)
  })

  it('?format=tar gives a directory as a tar archive', async () => {
    const r = await site.request(`/ipfs/${websiteCid}?format=tar`)
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toBe('application/x-tar')
    const tar = new TextDecoder().decode(await readBytes(r))
    expect(tar).toContain(`${websiteCid}/sub/page.txt`)
    expect(tar).toContain('a page below')
  })

  it('serves /ipns/ names published with name/publish, cached for the record\'s TTL', async () => {
    const published = await site.request(`${API}/ipfs/name/publish`, postJson({ path: `/ipfs/${websiteCid}`, ttl: '90s' }))
    expect(published.status).toBe(200)
    const name = (await published.json() as { name: string }).name

    const home = await site.request(`/ipns/${name}/`)
    expect(home.status).toBe(200)
    expect(await home.text()).toContain('<p>welcome</p>')
    expect(home.headers.get('cache-control')).toBe('public, max-age=90')
    expect(home.headers.get('x-ipfs-path')).toBe(`/ipns/${name}/`)

    const css = await site.request(`/ipns/${name}/style.css`)
    expect(await css.text()).toBe('p { color: teal }')
    expect(css.headers.get('cache-control')).not.toContain('immutable')

    const redirect = await site.request(`/ipns/${name}`)
    expect(redirect.status).toBe(301)
    expect(redirect.headers.get('location')).toBe(`/ipns/${name}/`)
  })

  it('a bad CID or name is a 400, absent content a 404, another method a 405: all plain text', async () => {
    const bad = await site.request('/ipfs/not-a-cid')
    expect(bad.status).toBe(400)
    expect(bad.headers.get('content-type')).toMatch(/^text\/plain/)
    expect(await bad.text()).toContain('not a valid CID')
    expect((await site.request('/ipns/not-a-name')).status).toBe(400)
    expect((await site.request(`/ipfs/${helloCid}?format=zip`)).status).toBe(400)

    const absent = await absentCid()
    const missing = await site.request(`/ipfs/${absent}`)
    expect(missing.status).toBe(404)
    expect(missing.headers.get('content-type')).toMatch(/^text\/plain/)
    expect((await site.request(`/ipfs/${absent}?format=raw`)).status).toBe(404)
    expect((await site.request(`/ipfs/${absent}?format=car`)).status).toBe(404)
    expect((await site.request(`/ipfs/${websiteCid}/nothing-here.txt`)).status).toBe(404)

    const post = await site.request(`/ipfs/${helloCid}`, { method: 'POST', body: 'x' })
    expect(post.status).toBe(405)
    expect(post.headers.get('allow')).toBe('GET, HEAD')
  })

  it('a read that outlasts the retrieval timeout is a 504, not a hang; ?timeout= belongs to the content', async () => {
    const site = await startTestSite({ gateway: { retrievalTimeoutMs: 200 } })
    const slow = await absentCid()
    const blockstore = site.node.helia.blockstore
    const get = blockstore.get.bind(blockstore)
    // a block some peer is slow to send: the read ends only when its signal aborts
    blockstore.get = ((cid: CID, options?: { signal?: AbortSignal }) => {
      if (cid.toString() !== slow) return get(cid, options)
      return (async function * () {
        await new Promise((_resolve, reject) => {
          options?.signal?.addEventListener('abort', () => { reject(new DOMException('aborted', 'AbortError')) }, { once: true })
        })
        yield new Uint8Array(0)
      })()
    }) as typeof blockstore.get
    try {
      const started = Date.now()
      const r = await site.request(`/ipfs/${slow}?timeout=1h`)
      expect(r.status).toBe(504)
      expect(r.headers.get('content-type')).toMatch(/^text\/plain/)
      expect(Date.now() - started).toBeLessThan(5000)
    } finally {
      blockstore.get = get
      await site.stop()
    }
  })

  it('labels metrics by route template, never by CID', async () => {
    const metrics = await (await site.request(`${API}/metrics`)).text()
    expect(metrics).toContain('route="/ipfs/{cid}"')
    expect(metrics).toContain('route="/ipns/{name}"')
    expect(metrics).toContain('operation="gateway_ipfs"')
    expect(metrics).not.toContain(helloCid)
  })
})
