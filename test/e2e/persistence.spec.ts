import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { BROWSER_ARGS, findBrowser } from '../../tools/find-browser.mjs'
import { call, openApp, utf8 } from './helpers.ts'

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
  const profile = mkdtempSync(join(tmpdir(), 'mcp-profile-'))
  const launch = async (): Promise<import('@playwright/test').BrowserContext> => playwright.chromium.launchPersistentContext(profile, {
    executablePath: findBrowser(),
    args: BROWSER_ARGS,
    baseURL
  })
  try {
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
  } finally {
    rmSync(profile, { recursive: true, force: true })
  }
})
