import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { absentCid, bytes, heldBackBody, postJson, startTestApi } from './helpers.ts'
import { writeFailure } from '../../src/node/stores/write-failure.ts'
import type { TestApi } from './helpers.ts'

/** An upload that sends `first`, then never another byte nor its end (a sender that stalled); says whether it was cancelled. */
function stallingUpload (first: Uint8Array): { body: ReadableStream<Uint8Array>, cancelled: () => boolean } {
  let sent = false
  let cancelled = false
  const body = new ReadableStream<Uint8Array>({
    pull (controller) {
      if (!sent) { sent = true; controller.enqueue(first); return }
      return new Promise(() => {})
    },
    cancel () { cancelled = true }
  })
  return { body, cancelled: () => cancelled }
}

const HELLO_V0 = 'Qmf412jQZiuVUtdgnB36FXFX7xg5V6KEbSJ4dpQuhkLyfD'
const HELLO_V1 = 'bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e'

describe('add', () => {
  let api: TestApi
  beforeAll(async () => { api = await startTestApi() })
  afterAll(async () => { await api.stop() })

  it('JSON content gives the same CIDs as Kubo (v0) and Helia (v1)', async () => {
    const v0 = await api.json('/ipfs/add', postJson({ content: 'hello world', cid_version: 0 }))
    expect(v0.status).toBe(200)
    expect(v0.body).toMatchObject({ success: true, operation: 'ipfs_add', cid: HELLO_V0, size: 11, pinned: true })
    const v1 = await api.json('/ipfs/add/json', postJson({ content: 'hello world', cid_version: 1 }))
    expect(v1.body.cid).toBe(HELLO_V1)
    const byDefault = await api.json('/ipfs/add', postJson({ content: 'aGVsbG8gd29ybGQ=', encoding: 'base64' }))
    expect(byDefault.body.cid).toBe(HELLO_V1)
  })

  it('a raw body with options in the query, and chunker/raw_leaves overrides', async () => {
    const data = bytes(300_000)
    const r = await api.json('/ipfs/add?cid_version=0&filename=data.bin', { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: data })
    expect(r.status).toBe(200)
    expect(r.body.cid).toMatch(/^Qm/)
    expect(r.body.size).toBe(300_000)
    expect(r.body.name).toBe('data.bin')
    const small = await api.json('/ipfs/add?chunker=size-1000&raw_leaves=false', { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: data })
    expect(small.body.cid).not.toBe(r.body.cid)
    const back = await api.request(`/ipfs/cat/${small.body.cid as string}`)
    expect(new Uint8Array(await back.arrayBuffer())).toEqual(data)
    const rabin = await api.json('/ipfs/add?chunker=rabin-2048-8192-65536', { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: data })
    expect(rabin.status).toBe(200)
    expect(rabin.body.cid).not.toBe(small.body.cid)
    const rabinBack = await api.request(`/ipfs/cat/${rabin.body.cid as string}`)
    expect(new Uint8Array(await rabinBack.arrayBuffer())).toEqual(data)
  })

  it('multipart file parts with paths add a directory tree', async () => {
    const form = new FormData()
    form.append('file', new Blob(['alpha']), 'docs/a.txt')
    form.append('file', new Blob(['beta']), 'docs/sub/b.txt')
    form.append('pin', 'false')
    const r = await api.json('/ipfs/add/file', { method: 'POST', body: form })
    expect(r.status).toBe(200)
    expect(r.body.pinned).toBe(false)
    expect(r.body.type).toBe('directory')
    expect(r.body.name).toBe('docs')
    const names = (r.body.entries as Array<{ name: string }>).map(e => e.name).sort()
    expect(names).toEqual(['docs', 'docs/a.txt', 'docs/sub', 'docs/sub/b.txt'])
    const b = await api.request(`/ipfs/cat/${r.body.cid as string}/sub/b.txt`)
    expect(await b.text()).toBe('beta')
  })

  it('?progress=true streams per-file byte counts, then the reply as the last line', async () => {
    const form = new FormData()
    form.append('file', new Blob([bytes(3 * 1024 * 1024, 7)]), 'up/big.bin')
    form.append('file', new Blob(['tiny']), 'up/tiny.txt')
    const response = await api.request('/ipfs/add?progress=true&chunker=size-262144', { method: 'POST', body: form })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/x-ndjson')
    const lines = (await response.text()).trim().split('\n').map(l => JSON.parse(l) as Record<string, any>)
    const last = lines.pop()!
    expect(last.success).toBe(true)
    expect(last.operation).toBe('ipfs_add')
    expect(last.name).toBe('up')
    const big = lines.filter(l => l.name === 'up/big.bin').map(l => l.bytes as number)
    expect(big.length).toBeGreaterThan(1)
    expect(big.at(-1)).toBe(3 * 1024 * 1024)
    expect(big).toEqual([...big].sort((a, b) => a - b))
    expect(lines.filter(l => l.name === 'up/tiny.txt').at(-1)?.bytes).toBe(4)
    expect(lines.at(-1)?.total_bytes).toBe(3 * 1024 * 1024 + 4)
    const cat = await api.request(`/ipfs/cat/${last.cid as string}/tiny.txt`)
    expect(await cat.text()).toBe('tiny')
  })

  it('?progress=true checks the options first: a bad chunker is a 400, not a 200 with an error line', async () => {
    const form = new FormData()
    form.append('file', new Blob(['x']), 'a.txt')
    const r = await api.json('/ipfs/add?progress=true&chunker=size-0', { method: 'POST', body: form })
    expect(r.status).toBe(400)
    expect(r.body).toMatchObject({ success: false, error_type: 'InvalidParametersError' })
  })

  it('?progress=true stops the add when the reader cancels, pins nothing and lets go of the repo lock', async () => {
    const pinsBefore = (await api.json('/ipfs/pins')).body.count as number
    // one chunk's worth, then a body that never ends (a slow uploader)
    const upload = stallingUpload(bytes(300 * 1024, 9))
    const response = await api.request('/ipfs/add?progress=true&chunker=size-262144', {
      method: 'POST', body: upload.body, headers: { 'Content-Type': 'application/octet-stream' }, duplex: 'half'
    } as RequestInit)
    expect(response.status).toBe(200)
    const reader = response.body!.getReader()
    const first = JSON.parse(new TextDecoder().decode((await reader.read()).value)) as Record<string, number>
    expect(first.bytes).toBe(262144)
    await reader.cancel()
    await expect.poll(() => upload.cancelled()).toBe(true)
    // garbage collection needs the lock alone: it runs, so the add let go of its share
    const gc = await api.json('/ipfs/repo/gc', { method: 'POST' })
    expect(gc.status).toBe(200)
    expect((await api.json('/ipfs/pins')).body.count).toBe(pinsBefore)
  })

  it('cancels an add in progress by its id: its reply ends with AddCancelledError, and nothing is placed or pinned', async () => {
    const pinsBefore = (await api.json('/ipfs/pins')).body.count as number
    const more = Promise.withResolvers<void>()
    let chunks = 0
    let cancelledUpload = false
    const upload = new ReadableStream<Uint8Array>({
      async pull (controller) {
        // one chunk, then the rest only when the test says (an upload under way)
        if (chunks++ > 0) await more.promise
        controller.enqueue(bytes(300 * 1024, 20 + chunks))
      },
      cancel () { cancelledUpload = true }
    })
    const response = await api.request('/ipfs/add?progress=true&chunker=size-262144&to_files=/cancelled.bin', {
      method: 'POST', body: upload, headers: { 'Content-Type': 'application/octet-stream' }, duplex: 'half'
    } as RequestInit)
    const id = response.headers.get('x-add-id')
    expect(id).toMatch(/^[0-9a-f-]{36}$/)
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
    expect(JSON.parse((await reader.read()).value!)).toMatchObject({ bytes: 262144 })

    const cancel = await api.json('/ipfs/add/cancel', postJson({ id }))
    expect(cancel.status).toBe(200)
    expect(cancel.body).toMatchObject({ success: true, id, cancelling: true })
    more.resolve()
    let text = ''
    for (let next = await reader.read(); !next.done; next = await reader.read()) text += next.value
    const last = JSON.parse(text.trim().split('\n').at(-1)!) as Record<string, unknown>
    expect(last).toMatchObject({ success: false, operation: 'ipfs_add', error_type: 'AddCancelledError', status: 499 })
    expect(cancelledUpload).toBe(true)
    expect((await api.json('/ipfs/files/stat?path=/cancelled.bin')).status).toBe(404)
    expect((await api.json('/ipfs/pins')).body.count).toBe(pinsBefore)
    // it has ended: there is nothing left to cancel
    const again = await api.json('/ipfs/add/cancel', postJson({ id }))
    expect(again.status).toBe(404)
    expect(again.body.error_type).toBe('AddNotFoundError')
  })

  it('a cancel that comes after the add finished is a 404, and the add stands', async () => {
    const form = new FormData()
    form.append('file', new Blob(['finished first']), 'first.txt')
    const response = await api.request('/ipfs/add?progress=true&to_files=/first.txt', { method: 'POST', body: form })
    const id = response.headers.get('x-add-id')!
    const last = JSON.parse((await response.text()).trim().split('\n').at(-1)!) as Record<string, unknown>
    expect(last).toMatchObject({ success: true, to_files: '/first.txt' })
    expect((await api.json('/ipfs/add/cancel', postJson({ id }))).status).toBe(404)
    expect((await api.json('/ipfs/files/stat?path=/first.txt')).body.cid).toBe(last.cid)
    expect((await api.json('/ipfs/add/cancel', postJson({}))).status).toBe(400)
  })

  it('a body that stops coming ends at the deadline and lets go of the repo lock; a body the reply did not need is let go', async () => {
    const stalled = stallingUpload(bytes(1000, 4))
    const write = await api.json('/ipfs/files/write?path=/stalled.bin&timeout=200ms', {
      method: 'POST', body: stalled.body, headers: { 'Content-Type': 'application/octet-stream' }, duplex: 'half'
    } as RequestInit)
    expect(write.status).toBe(504)
    // garbage collection takes the lock alone: it would wait for ever behind a write still reading
    const gc = await api.json('/ipfs/repo/gc?timeout=5s', { method: 'POST' })
    expect(gc.status).toBe(200)
    await expect.poll(() => stalled.cancelled()).toBe(true)

    let refusedCancelled = false
    const unwanted = new ReadableStream<Uint8Array>({ pull (c) { c.enqueue(new Uint8Array(10)) }, cancel () { refusedCancelled = true } })
    const refused = await api.json('/ipfs/add?chunker=size-0', {
      method: 'POST', body: unwanted, headers: { 'Content-Type': 'application/octet-stream' }, duplex: 'half'
    } as RequestInit)
    expect(refused.status).toBe(400)
    await expect.poll(() => refusedCancelled).toBe(true)
  })

  it('to_files places the added content in MFS, with or without progress', async () => {
    const plain = await api.json('/ipfs/add?to_files=/inbox/', postJson({ content: 'filed', filename: 'filed.txt' }))
    expect(plain.status).toBe(200)
    expect(plain.body.to_files).toBe('/inbox/filed.txt')
    const stat = await api.json('/ipfs/files/stat?path=/inbox/filed.txt')
    expect(stat.body.cid).toBe(plain.body.cid)

    const form = new FormData()
    form.append('file', new Blob(['one']), 'set/one.txt')
    form.append('file', new Blob(['two']), 'set/two.txt')
    const response = await api.request('/ipfs/add?progress=true&pin=false&to_files=/albums/holiday', { method: 'POST', body: form })
    const last = JSON.parse((await response.text()).trim().split('\n').at(-1)!) as Record<string, any>
    expect(last).toMatchObject({ success: true, to_files: '/albums/holiday', pinned: false })
    const read = await api.request('/ipfs/files/read?path=/albums/holiday/two.txt')
    expect(await read.text()).toBe('two')

    const clash = await api.json('/ipfs/add?to_files=/inbox/filed.txt', postJson({ content: 'other' }))
    expect(clash.status).toBe(409)
    expect((await api.json('/ipfs/add?to_files=relative', postJson({ content: 'x' }))).status).toBe(400)
  })

  it('a form\'s files are added while the body still arrives', async () => {
    const form = new FormData()
    form.append('file', new Blob([bytes(2 * 1024 * 1024, 11)]), 'live/first.bin')
    form.append('file', new Blob(['second']), 'live/second.txt')
    const request = new Request('http://localhost/', { method: 'POST', body: form })
    const encoded = new Uint8Array(await request.arrayBuffer())
    // all but the last 100 bytes (the second part's end and the closing boundary), held until the first file is in
    const { body, release } = heldBackBody(encoded)
    const response = await api.request('/ipfs/add?progress=true', {
      method: 'POST', body, headers: { 'Content-Type': request.headers.get('content-type')! }, duplex: 'half'
    } as RequestInit)
    expect(response.status).toBe(200)
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
    let text = ''
    // the first file's count comes while the body is held back (read whole first, no count would come before its end)
    while (!/"name":"live\/first.bin","bytes":[1-9]/.test(text)) {
      const { value, done } = await reader.read()
      expect(done).toBe(false)
      text += value
    }
    release()
    for (;;) {
      const { value, done } = await reader.read()
      if (done) break
      text += value
    }
    const last = JSON.parse(text.trim().split('\n').at(-1)!) as Record<string, any>
    expect(last).toMatchObject({ success: true, name: 'live', type: 'directory', wrapped: false })
    expect(await (await api.request(`/ipfs/cat/${last.cid as string}/second.txt`)).text()).toBe('second')
  })

  it('a form\'s fields may come after its files, unless they would shape the import', async () => {
    const late = new FormData()
    late.append('file', new Blob(['late fields']), 'late.txt')
    late.append('pin', 'false')
    late.append('to_files', '/late/')
    // as in force already (the defaults): they change nothing
    late.append('cid_version', '1')
    late.append('chunker', 'size-1048576')
    const placed = await api.json('/ipfs/add', { method: 'POST', body: late })
    expect(placed.status).toBe(200)
    expect(placed.body).toMatchObject({ pinned: false, to_files: '/late/late.txt', name: 'late.txt', wrapped: false })
    expect((await api.json('/ipfs/files/stat?path=/late/late.txt')).body.cid).toBe(placed.body.cid)

    const pinsBefore = (await api.json('/ipfs/pins')).body.count as number
    const shaping = new FormData()
    shaping.append('file', new Blob(['shaped too late']), 'shaped.txt')
    shaping.append('cid_version', '0')
    const refused = await api.json('/ipfs/add?to_files=/refused.txt', { method: 'POST', body: shaping })
    expect(refused.status).toBe(400)
    expect(refused.body).toMatchObject({ success: false, error_type: 'InvalidRequestError', error: expect.stringContaining('"cid_version" came after the files') })
    expect((await api.json('/ipfs/files/stat?path=/refused.txt')).status).toBe(404)
    expect((await api.json('/ipfs/pins')).body.count).toBe(pinsBefore)

    // given first, the same field shapes the import
    const early = new FormData()
    early.append('cid_version', '0')
    early.append('file', new Blob(['hello world']), 'hello.txt')
    expect((await api.json('/ipfs/add', { method: 'POST', body: early })).body.cid).toBe(HELLO_V0)
  })

  it('a form\'s filename names its lone file, and not the first of several', async () => {
    const lone = new FormData()
    lone.append('filename', 'renamed.txt')
    lone.append('file', new Blob(['lone']), 'docs/original.txt')
    const one = await api.json('/ipfs/add?wrap_with_directory=true', { method: 'POST', body: lone })
    expect(one.body.entries.map((e: { name: string }) => e.name)).toEqual(['renamed.txt', ''])
    expect(await (await api.request(`/ipfs/cat/${one.body.cid as string}/renamed.txt`)).text()).toBe('lone')

    const several = new FormData()
    several.append('file', new Blob(['a']), 'a.txt')
    several.append('file', new Blob(['b']), 'b.txt')
    // wrapped whatever was asked: two top-level files make a single root only so
    const two = await api.json('/ipfs/add?filename=ignored.txt&wrap_with_directory=false', { method: 'POST', body: several })
    expect(two.body.wrapped).toBe(true)
    expect(two.body.entries.map((e: { name: string }) => e.name).sort()).toEqual(['', 'a.txt', 'b.txt'])
  })

  it('a form whose files share one top directory stores no wrapping directory', async () => {
    const files = (): FormData => {
      const form = new FormData()
      form.append('file', new Blob(['x']), 'top/x.txt')
      form.append('file', new Blob(['y']), 'top/y.txt')
      return form
    }
    const wrapped = await startTestApi()
    try {
      const kept = await wrapped.json('/ipfs/add?wrap_with_directory=true', { method: 'POST', body: files() })
      const wrapper = CID.parse(kept.body.cid as string)
      const top = kept.body.entries.find((e: { name: string }) => e.name === 'top').cid as string
      expect(await wrapped.node.blockstore.has(wrapper)).toBe(true)
      const unwrapped = await startTestApi()
      try {
        const added = await unwrapped.json('/ipfs/add', { method: 'POST', body: files() })
        expect(added.body).toMatchObject({ cid: top, wrapped: false, name: 'top' })
        expect(await unwrapped.node.blockstore.has(CID.parse(top))).toBe(true)
        expect(await unwrapped.node.blockstore.has(wrapper)).toBe(false)
      } finally {
        await unwrapped.stop()
      }
    } finally {
      await wrapped.stop()
    }
  })

  it('a form cut short, or broken, is a 400 that stores no pin', async () => {
    const pinsBefore = (await api.json('/ipfs/pins')).body.count as number
    const form = new FormData()
    form.append('file', new Blob([bytes(300_000, 3)]), 'cut.bin')
    const request = new Request('http://localhost/', { method: 'POST', body: form })
    const encoded = new Uint8Array(await request.arrayBuffer())
    const type = request.headers.get('content-type')!
    const cut = await api.json('/ipfs/add', { method: 'POST', body: encoded.slice(0, 200_000), headers: { 'Content-Type': type } })
    expect(cut.status).toBe(400)
    expect(cut.body.error).toMatch(/ended inside a part/)
    const noBoundary = await api.json('/ipfs/add', { method: 'POST', body: encoded, headers: { 'Content-Type': 'multipart/form-data' } })
    expect(noBoundary.status).toBe(400)
    expect(noBoundary.body.error).toMatch(/names no boundary/)
    const garbage = await api.json('/ipfs/add', { method: 'POST', body: 'not a form at all', headers: { 'Content-Type': type } })
    expect(garbage.status).toBe(400)
    // a form that stops coming before its first file is a 504 at the deadline, and is let go
    const stalled = stallingUpload(encoded.slice(0, 40))
    const late = await api.json('/ipfs/add?timeout=200ms', { method: 'POST', body: stalled.body, headers: { 'Content-Type': type }, duplex: 'half' } as RequestInit)
    expect(late.status).toBe(504)
    await expect.poll(() => stalled.cancelled()).toBe(true)
    const badChunker = new FormData()
    badChunker.append('chunker', 'size-0')
    badChunker.append('file', new Blob(['x']), 'x.txt')
    expect((await api.json('/ipfs/add', { method: 'POST', body: badChunker })).status).toBe(400)
    expect((await api.json('/ipfs/pins')).body.count).toBe(pinsBefore)
  })

  it('several top-level files are wrapped in one directory', async () => {
    const form = new FormData()
    form.append('file', new Blob(['one']), 'one.txt')
    form.append('file', new Blob(['two']), 'two.txt')
    const r = await api.json('/ipfs/add', { method: 'POST', body: form })
    expect(r.body.wrapped).toBe(true)
    const two = await api.request(`/ipfs/cat/${r.body.cid as string}/two.txt`)
    expect(await two.text()).toBe('two')
  })

  it('wrap_with_directory keeps the file name under the new root', async () => {
    const r = await api.json('/ipfs/add', postJson({ content: 'hi', filename: 'hi.txt', wrap_with_directory: true }))
    expect(r.body.entries).toHaveLength(2)
    const hi = await api.request(`/ipfs/cat/${r.body.cid as string}/hi.txt`)
    expect(await hi.text()).toBe('hi')
    expect(hi.headers.get('content-type')).toMatch(/^text\/plain/)
  })

  it('refuses bad input with the right status', async () => {
    const cases: Array<[RequestInit, string, number, string]> = [
      [{ method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"content": ' }, '/ipfs/add', 400, 'InvalidJSONError'],
      [postJson({ filename: 'x' }), '/ipfs/add', 400, 'InvalidRequestError'],
      [postJson({ content: '!!!', encoding: 'base64' }), '/ipfs/add', 400, 'InvalidRequestError'],
      [postJson({ content: 'x', cid_version: 3 }), '/ipfs/add', 400, 'InvalidRequestError'],
      [postJson({ content: 'x', chunker: 'size-0' }), '/ipfs/add', 400, 'InvalidParametersError'],
      [{ method: 'POST', headers: { 'Content-Type': 'application/xml' }, body: '<a/>' }, '/ipfs/add', 415, 'UnsupportedMediaTypeError'],
      [{ method: 'POST', body: (() => { const f = new FormData(); f.append('pin', 'true'); return f })() }, '/ipfs/add', 400, 'InvalidRequestError']
    ]
    for (const [init, path, status, type] of cases) {
      const r = await api.json(path, init)
      expect({ path, status: r.status, type: r.body.error_type }).toEqual({ path, status, type })
      expect(r.body.success).toBe(false)
      expect(r.body.error).toEqual(expect.any(String))
      expect(JSON.stringify(r.body)).not.toMatch(/\n\s+at /)
    }
  })

  it('a request whose deadline passes gets a 504 and keeps earlier content', async () => {
    const kept = await api.json('/ipfs/add', postJson({ content: 'kept' }))
    const endless = new ReadableStream<Uint8Array>({ pull: async () => new Promise(() => {}) })
    const started = Date.now()
    const r = await api.json('/ipfs/add?timeout=150ms', { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: endless, duplex: 'half' } as RequestInit)
    expect(r.status).toBe(504)
    expect(r.body.error_type).toBe('DeadlineExceededError')
    expect(Date.now() - started).toBeLessThan(5000)
    const back = await api.request(`/ipfs/cat/${kept.body.cid as string}`)
    expect(await back.text()).toBe('kept')
  })
})

describe('a store with no room left', () => {
  it('an add it refuses is a 507 StorageFullError that says so, and the store keeps what it had', async () => {
    const api = await startTestApi()
    try {
      const before = await api.json('/ipfs/add', postJson({ content: 'stored before the disk filled' }))
      expect(before.status).toBe(200)
      const store = api.node.stores.blockstore
      const put = store.put.bind(store)
      // what a browser's quota refusal is, by name, in IndexedDB and in OPFS
      store.put = async (cid) => { throw writeFailure(`could not store block ${cid}`, new DOMException('the quota is used up', 'QuotaExceededError')) }
      const refused = await api.json('/ipfs/add', postJson({ content: 'no room for this one' }))
      expect(refused.status).toBe(507)
      expect(refused.body).toMatchObject({ success: false, error_type: 'StorageFullError' })
      expect(refused.body.error).toMatch(/storage is full/)
      store.put = put
      const cat = await api.request(`/ipfs/cat/${before.body.cid as string}`)
      expect(cat.status).toBe(200)
      expect(await cat.text()).toBe('stored before the disk filled')
    } finally {
      await api.stop()
    }
  })

  it('only a quota refusal is taken for a full store, any other failure to write is not', () => {
    expect(writeFailure('could not store', new DOMException('gone', 'QuotaExceededError'))).toMatchObject({ name: 'StorageFullError' })
    expect(writeFailure('could not store', new DOMException('the database closed', 'InvalidStateError'))).toMatchObject({ name: 'PutFailedError', message: 'could not store: InvalidStateError: the database closed' })
  })
})

describe('cat and get', () => {
  let api: TestApi
  let fileCid: string
  let dirCid: string
  const data = bytes(100_000, 7)
  beforeAll(async () => {
    api = await startTestApi()
    fileCid = (await api.json('/ipfs/add?chunker=size-4096', { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: data })).body.cid
    const form = new FormData()
    form.append('file', new Blob(['<h1>hi</h1>']), 'site/index.html')
    form.append('file', new Blob([data]), 'site/img/blob.bin')
    dirCid = (await api.json('/ipfs/add', { method: 'POST', body: form })).body.cid
  })
  afterAll(async () => { await api.stop() })

  it('streams the bytes with length, type, path and etag headers', async () => {
    const r = await api.request(`/ipfs/cat/${fileCid}`)
    expect(r.status).toBe(200)
    expect(r.headers.get('content-length')).toBe('100000')
    expect(r.headers.get('x-ipfs-path')).toBe(`/ipfs/${fileCid}`)
    expect(r.headers.get('etag')).toBe(`"${fileCid}"`)
    expect(r.headers.get('accept-ranges')).toBe('bytes')
    expect(new Uint8Array(await r.arrayBuffer())).toEqual(data)
  })

  it('sniffs types from names and bytes', async () => {
    const html = await api.request(`/ipfs/cat/${dirCid}/index.html`)
    expect(html.headers.get('content-type')).toMatch(/^text\/html/)
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])
    const added = await api.json('/ipfs/add', { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: png })
    const r = await api.request(`/ipfs/cat/${added.body.cid as string}`)
    expect(r.headers.get('content-type')).toBe('image/png')
  })

  it('honours offset/length and POST {cid}', async () => {
    const r = await api.request(`/ipfs/cat/${fileCid}?offset=5000&length=10000`)
    expect(r.headers.get('content-length')).toBe('10000')
    expect(new Uint8Array(await r.arrayBuffer())).toEqual(data.subarray(5000, 15000))
    const p = await api.request('/ipfs/cat', postJson({ cid: `/ipfs/${dirCid}/img/blob.bin`, offset: 99_990 }))
    expect(new Uint8Array(await p.arrayBuffer())).toEqual(data.subarray(99_990))
  })

  it('answers Range with 206 and Content-Range, and 416 past the end', async () => {
    const r = await api.request(`/ipfs/cat/${fileCid}`, { headers: { Range: 'bytes=4090-4105' } })
    expect(r.status).toBe(206)
    expect(r.headers.get('content-range')).toBe('bytes 4090-4105/100000')
    expect(new Uint8Array(await r.arrayBuffer())).toEqual(data.subarray(4090, 4106))
    const suffix = await api.request(`/ipfs/cat/${fileCid}`, { headers: { Range: 'bytes=-10' } })
    expect(new Uint8Array(await suffix.arrayBuffer())).toEqual(data.subarray(99_990))
    const past = await api.request(`/ipfs/cat/${fileCid}`, { headers: { Range: 'bytes=200000-' } })
    expect(past.status).toBe(416)
    expect(past.headers.get('content-range')).toBe('bytes */100000')
  })

  it('get returns a file, or a directory as a tar with every entry', async () => {
    const file = await api.request(`/ipfs/get/${dirCid}/index.html`)
    expect(file.headers.get('content-disposition')).toContain('index.html')
    expect(await file.text()).toBe('<h1>hi</h1>')
    const tar = await api.request(`/ipfs/get/${dirCid}`)
    expect(tar.headers.get('content-type')).toBe('application/x-tar')
    const archive = new Uint8Array(await tar.arrayBuffer())
    const entries = readTar(archive)
    expect(entries.map(e => e.name)).toEqual([`${dirCid}/`, `${dirCid}/img/`, `${dirCid}/img/blob.bin`, `${dirCid}/index.html`])
    expect(entries[2].data).toEqual(data)
    expect(new TextDecoder().decode(entries[3].data)).toBe('<h1>hi</h1>')
  })

  it('get archives a folder of many files, nested folders and a large file in the directory\'s order, each with its bytes', async () => {
    const form = new FormData()
    const large = bytes(1024 * 1024 + 5000, 3)
    const expected: Array<[string, Uint8Array]> = []
    for (let i = 0; i < 40; i++) {
      const name = `many/f${String(i).padStart(2, '0')}.txt`
      const content = new TextEncoder().encode(`file ${i} `.repeat(i + 1))
      expected.push([name, content])
      form.append('file', new Blob([content]), name)
      if (i === 20) {
        form.append('file', new Blob([large]), 'many/f20/large.bin')
        form.append('file', new Blob(['deep']), 'many/f20/sub/deep.txt')
      }
    }
    form.append('file', new Blob([large]), 'many/zz-large.bin')
    const cid = (await api.json('/ipfs/add', { method: 'POST', body: form })).body.cid as string
    const entries = readTar(new Uint8Array(await (await api.request(`/ipfs/get/${cid}`)).arrayBuffer()))
    const names = entries.map(e => e.name.slice(cid.length + 1))
    const files = new Map(entries.map(e => [e.name.slice(cid.length + 1), e.data]))
    const small = expected.map(([name]) => name.slice('many/'.length))
    // links sort by their names' bytes: the folder f20 comes before f20.txt
    expect(names).toEqual(['', ...small.slice(0, 20), 'f20/', 'f20/large.bin', 'f20/sub/', 'f20/sub/deep.txt', ...small.slice(20), 'zz-large.bin'])
    for (const [name, content] of expected) expect(files.get(name.slice('many/'.length))).toEqual(content)
    expect(files.get('f20/large.bin')).toEqual(large)
    expect(new TextDecoder().decode(files.get('f20/sub/deep.txt'))).toBe('deep')
    expect(files.get('zz-large.bin')).toEqual(large)
  })

  it('refuses bad CIDs, unknown codecs, missing paths and absent content', async () => {
    const unknownCodec = CID.create(1, 0x9999, (await sha256.digest(new Uint8Array([1])))).toString()
    const cases: Array<[string, number, string]> = [
      ['/ipfs/cat/not-a-cid', 400, 'InvalidCIDError'],
      [`/ipfs/cat/${unknownCodec}`, 400, 'UnsupportedCodecError'],
      [`/ipfs/cat/${dirCid}/no/such/file`, 404, 'PathNotFoundError'],
      [`/ipfs/cat/${dirCid}`, 400, 'InvalidParametersError'],
      [`/ipfs/cat/${await absentCid()}`, 404, 'ContentNotFoundError'],
      [`/ipfs/get/${await absentCid()}`, 404, 'ContentNotFoundError']
    ]
    for (const [path, status, type] of cases) {
      const started = Date.now()
      const r = await api.json(path)
      expect({ path, status: r.status, type: r.body.error_type }).toEqual({ path, status, type })
      expect(Date.now() - started).toBeLessThan(2000)
    }
  })
})

function readTar (archive: Uint8Array): Array<{ name: string, data: Uint8Array }> {
  const out: Array<{ name: string, data: Uint8Array }> = []
  let offset = 0
  const text = (from: number, len: number): string => new TextDecoder().decode(archive.subarray(from, from + len)).replace(/\0.*$/s, '')
  while (offset + 512 <= archive.length && archive[offset] !== 0) {
    const name = text(offset, 100)
    const size = parseInt(text(offset + 124, 12), 8)
    out.push({ name, data: archive.slice(offset + 512, offset + 512 + size) })
    offset += 512 + Math.ceil(size / 512) * 512
  }
  return out
}
