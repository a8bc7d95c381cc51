import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { call, openApp, utf8 } from './helpers.ts'
import { makePng, makeWebm } from './media.ts'
import type { Locator, Page } from '@playwright/test'

/** Drops a real folder from disk onto an element, as the OS does (Chromium's DevTools drag events carry file paths). */
async function dropFromDisk (page: Page, target: Locator, paths: string[]): Promise<void> {
  const box = await target.boundingBox()
  if (box == null) throw new Error('the drop target is not visible')
  const x = box.x + box.width / 2
  const y = box.y + box.height / 2
  const cdp = await page.context().newCDPSession(page)
  const data = { items: [], files: paths, dragOperationsMask: 1 }
  for (const type of ['dragEnter', 'dragOver', 'drop'] as const) {
    await cdp.send('Input.dispatchDragEvent', { type, x, y, data })
  }
  await cdp.detach()
}

/** Navigates inside the app without a reload (the node keeps running). */
async function goInApp (page: Page, path: string): Promise<void> {
  await page.evaluate((path) => {
    history.pushState(null, '', path)
    dispatchEvent(new PopStateEvent('popstate'))
  }, path)
}

test('a folder dropped on the Files page uploads with progress to 100 %, then opens', async ({ context }) => {
  const dir = await mkdtemp(join(tmpdir(), 'mcp-drop-'))
  try {
    await mkdir(join(dir, 'album', 'sub'), { recursive: true })
    await writeFile(join(dir, 'album', 'a.txt'), 'alpha')
    await writeFile(join(dir, 'album', 'sub', 'b.txt'), 'beta')
    // a name that needs escaping in every URL it goes into
    await writeFile(join(dir, 'album', 'über #1?.txt'), 'odd name')
    const big = Buffer.alloc(3 * 1024 * 1024)
    for (let i = 0; i < big.length; i++) big[i] = (i * 31 + (i >> 9)) & 0xff
    await writeFile(join(dir, 'album', 'big.bin'), big)

    const page = await openApp(context, '/files')
    await expect(page.getByRole('heading', { name: 'Files', level: 1 })).toBeVisible()
    await expect(page.getByText('This folder is empty.')).toBeVisible()
    await dropFromDisk(page, page.getByLabel(/^Drop files or folders/), [join(dir, 'album')])

    const uploads = page.getByRole('group', { name: 'Uploads' })
    await expect(uploads.getByRole('progressbar', { name: 'All uploads' })).toHaveAttribute('value', '100', { timeout: 30_000 })
    await expect(uploads.getByRole('progressbar', { name: 'Upload of album/big.bin' })).toHaveAttribute('value', '100')
    await expect(uploads).toContainText('album → / · done')
    await expect(uploads).toContainText('100 % · 3.0 MiB of 3.0 MiB')

    const listing = page.getByRole('table', { name: 'Contents of /' })
    await listing.getByRole('link', { name: 'album/' }).click()
    await expect(page).toHaveURL(/\/files\/album$/)
    const inside = page.getByRole('table', { name: 'Contents of /album' })
    await expect(inside.getByRole('link')).toHaveText(['sub/', 'a.txt', 'big.bin', 'über #1?.txt'])
    await expect(inside.getByRole('row', { name: /big\.bin/ })).toContainText('3.0 MiB')
    await inside.getByRole('link', { name: 'über #1?.txt' }).click()
    await expect(page.getByLabel('Preview of über #1?.txt')).toHaveText('odd name')

    const b = await call(page, '/ipfs/files/read?path=/album/sub/b.txt')
    expect(utf8(b.bytes)).toBe('beta')
    const stat = await call(page, '/ipfs/files/stat?path=/album/big.bin')
    expect(stat.json.Size).toBe(big.length)

    // the same file by CID and path on the Explore page
    const album = await call(page, '/ipfs/files/stat?path=/album')
    await goInApp(page, `/explore?path=${encodeURIComponent(`/ipfs/${album.json.cid as string}/über #1?.txt`)}`)
    await expect(page.getByLabel('Preview of über #1?.txt')).toHaveText('odd name')
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

test('cancelling an upload stops it on the node: nothing lands in the folder', async ({ context }) => {
  const page = await openApp(context, '/files')
  // a file made in the page and dropped as the browser would (an item without a directory entry)
  await page.evaluate(() => {
    const transfer = new DataTransfer()
    // every MiB differs from the others: a file of one repeated block is stored at once
    const bytes = new Uint8Array(128 * 1024 * 1024).fill(7)
    for (let i = 0; i < 128; i++) bytes.set([i, 0xee, i], i * 1024 * 1024)
    transfer.items.add(new File([bytes], 'huge.bin'))
    const zone = document.querySelector('[aria-label^="Drop files or folders"]')!
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }))
  })
  // a slow device: the node, which runs in this page, takes seconds over the file (here it took
  // well under one), so the cancel is sure to come while the upload is under way
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 6 })
  const bar = page.getByRole('progressbar', { name: 'Upload of huge.bin' })
  // asked every 25 ms (the default backs off to a second between asks: once the upload was 88 % through
  // by the time it was seen under way, and the node had finished before the cancel reached it)
  await expect.poll(async () => Number(await bar.getAttribute('value')), { timeout: 20_000, intervals: [25] }).toBeGreaterThan(0)
  // at once, without waiting for the throttled page to settle its layout first
  await page.getByRole('button', { name: 'Cancel upload of huge.bin' }).dispatchEvent('click')
  await expect(page.getByRole('group', { name: 'Uploads' })).toContainText('huge.bin → / · cancelled')
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 })
  await cdp.detach()
  expect(Number(await bar.getAttribute('value'))).toBeLessThan(100)
  // garbage collection waits for every add to let go of the repo lock; an add that went on would have placed /huge.bin by then
  expect((await call(page, '/ipfs/repo/gc', { method: 'POST' })).status).toBe(200)
  expect((await call(page, '/ipfs/files/stat?path=/huge.bin')).status).toBe(404)
})

test('an image previews, and a video streams with Range and seeks', async ({ context }) => {
  const page = await openApp(context, '/files')
  const [png, webm] = await Promise.all([makePng(page), makeWebm(page, 3)])
  await page.getByLabel('Upload files').setInputFiles([
    { name: 'pic.png', mimeType: 'image/png', buffer: png },
    { name: 'clip.webm', mimeType: 'video/webm', buffer: webm }
  ])
  const listing = page.getByRole('table', { name: 'Contents of /' })
  await expect(listing.getByRole('link')).toHaveText(['clip.webm', 'pic.png'], { timeout: 20_000 })

  await listing.getByRole('link', { name: 'pic.png' }).click()
  await expect(page).toHaveURL(/\/files\?preview=pic\.png$/)
  const image = page.getByRole('img', { name: 'Preview of pic.png' })
  await expect.poll(async () => image.evaluate((img: HTMLImageElement) => `${img.naturalWidth}x${img.naturalHeight}`)).toBe('64x48')
  await expect(page.getByRole('region', { name: 'Preview: pic.png' })).toContainText('image/png')

  await listing.getByRole('link', { name: 'clip.webm' }).click()
  const video = page.getByLabel('Preview of clip.webm')
  await expect.poll(async () => video.evaluate((v: HTMLVideoElement) => Math.round(v.duration * 10) / 10), { timeout: 15_000 }).toBe(3)
  const seeked = await video.evaluate(async (v: HTMLVideoElement) => {
    const done = new Promise(resolve => { v.addEventListener('seeked', resolve, { once: true }) })
    v.currentTime = 2.2
    await done
    return { time: v.currentTime, seekableEnd: v.seekable.length > 0 ? v.seekable.end(0) : 0, readyState: v.readyState }
  })
  expect(seeked.time).toBeCloseTo(2.2, 1)
  expect(seeked.seekableEnd).toBeCloseTo(3, 1)
  expect(seeked.readyState).toBeGreaterThanOrEqual(2)
  // the element read the file in ranges, answered by the node as 206s
  const log = await call(page, '/operations?limit=200')
  const reads = (log.json.operations as Array<{ operation: string, status: number }>).filter(o => o.operation === 'files_read')
  expect(reads.some(o => o.status === 206)).toBe(true)
})

test('a person renames, moves by dragging onto a folder, copies and deletes with confirmation', async ({ context }) => {
  const page = await openApp(context, '/files')
  await call(page, '/ipfs/files/write', { json: { path: '/notes.txt', content: 'remember', create: true } })
  await page.getByLabel('New folder name').fill('archive')
  await page.getByRole('button', { name: 'Create folder' }).click()
  const listing = page.getByRole('table', { name: 'Contents of /' })
  await expect(listing.getByRole('link')).toHaveText(['archive/', 'notes.txt'])

  await page.getByRole('button', { name: 'Rename notes.txt' }).click()
  await page.getByLabel('New name for notes.txt').fill('memo.txt')
  await page.getByRole('button', { name: 'Rename', exact: true }).click()
  await expect(page.getByText('Renamed notes.txt to /memo.txt.')).toBeVisible()
  await expect(listing.getByRole('link')).toHaveText(['archive/', 'memo.txt'])

  await page.getByRole('button', { name: 'Copy to memo.txt' }).click()
  await page.getByLabel('Copy memo.txt to (a path)').fill('/copies/memo-copy.txt')
  await page.getByRole('button', { name: 'Copy', exact: true }).click()
  await expect(listing.getByRole('link')).toHaveText(['archive/', 'copies/', 'memo.txt'])

  await listing.getByRole('row', { name: /memo\.txt/ }).dragTo(listing.getByRole('row', { name: /archive\// }))
  await expect(page.getByText('Moved memo.txt to /archive.')).toBeVisible()
  await expect(listing.getByRole('link')).toHaveText(['archive/', 'copies/'])
  expect(utf8((await call(page, '/ipfs/files/read?path=/archive/memo.txt')).bytes)).toBe('remember')
  expect(utf8((await call(page, '/ipfs/files/read?path=/copies/memo-copy.txt')).bytes)).toBe('remember')

  await page.getByRole('button', { name: 'Delete archive' }).click()
  const dialog = page.getByRole('dialog', { name: 'Delete archive?' })
  await dialog.getByRole('button', { name: 'Cancel' }).click()
  await expect(dialog).toBeHidden()
  expect((await call(page, '/ipfs/files/stat?path=/archive')).status).toBe(200)
  await page.getByRole('button', { name: 'Delete archive' }).click()
  await dialog.getByRole('button', { name: 'Delete' }).click()
  await expect(listing.getByRole('link')).toHaveText(['copies/'])
  expect((await call(page, '/ipfs/files/stat?path=/archive/memo.txt')).status).toBe(404)
})

test('a folder of 450 files and 230 pins show 200 rows at a time; the pins filter searches them all', async ({ context }) => {
  const page = await openApp(context, '/files')
  const names = Array.from({ length: 450 }, (_, i) => `f${String(i).padStart(3, '0')}.txt`)
  const added = await call(page, '/ipfs/add?wrap_with_directory=true&to_files=/many', { form: names.map(name => ['file', `file ${name}`, `many/${name}`]) })
  expect(added.status).toBe(200)
  await goInApp(page, '/files/many/many')
  const listing = page.getByRole('table', { name: 'Contents of /many/many' })
  const more = page.getByRole('group', { name: 'More entries' })
  await expect(more.getByText('Showing 200 of 450 entries.')).toBeVisible()
  await expect(listing.locator('tbody tr')).toHaveCount(200)
  await expect(listing.locator('tbody tr').last().getByRole('link')).toHaveText('f199.txt')

  await more.getByRole('button', { name: 'Show 200 more' }).click()
  await expect(listing.locator('tbody tr')).toHaveCount(400)
  const fifty = more.getByRole('button', { name: 'Show 50 more' })
  await expect(fifty).toBeFocused()
  await fifty.click()
  await expect(listing.locator('tbody tr')).toHaveCount(450)
  await expect(listing.locator('tbody tr').last().getByRole('link')).toHaveText('f449.txt')
  await expect(more.getByText('Showing all 450 entries.')).toBeVisible()
  await expect(more.getByRole('button', { name: 'Show more' })).toHaveAttribute('aria-disabled', 'true')
  await expect(more.getByRole('button', { name: 'Show more' })).toBeFocused()
  // another folder starts again from one step
  await goInApp(page, '/files/many')
  await expect(page.getByRole('table', { name: 'Contents of /many' }).getByRole('link')).toHaveText(['many/'])
  await goInApp(page, '/files/many/many')
  await expect(listing.locator('tbody tr')).toHaveCount(200)

  const pinned = await page.evaluate(async () => Promise.all(Array.from({ length: 230 }, async (_, i) => {
    const reply = await fetch('/api/v0/mcp/ipfs/add', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ content: `pinned ${i}`, filename: `pin-${String(i).padStart(3, '0')}` }) })
    return ((await reply.json()) as { cid: string }).cid
  })))
  await goInApp(page, '/pins')
  const pins = page.getByRole('table', { name: 'Pins' })
  await expect(page.getByRole('group', { name: 'More pins' }).getByText(/^Showing 200 of 23\d pins\.$/)).toBeVisible()
  await expect(pins.locator('tbody tr')).toHaveCount(200)
  for (const i of [0, 229]) {
    await page.getByLabel('Filter by CID or name').fill(`pin-${String(i).padStart(3, '0')}`)
    await expect(pins.locator('tbody tr')).toHaveCount(1)
    await expect(pins.getByRole('link')).toHaveText(pinned[i])
  }
  await expect(page.getByRole('group', { name: 'More pins' })).toHaveCount(0)
})

test('a person publishes a CID under a name and resolves it', async ({ context }) => {
  const page = await openApp(context, '/names')
  const added = await call(page, '/ipfs/add', { json: { content: 'named content' } })
  const cid = added.json.cid as string
  const keys = page.getByRole('table', { name: 'Keys' })
  await expect(keys.getByRole('row', { name: /^self/ })).toContainText('never published')

  await page.getByLabel('CID or path to publish').fill(cid)
  await page.getByRole('button', { name: 'Publish' }).click()
  await expect(page.getByText(`Published /ipfs/${cid} under`)).toBeVisible()
  await expect(keys.getByRole('row', { name: /^self/ }).getByRole('link', { name: `/ipfs/${cid}` })).toBeVisible()

  const self = ((await call(page, '/ipfs/key/list')).json.keys as Array<{ name: string, id: string }>).find(k => k.name === 'self')!
  await page.getByLabel('Name to resolve').fill(`/ipns/${self.id}`)
  await page.getByRole('button', { name: 'Resolve', exact: true }).click()
  await expect(page.getByText(`Resolves to /ipfs/${cid}`)).toBeVisible()

  await page.getByLabel('Name to resolve').fill('not-a-name')
  await page.getByRole('button', { name: 'Resolve', exact: true }).click()
  await expect(page.getByRole('region', { name: 'Resolve' }).getByRole('alert')).toContainText('400')
})

test('two browsers connect from the Peers page, and one opens a file the other added', async ({ browser }) => {
  test.setTimeout(90_000)
  const a = await openApp(await browser.newContext(), '/peers')
  const b = await openApp(await browser.newContext(), '/peers')
  try {
    const addresses = a.getByRole('list', { name: /WebRTC addresses/ })
    await expect(addresses.getByRole('listitem').first()).toContainText('/p2p-circuit/webrtc', { timeout: 20_000 })
    const address = await addresses.getByRole('listitem').first().locator('code').innerText()
    expect(address).toMatch(/^\/ip4\/127\.0\.0\.1\/.*\/p2p-circuit\/webrtc/)
    const idA = (await call(a, '/ipfs/id')).json.id as string

    await b.getByLabel('Peer multiaddr or peer id').fill(address)
    await b.getByRole('button', { name: 'Connect', exact: true }).click()
    await expect(b.getByText(/^Connected to .* over webrtc/)).toBeVisible({ timeout: 45_000 })
    const row = b.getByRole('table', { name: 'Connected peers' }).getByRole('row').filter({ has: b.getByRole('button', { name: `Ping ${idA}` }) })
    await expect(row).toContainText('webrtc')
    await row.getByRole('button', { name: `Ping ${idA}` }).click()
    await expect(row).toContainText(/\d+\.\d ms \(/)

    const added = await call(a, '/ipfs/add', { json: { content: 'from the other browser', filename: 'other.txt' } })
    await goInApp(b, `/explore?path=${encodeURIComponent(`/ipfs/${added.json.cid as string}`)}`)
    await expect(b.getByLabel(`Preview of ${added.json.cid as string}`)).toHaveText('from the other browser', { timeout: 30_000 })
  } finally {
    await a.context().close()
    await b.context().close()
  }
})

test('the Console runs files ls / as the CLI prints it, with history', async ({ context }) => {
  const page = await openApp(context, '/console')
  await call(page, '/ipfs/files/mkdir', { json: { path: '/docs' } })
  const command = page.getByRole('textbox', { name: 'Command' })
  await command.fill('files ls /')
  await command.press('Enter')
  const log = page.getByRole('log', { name: 'Console output' })
  await expect(log).toContainText('files ls /')
  await expect(log).toContainText('docs/')
  await expect(command).toBeFocused()
  await command.fill('files ls /nope')
  await command.press('Enter')
  await expect(log).toContainText(/Error: .*nope/)
  await command.press('ArrowUp')
  await expect(command).toHaveValue('files ls /nope')
  await command.press('ArrowUp')
  await expect(command).toHaveValue('files ls /')
})

test('the API page lists the routes and tries GET /health for real', async ({ context }) => {
  const page = await openApp(context, '/api-reference')
  await page.getByLabel('Filter routes').fill('health')
  const route = page.locator('details.route').filter({ hasText: /GET\s*\/api\/v0\/mcp\/health/ }).first()
  await route.locator('summary').click()
  await route.getByRole('button', { name: 'Send request' }).click()
  await expect(route).toContainText('200')
  await expect(route).toContainText('"success": true')
  await expect(route).toContainText('"node_started": true')
})

test('the Journal filters by type and path, and a credential added from its form never shows its secret', async ({ context }) => {
  const page = await openApp(context)
  await call(page, '/ipfs/files/mkdir', { json: { path: '/a/b', parents: true } })
  await call(page, '/ipfs/files/write', { json: { path: '/a/b/x.txt', content: 'x', create: true } })
  await call(page, '/ipfs/files/write', { json: { path: '/other.txt', content: 'y', create: true } })
  await goInApp(page, '/journal')
  const operations = page.getByRole('table', { name: 'Journal operations' })
  await page.getByLabel('Operation type').selectOption('write')
  await expect(operations.getByRole('row')).toHaveCount(3)
  await page.getByLabel('Path (and what lies under it)').fill('/a')
  await expect(operations.getByRole('row')).toHaveCount(2)
  await expect(operations.getByRole('row').nth(1)).toContainText('/a/b/x.txt')

  const secret = 'wJalrXUtnFEMI-K7MDENG-bPxRfiCY'
  await goInApp(page, '/credentials')
  await page.getByLabel('Type').selectOption('s3')
  await page.getByLabel('Name', { exact: true }).fill('backup')
  await page.getByLabel('Access key id').fill('AKIAIOSFODNN7EXAMPLE')
  await page.getByLabel('Secret access key').fill(secret)
  await page.getByRole('button', { name: 'Add credential' }).click()
  const stored = page.getByRole('table', { name: 'Credentials' })
  await expect(stored.getByRole('row', { name: /backup/ })).toContainText('s3')
  await expect(page.getByLabel('Secret access key')).toHaveValue('')
  expect(await page.content()).not.toContain(secret)
  const info = await call(page, '/credentials/info?service=s3&name=backup')
  expect(JSON.stringify(info.json)).not.toContain(secret)

  await stored.getByRole('button', { name: 'Delete s3/backup' }).click()
  await page.getByRole('dialog', { name: 'Delete s3/backup?' }).getByRole('button', { name: 'Delete' }).click()
  await expect(page.getByText('No credentials yet.')).toBeVisible()
})

const PAGES = ['/', '/files', '/explore', '/pins', '/names', '/peers', '/journal', '/cache', '/credentials', '/console', '/api-reference']

test('every page fits 375 px and a desktop, in light and dark, and names every control', async ({ context }, testInfo) => {
  test.setTimeout(120_000)
  const page = await openApp(context)
  await call(page, '/ipfs/files/write', { json: { path: '/docs/readme.txt', content: 'hello', create: true, parents: true } })
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    for (const [size, viewport] of [['narrow', { width: 375, height: 812 }], ['wide', { width: 1280, height: 860 }]] as const) {
      await page.setViewportSize(viewport)
      for (const path of PAGES) {
        await goInApp(page, path)
        await expect(page.locator('main h1')).toBeVisible()
        await expect(page.locator('[aria-busy=true]')).toHaveCount(0, { timeout: 15_000 })
        const name = path === '/' ? 'overview' : path.slice(1)
        await page.screenshot({ path: testInfo.outputPath(`${name}-${scheme}-${size}.png`), fullPage: true })
        if (size === 'narrow') {
          expect(await page.evaluate(() => document.documentElement.scrollWidth), `${path} is wider than the screen`).toBeLessThanOrEqual(375)
        }
        const unnamed = await page.evaluate(() => [...document.querySelectorAll('main button, main input, main select, main textarea, main a')].filter((el) => {
          const e = el as HTMLElement & { labels?: NodeListOf<HTMLLabelElement> }
          if (e.offsetParent === null && !(e instanceof HTMLInputElement && e.type === 'file')) return false
          return (e.labels?.length ?? 0) === 0 && e.getAttribute('aria-label') == null && e.getAttribute('aria-labelledby') == null && (e.textContent ?? '').trim() === ''
        }).map(e => e.outerHTML.slice(0, 80)))
        expect(unnamed, `${path} has controls without a name`).toEqual([])
      }
    }
  }
})
