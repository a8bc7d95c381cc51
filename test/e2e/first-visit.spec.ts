import { readFile, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { expect, test } from '@playwright/test'
import { call, openApp } from './helpers.ts'

test('the first visit starts a node, registers the service worker and answers fetch without a reload', async ({ context }) => {
  const page = await context.newPage()
  await page.goto('/')
  await expect(page.getByRole('banner').getByRole('status')).toHaveText('The node is up.', { timeout: 30_000 })
  expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toMatch(/\/sw\.js$/)

  const health = await call(page, '/health')
  expect(health.status).toBe(200)
  expect(health.json).toMatchObject({ success: true, status: 'ok', node_started: true })
  const node = page.getByRole('region', { name: 'Node' })
  await expect(node.getByRole('definition').first()).toHaveText(health.json.node_id)
  await expect(node.getByText('runs the node (leader)')).toBeVisible()
  await expect(page.getByRole('meter', { name: 'Storage used' })).toHaveAttribute('aria-valuetext', / of /)

  const debug = await call(page, '/debug')
  expect(debug.json.storage.available).toBe(true)
  expect(debug.json.storage.usage_bytes).toBeGreaterThan(0)
  expect(debug.json.leader.is_leader).toBe(true)
})

test('a person opens content by CID on the Explore page, and a bad CID is explained', async ({ context }) => {
  const page = await openApp(context)
  const added = await call(page, '/ipfs/add', { json: { content: 'hello world' } })
  expect(added.json.cid).toBe('bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e')
  await page.getByRole('link', { name: 'Explore' }).click()
  await expect(page).toHaveURL(/\/explore$/)
  await page.getByLabel('CID or /ipfs/ or /ipns/ path').fill(added.json.cid)
  await page.getByRole('button', { name: 'Open' }).click()
  await expect(page.getByLabel(`Preview of ${added.json.cid as string}`)).toHaveText('hello world')
  await expect(page.getByRole('region', { name: 'Block' })).toContainText('raw (CIDv1)')

  // a reload keeps the page and what it shows
  await page.reload()
  await expect(page.getByLabel(`Preview of ${added.json.cid as string}`)).toHaveText('hello world')

  await page.getByLabel('CID or /ipfs/ or /ipns/ path').fill('not-a-cid')
  await page.getByRole('button', { name: 'Open' }).click()
  await expect(page.getByRole('alert')).toContainText('400 InvalidCIDError')
  // the error replaces what was shown for the previous CID
  await expect(page.getByLabel(`Preview of ${added.json.cid as string}`)).toHaveCount(0)
  // back returns to the previous content
  await page.goBack()
  await expect(page.getByLabel(`Preview of ${added.json.cid as string}`)).toHaveText('hello world')
})

test('a second visit opens from the service worker\'s copy of the app: with the network gone, the app and its node still start', async ({ context }) => {
  const page = await openApp(context)
  const added = await call(page, '/ipfs/add', { json: { content: 'kept for an offline visit' } })
  const cached = await page.evaluate(async () => {
    const names = await caches.keys()
    const cache = await caches.open(names.find(n => n.startsWith('mcp-app-'))!)
    return (await cache.keys()).map(r => new URL(r.url).pathname)
  })
  expect(cached).toContain('/index.html')
  expect(cached.some(path => /^\/assets\/node-host-.*\.js$/.test(path))).toBe(true)

  await context.setOffline(true)
  try {
    // a page of the app, not just its root: every app URL is the same page
    await page.goto('/files')
    await expect(page.getByRole('banner').getByRole('status')).toContainText('The node is up.', { timeout: 30_000 })
    const read = await call(page, `/ipfs/cat/${added.json.cid as string}`, { read: 'text' })
    expect(read.text).toBe('kept for an offline visit')
    await expect(page.getByRole('heading', { name: 'Files', level: 1 })).toBeVisible()
  } finally {
    await context.setOffline(false)
  }
})

test('a newer build waits until the person asks for it, and then every tab of the app reloads into it', async ({ context }) => {
  const worker = fileURLToPath(new URL('../../dist/sw.js', import.meta.url))
  const built = await readFile(worker, 'utf8')
  const version = /version:`([0-9a-f]+)`/.exec(built)?.[1]
  expect(version).toBeDefined()
  const page = await openApp(context)
  const other = await openApp(context, '/files')
  try {
    // a deploy: the same files under a new version, so a new worker with a copy of its own
    await writeFile(worker, built.replace(`version:\`${version!}\``, `version:\`${version!}next\``))
    // a visit checks for a newer worker; it installs, and waits
    await page.reload()
    const update = page.getByRole('button', { name: /^Update/ })
    await expect(update).toBeVisible({ timeout: 20_000 })
    // meanwhile both tabs go on with the build they run
    expect((await call(other, '/health')).status).toBe(200)
    await Promise.all([page.waitForEvent('load'), other.waitForEvent('load'), update.click()])
    for (const tab of [page, other]) {
      await expect(tab.getByRole('banner').getByRole('status')).toHaveText('The node is up.', { timeout: 30_000 })
    }
    await expect(update).toHaveCount(0)
    expect(await page.evaluate(async () => (await caches.keys()).filter(name => name.startsWith('mcp-app-')))).toEqual([`mcp-app-${version!}next`])
  } finally {
    await writeFile(worker, built)
  }
})
