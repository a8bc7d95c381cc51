import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { postJson, startTestApi } from './helpers.ts'
import type { TestApi } from './helpers.ts'

describe('MFS and fs-journal routes', () => {
  let api: TestApi
  beforeAll(async () => { api = await startTestApi() })
  afterAll(async () => { await api.stop() })

  it('mkdir, write in three shapes, ls, stat and read', async () => {
    expect((await api.json('/ipfs/files/mkdir', postJson({ path: '/photos/2026', parents: true }))).body).toMatchObject({ success: true, created: true })
    const again = await api.json('/ipfs/files/mkdir', postJson({ path: '/photos' }))
    expect(again.status).toBe(409)
    expect(again.body.error_type).toBe('AlreadyExistsError')

    const json = await api.json('/ipfs/files/write', postJson({ path: '/photos/2026/note.txt', content: 'hello mfs' }))
    expect(json.body).toMatchObject({ path: '/photos/2026/note.txt', size: 9 })
    const raw = await api.json('/ipfs/files/write?path=/photos/2026/raw.bin&parents=true', { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: new Uint8Array([1, 2, 3]) })
    expect(raw.body.size).toBe(3)
    const form = new FormData()
    form.append('path', '/photos/2026/form.txt')
    form.append('file', new Blob(['from a form']), 'form.txt')
    expect((await api.json('/ipfs/files/write', { method: 'POST', body: form })).body.size).toBe(11)

    const ls = await api.json('/ipfs/files/ls?path=/photos/2026&long=true')
    expect(ls.body.Entries.map((e: { Name: string, Type: number, Size: number }) => [e.Name, e.Type, e.Size]))
      .toEqual([['form.txt', 0, 11], ['note.txt', 0, 9], ['raw.bin', 0, 3]])
    const lsPost = await api.json('/ipfs/files/ls', postJson({ path: '/photos' }))
    expect(lsPost.body.Entries).toEqual([expect.objectContaining({ Name: '2026', Type: 1, Hash: expect.stringMatching(/^bafy/) })])

    const stat = await api.json('/ipfs/files/stat?path=/photos/2026/note.txt')
    expect(stat.body).toMatchObject({ Type: 'file', Size: 9, path: '/photos/2026/note.txt', Hash: json.body.cid })
    expect(stat.body.CumulativeSize).toBeGreaterThanOrEqual(9)
    const read = await api.request('/ipfs/files/read?path=/photos/2026/note.txt&offset=6')
    expect(read.headers.get('content-type')).toMatch(/^text\/plain/)
    expect(await read.text()).toBe('mfs')
    const ranged = await api.request('/ipfs/files/read?path=/photos/2026/note.txt', { headers: { Range: 'bytes=0-4' } })
    expect(ranged.status).toBe(206)
    expect(await ranged.text()).toBe('hello')
  })

  it('write at an offset keeps the rest unless truncating', async () => {
    await api.json('/ipfs/files/write', postJson({ path: '/o.txt', content: 'abcdefgh' }))
    await api.json('/ipfs/files/write', postJson({ path: '/o.txt', content: 'XY', offset: 2 }))
    expect(await (await api.request('/ipfs/files/read?path=/o.txt')).text()).toBe('abXYefgh')
    await api.json('/ipfs/files/write', postJson({ path: '/o.txt', content: 'Z', offset: 1, truncate: true }))
    expect(await (await api.request('/ipfs/files/read?path=/o.txt')).text()).toBe('aZ')
    const noCreate = await api.json('/ipfs/files/write', postJson({ path: '/new.txt', content: 'x', create: false }))
    expect(noCreate.status).toBe(404)
  })

  it('cp, mv, rm, chmod, touch and flush', async () => {
    await api.json('/ipfs/files/write', postJson({ path: '/src/a.txt', content: 'A', parents: true }))
    const added = await api.json('/ipfs/add', postJson({ content: 'from ipfs' }))
    expect((await api.json('/ipfs/files/cp', postJson({ source: `/ipfs/${added.body.cid as string}`, destination: '/src/b.txt' }))).status).toBe(200)
    expect(await (await api.request('/ipfs/files/read?path=/src/b.txt')).text()).toBe('from ipfs')
    await api.json('/ipfs/files/mv', postJson({ source: '/src', destination: '/dst' }))
    expect((await api.json('/ipfs/files/ls?path=/')).body.Entries.map((e: { Name: string }) => e.Name)).not.toContain('src')
    expect(await (await api.request('/ipfs/files/read?path=/dst/a.txt')).text()).toBe('A')

    const notEmpty = await api.json('/ipfs/files/rm', postJson({ path: '/dst' }))
    expect(notEmpty.status).toBe(409)
    expect(notEmpty.body.error_type).toBe('DirectoryNotEmptyError')
    const slash = await api.json('/ipfs/files/rm', postJson({ path: '/', recursive: true }))
    expect(slash.status).toBe(400)
    expect((await api.json('/ipfs/files/chmod', postJson({ path: '/dst/a.txt', mode: '600' }))).body.mode).toBe('600')
    expect((await api.json('/ipfs/files/touch', postJson({ path: '/dst/a.txt', mtime: 1700000000 }))).body.mtime).toBe(1700000000)
    const st = await api.json('/ipfs/files/stat?path=/dst/a.txt')
    expect(st.body).toMatchObject({ mode: '600', mtime: 1700000000 })
    expect((await api.json('/ipfs/files/rm', postJson({ path: '/dst', recursive: true }))).body.removed).toBe(true)
    const flushed = await api.json('/ipfs/files/flush', postJson({}))
    expect(flushed.body.cid).toBe((await api.json('/ipfs/files/stat?path=/')).body.Hash)
  })

  it('refuses bad MFS input clearly', async () => {
    expect((await api.json('/ipfs/files/ls?path=relative')).body.error_type).toBe('InvalidPathError')
    expect((await api.json('/ipfs/files/stat?path=/nowhere')).status).toBe(404)
    expect((await api.json('/ipfs/files/mkdir', postJson({}))).status).toBe(400)
    expect((await api.json('/ipfs/files/read?path=/')).body.error_type).toBe('NotAFileError')
    expect((await api.json('/ipfs/files/write', { method: 'POST', headers: { 'Content-Type': 'application/xml' }, body: '<x/>' })).status).toBe(415)
    expect((await api.json('/ipfs/files/chmod', postJson({ path: '/x', mode: '999' }))).status).toBe(400)
  })

  it('the journal reports what actually happened, and the counts move with writes', async () => {
    const before = (await api.json('/fs-journal/status')).body
    await api.json('/ipfs/files/write', postJson({ path: '/journaled.txt', content: 'j' }))
    await api.json('/ipfs/files/rm', postJson({ path: '/does-not-exist' }))
    const after = (await api.json('/fs_journal/status')).body
    expect(after.counts_by_status.completed).toBe(before.counts_by_status.completed + 1)
    expect(after.counts_by_status.failed).toBe(before.counts_by_status.failed + 1)
    expect(after.root_cid).toBe((await api.json('/ipfs/files/stat?path=/')).body.Hash)

    const ops = (await api.json('/fs-journal/operations?limit=2')).body.operations
    expect(ops.map((o: { operation_type: string, path: string, status: string }) => [o.operation_type, o.path, o.status]))
      .toEqual([['delete', '/does-not-exist', 'failed'], ['write', '/journaled.txt', 'completed']])
    expect(ops[1].data.content_cid).toMatch(/^baf/)
    expect(JSON.stringify(ops[1].data)).not.toContain('"j"')
    const failed = (await api.json('/fs-journal/transactions?status=failed')).body
    expect(failed.operations.every((o: { status: string }) => o.status === 'failed')).toBe(true)

    const stats = (await api.json('/fs-journal/stats')).body
    expect(stats.by_operation_type.write.completed).toBeGreaterThan(0)
    expect(stats.mean_apply_ms).toBeGreaterThan(0)
    expect(stats.last_recovery).toMatchObject({ pending_transactions: 0 })

    const entry = await api.json('/fs-journal/add_entry', postJson({ operation_type: 'mount', path: '/mnt/x', data: { backend: 's3' } }))
    expect(entry.body.entry).toMatchObject({ operation_type: 'mount', origin: 'application', status: 'completed' })
    expect((await api.json('/fs-journal/add_entry', postJson({ operation_type: 'explode', path: '/x' }))).status).toBe(400)
    expect((await api.json('/fs-journal/add_entry', postJson({ operation_type: 'mount', path: 'relative' }))).status).toBe(400)

    const cp = await api.json('/fs-journal/checkpoint', postJson({ reason: 'test' }))
    expect(cp.body.root_cid).toBe(after.root_cid)
    expect((await api.json('/fs-journal/status')).body.last_checkpoint.root_cid).toBe(after.root_cid)
    const recovered = await api.json('/fs-journal/recover', { method: 'POST' })
    expect(recovered.body.recovery).toMatchObject({ pending_transactions: 0, reapplied: 0, rolled_back: 0 })
  })

  it('the journal listing filters by type and path, pages with offset, and counts every match', async () => {
    for (const name of ['one', 'two', 'three']) await api.json('/ipfs/files/write', postJson({ path: `/paged/${name}.txt`, content: name, parents: true }))
    await api.json('/ipfs/files/write', postJson({ path: '/paged-sibling.txt', content: 's' }))
    await api.json('/ipfs/files/rm', postJson({ path: '/paged/two.txt' }))

    const writes = (await api.json('/fs-journal/operations?operation_type=write&path=/paged&limit=2')).body
    expect(writes.operations.map((o: { path: string }) => o.path)).toEqual(['/paged/three.txt', '/paged/two.txt'])
    expect(writes).toMatchObject({ count: 2, total: 3, offset: 0 })
    const older = (await api.json('/fs-journal/operations?operation_type=write&path=/paged&limit=2&offset=2')).body
    expect(older.operations.map((o: { path: string }) => o.path)).toEqual(['/paged/one.txt'])
    expect(older).toMatchObject({ count: 1, total: 3, offset: 2 })

    const under = (await api.json('/fs_journal/transactions?path=/paged/')).body
    expect(under.operations.every((o: { path: string }) => o.path.startsWith('/paged/'))).toBe(true)
    expect(under.operations.map((o: { operation_type: string }) => o.operation_type)).toContain('delete')
    expect((await api.json('/fs-journal/operations?operation_type=checkpoint')).body.operations.every((o: { operation_type: string }) => o.operation_type === 'checkpoint')).toBe(true)

    for (const [query, field] of [['operation_type=explode', 'operation_type'], ['path=relative', 'path'], ['offset=-1', 'offset'], ['offset=x', 'offset']]) {
      const bad = await api.json(`/fs-journal/operations?${query}`)
      expect(bad.status).toBe(400)
      expect(bad.body.error).toContain(`"${field}"`)
    }
  })
})
