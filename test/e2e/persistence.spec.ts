import { expect, test } from '@playwright/test'
import type { Page } from '@playwright/test'
import { call, openApp, utf8, withProfileOnDisk } from './helpers.ts'

test('content and the node id survive a reload', async ({ context }) => {
  const page = await openApp(context)
  const added = await call(page, '/ipfs/add', { json: { content: 'survives reloads' } })
  const id = (await call(page, '/health')).json.node_id
  await page.reload()
  await expect(page.getByRole('banner').getByRole('status')).toHaveText('The node is up.')
  const back = await call(page, `/ipfs/cat/${added.json.cid as string}`)
  expect(utf8(back.bytes)).toBe('survives reloads')
  expect((await call(page, '/health')).json.node_id).toBe(id)
  expect((await call(page, '/ipfs/pins')).json.pins).toContainEqual(expect.objectContaining({ cid: added.json.cid, type: 'recursive' }))
})

test('content survives a browser restart (IndexedDB on disk)', async ({ playwright, baseURL }) => {
  await withProfileOnDisk(playwright, baseURL, async (launch) => {
    let context = await launch()
    let page = await openApp(context)
    const added = await call(page, '/ipfs/add', { json: { content: 'survives a restart', cid_version: 0 } })
    const stats = (await call(page, '/ipfs/stats')).json.repo
    await context.close()

    context = await launch()
    page = await openApp(context)
    const back = await call(page, `/ipfs/cat/${added.json.cid as string}`)
    expect(back.status).toBe(200)
    expect(utf8(back.bytes)).toBe('survives a restart')
    expect((await call(page, '/ipfs/stats')).json.repo).toMatchObject({ object_count: stats.object_count, size_bytes: stats.size_bytes })
    await context.close()
  })
})

test('with ?blockstore=opfs the blocks are kept in OPFS packs: kept across a browser restart, counted, collected, and the choice stays', async ({ playwright, baseURL }) => {
  await withProfileOnDisk(playwright, baseURL, async (launch) => {
    let context = await launch()
    let page = await openApp(context, '/?blockstore=opfs')
    expect((await call(page, '/debug')).json.node.stores.blocks).toBe('opfs:mcp-node/blocks')
    // 3 MiB and a few bytes: blocks of 1 MiB and the node above them, written by the worker
    const kept = await page.evaluate(async () => {
      const data = new Uint8Array(3 * 1024 * 1024 + 7)
      for (let i = 0; i < data.length; i += 65536) crypto.getRandomValues(data.subarray(i, Math.min(i + 65536, data.length)))
      const reply = await (await fetch('/api/v0/mcp/ipfs/add', { method: 'POST', body: data, headers: { 'Content-Type': 'application/octet-stream' } })).json()
      const digest = [...new Uint8Array(await crypto.subtle.digest('SHA-256', data))].map(v => v.toString(16).padStart(2, '0')).join('')
      return { cid: reply.cid as string, digest }
    })
    const loose = await call(page, '/ipfs/add?pin=false', { json: { content: 'collected' } })
    const before = (await call(page, '/ipfs/stats')).json.repo
    expect(before.object_count).toBeGreaterThanOrEqual(6)
    const gc = await call(page, '/ipfs/repo/gc', { method: 'POST' })
    expect(gc.status).toBe(200)
    expect(gc.json.removed_cids).toEqual([loose.json.cid])
    const after = (await call(page, '/ipfs/stats')).json.repo
    expect(after.object_count).toBe(before.object_count - 1)
    await context.close()

    // restarted without the query: the node still keeps its blocks in OPFS, and they are all there
    context = await launch()
    page = await openApp(context)
    expect((await call(page, '/debug')).json.node.stores.blocks).toBe('opfs:mcp-node/blocks')
    const read = await page.evaluate(async (cid) => {
      const data = new Uint8Array(await (await fetch(`/api/v0/mcp/ipfs/cat/${cid}`)).arrayBuffer())
      // a range from inside the first block's file to inside the third's, read from those files
      const ranged = await fetch(`/api/v0/mcp/ipfs/cat/${cid}`, { headers: { Range: 'bytes=1048570-2097160' } })
      const part = new Uint8Array(await ranged.arrayBuffer())
      return {
        digest: [...new Uint8Array(await crypto.subtle.digest('SHA-256', data))].map(v => v.toString(16).padStart(2, '0')).join(''),
        status: ranged.status,
        partSame: part.byteLength === 2097160 - 1048570 + 1 && part.every((v, i) => v === data[1048570 + i])
      }
    }, kept.cid)
    expect(read).toEqual({ digest: kept.digest, status: 206, partSame: true })
    expect((await call(page, '/ipfs/stats')).json.repo).toMatchObject({ object_count: after.object_count, size_bytes: after.size_bytes })
    expect(await blockFiles(page)).toEqual(expect.arrayContaining(['index', 'pack-1']))
    await context.close()
  })
})

/** The names in the OPFS store's directory. */
async function blockFiles (page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    let dir = await navigator.storage.getDirectory()
    for (const name of ['mcp-node', 'blocks']) dir = await dir.getDirectoryHandle(name)
    const names: string[] = []
    for await (const name of (dir as unknown as { keys(): AsyncIterable<string> }).keys()) names.push(name)
    return names.sort()
  })
}

test('blocks an earlier version kept a file each for in OPFS are moved into packs: read, counted, and read again after puts that follow', async ({ playwright, baseURL }) => {
  await withProfileOnDisk(playwright, baseURL, async (launch) => {
    const context = await launch()
    // the layout an earlier version left, set up from a page of the origin that does not start the node
    let page = await context.newPage()
    await page.goto('/config.json')
    const earlier = await page.evaluate(async () => {
      const bytes = new Uint8Array(300 * 1024)
      for (let i = 0; i < bytes.length; i += 65536) crypto.getRandomValues(bytes.subarray(i, Math.min(i + 65536, bytes.length)))
      const multihash = new Uint8Array([0x12, 0x20, ...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))])
      // RFC 4648 base32, unpadded: 'B' and upper case make the store's key, 'b' and lower case the CID's string
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
      const base32 = (data: Uint8Array): string => {
        let bits = 0
        let value = 0
        let out = ''
        for (const byte of data) {
          value = (value << 8) | byte
          bits += 8
          while (bits >= 5) {
            out += alphabet[(value >>> (bits - 5)) & 31]
            bits -= 5
          }
        }
        return bits > 0 ? out + alphabet[(value << (5 - bits)) & 31] : out
      }
      const key = 'B' + base32(multihash)
      let dir = await navigator.storage.getDirectory()
      for (const name of ['mcp-node', 'blocks', key.slice(-3, -1)]) dir = await dir.getDirectoryHandle(name, { create: true })
      const writable = await (await dir.getFileHandle(key, { create: true })).createWritable()
      await writable.write(bytes)
      await writable.close()
      const digest = [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))].map(v => v.toString(16).padStart(2, '0')).join('')
      // CIDv1, raw (0x55): its bytes are 0x01 0x55 and the multihash
      return { cid: 'b' + base32(new Uint8Array([0x01, 0x55, ...multihash])).toLowerCase(), digest }
    })
    await page.close()

    page = await openApp(context, '/?blockstore=opfs')
    const digestOf = async (cid: string): Promise<string> => page.evaluate(async (cid) => {
      const data = await (await fetch(`/api/v0/mcp/ipfs/cat/${cid}`)).arrayBuffer()
      return [...new Uint8Array(await crypto.subtle.digest('SHA-256', data))].map(v => v.toString(16).padStart(2, '0')).join('')
    }, cid)
    expect(await digestOf(earlier.cid)).toBe(earlier.digest)
    expect((await call(page, `/ipfs/block/stat/${earlier.cid}`)).json).toMatchObject({ size: 300 * 1024 })
    const files = await blockFiles(page)
    expect(files.filter(name => !name.startsWith('pack-'))).toEqual(['index'])
    // the cat above gave the block as a slice of its pack's file: puts after it go on in another, and it reads again
    const next = await call(page, '/ipfs/add', { json: { content: 'put after the moved block was read' } })
    expect(await digestOf(earlier.cid)).toBe(earlier.digest)
    expect(utf8((await call(page, `/ipfs/cat/${next.json.cid as string}`)).bytes)).toBe('put after the moved block was read')
    await context.close()
  })
})

test('a journal an earlier version kept in a database of its own is moved into the blocks\' database: the tree and its history stay', async ({ playwright, baseURL }) => {
  await withProfileOnDisk(playwright, baseURL, async (launch) => {
    let context = await launch()
    let page = await openApp(context)
    expect((await call(page, '/ipfs/files/write?path=/kept/note.txt&parents=true', { rawBody: 'written before the move' })).status).toBe(200)
    const root = (await call(page, '/ipfs/files/stat?path=/')).json.Hash as string
    await context.close()

    // the layout an earlier version left: the journal and the root in `mcp-node/journal`, none in the blocks' database
    // (set up from a page of the origin that does not start the node)
    context = await launch()
    page = await context.newPage()
    await page.goto('/config.json')
    await page.evaluate(async (root) => {
      const done = async (req: IDBRequest | IDBTransaction): Promise<void> => new Promise((resolve, reject) => {
        if (req instanceof IDBTransaction) { req.oncomplete = () => { resolve() }; req.onerror = () => { reject(req.error) }; return }
        req.onsuccess = () => { resolve() }
        req.onerror = () => { reject(req.error) }
      })
      const open = async (name: string, version?: number, upgrade?: (db: IDBDatabase) => void): Promise<IDBDatabase> => {
        const req = indexedDB.open(name, version)
        if (upgrade != null) req.onupgradeneeded = () => { upgrade(req.result) }
        await done(req)
        return req.result
      }
      const blocks = await open('mcp-node/blocks')
      const clear = blocks.transaction(['journal-entries', 'journal-meta'], 'readwrite')
      clear.objectStore('journal-entries').clear()
      clear.objectStore('journal-meta').clear()
      await done(clear)
      blocks.close()
      const old = await open('mcp-node/journal', 1, (db) => {
        const entries = db.createObjectStore('entries', { keyPath: 'seq', autoIncrement: true })
        entries.createIndex('transaction_id', 'transaction_id')
        entries.createIndex('status', 'status')
        db.createObjectStore('meta')
      })
      const tx = old.transaction(['entries', 'meta'], 'readwrite')
      tx.objectStore('entries').put({ seq: 41, entry_id: 'from-the-old-journal', timestamp: Date.now(), operation_type: 'write', path: '/kept/note.txt', data: {}, status: 'completed', transaction_id: 'old', origin: 'mfs', result_cid: root })
      tx.objectStore('meta').put(root, 'mfs-root')
      await done(tx)
      old.close()
    }, root)
    await page.close()

    page = await openApp(context)
    expect((await call(page, '/ipfs/files/stat?path=/')).json.Hash).toBe(root)
    expect(utf8((await call(page, '/ipfs/files/read?path=/kept/note.txt')).bytes)).toBe('written before the move')
    expect((await call(page, '/fs-journal/operations?operation_type=write')).json.operations).toContainEqual(expect.objectContaining({ seq: 41, entry_id: 'from-the-old-journal' }))
    expect(await page.evaluate(async () => (await indexedDB.databases()).map(db => db.name))).not.toContain('mcp-node/journal')
    // and the journal goes on from there
    expect((await call(page, '/ipfs/files/write?path=/kept/after.txt', { rawBody: 'after' })).status).toBe(200)
    const after = (await call(page, '/fs-journal/operations?operation_type=write&path=/kept/after.txt')).json.operations
    expect(after[0].seq).toBeGreaterThan(41)
    await context.close()
  })
})
