import { spawnSync } from 'node:child_process'
import { expect, test } from '@playwright/test'
import { parquetReadObjects } from 'hyparquet'
import { promtoolPath } from '../../tools/find-promtool.mjs'
import { call, openApp, utf8 } from './helpers.ts'
import type { Page } from '@playwright/test'

/** Waits until the cache has written every change to OPFS. */
async function flushed (page: Page): Promise<void> {
  await expect.poll(async () => {
    const stats = (await call(page, '/cache/stats')).json.stats
    return stats.loaded === true && stats.dirty_records === 0 && stats.flushes > 0
  }, { timeout: 20_000 }).toBe(true)
}

/** Paths of the files under the node's cache directory in OPFS. */
async function opfsFiles (page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const out: string[] = []
    const walk = async (dir: FileSystemDirectoryHandle, prefix: string): Promise<void> => {
      for await (const [name, handle] of (dir as unknown as AsyncIterable<[string, FileSystemHandle]>)) {
        if (handle.kind === 'directory') await walk(handle as FileSystemDirectoryHandle, `${prefix}${name}/`)
        else out.push(`${prefix}${name}`)
      }
    }
    const root = await navigator.storage.getDirectory()
    await walk(await (await root.getDirectoryHandle('mcp-node')).getDirectoryHandle('cid-cache'), '')
    return out.sort()
  })
}

test('records (access counts, heat) survive a reload, kept as Parquet in OPFS', async ({ context }) => {
  const page = await openApp(context)
  const added = await call(page, '/ipfs/add', { json: { content: 'kept in the cache', filename: 'kept.txt' } })
  const cid = added.json.cid as string
  for (let i = 0; i < 3; i++) {
    const read = await call(page, `/ipfs/cat/${cid}`)
    expect(utf8(read.bytes)).toBe('kept in the cache')
    expect(read.headers['x-cache-tier']).toBe('indexeddb')
  }
  const before = (await call(page, `/cache/get/${cid}`)).json.record
  expect(before).toMatchObject({ cid, access_count: 3, filename: 'kept.txt', mimetype: 'text/plain', is_pinned: true })
  await flushed(page)
  const day = new Date(before.added_timestamp as number).toISOString().slice(0, 10)
  const stored = await opfsFiles(page)
  expect(stored).toEqual(expect.arrayContaining(['_manifest.json', '_schema_versions/current.json', '_schema_versions/v1.json', '_schema_versions/v2.json']))
  expect(stored.filter(p => p.endsWith('.parquet'))).toEqual([expect.stringMatching(new RegExp(`^day=${day}/part-00000\\.g\\d+\\.parquet$`))])

  await page.reload()
  await expect(page.getByRole('banner').getByRole('status')).toHaveText('The node is up.')
  const after = (await call(page, `/cache/get/${cid}`)).json.record
  expect(after).toMatchObject({ cid, access_count: 3, added_timestamp: before.added_timestamp, last_accessed: before.last_accessed, filename: 'kept.txt' })
  expect(after.heat_score).toBeCloseTo(before.heat_score as number, 3)
  const stats = (await call(page, '/cache/stats')).json.stats
  expect(stats).toMatchObject({ loaded: true, records: 1, partitions: 1, schema_version: 2 })
  expect(stats.bytes_on_disk).toBeGreaterThan(0)
  expect(stats.load_ms).toBeGreaterThan(0)
})

test('/cache/export downloads a Parquet file another reader reads back with the same rows', async ({ context }) => {
  const page = await openApp(context)
  const cids: string[] = []
  for (const [content, filename] of [['one', 'one.txt'], ['two two', 'two.md'], ['three 3 3', 'three.json']]) {
    cids.push((await call(page, '/ipfs/add', { json: { content, filename } })).json.cid)
  }
  await call(page, `/ipfs/cat/${cids[1]}`)
  const records = (await call(page, '/cache/query', { json: { sort: { column: 'cid' }, limit: 100 } })).json.records as Array<Record<string, unknown>>
  expect(records).toHaveLength(3)

  // a download as the app makes one: Chromium does not route <a download> navigations through the
  // service worker, so the page fetches the file and saves it from a blob URL under the server's name
  await page.getByRole('link', { name: 'Cache' }).click()
  const downloading = page.waitForEvent('download')
  await page.evaluate(async () => {
    const response = await fetch('/api/v0/mcp/cache/export')
    const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'cid-cache.parquet'
    const a = document.createElement('a')
    a.href = URL.createObjectURL(await response.blob())
    a.download = name
    document.body.append(a)
    a.click()
  })
  const download = await downloading
  expect(download.suggestedFilename()).toMatch(/^cid-cache-.*\.parquet$/)
  const { readFile } = await import('node:fs/promises')
  const file = await readFile(await download.path())
  const rows = await parquetReadObjects({ file: file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) })
  const simplify = (r: Record<string, unknown>): unknown[] => [r.cid, Number(r.size_bytes), r.filename, r.extension, r.access_count, r.is_pinned, r.source]
  expect(rows.map(simplify).sort()).toEqual(records.map(simplify).sort())
  for (const row of rows) {
    const record = records.find(r => r.cid === row.cid) as Record<string, unknown>
    expect((row.added_timestamp as Date).getTime()).toBe(record.added_timestamp)
    expect(row.heat_score as number).toBeCloseTo(record.heat_score as number, 2)
  }
})

test('/metrics at the origin passes promtool and its counters move', async ({ context }) => {
  const page = await openApp(context)
  const scrape = async (): Promise<{ type: string | null, text: string }> => page.evaluate(async () => {
    const response = await fetch('/metrics')
    return { type: response.headers.get('content-type'), text: await response.text() }
  })
  const value = (text: string, series: string): number => Number(text.split('\n').find(l => l.startsWith(`${series} `))?.slice(series.length + 1) ?? 0)
  const health = 'mcp_http_requests_total{route="/health",method="GET",status="200"}'

  const first = await scrape()
  expect(first.type).toBe('text/plain; version=0.0.4; charset=utf-8')
  const promtool = promtoolPath()
  expect(promtool, 'promtool is needed: run `node tools/ensure-tools.mjs`').toBeDefined()
  const check = spawnSync(promtool as string, ['check', 'metrics'], { input: first.text, encoding: 'utf8' })
  expect(`${check.stdout}${check.stderr}`).toBe('')
  expect(check.status).toBe(0)

  const added = await call(page, '/ipfs/add', { json: { content: 'counted' } })
  await call(page, '/health')
  await call(page, '/health')
  await call(page, `/ipfs/cat/${added.json.cid as string}`)
  const second = await scrape()
  expect(value(second.text, health) - value(first.text, health)).toBe(2)
  expect(value(second.text, 'mcp_http_requests_total{route="/metrics",method="GET",status="200"}')).toBeGreaterThanOrEqual(1)
  expect(value(second.text, 'mcp_ipfs_operation_bytes_total{operation="ipfs_cat",direction="out"}')).toBeGreaterThanOrEqual(7)
  expect(value(second.text, 'mcp_cache_tier_bytes{tier="indexeddb"}')).toBeGreaterThan(0)
  expect(second.text).not.toContain(added.json.cid)
  expect(spawnSync(promtool as string, ['check', 'metrics'], { input: second.text, encoding: 'utf8' }).status).toBe(0)
})

test('the app shows the metrics, charts them, and exports the cache', async ({ context }) => {
  const page = await openApp(context)
  await call(page, '/ipfs/add', { json: { content: 'seen in the app', filename: 'app.txt' } })
  const metrics = page.getByRole('region', { name: 'Metrics' })
  await expect(metrics.getByRole('group', { name: 'Requests' })).toHaveText(/^Requests\d+ \(\d+ errors\)/)
  // the chart appears once two samples exist (uPlot draws on a canvas)
  await expect(page.getByRole('img', { name: /Requests per second/ }).locator('canvas').first()).toBeVisible({ timeout: 15_000 })
  await expect(metrics.getByText('Cache hit ratio')).toBeVisible()

  await page.getByRole('link', { name: 'Cache' }).click()
  const downloading = page.waitForEvent('download')
  await page.getByRole('button', { name: 'Export as Parquet' }).click()
  const download = await downloading
  expect(download.suggestedFilename()).toMatch(/^cid-cache-.*\.parquet$/)
  const { readFile } = await import('node:fs/promises')
  const file = await readFile(await download.path())
  const rows = await parquetReadObjects({ file: file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) })
  expect(rows.map(r => r.filename)).toEqual(['app.txt'])
  await expect(page.getByText(/^Saved cid-cache-.*\.parquet/)).toBeVisible()
})
