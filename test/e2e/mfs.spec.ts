import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { BROWSER_ARGS, findBrowser } from '../../tools/find-browser.mjs'
import { call, openApp, utf8 } from './helpers.ts'
import type { BrowserContext, Page } from '@playwright/test'

const BIG = 20 * 1024 * 1024

/** Writes deterministic bytes (seeded) to an MFS path from inside the page; resolves with the HTTP status. */
async function writeSeeded (page: Page, path: string, size: number, seed: number): Promise<number> {
  return page.evaluate(async ({ path, size, seed }) => {
    const data = new Uint8Array(size)
    let x = seed
    for (let i = 0; i < size; i += 4) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; new DataView(data.buffer).setUint32(i, x >>> 0) }
    const response = await fetch(`/api/v0/mcp/ipfs/files/write?path=${encodeURIComponent(path)}&parents=true`, { method: 'POST', body: new Blob([data]), headers: { 'Content-Type': 'application/octet-stream' } })
    return response.status
  }, { path, size, seed })
}

/** SHA-256 of the file at `path` and of the seeded bytes it should hold; size of what is there. */
async function compareSeeded (page: Page, path: string, size: number, seed: number): Promise<{ size: number, same: boolean }> {
  return page.evaluate(async ({ path, size, seed }) => {
    const data = new Uint8Array(size)
    let x = seed
    for (let i = 0; i < size; i += 4) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; new DataView(data.buffer).setUint32(i, x >>> 0) }
    const got = new Uint8Array(await (await fetch(`/api/v0/mcp/ipfs/files/read?path=${encodeURIComponent(path)}`)).arrayBuffer())
    const hex = async (b: Uint8Array<ArrayBuffer>): Promise<string> => [...new Uint8Array(await crypto.subtle.digest('SHA-256', b))].map(v => v.toString(16).padStart(2, '0')).join('')
    return { size: got.byteLength, same: got.byteLength === size && await hex(got) === await hex(data) }
  }, { path, size, seed })
}

test('closing the browser in the middle of a 20 MiB write leaves the file whole or absent, and every acknowledged write intact', async ({ playwright, baseURL }) => {
  test.setTimeout(120_000)
  const profile = mkdtempSync(join(tmpdir(), 'mcp-mfs-'))
  const launch = async (): Promise<BrowserContext> => playwright.chromium.launchPersistentContext(profile, { executablePath: findBrowser(), args: BROWSER_ARGS, baseURL })
  const acknowledged: Array<{ path: string, size: number, seed: number }> = []
  try {
    // close at different moments: while the content streams in, and while the change is applied
    for (const [round, delayMs] of [100, 700, 1500].entries()) {
      const context = await launch()
      const page = await openApp(context)
      for (let i = 0; i < 3; i++) {
        const small = { path: `/acked/r${round}-f${i}.bin`, size: 1000 + i * 70_000, seed: round * 10 + i + 1 }
        expect(await writeSeeded(page, small.path, small.size, small.seed)).toBe(200)
        acknowledged.push(small)
      }
      void writeSeeded(page, `/big/round-${round}.bin`, BIG, 1000 + round).catch(() => {})
      await page.waitForTimeout(delayMs)
      await context.close()

      const reopened = await launch()
      const check = await openApp(reopened)
      const big = await call(check, `/ipfs/files/stat?path=/big/round-${round}.bin`)
      if (big.status === 200) {
        expect(await compareSeeded(check, `/big/round-${round}.bin`, BIG, 1000 + round)).toEqual({ size: BIG, same: true })
      } else {
        expect(big.status).toBe(404)
      }
      test.info().annotations.push({ type: `round ${round} (closed after ${delayMs} ms)`, description: big.status === 200 ? 'big file complete' : 'big file absent' })
      for (const file of acknowledged) {
        expect(await compareSeeded(check, file.path, file.size, file.seed)).toEqual({ size: file.size, same: true })
      }
      const status = (await call(check, '/fs-journal/status')).json
      expect(status.counts_by_status.pending).toBe(0)
      expect(status.root_cid).toBe((await call(check, '/ipfs/files/stat?path=/')).json.Hash)
      await reopened.close()
    }
  } finally {
    rmSync(profile, { recursive: true, force: true })
  }
})

test('50 concurrent writes all land and survive a reload; the journal counts them', async ({ context }) => {
  const page = await openApp(context)
  const before = (await call(page, '/fs-journal/status')).json.counts_by_status.completed
  const statuses = await page.evaluate(async () => Promise.all(Array.from({ length: 50 }, async (_, i) => {
    const response = await fetch('/api/v0/mcp/ipfs/files/write', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ path: `/many/file-${i}.txt`, content: `content of file ${i}`, parents: true })
    })
    return response.status
  })))
  expect(statuses).toEqual(Array(50).fill(200))
  await page.reload()
  await expect(page.getByRole('banner').getByRole('status')).toHaveText('The node is up.')
  const ls = await call(page, '/ipfs/files/ls?path=/many')
  expect(ls.json.Entries).toHaveLength(50)
  for (const i of [0, 25, 49]) {
    expect(utf8((await call(page, `/ipfs/files/read?path=/many/file-${i}.txt`)).bytes)).toBe(`content of file ${i}`)
  }
  const after = (await call(page, '/fs-journal/status')).json.counts_by_status.completed
  expect(after - before).toBe(50)
  const writes = (await call(page, '/fs-journal/operations?limit=50&status=completed')).json.operations
  expect(new Set(writes.map((o: { path: string }) => o.path)).size).toBe(50)
})

test('a person-facing MFS flow through the API: mkdir, write, mv, cp from /ipfs, rm', async ({ context }) => {
  const page = await openApp(context)
  expect((await call(page, '/ipfs/files/mkdir', { json: { path: '/photos/2026', parents: true } })).status).toBe(200)
  expect((await call(page, '/ipfs/files/write', { form: [['path', '/photos/2026/cat.txt'], ['file', 'meow', 'cat.txt']] })).status).toBe(200)
  expect((await call(page, '/ipfs/files/mv', { json: { source: '/photos/2026/cat.txt', destination: '/photos/cat.txt' } })).status).toBe(200)
  const added = await call(page, '/ipfs/add', { json: { content: 'woof' } })
  expect((await call(page, '/ipfs/files/cp', { json: { source: `/ipfs/${added.json.cid as string}`, destination: '/photos/dog.txt' } })).status).toBe(200)
  const ls = await call(page, '/ipfs/files/ls?path=/photos')
  expect(ls.json.Entries.map((e: { Name: string, Type: number }) => [e.Name, e.Type])).toEqual([['2026', 1], ['cat.txt', 0], ['dog.txt', 0]])
  expect((await call(page, '/ipfs/files/rm', { json: { path: '/photos' } })).status).toBe(409)
  expect((await call(page, '/ipfs/files/rm', { json: { path: '/photos', recursive: true } })).json.removed).toBe(true)
  expect((await call(page, '/ipfs/files/ls?path=/')).json.Entries.map((e: { Name: string }) => e.Name)).not.toContain('photos')
})
