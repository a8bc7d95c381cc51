import { expect, test } from '@playwright/test'
import { call, openApp, utf8, withProfileOnDisk } from './helpers.ts'

test('every tab calls the API; one leads; closing it hands the node to another with the content intact', async ({ context }) => {
  const first = await openApp(context)
  const second = await openApp(context)
  const leader = (await call(first, '/daemon/status')).json.leader
  expect(leader.is_leader).toBe(true)
  await expect(second.getByText('served by the leader tab through the service worker')).toBeVisible()

  // the second tab is served by the first tab's node, through the service worker
  const added = await call(second, '/ipfs/add', { json: { content: 'added from the second tab' } })
  expect(added.status).toBe(200)
  expect((await call(second, '/daemon/status')).json.leader.tab_id).toBe(leader.tab_id)
  const nodeId = (await call(second, '/health')).json.node_id

  const closedAt = Date.now()
  await first.close()
  await expect.poll(async () => {
    const reply = await call(second, '/daemon/status?timeout=2s')
    return reply.status === 200 && reply.json.leader.is_leader === true && reply.json.leader.tab_id !== leader.tab_id
  }, { timeout: 10_000, intervals: [100] }).toBe(true)
  const takeoverMs = Date.now() - closedAt
  test.info().annotations.push({ type: 'takeover_ms', description: String(takeoverMs) })
  expect(takeoverMs).toBeLessThan(5_000)

  const status = (await call(second, '/daemon/status')).json
  expect(status.leader.is_leader).toBe(true)
  expect(status.node_id).toBe(nodeId)
  const back = await call(second, `/ipfs/cat/${added.json.cid as string}`)
  expect(utf8(back.bytes)).toBe('added from the second tab')
})

test('with blocks in OPFS, the tab taking the node over opens the packs the closed tab\'s worker held: its content reads, and new content goes in', async ({ context }) => {
  const first = await openApp(context, '/?blockstore=opfs')
  const second = await openApp(context)
  expect((await call(first, '/debug')).json.node.stores.blocks).toBe('opfs:mcp-node/blocks')
  const leader = (await call(first, '/daemon/status')).json.leader
  const added = await call(second, '/ipfs/add', { json: { content: 'kept in a pack' } })
  expect(added.status).toBe(200)
  await first.close()
  await expect.poll(async () => {
    const reply = await call(second, '/daemon/status?timeout=2s')
    return reply.status === 200 && reply.json.leader.is_leader === true && reply.json.leader.tab_id !== leader.tab_id
  }, { timeout: 10_000, intervals: [100] }).toBe(true)
  expect((await call(second, '/debug')).json.node.stores.blocks).toBe('opfs:mcp-node/blocks')
  expect(utf8((await call(second, `/ipfs/cat/${added.json.cid as string}`)).bytes)).toBe('kept in a pack')
  const next = await call(second, '/ipfs/add', { json: { content: 'put by the new leader' } })
  expect(next.status).toBe(200)
  expect(utf8((await call(second, `/ipfs/cat/${next.json.cid as string}`)).bytes)).toBe('put by the new leader')
})

test('with no tab running the node, a request waits briefly and then gets a 503 JSON error', async ({ context }) => {
  const app = await openApp(context)
  await app.close()
  // a navigation is a fetch the service worker answers too; no app tab is open to lead
  const page = await context.newPage()
  const started = Date.now()
  const response = await page.goto('/api/v0/mcp/health?timeout=1500ms')
  const waited = Date.now() - started
  expect(response?.status()).toBe(503)
  const body = JSON.parse(await page.locator('body').innerText())
  expect(body).toMatchObject({ success: false, error_type: 'NodeNotReadyError' })
  expect(waited).toBeGreaterThanOrEqual(1400)
  expect(waited).toBeLessThan(10_000)
})

test('a file being read in another tab keeps coming, whole, when the tab running the node closes and its blocks are collected mid-read', async ({ playwright, baseURL }) => {
  // on disk, as people's profiles are: there IndexedDB keeps a large block's Blob in a file of its own
  await withProfileOnDisk(playwright, baseURL, async (launch) => {
    const context = await launch()
    const first = await openApp(context)
    const second = await openApp(context)
    expect((await call(first, '/daemon/status')).json.leader.is_leader).toBe(true)
    const size = 16 * 1024 * 1024 + 5
    const { cid, digest } = await second.evaluate(async (size) => {
      const data = new Uint8Array(size)
      for (let i = 0; i < size; i += 65536) crypto.getRandomValues(data.subarray(i, Math.min(size, i + 65536)))
      const added = await (await fetch('/api/v0/mcp/ipfs/add', { method: 'POST', body: new Blob([data]), headers: { 'Content-Type': 'application/octet-stream' } })).json()
      const digest = [...new Uint8Array(await crypto.subtle.digest('SHA-256', data))].map(v => v.toString(16).padStart(2, '0')).join('')
      return { cid: added.cid as string, digest }
    }, size)
    // the read begins while the first tab leads: one chunk, and the rest left to come
    const firstChunk = await second.evaluate(async (cid) => {
      const reader = (await fetch(`/api/v0/mcp/ipfs/cat/${cid}`)).body!.getReader()
      const { value } = await reader.read()
      Object.assign(globalThis, { catReader: reader, catChunks: [value!] })
      return value!.byteLength
    }, cid)
    expect(firstChunk).toBeGreaterThan(0)
    await first.close()
    // the second tab takes the node over, and the file's blocks go
    await expect.poll(async () => (await call(second, '/daemon/status?timeout=2s')).json?.leader?.is_leader, { timeout: 10_000 }).toBe(true)
    expect((await call(second, '/ipfs/unpin', { json: { cid } })).status).toBe(200)
    // (named by their multihashes, as raw CIDs): the 17 leaves and the root
    expect((await call(second, '/ipfs/repo/gc', { method: 'POST' })).json.removed_cids.length).toBeGreaterThanOrEqual(18)
    // the reply is the blocks' own Blobs, which the browser reads itself: neither the tab that made it nor the records are needed
    const read = await second.evaluate(async () => {
      const { catReader: reader, catChunks: chunks } = globalThis as unknown as { catReader: ReadableStreamDefaultReader<Uint8Array>, catChunks: Uint8Array[] }
      while (true) {
        const { value, done } = await reader.read()
        if (done) break
        chunks.push(value)
      }
      const whole = new Uint8Array(await new Blob(chunks as Array<Uint8Array<ArrayBuffer>>).arrayBuffer())
      return { size: whole.byteLength, digest: [...new Uint8Array(await crypto.subtle.digest('SHA-256', whole))].map(v => v.toString(16).padStart(2, '0')).join('') }
    })
    expect(read).toEqual({ size, digest })
    await context.close()
  })
})
