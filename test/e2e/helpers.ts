import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from '@playwright/test'
import { BROWSER_ARGS, findBrowser } from '../../tools/find-browser.mjs'
import type { BrowserContext, BrowserType, Page } from '@playwright/test'

/** Opens the app in a new page and waits until its node answers. */
export async function openApp (context: BrowserContext, path = '/'): Promise<Page> {
  const page = await context.newPage()
  await page.goto(path)
  await expect(page.getByRole('banner').getByRole('status')).toHaveText('The node is up.', { timeout: 30_000 })
  return page
}

export interface ApiReply {
  status: number
  headers: Record<string, string>
  json?: any
  text?: string
  bytes?: number[]
}

export interface CallInit {
  method?: string
  headers?: Record<string, string>
  /** A JSON value, sent as application/json unless `rawBody` is used. */
  json?: unknown
  rawBody?: string | number[]
  /** A body of this many zero bytes (built in the page, not sent through the test driver). */
  zeros?: number
  /** Multipart parts: [field, content, filename?]. */
  form?: Array<[string, string | number[], string?]>
  read?: 'json' | 'text' | 'bytes'
}

/** Calls the API from inside the page with plain fetch, exactly as any script on the origin would. */
export async function call (page: Page, path: string, init: CallInit = {}): Promise<ApiReply> {
  return page.evaluate(async ({ path, init }) => {
    const headers: Record<string, string> = { ...init.headers }
    let body: BodyInit | undefined
    if (init.json !== undefined) {
      headers['Content-Type'] ??= 'application/json'
      body = JSON.stringify(init.json)
    } else if (init.rawBody !== undefined) {
      body = typeof init.rawBody === 'string' ? init.rawBody : new Uint8Array(init.rawBody)
    } else if (init.zeros !== undefined) {
      body = new Uint8Array(init.zeros)
    } else if (init.form !== undefined) {
      const form = new FormData()
      for (const [field, content, filename] of init.form) {
        if (filename == null) form.append(field, content as string)
        else form.append(field, new Blob([typeof content === 'string' ? content : new Uint8Array(content)]), filename)
      }
      body = form
    }
    const response = await fetch(`/api/v0/mcp${path}`, { method: init.method ?? (body == null ? 'GET' : 'POST'), headers, body })
    const reply: { status: number, headers: Record<string, string>, json?: unknown, text?: string, bytes?: number[] } = {
      status: response.status,
      headers: Object.fromEntries(response.headers)
    }
    const read = init.read ?? (response.headers.get('content-type')?.includes('json') === true ? 'json' : 'bytes')
    if (read === 'json') reply.json = await response.json()
    else if (read === 'text') reply.text = await response.text()
    else reply.bytes = [...new Uint8Array(await response.arrayBuffer())]
    return reply
  }, { path, init })
}

export function utf8 (bytes: number[] | undefined): string {
  return new TextDecoder().decode(new Uint8Array(bytes ?? []))
}

export type Launch = () => Promise<BrowserContext>

/**
 * Runs `body` with a way to start the browser on one profile on disk (each
 * start is a restart); the profile goes afterwards. Playwright's own
 * contexts keep IndexedDB and OPFS in memory.
 */
export async function withProfileOnDisk (playwright: { chromium: BrowserType }, baseURL: string | undefined, body: (launch: Launch) => Promise<void>): Promise<void> {
  const profile = mkdtempSync(join(tmpdir(), 'mcp-profile-'))
  try {
    await body(async () => playwright.chromium.launchPersistentContext(profile, { executablePath: findBrowser(), args: BROWSER_ARGS, baseURL }))
  } finally {
    rmSync(profile, { recursive: true, force: true })
  }
}
