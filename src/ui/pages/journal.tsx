/**
 * Journal: the write-ahead journal of the node's files. What every change
 * did (filterable and paged), the checkpoints that let old entries go, and
 * what recovery did with changes a closed tab left half-done.
 */
import { Fragment } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { getJson, postJson } from '../api-client.ts'
import { CopyButton } from '../components/copy-button.tsx'
import { EmptyState } from '../components/empty-state.tsx'
import { ErrorText } from '../components/error-text.tsx'
import { Page, Section } from '../components/page.tsx'
import { formatBytes, formatDuration, formatTime, shorten } from '../format.ts'
import { useLoad } from '../use-load.ts'
import type { Envelope, JournalEntry, JournalOperations, JournalStats, JournalStatus, RecoveryReport } from '../api-client.ts'

const PAGE_SIZE = 50
const CHECKPOINTS_SHOWN = 20
/** Typing in the path filter waits this long before asking, so each key press is not a request. */
const PATH_DEBOUNCE_MS = 300

const STATUSES = ['pending', 'completed', 'failed', 'rolled_back'] as const
const OPERATION_TYPES = ['create', 'write', 'truncate', 'delete', 'rename', 'copy', 'metadata', 'checkpoint', 'mount', 'unmount'] as const

interface RecoverReply extends Envelope { recovery: RecoveryReport, root_cid: string }
interface CheckpointReply extends Envelope { checkpoint: JournalEntry, root_cid: string, compacted: number }

/** Sub-second apply times matter here (most changes take a few ms), so they keep a decimal. */
function formatMs (ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return '—'
  if (ms < 10) return `${ms.toFixed(1)} ms`
  if (ms < 1000) return `${Math.round(ms)} ms`
  return formatDuration(ms / 1000)
}

function statusLabel (status: string): string {
  return status.replace('_', ' ')
}

function exploreLink (cid: string): string {
  return `/explore?path=${encodeURIComponent(`/ipfs/${cid}`)}`
}

function CidCell ({ cid, what }: { cid: string | null | undefined, what: string }) {
  if (cid == null || cid === '') return <>—</>
  return <><a href={exploreLink(cid)} class='mono' title={cid}>{shorten(cid, 6)}</a> <CopyButton value={cid} label={`Copy the CID of ${what}`} /></>
}

export function JournalPage () {
  const [changes, setChanges] = useState(0)
  const status = useLoad(async signal => getJson<JournalStatus>('/fs-journal/status', undefined, signal), [changes], { every: 10_000 })
  const refresh = (): void => { setChanges(n => n + 1) }
  const s = status.data
  return (
    <Page title='Journal' intro='Every change to your files is journaled before it is applied, so a tab closed mid-change is finished or rolled back when the node starts again.'>
      <Section title='Status' id='journal-status-heading' actions={<button type='button' onClick={refresh}>Refresh</button>}>
        <dl class='figures'>
          <dt>Entries</dt><dd>{s == null ? '—' : `${s.entries} (${formatBytes(s.journal_bytes)})`}</dd>
          {STATUSES.map(name => (
            <Fragment key={name}>
              <dt>{statusLabel(name).replace(/^./, c => c.toUpperCase())}</dt>
              <dd>{s == null ? '—' : s.counts_by_status[name] ?? 0}</dd>
            </Fragment>
          ))}
          <dt>Root CID</dt><dd>{s == null ? '—' : <CidCell cid={s.root_cid} what='the files root' />}</dd>
          <dt>Last checkpoint</dt><dd>{s == null ? '—' : s.last_checkpoint == null ? 'none yet' : `#${s.last_checkpoint.seq}, ${formatTime(s.last_checkpoint.timestamp)}`}</dd>
        </dl>
        <ErrorText error={status.error} />
      </Section>
      <Operations changes={changes} />
      <Checkpoints changes={changes} onChanged={refresh} />
      <Recovery changes={changes} onChanged={refresh} />
    </Page>
  )
}

function Operations ({ changes }: { changes: number }) {
  const [status, setStatus] = useState('')
  const [type, setType] = useState('')
  const [pathText, setPathText] = useState('')
  const [path, setPath] = useState('')
  const [offset, setOffset] = useState(0)
  const pathInvalid = pathText !== '' && !pathText.startsWith('/')

  // the path filter follows typing, a moment after it stops
  useEffect(() => {
    if (pathInvalid) return
    const timer = setTimeout(() => { setPath(pathText); setOffset(0) }, PATH_DEBOUNCE_MS)
    return () => { clearTimeout(timer) }
  }, [pathText, pathInvalid])

  const list = useLoad(async signal => getJson<JournalOperations>('/fs-journal/operations', {
    status: status === '' ? undefined : status,
    operation_type: type === '' ? undefined : type,
    path: path === '' ? undefined : path,
    limit: PAGE_SIZE,
    offset
  }, signal), [status, type, path, offset, changes])

  const page = list.data
  const entries = page?.operations ?? []
  const total = page?.total ?? 0
  const filtered = status !== '' || type !== '' || path !== ''
  const range = page == null ? '—' : total === 0 ? 'No entries' : `Entries ${page.offset + 1}–${page.offset + entries.length} of ${total}, newest first`

  return (
    <Section title='Operations' id='journal-operations-heading'>
      <form aria-label='Filter operations' onSubmit={(e) => { e.preventDefault(); if (!pathInvalid) { setPath(pathText); setOffset(0) } }}>
        <div class='field narrow'>
          <label for='journal-status'>Status</label>
          <select id='journal-status' value={status} onChange={(e) => { setStatus(e.currentTarget.value); setOffset(0) }}>
            <option value=''>any</option>
            {STATUSES.map(name => <option key={name} value={name}>{statusLabel(name)}</option>)}
          </select>
        </div>
        <div class='field narrow'>
          <label for='journal-type'>Operation type</label>
          <select id='journal-type' value={type} onChange={(e) => { setType(e.currentTarget.value); setOffset(0) }}>
            <option value=''>any</option>
            {OPERATION_TYPES.map(name => <option key={name} value={name}>{name}</option>)}
          </select>
        </div>
        <div class='field'>
          <label for='journal-path'>Path (and what lies under it)</label>
          <input id='journal-path' type='search' value={pathText} aria-invalid={pathInvalid} aria-describedby='journal-path-error'
            onInput={(e) => { setPathText(e.currentTarget.value) }} />
        </div>
        <button type='button' disabled={!filtered && pathText === ''} onClick={() => { setStatus(''); setType(''); setPathText(''); setPath(''); setOffset(0) }}>Clear filters</button>
      </form>
      {pathInvalid ? <p class='error' id='journal-path-error'>A path starts with “/”, like /photos/2024.</p> : <ErrorText error={list.error} id='journal-path-error' />}
      <div class='section-head'>
        <p class='note' aria-live='polite'>{range}</p>
        <div class='actions'>
          <button type='button' disabled={offset === 0} onClick={() => { setOffset(o => Math.max(0, o - PAGE_SIZE)) }}>Newer</button>
          <button type='button' disabled={page == null || offset + entries.length >= total} onClick={() => { setOffset(o => o + PAGE_SIZE) }}>Older</button>
        </div>
      </div>
      <div class='table-wrap'>
        <table aria-label='Journal operations' aria-busy={list.loading}>
          <thead>
            <tr>
              <th class='num hide-narrow'>Seq</th><th>Time</th><th>Type</th><th>Path</th><th>Status</th>
              <th class='num hide-narrow'>Duration</th><th class='hide-narrow'>Result CID</th>
            </tr>
          </thead>
          <tbody>
            {page == null
              ? <tr><td class='num hide-narrow'>—</td><td>—</td><td>—</td><td>—</td><td>—</td><td class='num hide-narrow'>—</td><td class='hide-narrow'>—</td></tr>
              : entries.map(entry => (
                <tr key={entry.entry_id}>
                  <td class='num hide-narrow'>{entry.seq}</td>
                  <td>{formatTime(entry.timestamp)}</td>
                  <td>{entry.operation_type}</td>
                  <td class='mono'>{entry.path ?? '—'}</td>
                  <td>
                    <span class={entry.status === 'failed' || entry.status === 'rolled_back' ? 'error' : undefined}>{statusLabel(entry.status)}</span>
                    {entry.error != null ? <div class='note'>{entry.error}</div> : null}
                  </td>
                  <td class='num hide-narrow'>{formatMs(entry.duration_ms)}</td>
                  <td class='hide-narrow'><CidCell cid={entry.result_cid} what={`entry ${entry.seq}`} /></td>
                </tr>
              ))}
          </tbody>
        </table>
      </div>
      {page != null && entries.length === 0
        ? <EmptyState>{filtered
          ? 'No entry matches these filters. Clear them, or pick another status, type or path.'
          : offset > 0 ? 'No entries this far back. Go to newer entries.' : 'The journal is empty. Change something on the Files page and it appears here.'}</EmptyState>
        : null}
    </Section>
  )
}

function Checkpoints ({ changes, onChanged }: { changes: number, onChanged(): void }) {
  const list = useLoad(async signal => getJson<JournalOperations>('/fs-journal/operations', { operation_type: 'checkpoint', limit: CHECKPOINTS_SHOWN }, signal), [changes])
  const [busy, setBusy] = useState(false)
  const [said, setSaid] = useState('')
  const [error, setError] = useState<unknown>()
  const checkpoints = list.data?.operations ?? []

  const create = (): void => {
    setBusy(true)
    setSaid('')
    setError(undefined)
    postJson<CheckpointReply>('/fs-journal/checkpoint', { reason: 'requested in the app' }).then((reply) => {
      setSaid(`Checkpoint #${reply.checkpoint.seq} recorded; ${reply.compacted} older ${reply.compacted === 1 ? 'entry' : 'entries'} compacted away.`)
      onChanged()
    }, setError).finally(() => { setBusy(false) })
  }

  return (
    <Section title='Checkpoints' id='journal-checkpoints-heading' actions={<button type='button' class='primary' disabled={busy} onClick={create}>Create checkpoint</button>}>
      <p class='note'>A checkpoint records the root of your files; settled entries older than the checkpoints kept are removed from the journal.</p>
      <p class='ok' aria-live='polite'>{said}</p>
      <ErrorText error={error} />
      <ErrorText error={list.error} />
      <div class='table-wrap'>
        <table aria-label='Checkpoints' aria-busy={list.loading}>
          <thead><tr><th class='num'>Seq</th><th>Time</th><th class='hide-narrow'>Reason</th><th>Root CID</th></tr></thead>
          <tbody>
            {list.data == null
              ? <tr><td class='num'>—</td><td>—</td><td class='hide-narrow'>—</td><td>—</td></tr>
              : checkpoints.map(entry => {
                const reason = (entry.data as Record<string, unknown> | undefined)?.reason
                return (
                  <tr key={entry.entry_id}>
                    <td class='num'>{entry.seq}</td>
                    <td>{formatTime(entry.timestamp)}</td>
                    <td class='hide-narrow'>{typeof reason === 'string' ? reason : '—'}</td>
                    <td><CidCell cid={entry.result_cid} what={`checkpoint ${entry.seq}`} /></td>
                  </tr>
                )
              })}
          </tbody>
        </table>
      </div>
      {list.data != null && checkpoints.length === 0
        ? <EmptyState>No checkpoint yet. Create one to record the current root; the node also writes one every few hundred changes.</EmptyState>
        : null}
    </Section>
  )
}

function Recovery ({ changes, onChanged }: { changes: number, onChanged(): void }) {
  const stats = useLoad(async signal => getJson<JournalStats>('/fs-journal/stats', undefined, signal), [changes])
  const [ran, setRan] = useState<RecoveryReport>()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>()
  const report = ran ?? stats.data?.last_recovery ?? undefined

  const run = (): void => {
    setBusy(true)
    setError(undefined)
    postJson<RecoverReply>('/fs-journal/recover', {}).then((reply) => { setRan(reply.recovery); onChanged() }, setError).finally(() => { setBusy(false) })
  }

  return (
    <Section title='Recovery' id='journal-recovery-heading' actions={<button type='button' disabled={busy} onClick={run}>Run recovery now</button>}>
      <p class='note'>Recovery runs when the node starts: it re-applies changes that were journaled but not finished, or rolls them back when that cannot be done.</p>
      <ErrorText error={error} />
      <ErrorText error={stats.error} />
      <p class='label'>{ran != null ? 'The recovery just run' : 'The last recovery'}</p>
      <dl class='figures' aria-live='polite'>
        <dt>Ran at</dt><dd>{report == null ? (stats.data == null ? '—' : 'not since this node started') : formatTime(report.at)}</dd>
        <dt>Took</dt><dd>{formatMs(report?.duration_ms)}</dd>
        <dt>Pending transactions</dt><dd>{report?.pending_transactions ?? '—'}</dd>
        <dt>Re-applied</dt><dd>{report?.reapplied ?? '—'}</dd>
        <dt>Rolled back</dt><dd>{report?.rolled_back ?? '—'}</dd>
        <dt>Mean apply time</dt><dd>{stats.data == null ? '—' : formatMs(stats.data.mean_apply_ms)}</dd>
      </dl>
      {report != null && report.actions.length > 0
        ? (
          <div class='table-wrap'>
            <table aria-label='Recovery actions'>
              <thead><tr><th>Action</th><th>Operations</th><th class='hide-narrow'>Transaction</th><th>Result</th></tr></thead>
              <tbody>
                {report.actions.map(a => (
                  <tr key={a.transaction_id}>
                    <td class={a.action === 'rolled_back' ? 'error' : 'ok'}>{a.action === 'reapplied' ? 're-applied' : 'rolled back'}</td>
                    <td class='mono'>{a.operations.join(', ')}</td>
                    <td class='hide-narrow mono' title={a.transaction_id}>{shorten(a.transaction_id, 4)}</td>
                    <td>{a.error != null ? a.error : <CidCell cid={a.result_cid} what={`transaction ${a.transaction_id}`} />}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          )
        : report != null ? <p class='note'>Nothing was left pending: recovery had nothing to do.</p> : null}
    </Section>
  )
}
