/** Overview: who this node is, what it stores, and live charts of the last ten minutes. */
import { api } from '../api-client.ts'
import { ErrorText } from '../components/error-text.tsx'
import { LineChart } from '../components/line-chart.tsx'
import { Page, Section } from '../components/page.tsx'
import { formatBytes, formatDuration, formatPercent } from '../format.ts'
import { metricsHistory } from '../metrics-history.ts'
import { nodeState } from '../node-state.ts'
import { useLoad } from '../use-load.ts'

export function OverviewPage () {
  const node = nodeState.value
  const facts = useLoad(async () => {
    const [stats, network, daemon] = await Promise.all([api.stats(), api.networkStatus(), api.daemonStatus()])
    return { stats, network, daemon }
  }, [], { every: 5_000 })
  const history = metricsHistory.value
  const { stats, network, daemon } = facts.data ?? {}
  const storage = stats?.storage
  const used = storage?.usage_bytes ?? null
  const quota = storage?.quota_bytes ?? null
  const peers = network == null ? undefined : Object.values(network.connections).reduce((a, b) => a + b, 0)
  const times = history.points.map(p => p.t)
  const latest = history.latest

  return (
    <Page title='Overview' intro='This page runs an IPFS node; every tab of this site reaches it through the service worker at /api/v0/mcp.'>
      <Section title='Node' id='node-heading'>
        <dl class='figures'>
          <dt id='node-id-label'>Node id</dt><dd aria-labelledby='node-id-label' class='mono'>{node.health?.node_id ?? '—'}</dd>
          <dt>Network</dt><dd>{network == null ? '—' : network.online ? 'online' : 'offline (no relay reached)'}</dd>
          <dt>This tab</dt><dd>{node.leads == null ? '—' : node.leads ? 'runs the node (leader)' : 'served by the leader tab through the service worker'}</dd>
          <dt>Peers</dt><dd>{network == null || peers == null ? '—' : `${peers} (${network.connections.webrtc} WebRTC, ${network.connections.relayed} relayed, ${network.connections.websockets} WebSockets)`}</dd>
          <dt>Objects</dt><dd>{stats == null ? '—' : `${stats.repo.object_count} blocks, ${formatBytes(stats.repo.size_bytes)}`}</dd>
          <dt>Pins</dt><dd>{stats == null ? '—' : stats.repo.pin_count}</dd>
          <dt>Uptime</dt><dd>{daemon == null ? '—' : formatDuration(daemon.uptime_seconds)}</dd>
        </dl>
        <div class='storage'>
          <p class='label' id='storage-label'>Storage used</p>
          {storage?.available === false
            ? <p>This browser does not report its storage.</p>
            : (
              <>
                <div class='meter' role='meter' aria-labelledby='storage-label' aria-valuemin={0} aria-valuemax={quota ?? 0} aria-valuenow={used ?? 0}
                  aria-valuetext={`${formatBytes(used)} of ${formatBytes(quota)}`}>
                  <span style={{ width: `${used != null && quota != null && quota > 0 ? Math.max(0.5, (used / quota) * 100) : 0}%` }} />
                </div>
                <p class='note'>{formatBytes(used)} of {formatBytes(quota)}{storage?.persisted === true ? ' (persistent: the browser will not evict it)' : storage?.persisted === false ? ' (best effort: the browser may evict it under pressure)' : ''}</p>
              </>
              )}
        </div>
        <ErrorText error={facts.error} />
      </Section>

      <Section title='Metrics' id='metrics-heading'>
        <div class='tiles'>
          <Tile label='Requests' value={latest == null ? '—' : `${latest.requests_total} (${latest.errors_total} errors)`} />
          <Tile label='Latency p95' value={latest?.latency_p95_seconds == null ? '—' : `${(latest.latency_p95_seconds * 1000).toFixed(1)} ms`} />
          <Tile label='Bytes in / out' value={latest == null ? '—' : `${formatBytes(latest.bytes_in_total)} / ${formatBytes(latest.bytes_out_total)}`} />
          <Tile label='Cache hit ratio' value={latest == null ? '—' : latest.cache_hit_ratio == null ? 'no reads yet' : formatPercent(latest.cache_hit_ratio)} />
        </div>
        <div class='charts'>
          <LineChart label='Requests per second' times={times} series={[{ label: 'requests/s', values: history.points.map(p => p.requestsPerSecond), color: '#2c7be5' }]} />
          <LineChart label='Latency p95 (ms)' times={times} series={[{ label: 'p95 ms', values: history.points.map(p => p.p95Ms), color: '#e67e22' }]} />
          <LineChart label='Bytes per second in and out' formatValue={formatBytes} times={times} series={[
            { label: 'in B/s', values: history.points.map(p => p.inPerSecond), color: '#16a085' },
            { label: 'out B/s', values: history.points.map(p => p.outPerSecond), color: '#c0392b' }
          ]} />
          <LineChart label='Cache hit rate (%)' max={100} times={times} series={[{ label: 'hit %', values: history.points.map(p => p.hitRatio == null ? null : p.hitRatio * 100), color: '#27ae60' }]} />
          <LineChart label='Peers' times={times} series={[{ label: 'peers', values: history.points.map(p => p.peers), color: '#8e44ad' }]} />
        </div>
        {history.error != null ? <p class='error' role='alert'>{history.error}</p> : null}
        <p class='note'>Prometheus text is at <a href='/metrics'>/metrics</a> (through the service worker); a Grafana dashboard is in the repository's <code>dashboards/</code>.</p>
      </Section>
    </Page>
  )
}

function Tile ({ label, value }: { label: string, value: string }) {
  return <div class='tile' role='group' aria-label={label}><span class='label'>{label}</span><span class='value'>{value}</span></div>
}
