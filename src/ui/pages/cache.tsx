/**
 * Cache: the node's Parquet record of every CID it has touched. Tier sizes
 * and hit rates, the hottest CIDs (with moves between the memory and
 * IndexedDB tiers), a query builder over the records, the schema, and the
 * whole cache as one Parquet file.
 */
import { useState } from 'preact/hooks'
import { api, getJson, postJson } from '../api-client.ts'
import { CopyButton } from '../components/copy-button.tsx'
import { EmptyState } from '../components/empty-state.tsx'
import { ErrorText } from '../components/error-text.tsx'
import { Page, Section } from '../components/page.tsx'
import { formatBytes, formatPercent, formatTime, shorten } from '../format.ts'
import { useLoad } from '../use-load.ts'
import type { CacheColumn, CacheFilter, CacheRecord, CacheRecords, CacheSchema, CacheStats, Envelope } from '../api-client.ts'

const HOT_LIMIT = 20
const DEFAULT_QUERY_LIMIT = 100
const MAX_QUERY_LIMIT = 100_000
const OPS = ['=', '!=', '<', '<=', '>', '>=', 'in', 'contains'] as const
type Op = typeof OPS[number]

interface QueryReply extends CacheRecords { total: number, used_indexes: string[] }
interface QueryBody { filters: CacheFilter[], sort?: { column: string, order: 'asc' | 'desc' }, limit: number }
interface TierMoveReply extends Envelope { cid: string, storage_tier: string, bytes: number, evicted: string[] }
interface WorkloadReport {
  workload_type: string
  operations: { reads: number, writes: number, queries: number, cid_lookups: number }
  unused_columns: string[]
  indexed_columns: string[]
}
interface OptimizeReply extends Envelope { report: WorkloadReport }
interface SchemaReply extends CacheSchema { history?: Array<{ version: number, columns: string[], change: string }> }

interface FilterRow { id: number, column: string, op: Op, value: string }

/** One action at a time per section: what it said when it finished, or why it failed. */
function useRunner (): { busy: boolean, said: string, error?: unknown, run(work: () => Promise<string>): void } {
  const [state, setState] = useState<{ busy: boolean, said: string, error?: unknown }>({ busy: false, said: '' })
  const run = (work: () => Promise<string>): void => {
    setState({ busy: true, said: '' })
    work().then((said) => { setState({ busy: false, said }) }, (error: unknown) => { setState({ busy: false, said: '', error }) })
  }
  return { ...state, run }
}

function exploreLink (cid: string): string {
  return `/explore?path=${encodeURIComponent(`/ipfs/${cid}`)}`
}

function CidCell ({ cid }: { cid: string }) {
  return <><a href={exploreLink(cid)} class='mono' title={cid}>{shorten(cid, 6)}</a> <CopyButton value={cid} label={`Copy ${cid}`} /></>
}

function heat (score: number | null | undefined): string {
  return score == null ? '—' : score.toFixed(3)
}

export function CachePage () {
  const [changes, setChanges] = useState(0)
  const changed = (): void => { setChanges(n => n + 1) }
  const schema = useLoad(async signal => getJson<SchemaReply>('/cache/schema', undefined, signal), [])
  return (
    <Page title='Cache' intro='What this node knows of every CID it has added, read or pinned, kept as Parquet files in the browser’s private storage (OPFS).'>
      <Figures changes={changes} onChanged={changed} />
      <Hot changes={changes} onChanged={changed} />
      <QueryBuilder columns={schema.data?.columns} />
      <Schema schema={schema.data} error={schema.error} />
    </Page>
  )
}

function Figures ({ changes, onChanged }: { changes: number, onChanged(): void }) {
  const stats = useLoad(async () => api.cacheStats(), [changes], { every: 5_000 })
  const runner = useRunner()
  const [report, setReport] = useState<WorkloadReport>()
  const s: CacheStats['stats'] | undefined = stats.data?.stats
  const memory = s?.tiers.memory
  const tiers = s == null ? undefined : [{ name: 'memory', ...s.tiers.memory }, { name: 'IndexedDB', ...s.tiers.indexeddb }]

  const exportParquet = (): void => {
    runner.run(async () => {
      const { blob, name } = await api.cacheExport()
      // a blob URL, because Chromium does not send <a download> through the service worker
      const a = document.createElement('a')
      a.href = URL.createObjectURL(blob)
      a.download = name
      a.click()
      setTimeout(() => { URL.revokeObjectURL(a.href) }, 30_000)
      return `Saved ${name} (${formatBytes(blob.size)}).`
    })
  }
  const flush = (): void => {
    runner.run(async () => {
      const reply = await postJson<CacheStats>('/cache/flush', {})
      onChanged()
      return `Flushed: ${reply.stats.records} records in ${reply.stats.partitions} partitions, ${formatBytes(reply.stats.bytes_on_disk)} on disk.`
    })
  }
  const optimize = (): void => {
    runner.run(async () => {
      const reply = await postJson<OptimizeReply>('/cache/optimize', {})
      setReport(reply.report)
      onChanged()
      return `Optimized: the workload is ${reply.report.workload_type}.`
    })
  }

  return (
    <Section title='Tiers and figures' id='cache-figures-heading' actions={
      <div class='actions'>
        <button type='button' disabled={runner.busy} onClick={flush}>Flush now</button>
        <button type='button' disabled={runner.busy} onClick={optimize}>Optimize</button>
        <button type='button' class='primary' disabled={runner.busy} onClick={exportParquet}>Export as Parquet</button>
      </div>
    }>
      <p class='ok' aria-live='polite'>{runner.said}</p>
      <ErrorText error={runner.error} />
      <dl class='figures'>
        <dt>Records</dt><dd>{s?.records ?? '—'}</dd>
        <dt>Partitions</dt><dd>{s == null ? '—' : `${s.partitions} (${s.partition_strategy})`}</dd>
        <dt>On disk</dt><dd>{formatBytes(s?.bytes_on_disk)}</dd>
        <dt>Schema version</dt><dd>{s?.schema_version ?? '—'}</dd>
        <dt>Writes</dt><dd>{s == null ? '—' : s.read_only ? 'read-only: a file could not be read at load, so nothing is written this session' : 'enabled'}</dd>
        <dt>Last flush</dt><dd>{s == null ? '—' : s.last_flush_at == null ? 'not yet' : formatTime(s.last_flush_at)}</dd>
        <dt>Indexed columns</dt><dd>{s == null ? '—' : s.indexed_columns.length === 0 ? 'none (Optimize builds them for columns queries use)' : s.indexed_columns.join(', ')}</dd>
      </dl>
      <p class='label' id='cache-memory-label'>Memory tier</p>
      <div class='meter' role='meter' aria-labelledby='cache-memory-label' aria-valuemin={0} aria-valuemax={memory?.max_bytes ?? 0} aria-valuenow={memory?.bytes ?? 0}
        aria-valuetext={`${formatBytes(memory?.bytes)} of ${formatBytes(memory?.max_bytes)}`}>
        <span style={{ width: `${memory != null && memory.max_bytes > 0 ? Math.min(100, (memory.bytes / memory.max_bytes) * 100) : 0}%` }} />
      </div>
      <p class='note'>{formatBytes(memory?.bytes)} of {formatBytes(memory?.max_bytes)}{memory?.evictions != null ? `, ${memory.evictions} evictions` : ''}</p>
      <div class='table-wrap'>
        <table aria-label='Lookups per tier' aria-busy={stats.loading}>
          <thead><tr><th>Tier</th><th class='num'>Records</th><th class='num'>Hits</th><th class='num'>Misses</th><th class='num'>Hit ratio</th></tr></thead>
          <tbody>
            {tiers == null
              ? <tr><td>—</td><td class='num'>—</td><td class='num'>—</td><td class='num'>—</td><td class='num'>—</td></tr>
              : tiers.map(t => (
                <tr key={t.name}>
                  <td>{t.name}</td>
                  <td class='num'>{t.records}</td>
                  <td class='num'>{t.hits}</td>
                  <td class='num'>{t.misses}</td>
                  <td class='num'>{t.hits + t.misses === 0 ? '—' : formatPercent(t.hits / (t.hits + t.misses))}</td>
                </tr>
              ))}
          </tbody>
        </table>
      </div>
      <ErrorText error={stats.error} />
      {report != null
        ? (
          <div role='group' aria-labelledby='cache-optimize-heading'>
            <h3 id='cache-optimize-heading' class='sub-heading'>Optimization report</h3>
            <dl class='figures'>
              <dt>Workload type</dt><dd>{report.workload_type}</dd>
              <dt>Operations</dt><dd>{`${report.operations.reads} reads, ${report.operations.writes} writes, ${report.operations.queries} queries, ${report.operations.cid_lookups} CID lookups`}</dd>
              <dt>Unused columns</dt><dd>{report.unused_columns.length === 0 ? 'none' : report.unused_columns.join(', ')}</dd>
              <dt>Indexed columns</dt><dd>{report.indexed_columns.length === 0 ? 'none' : report.indexed_columns.join(', ')}</dd>
            </dl>
          </div>
          )
        : null}
    </Section>
  )
}

function Hot ({ changes, onChanged }: { changes: number, onChanged(): void }) {
  const hot = useLoad(async signal => getJson<CacheRecords>('/cache/hot', { limit: HOT_LIMIT }, signal), [changes])
  const runner = useRunner()
  const records = hot.data?.records ?? []

  const move = (record: CacheRecord, direction: 'promote' | 'demote'): void => {
    runner.run(async () => {
      const reply = await postJson<TierMoveReply>(`/cache/tiers/${direction}`, { cid: record.cid })
      onChanged()
      const what = record.filename ?? shorten(record.cid, 6)
      if (direction === 'demote') return `Dropped ${what} from the memory tier (${formatBytes(reply.bytes)} freed); it stays in IndexedDB.`
      return `Promoted ${what} to the memory tier (${formatBytes(reply.bytes)})${reply.evicted.length > 0 ? `; ${reply.evicted.length} colder ${reply.evicted.length === 1 ? 'record was' : 'records were'} moved out` : ''}.`
    })
  }

  return (
    <Section title='Hottest CIDs' id='cache-hot-heading' actions={<button type='button' onClick={hot.reload}>Refresh</button>}>
      <p class='ok' aria-live='polite'>{runner.said}</p>
      <ErrorText error={runner.error} />
      <ErrorText error={hot.error} />
      <div class='table-wrap'>
        <table aria-label='Hottest CIDs' aria-busy={hot.loading}>
          <thead>
            <tr>
              <th>CID</th><th>Filename</th><th class='num'>Size</th><th class='hide-narrow'>Tier</th>
              <th class='num hide-narrow'>Heat</th><th class='num hide-narrow'>Accesses</th><th class='hide-narrow'>Pinned</th><th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {hot.data == null
              ? <tr><td>—</td><td>—</td><td class='num'>—</td><td class='hide-narrow'>—</td><td class='num hide-narrow'>—</td><td class='num hide-narrow'>—</td><td class='hide-narrow'>—</td><td>—</td></tr>
              : records.map(r => (
                <tr key={r.cid}>
                  <td><CidCell cid={r.cid} /></td>
                  <td>{r.filename ?? '—'}</td>
                  <td class='num'>{formatBytes(r.size_bytes)}</td>
                  <td class='hide-narrow'>{r.storage_tier ?? '—'}</td>
                  <td class='num hide-narrow'>{heat(r.heat_score)}</td>
                  <td class='num hide-narrow'>{r.access_count}</td>
                  <td class='hide-narrow'>{r.is_pinned ? 'yes' : 'no'}</td>
                  <td>
                    {r.storage_tier === 'memory'
                      ? <button type='button' class='small' disabled={runner.busy} onClick={() => { move(r, 'demote') }}>Demote<span class='visually-hidden'> {r.cid}</span></button>
                      : <button type='button' class='small' disabled={runner.busy} onClick={() => { move(r, 'promote') }}>Promote<span class='visually-hidden'> {r.cid}</span></button>}
                  </td>
                </tr>
              ))}
          </tbody>
        </table>
      </div>
      {hot.data != null && records.length === 0
        ? <EmptyState>The cache holds no record yet. Add or open a file (Files or Explore) and it appears here.</EmptyState>
        : null}
    </Section>
  )
}

/**
 * The value a filter row sends, read by its column's type: numbers as
 * numbers, true/false as booleans, `null` as null, a comma list for "in".
 * What does not fit goes as typed, so the API's 400 says what is wrong.
 */
function filterValue (text: string, op: Op, type: string | undefined): unknown {
  if (op === 'in') return text.split(',').map(part => scalar(part.trim(), type))
  if (op === 'contains') return text
  if (text.trim() === 'null' && (op === '=' || op === '!=')) return null
  return scalar(text, type)
}

function scalar (text: string, type: string | undefined): unknown {
  const trimmed = text.trim()
  if (type === 'bool') return trimmed === 'true' ? true : trimmed === 'false' ? false : text
  if (type === 'utf8' || type === 'map_utf8' || type == null) return text
  // numbers and timestamps (which also take ISO dates, left as text)
  return trimmed !== '' && Number.isFinite(Number(trimmed)) ? Number(trimmed) : text
}

function valueHint (op: Op, column: CacheColumn | undefined): string {
  if (op === 'in') return 'values separated by commas'
  if (column == null) return ''
  if (column.type === 'bool') return 'true or false'
  if (column.type === 'timestamp_ms') return 'Unix ms or a date such as 2026-01-31'
  if (column.type === 'utf8') return 'text'
  if (column.type === 'map_utf8') return 'key or key=value (with contains)'
  return 'a number'
}

function QueryBuilder ({ columns }: { columns: CacheColumn[] | undefined }) {
  const [rows, setRows] = useState<FilterRow[]>([])
  const [nextId, setNextId] = useState(1)
  const [sortColumn, setSortColumn] = useState('')
  const [order, setOrder] = useState<'asc' | 'desc'>('desc')
  const [limitText, setLimitText] = useState(String(DEFAULT_QUERY_LIMIT))
  const [result, setResult] = useState<QueryReply>()
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  const limit = Number(limitText)
  const limitInvalid = !/^\d+$/.test(limitText.trim()) || limit > MAX_QUERY_LIMIT
  const typeOf = (name: string): CacheColumn | undefined => columns?.find(c => c.name === name)

  const update = (id: number, change: Partial<FilterRow>): void => {
    setRows(list => list.map(r => r.id === id ? { ...r, ...change } : r))
  }
  const addRow = (): void => {
    setRows(list => [...list, { id: nextId, column: columns?.[0]?.name ?? 'cid', op: '=', value: '' }])
    setNextId(n => n + 1)
  }
  const submit = (e: Event): void => {
    e.preventDefault()
    if (limitInvalid) return
    const body: QueryBody = {
      filters: rows.map(r => ({ column: r.column, op: r.op, value: filterValue(r.value, r.op, typeOf(r.column)?.type) })),
      limit
    }
    if (sortColumn !== '') body.sort = { column: sortColumn, order }
    setBusy(true)
    setError(undefined)
    postJson<QueryReply>('/cache/query', body).then(setResult, (err: unknown) => { setResult(undefined); setError(err) }).finally(() => { setBusy(false) })
  }

  const shown = result?.records ?? []
  return (
    <Section title='Query' id='cache-query-heading'>
      <form aria-label='Query the cache' aria-describedby='cache-query-error' onSubmit={submit} class='stack'>
        {rows.length === 0 ? <p class='note'>No filters: every record matches. Add a filter to narrow the results.</p> : null}
        {rows.map((row, i) => {
          const n = i + 1
          const column = typeOf(row.column)
          const hint = valueHint(row.op, column)
          return (
            <div class='row' role='group' aria-label={`Filter ${n}`} key={row.id}>
              <div class='field narrow'>
                <label for={`cache-filter-${row.id}-column`}>Column<span class='visually-hidden'> of filter {n}</span></label>
                <select id={`cache-filter-${row.id}-column`} value={row.column} onChange={(e) => { update(row.id, { column: e.currentTarget.value }) }}>
                  {(columns ?? [{ name: row.column }]).map(c => <option key={c.name} value={c.name}>{c.name}</option>)}
                </select>
              </div>
              <div class='field narrow'>
                <label for={`cache-filter-${row.id}-op`}>Operator<span class='visually-hidden'> of filter {n}</span></label>
                <select id={`cache-filter-${row.id}-op`} value={row.op} onChange={(e) => { update(row.id, { op: e.currentTarget.value as Op }) }}>
                  {OPS.map(op => <option key={op} value={op}>{op}</option>)}
                </select>
              </div>
              <div class='field'>
                <label for={`cache-filter-${row.id}-value`}>Value<span class='visually-hidden'> of filter {n}</span>{hint !== '' ? ` (${hint})` : ''}</label>
                <input id={`cache-filter-${row.id}-value`} type='text' value={row.value} onInput={(e) => { update(row.id, { value: e.currentTarget.value }) }} />
              </div>
              <button type='button' class='small' onClick={() => { setRows(list => list.filter(r => r.id !== row.id)) }}>Remove<span class='visually-hidden'> filter {n}</span></button>
            </div>
          )
        })}
        <div class='row'>
          <button type='button' onClick={addRow}>Add filter</button>
        </div>
        <div class='row'>
          <div class='field narrow'>
            <label for='cache-sort-column'>Sort by</label>
            <select id='cache-sort-column' value={sortColumn} onChange={(e) => { setSortColumn(e.currentTarget.value) }}>
              <option value=''>none (as recorded)</option>
              {(columns ?? []).filter(c => c.type !== 'map_utf8').map(c => <option key={c.name} value={c.name}>{c.name}</option>)}
            </select>
          </div>
          <div class='field narrow'>
            <label for='cache-sort-order'>Order</label>
            <select id='cache-sort-order' value={order} disabled={sortColumn === ''} onChange={(e) => { setOrder(e.currentTarget.value === 'asc' ? 'asc' : 'desc') }}>
              <option value='desc'>descending</option>
              <option value='asc'>ascending</option>
            </select>
          </div>
          <div class='field narrow'>
            <label for='cache-query-limit'>Limit</label>
            <input id='cache-query-limit' type='number' min={0} max={MAX_QUERY_LIMIT} value={limitText} aria-invalid={limitInvalid} aria-describedby='cache-limit-error'
              onInput={(e) => { setLimitText(e.currentTarget.value) }} />
          </div>
          <button type='submit' class='primary' disabled={busy || limitInvalid}>Run query</button>
        </div>
        {limitInvalid ? <p class='error' id='cache-limit-error'>The limit is a whole number from 0 to {MAX_QUERY_LIMIT}.</p> : null}
      </form>
      <ErrorText error={error} id='cache-query-error' />
      <p class='note' aria-live='polite'>{result == null ? '' : `${result.count} of ${result.total} matching records${result.used_indexes.length > 0 ? `; used the index on ${result.used_indexes.join(', ')}` : ''}.`}</p>
      {result != null
        ? (
          <div class='table-wrap'>
            <table aria-label='Query results' aria-busy={busy}>
              <thead>
                <tr>
                  <th>CID</th><th>Filename</th><th class='num'>Size</th><th class='hide-narrow'>Type</th><th class='hide-narrow'>Tier</th>
                  <th class='num hide-narrow'>Heat</th><th class='num hide-narrow'>Accesses</th><th class='hide-narrow'>Last accessed</th>
                </tr>
              </thead>
              <tbody>
                {shown.map(r => (
                  <tr key={r.cid}>
                    <td><CidCell cid={r.cid} /></td>
                    <td>{r.filename ?? '—'}</td>
                    <td class='num'>{formatBytes(r.size_bytes)}</td>
                    <td class='hide-narrow'>{r.mimetype ?? '—'}</td>
                    <td class='hide-narrow'>{r.storage_tier ?? '—'}</td>
                    <td class='num hide-narrow'>{heat(r.heat_score)}</td>
                    <td class='num hide-narrow'>{r.access_count}</td>
                    <td class='hide-narrow'>{formatTime(r.last_accessed)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          )
        : null}
      {result != null && shown.length === 0
        ? <EmptyState>No record matches. Loosen or remove a filter and run the query again.</EmptyState>
        : null}
    </Section>
  )
}

function Schema ({ schema, error }: { schema: SchemaReply | undefined, error: unknown }) {
  return (
    <Section title='Schema' id='cache-schema-heading'>
      <dl class='figures'>
        <dt>Version</dt><dd>{schema?.version ?? '—'}</dd>
        <dt>Columns</dt><dd>{schema?.columns.length ?? '—'}</dd>
      </dl>
      <ErrorText error={error} />
      <div class='table-wrap'>
        <table aria-label='Cache columns'>
          <thead><tr><th>Column</th><th>Type</th><th class='hide-narrow'>Nullable</th><th class='hide-narrow'>Description</th></tr></thead>
          <tbody>
            {schema == null
              ? <tr><td>—</td><td>—</td><td class='hide-narrow'>—</td><td class='hide-narrow'>—</td></tr>
              : schema.columns.map(c => (
                <tr key={c.name}>
                  <td class='mono'>{c.name}</td>
                  <td>{c.type}</td>
                  <td class='hide-narrow'>{c.nullable ? 'yes' : 'no'}</td>
                  <td class='hide-narrow'>{c.description}</td>
                </tr>
              ))}
          </tbody>
        </table>
      </div>
      {schema?.history != null && schema.history.length > 0
        ? (
          <>
            <h3 class='sub-heading'>Versions</h3>
            <ul class='note'>
              {schema.history.map(v => <li key={v.version}>Version {v.version}: {v.change}</li>)}
            </ul>
          </>
          )
        : null}
    </Section>
  )
}
