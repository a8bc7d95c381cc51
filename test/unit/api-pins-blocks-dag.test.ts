import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { postJson, startTestApi } from './helpers.ts'
import type { TestApi } from './helpers.ts'

const octets = (body: Uint8Array | string): RequestInit => ({ method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: body as BodyInit })

describe('pins', () => {
  let api: TestApi
  beforeAll(async () => { api = await startTestApi() })
  afterAll(async () => { await api.stop() })

  it('pins, lists by type with names, and unpins', async () => {
    const added = await api.json('/ipfs/add', postJson({ content: 'pin me', pin: false }))
    const cid = added.body.cid as string
    expect((await api.json('/ipfs/pins')).body.count).toBe(0)

    const pinned = await api.json('/ipfs/pin', postJson({ cid, name: 'my file' }))
    expect(pinned.body).toMatchObject({ success: true, cid, type: 'recursive', name: 'my file', already_pinned: false })
    const again = await api.json('/ipfs/pin/add', postJson({ cid }))
    expect(again.body).toMatchObject({ already_pinned: true, name: 'my file' })

    const list = await api.json('/ipfs/pin/ls?type=recursive')
    expect(list.body.pins).toEqual([{ cid, type: 'recursive', name: 'my file' }])
    expect((await api.json('/ipfs/pins?type=direct')).body.count).toBe(0)

    const ndjson = await api.request('/ipfs/pins?stream=true')
    expect(ndjson.headers.get('content-type')).toBe('application/x-ndjson')
    expect((await ndjson.text()).trim().split('\n').map(l => JSON.parse(l))).toEqual([{ cid, type: 'recursive', name: 'my file' }])

    const removed = await api.json('/ipfs/unpin', postJson({ cid }))
    expect(removed.body).toMatchObject({ cid, type: 'recursive', unpinned: true })
    expect((await api.json('/ipfs/pins')).body.count).toBe(0)
  })

  it('lists the blocks a recursive pin holds as indirect', async () => {
    const form = new FormData()
    form.append('file', new Blob(['x']), 'd/x.txt')
    const dir = await api.json('/ipfs/add', { method: 'POST', body: form })
    const indirect = await api.json('/ipfs/pins?type=indirect')
    const child = (dir.body.entries as Array<{ name: string, cid: string }>).find(e => e.name === 'd/x.txt')!
    expect(indirect.body.pins).toContainEqual({ cid: child.cid, type: 'indirect', name: null })
  })

  it('lists what several recursive pins hold once each, and no pin root as indirect', async () => {
    const form = (...files: Array<[string, string]>): RequestInit => {
      const body = new FormData()
      for (const [path, content] of files) body.append('file', new Blob([content]), path)
      return { method: 'POST', body }
    }
    const one = await api.json('/ipfs/add', form(['one/shared.txt', 'in both folders'], ['one/only.txt', 'only in one']))
    const two = await api.json('/ipfs/add', form(['two/shared.txt', 'in both folders']))
    const small = await api.json('/ipfs/add', postJson({ content: 'a raw root with nothing below it' }))
    const cidOf = (reply: { body: Record<string, unknown> }, name: string): string => (reply.body.entries as Array<{ name: string, cid: string }>).find(e => e.name === name)!.cid
    const all = (await api.json('/ipfs/pins?type=all')).body.pins as Array<{ cid: string, type: string }>
    const listed = (cid: string): string[] => all.filter(p => p.cid === cid).map(p => p.type)
    expect(listed(cidOf(one, 'one/shared.txt'))).toEqual(['indirect'])
    expect(cidOf(two, 'two/shared.txt')).toBe(cidOf(one, 'one/shared.txt'))
    expect(listed(cidOf(one, 'one/only.txt'))).toEqual(['indirect'])
    expect(listed(one.body.cid as string)).toEqual(['recursive'])
    expect(listed(two.body.cid as string)).toEqual(['recursive'])
    expect(listed(small.body.cid as string)).toEqual(['recursive'])
    expect(new Set(all.map(p => p.cid)).size).toBe(all.length)
  })

  it('a direct pin asked to be recursive becomes recursive, and gc then keeps the whole DAG', async () => {
    const form = new FormData()
    form.append('file', new Blob(['kept child']), 'up/child.txt')
    form.append('pin', 'false')
    const dir = await api.json('/ipfs/add', { method: 'POST', body: form })
    const cid = dir.body.cid as string
    expect((await api.json('/ipfs/pin', postJson({ cid, recursive: false, name: 'up' }))).body.type).toBe('direct')
    const upgraded = await api.json('/ipfs/pin', postJson({ cid }))
    expect(upgraded.body).toMatchObject({ type: 'recursive', already_pinned: false, name: 'up' })
    expect((await api.json('/ipfs/pins?type=direct')).body.pins).toEqual([])
    expect((await api.json('/ipfs/pins?type=recursive')).body.pins).toContainEqual({ cid, type: 'recursive', name: 'up' })
    expect((await api.json('/ipfs/repo/gc', { method: 'POST' })).status).toBe(200)
    expect(await (await api.request(`/ipfs/cat/${cid}/child.txt`)).text()).toBe('kept child')
    expect((await api.json('/ipfs/unpin', postJson({ cid }))).status).toBe(200)
  })

  it('unpinning what is not pinned is a 404', async () => {
    const added = await api.json('/ipfs/add', postJson({ content: 'never pinned', pin: false }))
    const r = await api.json('/ipfs/pin/rm', postJson({ cid: added.body.cid }))
    expect(r.status).toBe(404)
    expect(r.body.error_type).toBe('NotPinnedError')
  })

  it('pinning a DAG with missing blocks fails and records nothing', async () => {
    const missing = CID.create(1, raw.code, await sha256.digest(new TextEncoder().encode('nowhere')))
    const node = await api.json('/ipfs/dag/put', postJson({ object: { child: { '/': missing.toString() } } }))
    const r = await api.json('/ipfs/pin', postJson({ cid: node.body.cid }))
    expect(r.status).toBe(404)
    expect(r.body.error_type).toBe('ContentNotFoundError')
    expect((await api.json(`/ipfs/pins?type=all`)).body.pins.map((p: { cid: string }) => p.cid)).not.toContain(node.body.cid)
    // the parent block alone can still be pinned directly
    const direct = await api.json('/ipfs/pin', postJson({ cid: node.body.cid, recursive: false }))
    expect(direct.body.type).toBe('direct')
  })

  it('refuses a pin request with a bad CID, no CID, or a non-JSON body', async () => {
    expect((await api.json('/ipfs/pin', postJson({ cid: 'zzz' }))).body.error_type).toBe('InvalidCIDError')
    expect((await api.json('/ipfs/pin', postJson({}))).status).toBe(400)
    const wrongType = await api.json('/ipfs/pin', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'x' })
    expect(wrongType.status).toBe(415)
    expect((await api.json('/ipfs/pins?type=sideways')).status).toBe(400)
  })
})

describe('blocks', () => {
  let api: TestApi
  beforeAll(async () => { api = await startTestApi() })
  afterAll(async () => { await api.stop() })

  it('put defaults to raw + sha2-256 (as Kubo) and round-trips through get and stat', async () => {
    const data = new TextEncoder().encode('hello world')
    const put = await api.json('/ipfs/block/put', octets(data))
    expect(put.body.cid).toBe('bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e')
    expect(put.body.size).toBe(11)
    const got = await api.request(`/ipfs/block/get/${put.body.cid as string}`)
    expect(got.headers.get('content-type')).toBe('application/vnd.ipld.raw')
    expect(new Uint8Array(await got.arrayBuffer())).toEqual(data)
    expect((await api.json(`/ipfs/block/stat/${put.body.cid as string}`)).body).toMatchObject({ cid: put.body.cid, size: 11 })
  })

  it('accepts JSON {data} and multipart, with codec and hash choices', async () => {
    const cbor = dagCbor.encode({ a: 1 })
    const json = await api.json('/ipfs/block/put', postJson({ data: btoa(String.fromCharCode(...cbor)), format: 'dag-cbor' }))
    expect(CID.parse(json.body.cid).code).toBe(dagCbor.code)
    const form = new FormData()
    form.append("file", new Blob([cbor as Uint8Array<ArrayBuffer>]))
    const multi = await api.json('/ipfs/block/put?cid_codec=dag-cbor&mhtype=sha2-512', { method: 'POST', body: form })
    expect(CID.parse(multi.body.cid).multihash.code).toBe(0x13)
  })

  it('refuses oversized blocks, undecodable ones and unknown codecs', async () => {
    const big = await api.json('/ipfs/block/put', octets(new Uint8Array(2 * 1024 * 1024 + 1)))
    expect(big.status).toBe(413)
    expect(big.body.error_type).toBe('BlockTooLargeError')
    const bad = await api.json('/ipfs/block/put?cid_codec=dag-cbor', octets(new Uint8Array([0xff, 0xff])))
    expect(bad.status).toBe(400)
    const codec = await api.json('/ipfs/block/put?cid_codec=nonsense', octets('x'))
    expect(codec.body.error_type).toBe('UnsupportedCodecError')
  })

  it('a block that is not local is a 404', async () => {
    const absent = CID.create(1, raw.code, await sha256.digest(new TextEncoder().encode('absent block')))
    const r = await api.json(`/ipfs/block/get/${absent.toString()}`)
    expect(r.status).toBe(404)
    expect(r.body.error_type).toBe('ContentNotFoundError')
  })
})

describe('dag', () => {
  let api: TestApi
  beforeAll(async () => { api = await startTestApi() })
  afterAll(async () => { await api.stop() })

  it('put reads JSON as dag-json (links and bytes), get answers in dag-json, resolve walks links', async () => {
    const leaf = await api.json('/ipfs/dag/put', postJson({ object: { name: 'leaf', data: { '/': { bytes: 'AQID' } } } }))
    expect(CID.parse(leaf.body.cid).code).toBe(dagCbor.code)
    const root = await api.json('/ipfs/dag/put', postJson({ object: { children: [{ '/': leaf.body.cid }], title: 'root' }, pin: true }))
    expect(root.body.pinned).toBe(true)

    const got = await api.request(`/ipfs/dag/get/${root.body.cid as string}`)
    expect(got.headers.get('content-type')).toBe('application/vnd.ipld.dag-json')
    expect(await got.json()).toEqual({ children: [{ '/': leaf.body.cid }], title: 'root' })

    const through = await api.request(`/ipfs/dag/get/${root.body.cid as string}/children/0/data`)
    expect(await through.json()).toEqual({ '/': { bytes: 'AQID' } })

    const resolved = await api.json(`/ipfs/dag/resolve/${root.body.cid as string}/children/0/name`)
    expect(resolved.body).toMatchObject({ cid: leaf.body.cid, remainder_path: 'name' })
    const atRoot = await api.json(`/ipfs/dag/resolve/${root.body.cid as string}`)
    expect(atRoot.body).toMatchObject({ cid: root.body.cid, remainder_path: '' })
  })

  it('stores dag-json, dag-pb and raw bodies with input_codec', async () => {
    const asJson = await api.json('/ipfs/dag/put', postJson({ object: { a: 1 }, store_codec: 'dag-json' }))
    expect(CID.parse(asJson.body.cid).code).toBe(0x0129)
    const pb = await api.json('/ipfs/dag/put', postJson({ object: { Data: { '/': { bytes: 'CAE' } }, Links: [] }, store_codec: 'dag-pb' }))
    expect(CID.parse(pb.body.cid).code).toBe(0x70)
    const body = await api.json('/ipfs/dag/put?input_codec=dag-cbor&store_codec=dag-json', octets(dagCbor.encode({ b: 2 })))
    const back = await api.request(`/ipfs/dag/get/${body.body.cid as string}?output_codec=dag-cbor`)
    expect(dagCbor.decode(new Uint8Array(await back.arrayBuffer()))).toEqual({ b: 2 })
  })

  it('resolves a unixfs directory by link name', async () => {
    const form = new FormData()
    form.append('file', new Blob(['deep']), 'top/inner/file.txt')
    const dir = await api.json('/ipfs/add', { method: 'POST', body: form })
    const file = (dir.body.entries as Array<{ name: string, cid: string }>).find(e => e.name === 'top/inner/file.txt')!
    const resolved = await api.json(`/ipfs/dag/resolve/${dir.body.cid as string}/inner/file.txt`)
    expect(resolved.body).toMatchObject({ cid: file.cid, remainder_path: '' })
  })

  it('refuses missing fields, bad input and paths that do not exist', async () => {
    expect((await api.json('/ipfs/dag/put', postJson({ store_codec: 'dag-cbor' }))).status).toBe(400)
    expect((await api.json('/ipfs/dag/put', postJson({ object: { Links: 'no' }, store_codec: 'dag-pb' }))).status).toBe(400)
    expect((await api.json('/ipfs/dag/put?input_codec=dag-cbor', octets(new Uint8Array([0xff])))).status).toBe(400)
    const node = await api.json('/ipfs/dag/put', postJson({ object: { a: 1 } }))
    const missing = await api.json(`/ipfs/dag/get/${node.body.cid as string}/b/c`)
    expect(missing.status).toBe(404)
    expect(missing.body.error_type).toBe('PathNotFoundError')
    expect((await api.json(`/ipfs/dag/resolve/${node.body.cid as string}/nope`)).status).toBe(404)
  })
})
