import * as dagCbor from '@ipld/dag-cbor'
import * as dagPb from '@ipld/dag-pb'
import { create } from 'kubo-rpc-client'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { bytes, heldBackBody, postJson, startTestSite } from './helpers.ts'
import type { TestSite } from './helpers.ts'

/** CIDs `ipfs add` (Kubo, default settings) gives; published in the IPFS docs and primers. */
const KUBO = {
  /** `echo "hello world" | ipfs add` */
  helloWorldNewline: 'QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o',
  /** `echo -n "hello world" | ipfs add` */
  helloWorld: 'Qmf412jQZiuVUtdgnB36FXFX7xg5V6KEbSJ4dpQuhkLyfD',
  /** `ipfs add --cid-version=1` of "hello world" */
  helloWorldV1: 'bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e',
  /** `ipfs add -w mytextfile.txt` holding "version 1 of my text\n": the file, then the wrapping directory */
  myTextFile: 'QmZtmD2qt6fJot32nabSP3CUjicnypEBz7bHVDhPQt9aAy',
  myTextFileWrapped: 'QmPvaEQFVvuiaYzkSVUp23iHTQeEUpDaJnP8U7C3PqE57w',
  /** The empty UnixFS directory, v0 and v1 */
  emptyDir: 'QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn',
  emptyDirV1: 'bafybeiczsscdsbs7ffqz55asqdf3smv6klcw3gofszvwlyarci47bgf354'
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/**
 * A multipart body as kubo-rpc-client builds one: numbered fields, URL-encoded
 * names, directory parts. (Node's FormData leaves out an empty file name, so
 * an unnamed part arrives as text: fine for text, not for bytes, which are
 * named `blob` as a browser's FormData names them.)
 */
function form (...parts: Array<{ path: string, content?: string | Uint8Array }>): FormData {
  const body = new FormData()
  parts.forEach(({ path, content }, i) => {
    const field = `${content == null ? 'dir' : 'file'}${i > 0 ? `-${i}` : ''}`
    body.append(field, content == null
      ? new File([''], encodeURIComponent(path), { type: 'application/x-directory' })
      : new File([content as Uint8Array<ArrayBuffer>], encodeURIComponent(path), { type: 'application/octet-stream' }))
  })
  return body
}

const post = (body?: FormData): RequestInit => ({ method: 'POST', body })

async function lines (response: Response): Promise<Array<Record<string, any>>> {
  return (await response.text()).split('\n').filter(l => l.trim() !== '').map(l => JSON.parse(l) as Record<string, any>)
}

/** The entries of a ustar stream: name, type flag and content. */
function untar (tar: Uint8Array): Array<{ name: string, type: string, content: Uint8Array }> {
  const out: Array<{ name: string, type: string, content: Uint8Array }> = []
  let at = 0
  let longName: string | undefined
  while (at + 512 <= tar.length) {
    const header = tar.subarray(at, at + 512)
    if (header.every(b => b === 0)) break
    const field = (from: number, to: number): string => decoder.decode(header.subarray(from, to)).replace(/\0.*$/s, '')
    const size = parseInt(field(124, 136).trim() || '0', 8)
    const type = field(156, 157)
    const content = tar.subarray(at + 512, at + 512 + size)
    at += 512 + Math.ceil(size / 512) * 512
    if (type === 'x') {
      longName = /path=(.*)\n/.exec(decoder.decode(content))?.[1]
      continue
    }
    out.push({ name: longName ?? field(0, 100), type, content })
    longName = undefined
  }
  return out
}

async function gunzip (data: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const stream = new Blob([data]).stream().pipeThrough(new DecompressionStream('gzip'))
  return new Uint8Array(await new Response(stream).arrayBuffer())
}

function expectKuboError (status: number, body: Record<string, any>, code: 0 | 1): void {
  expect(status).toBe(code === 1 ? 400 : 500)
  expect(body).toEqual({ Message: expect.any(String), Code: code, Type: 'error' })
}

describe('Kubo RPC add', () => {
  let site: TestSite
  beforeAll(async () => { site = await startTestSite() })
  afterAll(async () => { await site.stop() })

  it('gives the CIDs `ipfs add` gives, with Kubo\'s NDJSON lines', async () => {
    const response = await site.request('/api/v0/add', post(form({ path: '', content: 'hello world\n' })))
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/json')
    expect(response.headers.get('x-chunked-output')).toBe('1')
    // an unnamed file is named by its CID; Size is the DAG's size, as a string
    expect(await lines(response)).toEqual([{ Name: KUBO.helloWorldNewline, Hash: KUBO.helloWorldNewline, Size: '20' }])

    const named = await lines(await site.request('/api/v0/add', post(form({ path: 'hello.txt', content: 'hello world' }))))
    expect(named).toEqual([{ Name: 'hello.txt', Hash: KUBO.helloWorld, Size: '19' }])

    const v1 = await lines(await site.request('/api/v0/add?cid-version=1', post(form({ path: 'hello.txt', content: 'hello world' }))))
    expect(v1).toEqual([{ Name: 'hello.txt', Hash: KUBO.helloWorldV1, Size: '11' }])

    const wrapped = await lines(await site.request('/api/v0/add?wrap-with-directory=true', post(form({ path: 'mytextfile.txt', content: 'version 1 of my text\n' }))))
    expect(wrapped).toEqual([
      { Name: 'mytextfile.txt', Hash: KUBO.myTextFile, Size: '29' },
      { Name: '', Hash: KUBO.myTextFileWrapped, Size: '89' }
    ])
  })

  it('multi-chunk files match the MCP route\'s Kubo profile (cid_version=0), and the options change the CIDs', async () => {
    const data = bytes(1_000_000, 3)
    const mcp = await site.request('/api/v0/mcp/ipfs/add?cid_version=0', { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: data })
    const mcpCid = (await mcp.json() as { cid: string }).cid
    const [kubo] = await lines(await site.request('/api/v0/add', post(form({ path: 'big.bin', content: data }))))
    expect(kubo).toEqual({ Name: 'big.bin', Hash: mcpCid, Size: expect.any(String) })
    expect(Number(kubo.Size)).toBeGreaterThan(1_000_000)

    const rawLeaves = await lines(await site.request('/api/v0/add?raw-leaves=true', post(form({ path: 'big.bin', content: data }))))
    const v1 = await lines(await site.request('/api/v0/add?cid-version=1', post(form({ path: 'big.bin', content: data }))))
    const small = await lines(await site.request('/api/v0/add?chunker=size-1000', post(form({ path: 'big.bin', content: data }))))
    expect(rawLeaves[0].Hash).toMatch(/^Qm/)
    expect(v1[0].Hash).toMatch(/^bafy/)
    expect(new Set([kubo.Hash, rawLeaves[0].Hash, v1[0].Hash, small[0].Hash]).size).toBe(4)

    const back = await site.request(`/api/v0/cat?arg=${v1[0].Hash as string}`, post())
    expect(new Uint8Array(await back.arrayBuffer())).toEqual(data)
  })

  it('a tree with an empty directory: a line for each file and directory, root last, pinned', async () => {
    const response = await site.request('/api/v0/add', post(form(
      { path: 'docs' },
      { path: 'docs/a.txt', content: 'alpha' },
      { path: 'docs/empty' },
      { path: 'docs/sub/b.txt', content: 'beta' }
    )))
    const added = await lines(response)
    // files as they are added, then the directories below the root, the root last
    expect(added.map(l => l.Name).slice(0, 2)).toEqual(['docs/a.txt', 'docs/sub/b.txt'])
    expect(added.map(l => l.Name).slice(2, 4).sort()).toEqual(['docs/empty', 'docs/sub'])
    expect(added[4].Name).toBe('docs')
    expect(added.find(l => l.Name === 'docs/empty')).toEqual({ Name: 'docs/empty', Hash: KUBO.emptyDir, Size: '4' })
    const root = added.at(-1)!.Hash as string

    const listed = await site.request(`/api/v0/ls?arg=${root}`, post())
    expect(listed.status).toBe(200)
    expect(await listed.json()).toEqual({
      Objects: [{
        Hash: root,
        Links: [
          { Name: 'a.txt', Hash: added[0].Hash, Size: 5, Type: 2, Target: '' },
          { Name: 'empty', Hash: KUBO.emptyDir, Size: 0, Type: 1, Target: '' },
          { Name: 'sub', Hash: added.find(l => l.Name === 'docs/sub')?.Hash, Size: 0, Type: 1, Target: '' }
        ]
      }]
    })
    const pins = await (await site.request(`/api/v0/pin/ls?arg=${root}`, post())).json()
    expect(pins).toEqual({ Keys: { [root]: { Type: 'recursive', Name: '' } } })

    // a lone empty directory is a root of its own
    const lonely = await lines(await site.request('/api/v0/add?cid-version=1', post(form({ path: 'nothing-here' }))))
    expect(lonely).toEqual([{ Name: 'nothing-here', Hash: KUBO.emptyDirV1, Size: '4' }])
  })

  it('each top-level entry is its own root and its own pin, as in Kubo', async () => {
    const added = await lines(await site.request('/api/v0/add', post(form(
      { path: 'one.txt', content: 'first top-level file' },
      { path: 'two.txt', content: 'second top-level file' }
    ))))
    expect(added.map(l => l.Name)).toEqual(['one.txt', 'two.txt'])
    const keys = (await (await site.request('/api/v0/pin/ls?type=recursive', post())).json() as { Keys: Record<string, unknown> }).Keys
    expect(Object.keys(keys)).toEqual(expect.arrayContaining(added.map(l => l.Hash as string)))
  })

  it('pin=false and only-hash store less: only-hash stores nothing at all', async () => {
    const unpinned = await lines(await site.request('/api/v0/add?pin=false', post(form({ path: 'loose.txt', content: 'not pinned' }))))
    const stat = await site.request(`/api/v0/block/stat?arg=${unpinned[0].Hash as string}`, post())
    expect(stat.status).toBe(200)
    const notPinned = await site.request(`/api/v0/pin/ls?arg=${unpinned[0].Hash as string}`, post())
    expectKuboError(notPinned.status, await notPinned.json(), 0)

    const hashed = await lines(await site.request('/api/v0/add?only-hash=true', post(form({ path: 'ghost.txt', content: 'computed, never stored' }))))
    const kept = await lines(await site.request('/api/v0/add?pin=false', post(form({ path: 'ghost.txt', content: 'computed, never stored' }))))
    expect(hashed[0].Hash).toBe(kept[0].Hash)
    const ghost = await lines(await site.request('/api/v0/add?only-hash=true', post(form({ path: 'ghost2.txt', content: 'only hashed, really never stored' }))))
    const missing = await site.request(`/api/v0/block/stat?arg=${ghost[0].Hash as string}`, post())
    expect(missing.status).toBe(500)
    expect((await missing.json()).Message).toMatch(/is not in the local store/)
  })

  it('progress=true streams {Name, Bytes} lines before the result lines', async () => {
    const data = bytes(700_000, 5)
    const response = await site.request('/api/v0/add?progress=true', post(form({ path: 'p/big.bin', content: data }, { path: 'p/small.txt', content: 'small' })))
    expect(response.status).toBe(200)
    const all = await lines(response)
    const progress = all.filter(l => l.Hash == null)
    const results = all.filter(l => l.Hash != null)
    expect(results.map(l => l.Name)).toEqual(['p/big.bin', 'p/small.txt', 'p'])
    expect(progress.every(l => typeof l.Name === 'string' && (l.Bytes == null || typeof l.Bytes === 'number'))).toBe(true)
    expect(progress.filter(l => l.Name === 'p/big.bin').at(-1)?.Bytes).toBe(700_000)
    expect(progress.filter(l => l.Name === 'p/small.txt').at(-1)?.Bytes).toBe(5)
    expect(all.indexOf(results[0])).toBeGreaterThan(all.indexOf(progress[0]))
  })

  it('to-files places the result in MFS as well', async () => {
    const [added] = await lines(await site.request('/api/v0/add?to-files=/from-kubo/', post(form({ path: 'placed.txt', content: 'placed in MFS' }))))
    const stat = await site.request('/api/v0/mcp/ipfs/files/stat?path=/from-kubo/placed.txt')
    expect((await stat.json() as { Hash: string }).Hash).toBe(added.Hash)
  })

  it('refuses bad input with Kubo\'s 400 error shape', async () => {
    const noBody = await site.request('/api/v0/add', { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: 'raw' })
    expectKuboError(noBody.status, await noBody.json(), 1)
    const noParts = await site.request('/api/v0/add', post(new FormData()))
    expectKuboError(noParts.status, await noParts.json(), 1)
    for (const query of ['cid-version=2', 'chunker=bogus', 'pin=maybe', 'trickle=true', 'hash=blake3', 'only-hash=true&to-files=/x']) {
      const refused = await site.request(`/api/v0/add?${query}`, post(form({ path: 'x.txt', content: 'x' })))
      expectKuboError(refused.status, await refused.json(), 1)
    }
  })

  it('a body cut short is a 400 after the roots before it, and pins nothing of the part it cut', async () => {
    const request = new Request('http://localhost/', post(form({ path: 'whole.txt', content: 'arrived whole' }, { path: 'cut.bin', content: bytes(200_000, 8) })))
    const encoded = new Uint8Array(await request.arrayBuffer())
    const cut = await site.request('/api/v0/add', { method: 'POST', body: encoded.slice(0, encoded.byteLength - 50_000), headers: { 'Content-Type': request.headers.get('content-type')! } })
    expectKuboError(cut.status, await cut.json(), 1)
    const whole = await lines(await site.request('/api/v0/add?only-hash=true', post(form({ path: 'whole.txt', content: 'arrived whole' }))))
    const cutRoot = await lines(await site.request('/api/v0/add?only-hash=true', post(form({ path: 'cut.bin', content: bytes(200_000, 8) }))))
    const keys = Object.keys((await (await site.request('/api/v0/pin/ls?type=recursive', post())).json() as { Keys: Record<string, unknown> }).Keys)
    // the first top-level entry was a whole add of its own before the body broke
    expect(keys).toContain(whole[0].Hash)
    expect(keys).not.toContain(cutRoot[0].Hash)
  })
})

describe('Kubo RPC cat, get, ls', () => {
  let site: TestSite
  let file: string
  let dir: string
  const data = bytes(300_000, 9)
  beforeAll(async () => {
    site = await startTestSite()
    const added = await lines(await site.request('/api/v0/add?chunker=size-100000', post(form({ path: 'tree/data.bin', content: data }, { path: 'tree/note.txt', content: 'a note' }))))
    file = added[0].Hash as string
    dir = added.at(-1)!.Hash as string
  })
  afterAll(async () => { await site.stop() })

  it('cat streams the bytes as text/plain, with offset and length across the files', async () => {
    const whole = await site.request(`/api/v0/cat?arg=${file}`, post())
    expect(whole.status).toBe(200)
    expect(whole.headers.get('content-type')).toBe('text/plain')
    expect(whole.headers.get('x-stream-output')).toBe('1')
    expect(whole.headers.get('x-content-length')).toBe('300000')
    expect(new Uint8Array(await whole.arrayBuffer())).toEqual(data)

    const part = await site.request(`/api/v0/cat?arg=${file}&offset=1000&length=10`, post())
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(data.subarray(1000, 1010))
    const byPath = await site.request(`/api/v0/cat?arg=/ipfs/${dir}/note.txt`, post())
    expect(await byPath.text()).toBe('a note')
    // offset runs on into the next file, as Kubo's does
    const across = await site.request(`/api/v0/cat?arg=${dir}/note.txt&arg=${dir}/note.txt&offset=8&length=3`, post())
    expect(await across.text()).toBe('not')
    const past = await site.request(`/api/v0/cat?arg=${file}&offset=999999`, post())
    expect(past.status).toBe(200)
    expect((await past.arrayBuffer()).byteLength).toBe(0)
  })

  it('cat refuses a directory, a bad CID and a missing argument', async () => {
    const directory = await site.request(`/api/v0/cat?arg=${dir}`, post())
    expectKuboError(directory.status, await directory.json(), 1)
    const bad = await site.request('/api/v0/cat?arg=not-a-cid', post())
    expectKuboError(bad.status, await bad.json(), 1)
    const none = await site.request('/api/v0/cat', post())
    expectKuboError(none.status, await none.json(), 1)
    const negative = await site.request(`/api/v0/cat?arg=${file}&offset=-1`, post())
    expectKuboError(negative.status, await negative.json(), 1)
  })

  it('get answers a tar of a file or a directory, gzipped with compress', async () => {
    const single = await site.request(`/api/v0/get?arg=${dir}/note.txt`, post())
    expect(single.headers.get('content-type')).toBe('application/x-tar')
    expect(untar(new Uint8Array(await single.arrayBuffer())).map(e => ({ ...e, content: decoder.decode(e.content) }))).toEqual([
      { name: 'note.txt', type: '0', content: 'a note' }
    ])

    const tree = untar(new Uint8Array(await (await site.request(`/api/v0/get?arg=${dir}`, post())).arrayBuffer()))
    expect(tree.map(e => [e.name, e.type])).toEqual([[`${dir}/`, '5'], [`${dir}/data.bin`, '0'], [`${dir}/note.txt`, '0']])
    expect(tree[1].content).toEqual(data)

    const gzipped = await site.request(`/api/v0/get?arg=${dir}&archive=true&compress=true`, post())
    expect(gzipped.headers.get('content-type')).toBe('application/gzip')
    expect(untar(await gunzip(new Uint8Array(await gzipped.arrayBuffer()))).map(e => e.name)).toEqual([`${dir}/`, `${dir}/data.bin`, `${dir}/note.txt`])
    const gzippedFile = await site.request(`/api/v0/get?arg=${dir}/note.txt&compress=true`, post())
    expect(decoder.decode(await gunzip(new Uint8Array(await gzippedFile.arrayBuffer())))).toBe('a note')
    const notArchived = await site.request(`/api/v0/get?arg=${dir}&compress=true`, post())
    expectKuboError(notArchived.status, await notArchived.json(), 1)
  })

  it('ls lists a directory, a file\'s chunks, and streams one link a line', async () => {
    const listed = await (await site.request(`/api/v0/ls?arg=${dir}`, post())).json() as { Objects: Array<{ Hash: string, Links: Array<Record<string, unknown>> }> }
    expect(listed.Objects).toEqual([{
      Hash: dir,
      Links: [
        { Name: 'data.bin', Hash: file, Size: 300_000, Type: 2, Target: '' },
        { Name: 'note.txt', Hash: expect.stringMatching(/^Qm/), Size: 6, Type: 2, Target: '' }
      ]
    }])

    const chunks = await (await site.request(`/api/v0/ls?arg=${file}`, post())).json() as typeof listed
    expect(chunks.Objects[0].Links.map(l => [l.Name, l.Size, l.Type])).toEqual([['', 100_000, 2], ['', 100_000, 2], ['', 100_000, 2]])

    const streamed = await lines(await site.request(`/api/v0/ls?arg=${dir}&stream=true`, post()))
    expect(streamed.map(l => l.Objects[0].Links[0].Name)).toEqual(['data.bin', 'note.txt'])
    expect(streamed.every(l => l.Objects[0].Hash === dir)).toBe(true)
  })
})

describe('Kubo RPC pin, block, dag', () => {
  let site: TestSite
  beforeAll(async () => { site = await startTestSite() })
  afterAll(async () => { await site.stop() })

  it('pin/add, pin/ls (keys and stream, with names), pin/rm', async () => {
    const [added] = await lines(await site.request('/api/v0/add?pin=false', post(form({ path: 'p.txt', content: 'pin me through Kubo' }))))
    const cid = added.Hash as string

    const pinned = await site.request(`/api/v0/pin/add?arg=${cid}&name=mine`, post())
    expect(await pinned.json()).toEqual({ Pins: [cid] })
    expect(await (await site.request('/api/v0/pin/ls?type=recursive', post())).json()).toEqual({ Keys: { [cid]: { Type: 'recursive', Name: '' } } })
    expect(await (await site.request('/api/v0/pin/ls?names=true', post())).json()).toEqual({ Keys: { [cid]: { Type: 'recursive', Name: 'mine' } } })
    const streamed = await site.request('/api/v0/pin/ls?stream=true&names=true', post())
    expect(await lines(streamed)).toEqual([{ Cid: cid, Name: 'mine', Type: 'recursive' }])
    expect(await (await site.request('/api/v0/pin/ls?name=nobody', post())).json()).toEqual({ Keys: {} })

    const directOnly = await site.request(`/api/v0/pin/rm?arg=${cid}&recursive=false`, post())
    expectKuboError(directOnly.status, await directOnly.json(), 1)
    expect(await (await site.request(`/api/v0/pin/rm?arg=${cid}`, post())).json()).toEqual({ Pins: [cid] })
    expect(await (await site.request('/api/v0/pin/ls', post())).json()).toEqual({ Keys: {} })
    // Kubo answers an unpinned CID with a plain (500) error
    const again = await site.request(`/api/v0/pin/rm?arg=${cid}`, post())
    expectKuboError(again.status, await again.json(), 0)
    const badType = await site.request('/api/v0/pin/ls?type=sideways', post())
    expectKuboError(badType.status, await badType.json(), 1)
  })

  it('block/put, get, stat and rm with Kubo\'s codecs and CID versions', async () => {
    const data = encoder.encode('a raw block')
    const expected = CID.create(1, raw.code, await sha256.digest(data)).toString()
    const put = await site.request('/api/v0/block/put', post(form({ path: 'blob', content: data })))
    expect(put.status).toBe(200)
    expect(await put.json()).toEqual({ Key: expected, Size: data.byteLength })

    const got = await site.request(`/api/v0/block/get?arg=${expected}`, post())
    expect(got.headers.get('content-type')).toBe('application/vnd.ipld.raw')
    expect(new Uint8Array(await got.arrayBuffer())).toEqual(data)
    expect(await (await site.request(`/api/v0/block/stat?arg=${expected}`, post())).json()).toEqual({ Key: expected, Size: data.byteLength })

    const node = dagPb.encode({ Data: encoder.encode('pb'), Links: [] })
    const v0 = CID.createV0(await sha256.digest(node)).toString()
    expect(await (await site.request('/api/v0/block/put?format=v0', post(form({ path: 'blob', content: node })))).json()).toEqual({ Key: v0, Size: node.byteLength })
    const pbV1 = CID.create(1, dagPb.code, await sha256.digest(node)).toString()
    expect(await (await site.request('/api/v0/block/put?cid-codec=dag-pb', post(form({ path: 'blob', content: node })))).json()).toEqual({ Key: pbV1, Size: node.byteLength })
    const conflict = await site.request('/api/v0/block/put?format=v0&cid-codec=dag-cbor', post(form({ path: 'blob', content: node })))
    expectKuboError(conflict.status, await conflict.json(), 1)
    const badLength = await site.request('/api/v0/block/put?mhlen=20', post(form({ path: 'blob', content: data })))
    expectKuboError(badLength.status, await badLength.json(), 1)

    const pinnedPut = await (await site.request('/api/v0/block/put?pin=true', post(form({ path: '', content: encoder.encode('kept') })))).json() as { Key: string }
    const removed = await lines(await site.request(`/api/v0/block/rm?arg=${expected}&arg=${pinnedPut.Key}`, post()))
    expect(removed).toEqual([{ Hash: expected }, { Hash: pinnedPut.Key, Error: 'pinned: direct' }])
    const gone = await site.request(`/api/v0/block/stat?arg=${expected}`, post())
    expectKuboError(gone.status, await gone.json(), 0)
    const twice = await lines(await site.request(`/api/v0/block/rm?arg=${expected}`, post()))
    expect(twice).toEqual([{ Hash: expected, Error: expect.stringContaining('not in the local store') }])
    expect(await lines(await site.request(`/api/v0/block/rm?arg=${expected}&force=true`, post()))).toEqual([{ Hash: expected }])
    expect(await lines(await site.request(`/api/v0/block/rm?arg=${v0}&quiet=true`, post()))).toEqual([])
  })

  it('dag/put, get and resolve round-trip a node with a link', async () => {
    const leaf = await (await site.request('/api/v0/dag/put', post(form({ path: '', content: '{"name":"leaf","n":[1,2,3]}' })))).json() as { Cid: { '/': string } }
    expect(leaf.Cid['/']).toMatch(/^bafyrei/)
    const parentJson = JSON.stringify({ child: { '/': leaf.Cid['/'] }, label: 'parent' })
    const parent = await (await site.request('/api/v0/dag/put?pin=true', post(form({ path: '', content: parentJson })))).json() as { Cid: { '/': string } }
    const expectedParent = CID.create(1, dagCbor.code, await sha256.digest(dagCbor.encode({ child: CID.parse(leaf.Cid['/']), label: 'parent' })))
    expect(parent.Cid['/']).toBe(expectedParent.toString())

    const got = await site.request(`/api/v0/dag/get?arg=${parent.Cid['/']}`, post())
    expect(JSON.parse(await got.text())).toEqual({ child: { '/': leaf.Cid['/'] }, label: 'parent' })
    const deep = await site.request(`/api/v0/dag/get?arg=${parent.Cid['/']}/child/n/1`, post())
    expect(await deep.text()).toBe('2')
    const cbor = await site.request(`/api/v0/dag/get?arg=${leaf.Cid['/']}&output-codec=dag-cbor`, post())
    expect(dagCbor.decode(new Uint8Array(await cbor.arrayBuffer()))).toEqual({ name: 'leaf', n: [1, 2, 3] })

    const resolved = await site.request(`/api/v0/dag/resolve?arg=${parent.Cid['/']}/child/name`, post())
    expect(await resolved.json()).toEqual({ Cid: { '/': leaf.Cid['/'] }, RemPath: 'name' })

    // a client that encoded the node itself says so with input-codec
    const encoded = await site.request('/api/v0/dag/put?input-codec=dag-cbor&store-codec=dag-cbor', post(form({ path: 'blob', content: dagCbor.encode({ a: 1 }) })))
    expect((await encoded.json() as { Cid: { '/': string } }).Cid['/']).toBe(CID.create(1, dagCbor.code, await sha256.digest(dagCbor.encode({ a: 1 }))).toString())
    const broken = await site.request('/api/v0/dag/put', post(form({ path: '', content: '{not json' })))
    expectKuboError(broken.status, await broken.json(), 1)
  })

  it('a CAR from dag/export imported into a second site gives the same root and bytes', async () => {
    const content = bytes(600_000, 11)
    const added = await lines(await site.request('/api/v0/add?chunker=size-65536', post(form({ path: 'car/content.bin', content }, { path: 'car/readme.txt', content: 'exported' }))))
    const root = added.at(-1)!.Hash as string
    const exported = await site.request(`/api/v0/dag/export?arg=${root}`, post())
    expect(exported.status).toBe(200)
    expect(exported.headers.get('content-type')).toBe('application/vnd.ipld.car')
    const car = new Uint8Array(await exported.arrayBuffer())

    const other = await startTestSite()
    try {
      const body = new FormData()
      body.append('file', new File([car], 'export.car'))
      const imported = await lines(await other.request('/api/v0/dag/import?stats=true', post(body)))
      expect(imported[0]).toEqual({ Root: { Cid: { '/': root }, PinErrorMsg: '' } })
      expect(imported[1]).toEqual({ Stats: { BlockCount: expect.any(Number), BlockBytesCount: expect.any(Number) } })
      expect(imported[1].Stats.BlockCount).toBeGreaterThan(10)
      const pins = await (await other.request('/api/v0/pin/ls?type=recursive', post())).json()
      expect(pins).toEqual({ Keys: { [root]: { Type: 'recursive', Name: '' } } })
      const back = await other.request(`/api/v0/cat?arg=${root}/content.bin`, post())
      expect(new Uint8Array(await back.arrayBuffer())).toEqual(content)

      const unpinned = await lines(await other.request('/api/v0/dag/import?pin-roots=false', post(body)))
      expect(unpinned).toEqual([])
      const notCar = new FormData()
      notCar.append('file', new File(['not a car'], 'x.car'))
      const refused = await other.request('/api/v0/dag/import', post(notCar))
      expectKuboError(refused.status, await refused.json(), 1)
      // a CAR cut in the middle of its blocks is bad input too, not a failure of the node
      const cut = new FormData()
      cut.append('file', new File([car.subarray(0, Math.floor(car.length / 2))], 'cut.car'))
      const truncated = await other.request('/api/v0/dag/import', post(cut))
      expectKuboError(truncated.status, await truncated.json(), 1)
    } finally {
      await other.stop()
    }
  })

  it('dag/import stores a CAR\'s blocks as its part arrives, before the body ends', async () => {
    const added = await lines(await site.request('/api/v0/add?chunker=size-65536', post(form({ path: 'streamed.bin', content: bytes(400_000, 5) }))))
    const root = added.at(-1)!.Hash as string
    const car = new Uint8Array(await (await site.request(`/api/v0/dag/export?arg=${root}`, post())).arrayBuffer())
    const body = new FormData()
    body.append('file', new File([car], 'streamed.car'))
    const request = new Request('http://localhost/', { method: 'POST', body })
    const encoded = new Uint8Array(await request.arrayBuffer())
    // all but the last 100 bytes (the CAR's last block's end and the closing boundary), held until blocks are in
    const { body: held, release } = heldBackBody(encoded, 100, 16_384)
    const other = await startTestSite()
    try {
      const objects = async (): Promise<number> => (await (await other.request('/api/v0/repo/stat', post())).json()).NumObjects as number
      const before = await objects()
      const reply = other.request('/api/v0/dag/import', {
        method: 'POST', body: held, headers: { 'Content-Type': request.headers.get('content-type')! }, duplex: 'half'
      } as RequestInit)
      // read whole first, nothing would be stored before the body's end
      await expect.poll(objects, { timeout: 5_000 }).toBeGreaterThan(before)
      release()
      expect(await lines(await reply)).toEqual([{ Root: { Cid: { '/': root }, PinErrorMsg: '' } }])
      expect(new Uint8Array(await (await other.request(`/api/v0/cat?arg=${root}`, post())).arrayBuffer())).toEqual(bytes(400_000, 5))
    } finally {
      release()
      await other.stop()
    }
  })

  it('cat, ls and dag resolve take /ipns/ paths, the name resolved first', async () => {
    const form = new FormData()
    form.append('file', new File(['named bytes'], 'named/inside.txt'))
    const added = await lines(await site.request('/api/v0/add', post(form)))
    const root = added.at(-1)!.Hash as string
    const published = await site.request('/api/v0/mcp/ipfs/name/publish', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ path: `/ipfs/${root}` }) })
    const name = (await published.json()).Name as string
    expect(await (await site.request(`/api/v0/cat?arg=/ipns/${name}/inside.txt`, post())).text()).toBe('named bytes')
    const listed = await (await site.request(`/api/v0/ls?arg=/ipns/${name}`, post())).json()
    expect(listed.Objects[0].Links.map((l: { Name: string }) => l.Name)).toEqual(['inside.txt'])
    const resolved = await (await site.request(`/api/v0/dag/resolve?arg=/ipns/${name}`, post())).json()
    // the name's record holds the path as published, in CIDv1
    expect(CID.parse(resolved.Cid['/'] as string).toV1().toString()).toBe(CID.parse(root).toV1().toString())
    const unknown = await site.request('/api/v0/cat?arg=/ipns/not-a-name', post())
    expect(unknown.status).toBe(400)
  })

  it('refuses a command another origin\'s page sent, as Kubo does, and bad chunkers with a 400', async () => {
    const foreign = await site.request('/api/v0/key/list', { method: 'POST', headers: { Origin: 'https://evil.example' } })
    expect(foreign.status).toBe(403)
    expect(await foreign.json()).toMatchObject({ Code: 1, Type: 'error' })
    const own = await site.request('/api/v0/key/list', { method: 'POST', headers: { Origin: 'http://localhost' } })
    expect(own.status).toBe(200)
    for (const chunker of ['rabin-1-2-3', 'rabin-30']) {
      const form = new FormData()
      form.append('file', new File(['x'], 'x.txt'))
      const bad = await site.request(`/api/v0/add?chunker=${chunker}`, post(form))
      expect(bad.status).toBe(400)
    }
  })

  it('answers GET with 405 and an unknown CID\'s export with an error, not a CAR', async () => {
    const get = await site.request('/api/v0/pin/ls')
    expect(get.status).toBe(405)
    expect(await get.json()).toEqual({ Message: expect.any(String), Code: 1, Type: 'error' })
    const absent = CID.create(1, raw.code, await sha256.digest(encoder.encode('absent'))).toString()
    const missing = await site.request(`/api/v0/dag/export?arg=${absent}`, post())
    expectKuboError(missing.status, await missing.json(), 0)
    const bad = await site.request('/api/v0/block/get?arg=zzz', post())
    expectKuboError(bad.status, await bad.json(), 1)
  })
})

describe('kubo-rpc-client against the site', () => {
  let site: TestSite
  beforeAll(async () => {
    site = await startTestSite()
  })
  afterEach(() => { vi.unstubAllGlobals() })
  afterAll(async () => { await site.stop() })

  /** The client as an app would build it, its fetch answered by the site (as the service worker would). */
  function client (): ReturnType<typeof create> {
    vi.stubGlobal('fetch', async (input: string | URL | Request, init?: RequestInit) => {
      const url = new URL(input instanceof Request ? input.url : String(input))
      return site.request(`${url.pathname}${url.search}`, init)
    })
    return create({ url: 'http://localhost/api/v0' })
  }

  it('adds, cats, lists, pins and reads blocks as it would from a daemon', async () => {
    const ipfs = client()
    const added = await ipfs.add('hello world')
    expect(added.cid.toString()).toBe(KUBO.helloWorld)
    expect(added.size).toBe(19)

    const progress: number[] = []
    const all = []
    for await (const entry of ipfs.addAll([
      { path: 'site/index.html', content: encoder.encode('<h1>hi</h1>') },
      { path: 'site/empty' }
    ], { cidVersion: 1, progress: (n) => { progress.push(n) } })) all.push(entry)
    expect(all.map(e => e.path)).toEqual(['site/index.html', 'site/empty', 'site'])
    expect(all[1].cid.toString()).toBe(KUBO.emptyDirV1)
    expect(progress.at(-1)).toBe(11)

    const chunks: Uint8Array[] = []
    for await (const chunk of ipfs.cat(`/ipfs/${all[2].cid.toString()}/index.html`)) chunks.push(chunk)
    expect(decoder.decode(await new Blob(chunks as BlobPart[]).arrayBuffer())).toBe('<h1>hi</h1>')

    const entries = []
    for await (const entry of ipfs.ls(all[2].cid)) entries.push(entry)
    expect(entries.map(e => [e.name, e.type])).toEqual([['empty', 'dir'], ['index.html', 'file']])

    const pins = []
    for await (const pin of ipfs.pin.ls({ type: 'recursive' })) pins.push(pin.cid.toString())
    expect(pins).toEqual(expect.arrayContaining([KUBO.helloWorld, all[2].cid.toString()]))
    expect((await ipfs.pin.rm(added.cid)).toString()).toBe(KUBO.helloWorld)
    expect((await ipfs.pin.add(added.cid)).toString()).toBe(KUBO.helloWorld)

    const blockCid = await ipfs.block.put(encoder.encode('client block'))
    expect(blockCid.code).toBe(raw.code)
    expect(decoder.decode(await ipfs.block.get(blockCid))).toBe('client block')
    expect(await ipfs.block.stat(blockCid)).toEqual({ cid: blockCid, size: 12 })
  })

  it('puts, gets and resolves DAG nodes, and exports and imports CARs', async () => {
    const ipfs = client()
    const leaf = await ipfs.dag.put({ hello: 'dag' })
    const parent = await ipfs.dag.put({ leaf, n: 1 }, { pin: true })
    expect((await ipfs.dag.get(parent)).value).toEqual({ leaf, n: 1 })
    const resolved = await ipfs.dag.resolve(parent, { path: 'leaf/hello' })
    expect(resolved.cid.toString()).toBe(leaf.toString())
    expect(resolved.remainderPath).toBe('hello')

    const car: Uint8Array[] = []
    for await (const chunk of ipfs.dag.export(parent)) car.push(chunk)
    const roots = []
    for await (const result of ipfs.dag.import([new Uint8Array(await new Blob(car as BlobPart[]).arrayBuffer())])) roots.push(result.root)
    expect(roots).toEqual([{ cid: parent, pinErrorMsg: '' }])
  })

  it('raises the error messages the site writes in Kubo\'s shape', async () => {
    const ipfs = client()
    const chunks = ipfs.cat('not-a-cid')[Symbol.asyncIterator]()
    await expect(chunks.next()).rejects.toThrow(/not a valid CID/)
    const unpinned = await ipfs.block.put(encoder.encode('never pinned'))
    await expect(ipfs.pin.rm(unpinned)).rejects.toThrow(/is not pinned/)
  })
})

// the MCP route keeps answering as before beside the Kubo face
describe('the MCP add beside it', () => {
  it('reads a directory part as an empty directory', async () => {
    const site = await startTestSite()
    try {
      const body = new FormData()
      body.append('file', new File([''], 'm', { type: 'application/x-directory' }))
      body.append('file', new File(['a'], 'm%2Fa.txt'))
      body.append('file', new File([''], 'm%2Fempty', { type: 'application/x-directory' }))
      const response = await site.request('/api/v0/mcp/ipfs/add', { method: 'POST', body })
      const reply = await response.json() as { entries: Array<{ name: string, cid: string }> }
      expect(reply.entries.map(e => e.name)).toEqual(['m/a.txt', 'm/empty', 'm'])
      const json = await site.request('/api/v0/mcp/ipfs/add', postJson({ content: 'hello world', cid_version: 0 }))
      expect((await json.json() as { cid: string }).cid).toBe(KUBO.helloWorld)
    } finally {
      await site.stop()
    }
  })
})
