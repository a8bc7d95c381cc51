import { defineConfig } from '@playwright/test'
import { BROWSER_ARGS, findBrowser } from './tools/find-browser.mjs'

const PORT = 4173

export default defineConfig({
  testDir: 'test/e2e',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  // one worker: the machine has two cores and each test starts browser contexts with nodes
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    browserName: 'chromium',
    launchOptions: { executablePath: findBrowser(), args: BROWSER_ARGS }
  },
  webServer: {
    // the built app and a fresh local relay on a free port (its address lands in dist/config.json)
    command: `node --import ./tools/node-polyfills.mjs tools/serve.mjs --port ${PORT} --relay-port 0`,
    url: `http://127.0.0.1:${PORT}/`,
    reuseExistingServer: false,
    timeout: 30_000
  }
})
