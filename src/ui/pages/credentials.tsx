/**
 * Credentials: keys and tokens for storage services, kept encrypted in this
 * browser. The page lists them (never a secret: the API returns none), adds
 * them through a form built from the node's credential types, deletes them,
 * and locks or unlocks the store with its passphrase.
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import { ApiError, apiUrl, callJson, getJson, postJson } from '../api-client.ts'
import { confirmAction } from '../components/confirm-dialog.tsx'
import { EmptyState } from '../components/empty-state.tsx'
import { ErrorText } from '../components/error-text.tsx'
import { Page, Section } from '../components/page.tsx'
import { formatTime } from '../format.ts'
import { useLoad } from '../use-load.ts'
import type { CredentialList, CredentialStatus, CredentialSummary, CredentialType, CredentialTypes, Envelope } from '../api-client.ts'

/** The API's own rules for ids (src/node/credentials): checked here only to say so while typing. */
const SERVICE = /^[a-z0-9][a-z0-9_.-]{0,63}$/
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}$/
const GENERIC_FIELD = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/
const MIN_PASSPHRASE_LENGTH = 8
const LOCKED = 423

interface AddReply extends Envelope { credential: CredentialSummary }

function isLocked (error: unknown): boolean {
  return error instanceof ApiError && error.status === LOCKED
}

export function CredentialsPage () {
  const [changes, setChanges] = useState(0)
  const [unlockRequests, setUnlockRequests] = useState(0)
  const changed = (): void => { setChanges(n => n + 1) }
  const status = useLoad(async signal => getJson<CredentialStatus>('/credentials/status', undefined, signal), [changes])
  const list = useLoad(async signal => getJson<CredentialList>('/credentials', undefined, signal), [changes])
  const types = useLoad(async signal => getJson<CredentialTypes>('/credentials/types', undefined, signal), [])
  // a 423 from any action: the store locked meanwhile; show the unlock form and take the person there
  const onLocked = (): void => { changed(); setUnlockRequests(n => n + 1) }

  return (
    <Page title='Credentials' intro='Keys and tokens for storage services, encrypted in this browser. Secrets never leave the node through the API: this page shows names and dates only.'>
      <LockSection status={status.data} error={status.error} unlockRequests={unlockRequests} onChanged={changed} onLocked={onLocked} />
      <Section title='Add a credential' id='credentials-add-heading'>
        <AddForm types={types.data?.types} typesError={types.error} locked={status.data?.locked === true} onAdded={changed} onLocked={onLocked} />
      </Section>
      <CredentialTable list={list.data} loading={list.loading} error={list.error} onChanged={changed} onLocked={onLocked} />
    </Page>
  )
}

function LockSection ({ status, error, unlockRequests, onChanged, onLocked }: {
  status: CredentialStatus | undefined
  error: unknown
  unlockRequests: number
  onChanged(): void
  onLocked(): void
}) {
  const [said, setSaid] = useState('')
  const [actionError, setActionError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  const act = (what: string, work: () => Promise<unknown>): void => {
    setBusy(true)
    setSaid('')
    setActionError(undefined)
    work().then(() => { setSaid(what); onChanged() }, (err: unknown) => {
      setActionError(err)
      if (isLocked(err)) onLocked()
    }).finally(() => { setBusy(false) })
  }
  const removePassphrase = async (): Promise<void> => {
    const sure = await confirmAction('Remove the passphrase?', 'The credentials stay encrypted, but with a key this browser keeps unlocked: anyone using this browser profile can use them.', 'Remove passphrase')
    if (sure) act('The passphrase is removed; the store no longer locks.', async () => postJson<CredentialStatus>('/credentials/passphrase', { passphrase: null }))
  }

  return (
    <Section title='Lock and passphrase' id='credentials-lock-heading'>
      <dl class='figures'>
        <dt>Passphrase</dt><dd>{status == null ? '—' : status.passphrase_set ? 'set' : 'not set'}</dd>
        <dt>Store</dt><dd>{status == null ? '—' : status.locked ? 'locked' : 'unlocked'}</dd>
        <dt>Credentials</dt><dd>{status?.count ?? '—'}</dd>
      </dl>
      <ErrorText error={error} />
      <p class='ok' aria-live='polite'>{said}</p>
      {status == null
        ? null
        : status.locked
          ? <UnlockForm unlockRequests={unlockRequests} busy={busy} onUnlock={(passphrase) => { act('Unlocked.', async () => postJson<CredentialStatus>('/credentials/unlock', { passphrase })) }} />
          : (
            <>
              {status.passphrase_set
                ? (
                  <div class='actions'>
                    <button type='button' disabled={busy} onClick={() => { act('Locked: the passphrase is needed to add or use a credential.', async () => postJson<CredentialStatus>('/credentials/lock', {})) }}>Lock now</button>
                    <button type='button' class='danger' disabled={busy} onClick={() => { void removePassphrase() }}>Remove passphrase</button>
                  </div>
                  )
                : <p class='note'>Without a passphrase the store never locks. Set one to require it after each browser restart.</p>}
              <PassphraseForm change={status.passphrase_set} busy={busy} onSet={(passphrase) => {
                act(status.passphrase_set ? 'The passphrase is changed.' : 'The passphrase is set: the store now locks when the browser restarts.',
                  async () => postJson<CredentialStatus>('/credentials/passphrase', { passphrase }))
              }} />
            </>
            )}
      <ErrorText error={actionError} id='credentials-lock-error' />
    </Section>
  )
}

function UnlockForm ({ unlockRequests, busy, onUnlock }: { unlockRequests: number, busy: boolean, onUnlock(passphrase: string): void }) {
  const [passphrase, setPassphrase] = useState('')
  const input = useRef<HTMLInputElement>(null)
  useEffect(() => { if (unlockRequests > 0) input.current?.focus() }, [unlockRequests])
  return (
    <form aria-label='Unlock the credential store' aria-describedby='credentials-lock-error' onSubmit={(e) => {
      e.preventDefault()
      if (passphrase === '') return
      onUnlock(passphrase)
      setPassphrase('')
    }}>
      <p class='note'>The store is locked: unlock it with its passphrase to add or use credentials.</p>
      <div class='field'>
        <label for='credentials-unlock-passphrase'>Passphrase</label>
        <input ref={input} id='credentials-unlock-passphrase' type='password' autocomplete='current-password' value={passphrase} onInput={(e) => { setPassphrase(e.currentTarget.value) }} />
      </div>
      <button type='submit' class='primary' disabled={busy || passphrase === ''}>Unlock</button>
    </form>
  )
}

function PassphraseForm ({ change, busy, onSet }: { change: boolean, busy: boolean, onSet(passphrase: string): void }) {
  const [first, setFirst] = useState('')
  const [second, setSecond] = useState('')
  const tooShort = first !== '' && first.length < MIN_PASSPHRASE_LENGTH
  const differs = second !== '' && second !== first
  const problem = tooShort ? `At least ${MIN_PASSPHRASE_LENGTH} characters.` : differs ? 'The two passphrases differ.' : ''
  const ready = first.length >= MIN_PASSPHRASE_LENGTH && first === second
  return (
    <form aria-label={change ? 'Change the passphrase' : 'Set a passphrase'} onSubmit={(e) => {
      e.preventDefault()
      if (!ready) return
      onSet(first)
      setFirst('')
      setSecond('')
    }}>
      <div class='field'>
        <label for='credentials-new-passphrase'>New passphrase</label>
        <input id='credentials-new-passphrase' type='password' autocomplete='new-password' value={first} aria-invalid={tooShort} aria-describedby='credentials-passphrase-problem'
          onInput={(e) => { setFirst(e.currentTarget.value) }} />
      </div>
      <div class='field'>
        <label for='credentials-repeat-passphrase'>Repeat the new passphrase</label>
        <input id='credentials-repeat-passphrase' type='password' autocomplete='new-password' value={second} aria-invalid={differs} aria-describedby='credentials-passphrase-problem'
          onInput={(e) => { setSecond(e.currentTarget.value) }} />
      </div>
      <button type='submit' disabled={busy || !ready}>{change ? 'Change passphrase' : 'Set passphrase'}</button>
      <p class='error' id='credentials-passphrase-problem'>{problem}</p>
    </form>
  )
}

interface GenericRow { id: number, key: string, value: string }

/** What is wrong with each input, keyed by its id; empty when it may be sent. */
function problemsOf (spec: CredentialType | undefined, service: string, name: string, values: Record<string, string>, rows: GenericRow[], knownTypes: string[]): Record<string, string> {
  const problems: Record<string, string> = {}
  if (spec == null) return problems
  if (spec.type === 'generic') {
    if (service === '') problems['credential-service'] = 'Required: the service these credentials are for.'
    else if (!SERVICE.test(service)) problems['credential-service'] = 'Lower-case letters, digits, _ . - (at most 64), starting with a letter or digit.'
    else if (knownTypes.includes(service)) problems['credential-service'] = `“${service}” has its own type: pick it in Type.`
    const filled = rows.filter(r => r.key !== '' || r.value !== '')
    if (filled.length === 0) problems[`credential-generic-key-${rows[0]?.id ?? 0}`] = 'A generic credential needs at least one field.'
    for (const r of filled) {
      if (!GENERIC_FIELD.test(r.key)) problems[`credential-generic-key-${r.id}`] = 'Letters, digits, _ . - (at most 64), not starting with a digit.'
      else if (rows.some(o => o.id !== r.id && o.key === r.key)) problems[`credential-generic-key-${r.id}`] = 'Each field name once.'
      if (r.value === '') problems[`credential-generic-value-${r.id}`] = 'Required: a value for this field.'
    }
  } else {
    for (const field of spec.fields) {
      if (field.required && (values[field.name] ?? '') === '') problems[`credential-field-${field.name}`] = `Required for ${spec.type} credentials.`
    }
  }
  if (name === '') problems['credential-name'] = 'Required: a name to tell this credential apart, such as backup.'
  else if (!NAME.test(name)) problems['credential-name'] = 'Letters, digits, _ . @ - (at most 128), starting with a letter or digit.'
  return problems
}

function AddForm ({ types, typesError, locked, onAdded, onLocked }: {
  types: CredentialType[] | undefined
  typesError: unknown
  locked: boolean
  onAdded(): void
  onLocked(): void
}) {
  const [typeName, setTypeName] = useState('')
  const [service, setService] = useState('')
  const [name, setName] = useState('')
  const [values, setValues] = useState<Record<string, string>>({})
  const [rows, setRows] = useState<GenericRow[]>([{ id: 1, key: '', value: '' }])
  const [nextRow, setNextRow] = useState(2)
  const [overwrite, setOverwrite] = useState(false)
  const [touched, setTouched] = useState<Set<string>>(new Set())
  const [submitted, setSubmitted] = useState(false)
  const [busy, setBusy] = useState(false)
  const [said, setSaid] = useState('')
  const [error, setError] = useState<unknown>()

  const spec = types?.find(t => t.type === typeName) ?? types?.[0]
  const generic = spec?.type === 'generic'
  const knownTypes = (types ?? []).map(t => t.type).filter(t => t !== 'generic')
  const problems = problemsOf(spec, service, name, values, rows, knownTypes)
  const shown = (id: string): string | undefined => submitted || touched.has(id) ? problems[id] : undefined
  const touch = (id: string): void => { setTouched(t => t.has(id) ? t : new Set(t).add(id)) }

  const reset = (): void => {
    setValues({})
    setRows([{ id: nextRow, key: '', value: '' }])
    setNextRow(n => n + 1)
    setTouched(new Set())
    setSubmitted(false)
  }

  const submit = (e: Event): void => {
    e.preventDefault()
    setSubmitted(true)
    setSaid('')
    if (spec == null) return
    const firstProblem = Object.keys(problems)[0]
    if (firstProblem != null) { document.getElementById(firstProblem)?.focus(); return }
    const serviceName = generic ? service : spec.type
    const sent = generic
      ? Object.fromEntries(rows.filter(r => r.key !== '').map(r => [r.key, r.value]))
      : Object.fromEntries(Object.entries(values).filter(([, v]) => v !== ''))
    setBusy(true)
    setError(undefined)
    postJson<AddReply>('/credentials', { service: serviceName, name, values: sent, overwrite: overwrite || undefined }).then((reply) => {
      setSaid(`Added ${reply.credential.service}/${reply.credential.name}.`)
      // the secrets were sent: they need not stay in the page
      reset()
      setName('')
      onAdded()
    }, (err: unknown) => {
      setError(err)
      if (isLocked(err)) onLocked()
    }).finally(() => { setBusy(false) })
  }

  if (types == null) {
    return (
      <>
        <ErrorText error={typesError} />
        {typesError == null ? <p class='note' aria-busy='true'>Loading the credential types…</p> : null}
      </>
    )
  }

  const fieldInput = (id: string, label: string, value: string, secret: boolean, onValue: (v: string) => void, hint?: string) => {
    const problem = shown(id)
    const common = {
      id,
      autocomplete: 'off',
      spellcheck: false,
      value,
      'aria-invalid': problem != null,
      'aria-describedby': `${id}-problem`,
      onInput: (e: Event) => { onValue((e.currentTarget as HTMLInputElement).value); touch(id) },
      onBlur: () => { touch(id) }
    }
    return (
      <div class='field' key={id}>
        <label for={id}>{label}</label>
        {secret ? <input type='password' {...common} /> : <input type='text' {...common} />}
        {problem != null ? <p class='error' id={`${id}-problem`}>{problem}</p> : hint != null ? <p class='note' id={`${id}-problem`}>{hint}</p> : null}
      </div>
    )
  }

  return (
    <form aria-label='Add a credential' aria-describedby='credential-add-error' class='stack' onSubmit={submit} noValidate>
      {locked ? <p class='note'>The store is locked: unlock it above before adding a credential.</p> : null}
      <div class='row'>
        <div class='field'>
          <label for='credential-type'>Type</label>
          <select id='credential-type' value={spec?.type} onChange={(e) => { setTypeName(e.currentTarget.value); reset(); setError(undefined); setSaid('') }} aria-describedby='credential-type-description'>
            {types.map(t => <option key={t.type} value={t.type}>{t.type}</option>)}
          </select>
          <p class='note' id='credential-type-description'>{spec?.description}</p>
        </div>
        {generic
          ? fieldInput('credential-service', 'Service', service, false, setService, 'The service these credentials are for, such as my-gateway.')
          : <p class='note'>Stored under the service <code>{spec?.type}</code>.</p>}
        {fieldInput('credential-name', 'Name', name, false, setName)}
      </div>
      {generic
        ? (
          <div role='group' aria-label='Fields (every value is kept secret)'>
            {rows.map((row, i) => (
              <div class='row' key={row.id}>
                {fieldInput(`credential-generic-key-${row.id}`, `Field name ${i + 1}`, row.key, false, (v) => { setRows(list => list.map(r => r.id === row.id ? { ...r, key: v } : r)) })}
                {fieldInput(`credential-generic-value-${row.id}`, `Value ${i + 1}`, row.value, true, (v) => { setRows(list => list.map(r => r.id === row.id ? { ...r, value: v } : r)) })}
                {rows.length > 1
                  ? <button type='button' class='small' onClick={() => { setRows(list => list.filter(r => r.id !== row.id)) }}>Remove<span class='visually-hidden'> field {i + 1}</span></button>
                  : null}
              </div>
            ))}
            <button type='button' onClick={() => { setRows(list => [...list, { id: nextRow, key: '', value: '' }]); setNextRow(n => n + 1) }}>Add field</button>
          </div>
          )
        : (
          <div class='row'>
            {spec?.fields.map(field => fieldInput(
              `credential-field-${field.name}`,
              `${field.description ?? field.name}${field.required ? '' : ' (optional)'}`,
              values[field.name] ?? '',
              field.secret,
              (v) => { setValues(old => ({ ...old, [field.name]: v })) },
              `${field.name}${field.secret ? ', kept secret' : ''}`
            ))}
          </div>
          )}
      <div class='row'>
        <label class='check'>
          <input type='checkbox' checked={overwrite} onChange={(e) => { setOverwrite(e.currentTarget.checked) }} /> Replace a credential with the same service and name
        </label>
        <button type='submit' class='primary' disabled={busy}>Add credential</button>
      </div>
      <p class='ok' aria-live='polite'>{said}</p>
      <ErrorText error={error} id='credential-add-error' />
    </form>
  )
}

function CredentialTable ({ list, loading, error, onChanged, onLocked }: {
  list: CredentialList | undefined
  loading: boolean
  error: unknown
  onChanged(): void
  onLocked(): void
}) {
  const [said, setSaid] = useState('')
  const [actionError, setActionError] = useState<unknown>()
  const credentials = list?.credentials ?? []

  const remove = async (c: CredentialSummary): Promise<void> => {
    const id = `${c.service}/${c.name}`
    if (!await confirmAction(`Delete ${id}?`, `The credential ${id} and its secrets are removed from this browser. This cannot be undone.`, 'Delete')) return
    setSaid('')
    setActionError(undefined)
    try {
      await callJson<Envelope>(apiUrl(`/credentials/${encodeURIComponent(c.service)}/${encodeURIComponent(c.name)}`), { method: 'DELETE' })
      setSaid(`Deleted ${id}.`)
      onChanged()
    } catch (err) {
      setActionError(err)
      if (isLocked(err)) onLocked()
    }
  }

  return (
    <Section title='Stored credentials' id='credentials-list-heading'>
      <p class='ok' aria-live='polite'>{said}</p>
      <ErrorText error={actionError} />
      <ErrorText error={error} />
      <div class='table-wrap'>
        <table aria-label='Credentials' aria-busy={loading}>
          <thead>
            <tr>
              <th>Service</th><th>Name</th><th class='hide-narrow'>Type</th><th class='hide-narrow'>Added</th>
              <th class='hide-narrow'>Last used</th><th class='num hide-narrow'>Uses</th><th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {list == null
              ? <tr><td>—</td><td>—</td><td class='hide-narrow'>—</td><td class='hide-narrow'>—</td><td class='hide-narrow'>—</td><td class='num hide-narrow'>—</td><td>—</td></tr>
              : credentials.map(c => (
                <tr key={c.id}>
                  <td>{c.service}</td>
                  <td>{c.name}</td>
                  <td class='hide-narrow'>{c.credential_type}</td>
                  <td class='hide-narrow'>{formatTime(c.added_at)}</td>
                  <td class='hide-narrow'>{c.last_used == null ? 'never' : formatTime(c.last_used)}</td>
                  <td class='num hide-narrow'>{c.use_count}</td>
                  <td><button type='button' class='small danger' onClick={() => { void remove(c) }}>Delete<span class='visually-hidden'> {c.service}/{c.name}</span></button></td>
                </tr>
              ))}
          </tbody>
        </table>
      </div>
      {list != null && credentials.length === 0
        ? <EmptyState>No credentials yet. Add one above: pick its type, give it a name and fill in its fields.</EmptyState>
        : null}
    </Section>
  )
}
