import { loadNetworkConfig, saveRelays, valid } from '../sw/network-config.ts'
import { startHost } from '../sw/host.ts'
import { api, ApiError } from './api-client.ts'
import { startMetricsPanel } from './metrics-panel.ts'

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T
const PREVIEW_LIMIT = 64 * 1024

const host = startHost()

function formatBytes (n: number | null): string {
  if (n == null) return 'unknown'
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let i = 0
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++ }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`
}

function showError (element: HTMLElement, err: unknown): void {
  element.classList.add('error')
  element.textContent = err instanceof ApiError ? `${err.status} ${err.errorType}: ${err.message}` : String(err)
}

async function refresh (): Promise<void> {
  const [health, status, stats] = await Promise.all([api.health(), api.daemonStatus(), api.stats()])
  $('status').textContent = health.node_started ? 'The node is up.' : 'The node is not started.'
  $('node-id').textContent = health.node_id
  const leads = status.leader.tab_id === host.tabId
  $('tab-role').textContent = leads ? 'runs the node (leader)' : 'served by the leader tab through the service worker'
  const { storage } = stats
  $('storage').textContent = storage.available
    ? `${formatBytes(storage.usage_bytes)} of ${formatBytes(storage.quota_bytes)}${storage.persisted === true ? ' (persistent)' : ''}`
    : 'not reported by this browser'
  $('repo').textContent = `${stats.repo.object_count} blocks, ${formatBytes(stats.repo.size_bytes)}, ${stats.repo.pin_count} pins`
  const network = await api.networkStatus()
  const c = network.connections
  $('connections').textContent = `${c.webrtc} WebRTC, ${c.relayed} relayed, ${c.websockets} WebSockets`
  $('reservations').textContent = network.relay_reservations.length > 0 ? network.relay_reservations.join(', ') : 'none'
  await refreshCache()
}

/** The cache section; kept current on a timer, since the cache loads and flushes in the background. */
async function refreshCache (): Promise<void> {
  const cache = (await api.cacheStats()).stats
  $('cache-records').textContent = cache.loaded ? String(cache.records) : 'loading…'
  $('cache-files').textContent = `${cache.partitions} (${formatBytes(cache.bytes_on_disk)}, schema v${cache.schema_version})`
  const memory = cache.tiers.memory
  $('cache-memory').textContent = `${memory.records} records, ${formatBytes(memory.bytes)} of ${formatBytes(memory.max_bytes)}`
}

$('cache-export').addEventListener('click', () => {
  const out = $('cache-result')
  out.classList.remove('error')
  out.textContent = 'Exporting…'
  api.cacheExport().then(({ blob, name }) => {
    // Chromium does not send <a download> navigations through the service worker: save from a blob URL
    const a = document.createElement('a')
    a.href = URL.createObjectURL(blob)
    a.download = name
    a.click()
    setTimeout(() => { URL.revokeObjectURL(a.href) }, 10_000)
    out.textContent = `Saved ${name} (${formatBytes(blob.size)}).`
  }).catch((err: unknown) => { showError(out, err) })
})

function showAdded (cid: string, name: string, size: number): void {
  const out = $('add-result')
  out.classList.remove('error')
  out.textContent = `Added ${name !== '' ? `${name} ` : ''}(${formatBytes(size)}): `
  const code = document.createElement('code')
  code.textContent = cid
  out.append(code)
  $<HTMLInputElement>('cid-input').value = cid
}

$('add-text').addEventListener('submit', (event) => {
  event.preventDefault()
  const text = $<HTMLTextAreaElement>('text-input').value
  api.addText(text).then(async (reply) => {
    showAdded(reply.cid, reply.name, reply.size)
    await refresh()
  }).catch((err: unknown) => { showError($('add-result'), err) })
})

$('add-file').addEventListener('submit', (event) => {
  event.preventDefault()
  const files = [...($<HTMLInputElement>('file-input').files ?? [])]
  if (files.length === 0) return
  api.addFiles(files).then(async (reply) => {
    showAdded(reply.cid, reply.name, reply.size)
    await refresh()
  }).catch((err: unknown) => { showError($('add-result'), err) })
})

$('read').addEventListener('submit', (event) => {
  event.preventDefault()
  const path = $<HTMLInputElement>('cid-input').value.trim()
  const meta = $('read-meta')
  const output = $('read-output')
  meta.classList.remove('error')
  output.textContent = ''
  api.cat(path).then(async (response) => {
    const type = response.headers.get('content-type') ?? ''
    const size = Number(response.headers.get('content-length'))
    meta.textContent = `${type}, ${formatBytes(size)}`
    if (/^text\/|json|xml/.test(type) && size <= PREVIEW_LIMIT) {
      output.textContent = await response.text()
    } else {
      await response.body?.cancel()
      output.textContent = `(binary or large content: open ${response.url} to download)`
    }
  }).catch((err: unknown) => { showError(meta, err) })
})

$('relays-form').addEventListener('submit', (event) => {
  event.preventDefault()
  const relays = $<HTMLTextAreaElement>('relays-input').value.split('\n').map(l => l.trim()).filter(l => l !== '')
  const bad = relays.filter(r => !valid(r))
  if (bad.length > 0) {
    showError($('relays-result'), `not a multiaddr: ${bad.join(', ')}`)
    return
  }
  applyRelays(relays)
})

$('relays-default').addEventListener('click', () => { applyRelays(null) })

/** Saves the list; the node picks it up when it starts, so the leader tab restarts it by reloading. */
function applyRelays (relays: string[] | null): void {
  saveRelays(relays)
  if (host.leader().is_leader) {
    location.reload()
  } else {
    const out = $('relays-result')
    out.classList.remove('error')
    out.textContent = 'Saved. Another tab runs the node: it uses these relays when it next starts (reload that tab).'
  }
}

void loadNetworkConfig().then((config) => { $<HTMLTextAreaElement>('relays-input').value = config.relays.join('\n') })

host.ready.then(async () => {
  await refresh()
  startMetricsPanel({ figures: $('metrics-figures'), chart: $('metrics-chart'), error: $('metrics-error') }, formatBytes)
  setInterval(() => { refreshCache().catch((err: unknown) => { showError($('cache-result'), err) }) }, 5_000)
}).catch((err: unknown) => { showError($('status'), err) })
