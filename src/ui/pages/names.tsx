/**
 * Names: the keychain's keys, publishing a path under a key (IPNS), resolving
 * any name, and what each key last published (read back by resolving the
 * key's own name, which the node answers from its local record store).
 */
import { useState } from 'preact/hooks'
import { ApiError, getJson, postJson } from '../api-client.ts'
import { confirmAction } from '../components/confirm-dialog.tsx'
import { CopyButton } from '../components/copy-button.tsx'
import { ErrorText } from '../components/error-text.tsx'
import { Page, Section } from '../components/page.tsx'
import { useLoad } from '../use-load.ts'
import { exploreUrl } from './explore.tsx'
import type { Envelope, Key, KeyList, Published, Resolved } from '../api-client.ts'

interface KeyWithValue extends Key { published?: Resolved, lookupError?: unknown }

async function keysWithValues (signal: AbortSignal): Promise<KeyWithValue[]> {
  const { keys } = await getJson<KeyList>('/ipfs/key/list', undefined, signal)
  return Promise.all(keys.map(async (key): Promise<KeyWithValue> => {
    try {
      return { ...key, published: await getJson<Resolved>('/ipfs/name/resolve', { name: key.id, timeout: '5s' }, signal) }
    } catch (err) {
      // a key that never published has no record: that is the answer, not an error
      return err instanceof ApiError && err.status === 404 ? key : { ...key, lookupError: err }
    }
  }))
}

export function NamesPage () {
  const keys = useLoad(keysWithValues, [])
  const [said, setSaid] = useState('')
  const [error, setError] = useState<unknown>()
  const list = keys.data ?? []

  const removeKey = async (name: string): Promise<void> => {
    if (!await confirmAction(`Remove the key ${name}?`, 'Its private part is deleted: nothing can publish under its name again.', 'Remove key')) return
    setError(undefined)
    try {
      await postJson<Envelope>('/ipfs/key/rm', { name })
      setSaid(`Removed the key ${name}.`)
      keys.reload()
    } catch (err) { setError(err) }
  }

  return (
    <Page title='Names' intro='IPNS names point at content and can be moved to new content later; each name is a key of this node.'>
      <Section title='Publish' id='publish-heading'>
        <PublishForm keys={list} onPublished={(p) => { setSaid(`Published ${p.value} under ${p.name} (sequence ${p.sequence}${p.published_to_network ? ', put to the network' : ', stored locally'}).`); keys.reload() }} />
        <p class='ok' aria-live='polite'>{said}</p>
      </Section>
      <Section title='Resolve' id='resolve-heading'>
        <ResolveForm />
      </Section>
      <Section title='Keys' id='keys-heading'>
        <KeyGenForm onCreated={(name) => { setSaid(`Created the key ${name}.`); keys.reload() }} />
        <ErrorText error={error} />
        <ErrorText error={keys.error} />
        <div class='table-wrap'>
          <table aria-label='Keys' aria-busy={keys.loading}>
            <thead><tr><th>Key</th><th>Name (IPNS)</th><th>Last published value</th><th>Actions</th></tr></thead>
            <tbody>
              {list.map(k => (
                <tr key={k.name}>
                  <td>{k.name}</td>
                  <td class='mono'>{k.id} <CopyButton value={k.id} label={`Copy the name of key ${k.name}`} /></td>
                  <td>{k.published != null
                    ? <><a href={exploreUrl(k.published.path)}>{k.published.path}</a> <span class='note'>(sequence {k.published.sequence})</span></>
                    : k.lookupError != null ? <ErrorText error={k.lookupError} /> : <span class='note'>never published</span>}</td>
                  <td>{k.name === 'self' ? null : <button type='button' class='small danger' onClick={() => { void removeKey(k.name) }}>Remove<span class='visually-hidden'> key {k.name}</span></button>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Section>
    </Page>
  )
}

function PublishForm ({ keys, onPublished }: { keys: Key[], onPublished(p: Published): void }) {
  const [key, setKey] = useState('self')
  const [path, setPath] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>()
  return (
    <form aria-label='Publish a name' onSubmit={(e) => {
      e.preventDefault()
      setBusy(true)
      setError(undefined)
      const value = path.trim().startsWith('/') ? path.trim() : `/ipfs/${path.trim()}`
      postJson<Published>('/ipfs/name/publish', { path: value, key }).then(onPublished, setError).finally(() => { setBusy(false) })
    }}>
      <div class='field'>
        <label for='publish-path'>CID or path to publish</label>
        <input id='publish-path' type='text' value={path} spellcheck={false} onInput={(e) => { setPath(e.currentTarget.value) }} />
      </div>
      <div class='field narrow'>
        <label for='publish-key'>Key</label>
        <select id='publish-key' value={key} onChange={(e) => { setKey(e.currentTarget.value) }}>
          {(keys.length > 0 ? keys.map(k => k.name) : ['self']).map(name => <option key={name} value={name}>{name}</option>)}
        </select>
      </div>
      <button type='submit' class='primary' disabled={busy || path.trim() === ''}>{busy ? 'Publishing…' : 'Publish'}</button>
      <ErrorText error={error} />
    </form>
  )
}

function ResolveForm () {
  const [name, setName] = useState('')
  const [busy, setBusy] = useState(false)
  const [result, setResult] = useState<Resolved>()
  const [error, setError] = useState<unknown>()
  return (
    <>
      <form aria-label='Resolve a name' onSubmit={(e) => {
        e.preventDefault()
        setBusy(true)
        setError(undefined)
        setResult(undefined)
        getJson<Resolved>('/ipfs/name/resolve', { name: name.trim() }).then(setResult, setError).finally(() => { setBusy(false) })
      }}>
        <div class='field'>
          <label for='resolve-name'>Name to resolve</label>
          <input id='resolve-name' type='text' value={name} spellcheck={false} onInput={(e) => { setName(e.currentTarget.value) }} />
        </div>
        <button type='submit' disabled={busy || name.trim() === ''}>{busy ? 'Resolving…' : 'Resolve'}</button>
      </form>
      <ErrorText error={error} />
      {result != null ? <p aria-live='polite'>Resolves to <a href={exploreUrl(result.path)}>{result.path}</a> (sequence {result.sequence}).</p> : null}
    </>
  )
}

function KeyGenForm ({ onCreated }: { onCreated(name: string): void }) {
  const [name, setName] = useState('')
  const [error, setError] = useState<unknown>()
  return (
    <form aria-label='Create a key' onSubmit={(e) => {
      e.preventDefault()
      setError(undefined)
      postJson<Envelope>('/ipfs/key/gen', { name: name.trim() }).then(() => { onCreated(name.trim()); setName('') }, setError)
    }}>
      <div class='field narrow'>
        <label for='key-name'>New key name</label>
        <input id='key-name' type='text' value={name} onInput={(e) => { setName(e.currentTarget.value) }} />
      </div>
      <button type='submit' disabled={name.trim() === ''}>Create key</button>
      <ErrorText error={error} />
    </form>
  )
}
