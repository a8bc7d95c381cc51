import { expect, test } from '@playwright/test'
import { call, openApp } from './helpers.ts'

test('the first visit starts a node, registers the service worker and answers fetch without a reload', async ({ context }) => {
  const page = await context.newPage()
  await page.goto('/')
  await expect(page.getByRole('status')).toHaveText('The node is up.', { timeout: 30_000 })
  expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toMatch(/\/sw\.js$/)

  const health = await call(page, '/health')
  expect(health.status).toBe(200)
  expect(health.json).toMatchObject({ success: true, status: 'ok', node_started: true })
  await expect(page.locator('#node-id')).toHaveText(health.json.node_id)
  await expect(page.locator('#tab-role')).toHaveText(/leader/)
  await expect(page.locator('#storage')).toHaveText(/ of /)

  const debug = await call(page, '/debug')
  expect(debug.json.storage.available).toBe(true)
  expect(debug.json.storage.usage_bytes).toBeGreaterThan(0)
  expect(debug.json.leader.is_leader).toBe(true)
})

test('a person adds text and a file and reads them back by CID', async ({ context }) => {
  const page = await openApp(context)
  await page.getByLabel('Text').fill('hello world')
  await page.getByRole('button', { name: 'Add text' }).click()
  await expect(page.locator('#add-result')).toContainText('bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e')
  await page.getByRole('button', { name: 'Read' }).click()
  await expect(page.getByLabel('Content')).toHaveText('hello world')

  await page.getByLabel('File').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('file body\n') })
  await page.getByRole('button', { name: 'Add file' }).click()
  await expect(page.locator('#add-result')).toContainText('notes.txt')
  const cid = await page.locator('#add-result code').textContent()
  await page.getByLabel('CID or /ipfs/ path').fill(`/ipfs/${cid ?? ''}`)
  await page.getByRole('button', { name: 'Read' }).click()
  await expect(page.getByLabel('Content')).toHaveText('file body\n')
  await expect(page.locator('#read-meta')).toContainText('text/plain')

  await page.getByLabel('CID or /ipfs/ path').fill('not-a-cid')
  await page.getByRole('button', { name: 'Read' }).click()
  await expect(page.locator('#read-meta')).toContainText('400 InvalidCIDError')
})
