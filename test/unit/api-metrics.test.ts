import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { promtoolPath } from '../../tools/find-promtool.mjs'
import { formatExposition, histogramQuantile, MetricsRegistry } from '../../src/node/metrics/registry.ts'
import { postJson, startTestApi } from './helpers.ts'
import type { TestApi } from './helpers.ts'

/** Runs `promtool check metrics` on the text; returns its exit code and what it printed. */
function promtoolCheck (text: string): { status: number | null, output: string } {
  const promtool = promtoolPath()
  if (promtool == null) throw new Error('promtool is not installed: run `node tools/ensure-tools.mjs` (as root it installs Debian\'s prometheus package)')
  const run = spawnSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8' })
  return { status: run.status, output: `${run.stdout}${run.stderr}` }
}

/** The value of one sample line, e.g. `mcp_http_requests_total{route="/health",method="GET",status="200"}`. */
function sampleValue (text: string, series: string): number | undefined {
  const line = text.split('\n').find(l => l.startsWith(`${series} `))
  return line == null ? undefined : Number(line.slice(series.length + 1))
}

describe('metrics registry', () => {
  it('writes the text format with escapes, cumulative buckets and +Inf', async () => {
    const r = new MetricsRegistry()
    r.counter({ name: 'x_total', help: 'back\\slash\nnewline', labelNames: ['l'] }).inc({ l: 'a"b\\c\nd' }, 2)
    const h = r.histogram({ name: 'y_seconds', help: 'h', buckets: [0.1, 1] })
    h.observe({}, 0.05)
    h.observe({}, 0.5)
    h.observe({}, 5)
    expect(await r.exposition()).toBe([
      '# HELP x_total back\\\\slash\\nnewline',
      '# TYPE x_total counter',
      'x_total{l="a\\"b\\\\c\\nd"} 2',
      '# HELP y_seconds h',
      '# TYPE y_seconds histogram',
      'y_seconds_bucket{le="0.1"} 1',
      'y_seconds_bucket{le="1"} 2',
      'y_seconds_bucket{le="+Inf"} 3',
      'y_seconds_sum 5.55',
      'y_seconds_count 3',
      ''
    ].join('\n'))
    expect(() => r.counter({ name: 'no_suffix', help: 'h' })).toThrow(/_total/)
    expect(() => r.counter({ name: 'x_total', help: 'h' })).toThrow(/twice/)
    expect(formatExposition([])).toBe('\n')
  })

  it('estimates quantiles from buckets as histogram_quantile does', () => {
    const buckets = [{ le: 0.1, count: 50 }, { le: 1, count: 90 }, { le: Infinity, count: 100 }]
    expect(histogramQuantile(0.5, buckets)).toBeCloseTo(0.1)
    expect(histogramQuantile(0.7, buckets)).toBeCloseTo(0.1 + 0.9 * (20 / 40))
    expect(histogramQuantile(0.95, buckets)).toBe(1)
    expect(histogramQuantile(0.5, [{ le: Infinity, count: 0 }])).toBeNull()
  })
})

describe('metrics API', () => {
  let api: TestApi
  beforeAll(async () => { api = await startTestApi() })
  afterAll(async () => { await api.stop() })

  it('passes promtool, labels routes by template (no CID), and its counters move', async () => {
    const added = await api.json('/ipfs/add', postJson({ content: 'metrics' }))
    const cid: string = added.body.cid
    await (await api.request(`/ipfs/cat/${cid}`)).arrayBuffer()
    await api.request('/no/such/route')
    // the cache reads its files in the background; changes made meanwhile are applied once it has
    await api.node.cache.ready()
    const first = await api.request('/metrics')
    expect(first.status).toBe(200)
    expect(first.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8')
    const text = await first.text()
    expect(text).not.toContain(cid)
    expect(sampleValue(text, 'mcp_http_requests_total{route="/ipfs/cat/{cid}",method="GET",status="200"}')).toBe(1)
    expect(sampleValue(text, 'mcp_http_requests_total{route="unmatched",method="GET",status="404"}')).toBe(1)
    expect(sampleValue(text, 'mcp_ipfs_operation_bytes_total{operation="ipfs_cat",direction="out"}')).toBe(7)
    expect(sampleValue(text, 'mcp_cache_lookups_total{tier="indexeddb",result="hit"}')).toBe(1)
    expect(sampleValue(text, 'mcp_cache_records')).toBe(1)
    expect(sampleValue(text, 'mcp_cache_schema_version')).toBe(2)
    // an offline node exchanges nothing with peers, whatever its API moved
    expect(sampleValue(text, 'mcp_libp2p_bytes_total{direction="in"}')).toBe(0)
    expect(sampleValue(text, 'mcp_libp2p_bytes_total{direction="out"}')).toBe(0)
    expect(text).toMatch(/^mcp_build_info\{version="[^"]+",helia="[^"]+",libp2p="[^"]+"\} 1$/m)
    expect(text).toMatch(/^mcp_http_request_duration_seconds_bucket\{route="\/ipfs\/cat\/\{cid\}",method="GET",le="\+Inf"\} 1$/m)

    const check = promtoolCheck(text)
    expect(check.output).toBe('')
    expect(check.status).toBe(0)

    await (await api.request(`/ipfs/cat/${cid}`)).arrayBuffer()
    const second = await (await api.request('/metrics')).text()
    expect(sampleValue(second, 'mcp_http_requests_total{route="/ipfs/cat/{cid}",method="GET",status="200"}')).toBe(2)
    expect(sampleValue(second, 'mcp_http_requests_total{route="/metrics",method="GET",status="200"}')).toBe(1)
    expect(promtoolCheck(second).status).toBe(0)
  })

  it('the Grafana dashboard queries only metrics the node exports', async () => {
    const dashboard = JSON.parse(readFileSync(new URL('../../dashboards/mcp.json', import.meta.url), 'utf8'))
    const exported = new Set((await (await api.request('/metrics')).text()).split('\n')
      .filter(l => l.startsWith('# TYPE ')).map(l => l.split(' ')[2]))
    const exprs: string[] = dashboard.panels.flatMap((p: { targets?: Array<{ expr: string }> }) => (p.targets ?? []).map(t => t.expr))
    expect(exprs.length).toBeGreaterThan(10)
    const used = new Set(exprs.flatMap(e => e.match(/\bmcp_[a-z0-9_]+/g) ?? []).map(n => n.replace(/_(bucket|sum|count)$/, '')))
    expect([...used].filter(n => !exported.has(n))).toEqual([])
    expect(dashboard.__inputs[0]).toMatchObject({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' })
  })

  it('gives the same figures as JSON with a summary for charts', async () => {
    const before = (await api.json('/metrics/json')).body
    await api.request('/health')
    const after = (await api.json('/metrics/json')).body
    expect(after.success).toBe(true)
    expect(after.summary.requests_total).toBe(before.summary.requests_total + 2)
    expect(after.summary.cache_hit_ratio).toBe(1)
    expect(after.summary.latency_p95_seconds).toBeGreaterThan(0)
    const histogram = after.metrics.find((m: { name: string }) => m.name === 'mcp_http_request_duration_seconds')
    expect(histogram.type).toBe('histogram')
    expect(histogram.samples[0].buckets.at(-1).le).toBe('+Inf')
  })
})
