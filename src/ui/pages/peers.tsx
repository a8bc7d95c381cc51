/**
 * Peers: this node's addresses, its connections (type, direction, latency)
 * with ping and disconnect, dialing by multiaddr, the relays it joins
 * through, and the WebRTC content sessions with their throughput.
 */
import { useState } from 'preact/hooks'
import { getJson, postJson } from '../api-client.ts'
import { confirmAction } from '../components/confirm-dialog.tsx'
import { CopyButton } from '../components/copy-button.tsx'
import { EmptyState } from '../components/empty-state.tsx'
import { ErrorText } from '../components/error-text.tsx'
import { Page, Section } from '../components/page.tsx'
import { formatBytes, formatRate, shorten } from '../format.ts'
import { hostLoaded } from '../host.ts'
import { uploadsRunning } from '../uploads.ts'
import { useLoad } from '../use-load.ts'
import type { Connected, Envelope, NetworkStatus, PeerList, PingReply, WebrtcStatus } from '../api-client.ts'

const REFRESH_MS = 4_000

export function PeersPage () {
  const status = useLoad(async signal => getJson<NetworkStatus>('/distributed/status', undefined, signal), [], { every: REFRESH_MS })
  const peers = useLoad(async signal => getJson<PeerList>('/distributed/peers', undefined, signal), [], { every: REFRESH_MS })
  const webrtc = useLoad(async signal => getJson<WebrtcStatus>('/webrtc/status', undefined, signal), [], { every: REFRESH_MS })
  const [pings, setPings] = useState<Record<string, string>>({})
  const [error, setError] = useState<unknown>()

  const ping = (peerId: string): void => {
    setPings(p => ({ ...p, [peerId]: 'pinging…' }))
    postJson<PingReply>('/distributed/ping', { peer_id: peerId, count: 3 }).then(
      (r) => { setPings(p => ({ ...p, [peerId]: `${r.average_ms.toFixed(1)} ms (${r.rtts_ms.map(t => t.toFixed(1)).join(', ')})` })) },
      (err: unknown) => { setPings(p => ({ ...p, [peerId]: '' })); setError(err) }
    )
  }
  const disconnect = (peerId: string): void => {
    setError(undefined)
    postJson<Envelope>('/ipfs/swarm/disconnect', { address: peerId }).then(() => { peers.reload() }, setError)
  }

  const s = status.data
  const addresses = s == null ? [] : [...new Set([...s.webrtc_addresses])]
  return (
    <Page title='Peers' intro='Browsers meet through a relay, then talk over direct WebRTC connections.'>
      <Section title='This node' id='self-heading'>
        <dl class='figures'>
          <dt>Peer id</dt><dd>{s?.peer_id ?? '—'}{s != null ? <> <CopyButton value={s.peer_id} label='Copy the peer id' /></> : null}</dd>
          <dt>Network</dt><dd>{s == null ? '—' : s.online ? 'online' : 'offline: no relay reached'}</dd>
          <dt>Relay reservations</dt><dd>{s == null ? '—' : s.relay_reservations.length > 0 ? s.relay_reservations.join(', ') : 'none'}</dd>
        </dl>
        <h3 class='small-heading' id='addresses-heading'>WebRTC addresses (give one to a peer so it can connect)</h3>
        {addresses.length > 0
          ? <ul aria-labelledby='addresses-heading' class='plain'>{addresses.map(a => <li key={a}><code>{a}</code> <CopyButton value={a} label='Copy this address' /></li>)}</ul>
          : <p class='note'>{s == null ? '—' : 'None yet: they appear once the node holds a relay reservation.'}</p>}
        <ErrorText error={status.error} />
      </Section>

      <Section title='Connect' id='connect-heading'>
        <ConnectForm onConnected={() => { peers.reload() }} />
      </Section>

      <Section title='Connected peers' id='peers-heading'>
        <ErrorText error={error} />
        <ErrorText error={peers.error} />
        <div class='table-wrap'>
          <table aria-label='Connected peers'>
            <thead><tr><th>Peer</th><th class='hide-narrow'>Address</th><th>Type</th><th>Direction</th><th class='num'>Latency</th><th>Actions</th></tr></thead>
            <tbody>
              {(peers.data?.peers ?? []).map(p => {
                const first = p.connections[0]
                return (
                  <tr key={p.peer_id}>
                    <td class='mono' title={p.peer_id}>{shorten(p.peer_id, 8)}</td>
                    <td class='hide-narrow mono'>{first?.address ?? '—'}</td>
                    <td>{p.connection_type}</td>
                    <td>{first?.direction ?? '—'}</td>
                    <td class='num'>{p.latency_ms == null ? '—' : `${p.latency_ms.toFixed(1)} ms`}</td>
                    <td>
                      <div class='actions'>
                        <button type='button' class='small' onClick={() => { ping(p.peer_id) }}>Ping<span class='visually-hidden'> {p.peer_id}</span></button>
                        <button type='button' class='small' onClick={() => { disconnect(p.peer_id) }}>Disconnect<span class='visually-hidden'> {p.peer_id}</span></button>
                        <span class='note' aria-live='polite'>{pings[p.peer_id] ?? ''}</span>
                      </div>
                    </td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        </div>
        {peers.data != null && peers.data.peers.length === 0 ? <EmptyState>No peer is connected. Paste another node's WebRTC address above to connect.</EmptyState> : null}
      </Section>

      <Section title='WebRTC sessions' id='sessions-heading'>
        <ErrorText error={webrtc.error} />
        {webrtc.data != null && webrtc.data.sessions.length === 0
          ? <EmptyState>No content session yet. Sessions stream a whole DAG to a peer (POST /api/v0/mcp/webrtc/session).</EmptyState>
          : (
            <div class='table-wrap'>
              <table aria-label='WebRTC sessions'>
                <thead><tr><th>Session</th><th>Direction</th><th>CID</th><th>State</th><th class='num'>Bytes</th><th class='num'>Throughput</th></tr></thead>
                <tbody>
                  {(webrtc.data?.sessions ?? []).map(x => (
                    <tr key={x.session_id}>
                      <td class='mono'>{x.session_id.slice(0, 8)}</td>
                      <td>{x.direction}</td>
                      <td class='mono' title={x.cid}>{shorten(x.cid, 8)}</td>
                      <td>{x.state}{x.error != null ? `: ${x.error}` : ''}</td>
                      <td class='num'>{formatBytes(x.bytes_transferred)}{x.bytes_total != null ? ` of ${formatBytes(x.bytes_total)}` : ''}</td>
                      <td class='num'>{formatRate(x.throughput_bytes_per_second)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            )}
      </Section>

      <Section title='Relays' id='relays-heading'>
        <RelaysForm />
      </Section>
    </Page>
  )
}

function ConnectForm ({ onConnected }: { onConnected(): void }) {
  const [address, setAddress] = useState('')
  const [busy, setBusy] = useState(false)
  const [result, setResult] = useState<Connected>()
  const [error, setError] = useState<unknown>()
  return (
    <>
      <form aria-label='Connect to a peer' onSubmit={(e) => {
        e.preventDefault()
        setBusy(true)
        setError(undefined)
        setResult(undefined)
        postJson<Connected>('/ipfs/swarm/connect', { address: address.trim() }).then((r) => { setResult(r); onConnected() }, setError).finally(() => { setBusy(false) })
      }}>
        <div class='field'>
          <label for='connect-address'>Peer multiaddr or peer id</label>
          <input id='connect-address' type='text' value={address} spellcheck={false} onInput={(e) => { setAddress(e.currentTarget.value) }} />
        </div>
        <button type='submit' class='primary' disabled={busy || address.trim() === ''}>{busy ? 'Connecting…' : 'Connect'}</button>
      </form>
      <ErrorText error={error} />
      {result != null ? <p class='ok' aria-live='polite'>Connected to {shorten(result.peer, 8)} over {result.type} ({result.direction}).</p> : null}
    </>
  )
}

/** The relay list is this browser's setting (kept in localStorage), read when the node starts. */
function RelaysForm () {
  // the relay settings module parses multiaddrs: it comes with the node's code, not the app's first load
  const config = useLoad(async () => (await import('../../sw/network-config.ts')).loadNetworkConfig(), [])
  const [text, setText] = useState<string>()
  const [message, setMessage] = useState<{ ok: boolean, text: string }>()
  const value = text ?? config.data?.relays.join('\n') ?? ''
  const apply = async (relays: string[] | null): Promise<void> => {
    const { saveRelays } = await import('../../sw/network-config.ts')
    saveRelays(relays)
    if ((await hostLoaded).leader().is_leader) {
      // the node restarts with the page: running uploads would be lost
      if (uploadsRunning() && !await confirmAction('Restart the node now?', 'Uploads are still running in this tab; restarting stops them.', 'Restart')) {
        setMessage({ ok: true, text: 'Saved. The node uses these relays when it next starts.' })
        return
      }
      location.reload()
    } else {
      setMessage({ ok: true, text: 'Saved. Another tab runs the node: it uses these relays when it next starts (reload that tab).' })
    }
  }
  return (
    <form onSubmit={(e) => {
      e.preventDefault()
      const relays = value.split('\n').map(l => l.trim()).filter(l => l !== '')
      void import('../../sw/network-config.ts').then(async ({ valid }) => {
        const bad = relays.filter(r => !valid(r))
        if (bad.length > 0) { setMessage({ ok: false, text: `not a multiaddr: ${bad.join(', ')}` }); return }
        await apply(relays)
      })
    }}>
      <div class='field'>
        <label for='relays-input'>Relays (one multiaddr per line)</label>
        <textarea id='relays-input' rows={3} spellcheck={false} value={value} aria-describedby='relays-result' onInput={(e) => { setText(e.currentTarget.value) }} />
      </div>
      <button type='submit'>Save relays and restart</button>
      <button type='button' onClick={() => { void apply(null) }}>Use the app's default</button>
      <p id='relays-result' role={message?.ok === false ? 'alert' : undefined} aria-live='polite' class={message?.ok === false ? 'error' : 'note'}>{message?.text ?? 'Saved in this browser; the node reads it when it starts.'}</p>
    </form>
  )
}
