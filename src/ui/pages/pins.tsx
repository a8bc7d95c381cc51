/** Pins: what the node keeps through garbage collection; pin by CID, unpin, filter. */
import { useState } from 'preact/hooks'
import { getJson, postJson } from '../api-client.ts'
import { confirmAction } from '../components/confirm-dialog.tsx'
import { CopyButton } from '../components/copy-button.tsx'
import { EmptyState } from '../components/empty-state.tsx'
import { ErrorText } from '../components/error-text.tsx'
import { Page, Section } from '../components/page.tsx'
import { useShownRows } from '../components/shown-rows.tsx'
import { useLoad } from '../use-load.ts'
import { exploreUrl } from './explore.tsx'
import type { Envelope, PinList } from '../api-client.ts'

export function PinsPage () {
  const [type, setType] = useState('recursive')
  const [filter, setFilter] = useState('')
  const [said, setSaid] = useState('')
  const [error, setError] = useState<unknown>()
  const pins = useLoad(async signal => getJson<PinList>('/ipfs/pins', { type }, signal), [type])
  const needle = filter.trim().toLowerCase()
  const matching = (pins.data?.pins ?? []).filter(p => needle === '' || p.cid.toLowerCase().includes(needle) || (p.name ?? '').toLowerCase().includes(needle))
  const rows = useShownRows(matching, `${type}\n${needle}`, 'pins')

  const unpin = async (cid: string, name: string | null): Promise<void> => {
    if (!await confirmAction('Unpin?', `${name ?? cid} will no longer be kept: garbage collection may remove its blocks unless your files still reach them.`, 'Unpin')) return
    setError(undefined)
    try {
      await postJson<Envelope>('/ipfs/unpin', { cid })
      setSaid(`Unpinned ${cid}.`)
      pins.reload()
    } catch (err) { setError(err) }
  }

  return (
    <Page title='Pins' intro='Pinned content is kept by this node through garbage collection.'>
      <Section title='Pin content' id='pin-heading'>
        <PinForm onPinned={(cid) => { setSaid(`Pinned ${cid}.`); pins.reload() }} />
      </Section>
      <Section title='Pinned' id='pins-heading' actions={<button type='button' onClick={pins.reload}>Refresh</button>}>
        <div class='row'>
          <div class='field'>
            <label for='pins-filter'>Filter by CID or name</label>
            <input id='pins-filter' type='search' value={filter} onInput={(e) => { setFilter(e.currentTarget.value) }} />
          </div>
          <div class='field narrow'>
            <label for='pins-type'>Type</label>
            <select id='pins-type' value={type} onChange={(e) => { setType(e.currentTarget.value) }}>
              <option value='recursive'>recursive</option>
              <option value='direct'>direct</option>
              <option value='indirect'>indirect</option>
              <option value='all'>all</option>
            </select>
          </div>
        </div>
        <p class='ok' aria-live='polite'>{said}</p>
        <ErrorText error={error} />
        <ErrorText error={pins.error} />
        <div class='table-wrap'>
          <table aria-label='Pins' aria-busy={pins.loading}>
            <thead><tr><th>CID</th><th>Name</th><th>Type</th><th>Actions</th></tr></thead>
            <tbody>
              {rows.shown.map(p => (
                <tr key={p.cid}>
                  <td class='mono'><a href={exploreUrl(`/ipfs/${p.cid}`)}>{p.cid}</a> <CopyButton value={p.cid} label={`Copy ${p.cid}`} /></td>
                  <td>{p.name ?? '—'}</td>
                  <td>{p.type}</td>
                  <td>{p.type === 'indirect' ? null : <button type='button' class='small danger' onClick={() => { void unpin(p.cid, p.name) }}>Unpin<span class='visually-hidden'> {p.cid}</span></button>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {rows.more}
        {pins.data != null && matching.length === 0
          ? <EmptyState>{needle !== '' ? 'No pin matches the filter.' : 'Nothing is pinned with this type. Content added through the API is pinned; pin any CID above.'}</EmptyState>
          : null}
      </Section>
    </Page>
  )
}

function PinForm ({ onPinned }: { onPinned(cid: string): void }) {
  const [cid, setCid] = useState('')
  const [name, setName] = useState('')
  const [recursive, setRecursive] = useState(true)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>()
  return (
    <form aria-label='Pin content' onSubmit={(e) => {
      e.preventDefault()
      setBusy(true)
      setError(undefined)
      postJson<Envelope>('/ipfs/pin', { cid: cid.trim().replace(/^\/ipfs\//, ''), recursive, ...(name.trim() !== '' ? { name: name.trim() } : {}) })
        .then(() => { onPinned(cid.trim()); setCid(''); setName('') }, setError)
        .finally(() => { setBusy(false) })
    }}>
      <div class='field'>
        <label for='pin-cid'>CID to pin</label>
        <input id='pin-cid' type='text' value={cid} spellcheck={false} onInput={(e) => { setCid(e.currentTarget.value) }} />
      </div>
      <div class='field narrow'>
        <label for='pin-name'>Name (optional)</label>
        <input id='pin-name' type='text' value={name} onInput={(e) => { setName(e.currentTarget.value) }} />
      </div>
      <label><input type='checkbox' checked={recursive} onChange={(e) => { setRecursive(e.currentTarget.checked) }} /> Recursive</label>
      <button type='submit' class='primary' disabled={busy || cid.trim() === ''}>{busy ? 'Pinning…' : 'Pin'}</button>
      <ErrorText error={error} />
    </form>
  )
}
