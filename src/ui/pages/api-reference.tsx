/**
 * API reference: the node's own OpenAPI document, grouped by tag and
 * filterable, with a "Try it" form on every route that sends the real
 * request and shows the real reply. A route's body is rendered only while it
 * is open, so the ~150 closed routes cost one <summary> each.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { API, errorOf } from '../api-client.ts'
import { EmptyState } from '../components/empty-state.tsx'
import { describeError, ErrorText } from '../components/error-text.tsx'
import { Page, Section } from '../components/page.tsx'
import { formatBytes } from '../format.ts'
import { useLoad } from '../use-load.ts'

/** The parts of a JSON Schema (OpenAPI 3.1) this page reads. */
interface JsonSchema {
  $ref?: string
  type?: string | string[]
  format?: string
  description?: string
  properties?: Record<string, JsonSchema>
  additionalProperties?: boolean | JsonSchema
  required?: string[]
  items?: JsonSchema
  enum?: unknown[]
  const?: unknown
  default?: unknown
  example?: unknown
  examples?: unknown[]
  anyOf?: JsonSchema[]
  oneOf?: JsonSchema[]
  allOf?: JsonSchema[]
  minimum?: number
}

interface Parameter {
  name: string
  in: 'path' | 'query' | 'header' | 'cookie'
  required?: boolean
  description?: string
  schema?: JsonSchema
  example?: unknown
}

interface MediaType { schema?: JsonSchema, example?: unknown }

interface Operation {
  operationId?: string
  summary?: string
  description?: string
  tags?: string[]
  parameters?: Parameter[]
  requestBody?: { required?: boolean, description?: string, content?: Record<string, MediaType> }
  responses?: Record<string, { description?: string }>
}

interface OpenApiDocument {
  openapi: string
  info: { title: string, version: string, description?: string }
  servers?: Array<{ url: string }>
  tags?: Array<{ name: string, description?: string }>
  paths: Record<string, Record<string, unknown>>
  components?: { schemas?: Record<string, JsonSchema> }
}

interface RouteEntry {
  key: string
  method: string
  path: string
  tag: string
  op: Operation
  /** Lower-case text the filter matches against. */
  haystack: string
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']
/** Methods that carry a body even where the document declares none; a DELETE gets one only where it does. */
const BODY_METHODS = new Set(['post', 'put', 'patch'])
/** Shown of a reply at most: enough for any JSON reply, and a large file cannot stall the page. */
const SHOWN_LIMIT = 64 * 1024

async function loadDocument (signal: AbortSignal): Promise<OpenApiDocument> {
  // the document is a bare OpenAPI object, not the API's success envelope, so getJson would refuse it
  const response = await fetch(`${API}/openapi.json`, { signal })
  if (!response.ok) throw await errorOf(response)
  const doc = await response.json() as Partial<OpenApiDocument>
  if (doc.paths == null || typeof doc.paths !== 'object') throw new Error('The reply was not an OpenAPI document (it has no paths).')
  return doc as OpenApiDocument
}

function routesOf (doc: OpenApiDocument): RouteEntry[] {
  const routes: RouteEntry[] = []
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method] as Operation | undefined
      if (op == null) continue
      const tag = op.tags?.[0] ?? 'other'
      routes.push({
        key: `${method} ${path}`,
        method,
        path,
        tag,
        op,
        haystack: [method, path, tag, op.summary ?? '', op.operationId ?? '', ...(op.tags ?? [])].join(' ').toLowerCase()
      })
    }
  }
  return routes
}

/** Groups in the order the document lists its tags, then in the order routes first name them. */
function groupByTag (routes: RouteEntry[], doc: OpenApiDocument): Array<{ tag: string, routes: RouteEntry[] }> {
  const groups = new Map<string, RouteEntry[]>()
  for (const t of doc.tags ?? []) groups.set(t.name, [])
  for (const r of routes) {
    const list = groups.get(r.tag)
    if (list != null) list.push(r)
    else groups.set(r.tag, [r])
  }
  return [...groups].filter(([, list]) => list.length > 0).map(([tag, list]) => ({ tag, routes: list }))
}

function matches (route: RouteEntry, filter: string): boolean {
  const terms = filter.toLowerCase().split(/\s+/).filter(t => t !== '')
  return terms.every(t => route.haystack.includes(t))
}

function idOf (text: string): string {
  return text.replace(/[^A-Za-z0-9_-]+/g, '-')
}

/** The document's base for paths: its first server, which here is the site root. */
function serverBase (doc: OpenApiDocument): string {
  const url = doc.servers?.[0]?.url ?? '/'
  return url.replace(/\/$/, '')
}

export function ApiReferencePage () {
  const loaded = useLoad(loadDocument, [])
  const [filter, setFilter] = useState('')
  const doc = loaded.data
  const routes = useMemo(() => doc == null ? [] : routesOf(doc), [doc])
  const shown = useMemo(() => routes.filter(r => matches(r, filter)), [routes, filter])
  const groups = useMemo(() => doc == null ? [] : groupByTag(shown, doc), [shown, doc])
  const base = doc == null ? '' : serverBase(doc)

  return (
    <Page title='API reference' intro={<>Every route of this node's HTTP API at <code>{API}</code>, from its OpenAPI document (<a href={`${API}/openapi.json`} target='_blank' rel='noreferrer'>openapi.json</a>). Open a route to read it and send a real request.</>}>
      <Section title='Routes' id='api-routes-heading'>
        <form role='search' onSubmit={(e) => { e.preventDefault() }}>
          <div class='field'>
            <label for='api-filter'>Filter routes</label>
            <input id='api-filter' type='search' value={filter} autocomplete='off' aria-describedby='api-filter-count'
              onInput={(e) => { setFilter(e.currentTarget.value) }} />
          </div>
        </form>
        <p id='api-filter-count' class='note' role='status'>
          {doc == null ? '' : filter.trim() === '' ? `${routes.length} routes` : `${shown.length} of ${routes.length} routes match`}
        </p>
        {doc != null ? <p class='note'>{doc.info.title} {doc.info.version} · OpenAPI {doc.openapi}</p> : null}
        <ErrorText error={loaded.error} />
        {doc == null && loaded.error == null ? <p class='api-loading note' aria-busy='true'>Loading…</p> : null}
        {doc != null && shown.length === 0 ? <EmptyState>No route matches “{filter}”. Try a part of a path (<code>pin</code>), a method (<code>post</code>) or a tag.</EmptyState> : null}
      </Section>

      {groups.map(group => (
        <Section key={group.tag} title={group.tag} id={`api-tag-${idOf(group.tag)}`}>
          {group.routes.map(r => <RouteItem key={r.key} route={r} doc={doc as OpenApiDocument} base={base} />)}
        </Section>
      ))}
    </Page>
  )
}

function RouteItem ({ route, doc, base }: { route: RouteEntry, doc: OpenApiDocument, base: string }) {
  const [open, setOpen] = useState(false)
  const { method, path, op } = route
  const prefix = path.startsWith(API) ? API : ''
  return (
    <details class='route' open={open} onToggle={(e) => { setOpen(e.currentTarget.open) }}>
      <summary>
        <span class={`method ${method}`}>{method.toUpperCase()}</span>
        <code class='route-path'>{prefix !== '' ? <span class='route-prefix'>{prefix}</span> : null}{path.slice(prefix.length)}</code>
        {op.summary != null ? <span class='route-summary'>{op.summary}</span> : null}
      </summary>
      {open ? <RouteBody route={route} doc={doc} base={base} /> : null}
    </details>
  )
}

function typeOf (schema: JsonSchema | undefined, doc: OpenApiDocument): string {
  const s = resolve(schema, doc)
  if (s == null) return '—'
  if (s.enum != null) return `one of ${s.enum.map(v => JSON.stringify(v)).join(', ')}`
  const variants = s.anyOf ?? s.oneOf
  // zod writes a query flag as anyOf [boolean, boolean]: say each type once
  if (variants != null) return [...new Set(variants.map(v => typeOf(v, doc)))].join(' | ')
  const type = Array.isArray(s.type) ? s.type.join(' | ') : s.type ?? (s.properties != null ? 'object' : 'any')
  if (type === 'array') return `array of ${typeOf(s.items, doc)}`
  return s.format != null ? `${type} (${s.format})` : type
}

function resolve (schema: JsonSchema | undefined, doc: OpenApiDocument, depth = 0): JsonSchema | undefined {
  if (schema?.$ref == null || depth > 8) return schema
  const name = /^#\/components\/schemas\/(.+)$/.exec(schema.$ref)?.[1]
  return name == null ? schema : resolve(doc.components?.schemas?.[decodeURIComponent(name)], doc, depth + 1)
}

/**
 * A starting body built from the schema: its own examples and defaults where
 * it gives them, and only the required fields, so the prefilled request is
 * the smallest one the route accepts and no optional default is overridden.
 */
function exampleOf (schema: JsonSchema | undefined, doc: OpenApiDocument, depth = 0): unknown {
  const s = resolve(schema, doc)
  if (s == null || depth > 6) return undefined
  if (s.example !== undefined) return s.example
  if (s.examples != null && s.examples.length > 0) return s.examples[0]
  if (s.default !== undefined) return s.default
  if (s.const !== undefined) return s.const
  if (s.enum != null && s.enum.length > 0) return s.enum[0]
  if (s.allOf != null) {
    const parts = s.allOf.map(p => exampleOf(p, doc, depth + 1))
    return parts.every(p => p != null && typeof p === 'object' && !Array.isArray(p)) ? Object.assign({}, ...parts) as unknown : parts[0]
  }
  const variants = s.anyOf ?? s.oneOf
  if (variants != null) {
    const usable = variants.find(v => resolve(v, doc)?.type !== 'null')
    return exampleOf(usable, doc, depth + 1)
  }
  const type = Array.isArray(s.type) ? s.type.find(t => t !== 'null') : s.type
  if (type === 'object' || (type == null && s.properties != null)) {
    const props = Object.entries(s.properties ?? {})
    const required = new Set(s.required ?? [])
    // with no required field, one field that has an example (e.g. name/publish's path) shows the shape
    const chosen = required.size > 0
      ? props.filter(([name]) => required.has(name))
      : props.filter(([, prop]) => resolve(prop, doc)?.example !== undefined).slice(0, 1)
    const out: Record<string, unknown> = {}
    for (const [name, prop] of chosen) {
      const value = exampleOf(prop, doc, depth + 1)
      if (value !== undefined) out[name] = value
    }
    return out
  }
  if (type === 'array') {
    const item = exampleOf(s.items, doc, depth + 1)
    return item === undefined ? [] : [item]
  }
  if (type === 'string') return s.format === 'binary' ? undefined : 'string'
  if (type === 'integer' || type === 'number') return s.minimum ?? 0
  if (type === 'boolean') return false
  if (type === 'null') return null
  return undefined
}

/** The Content-Type a typed body is sent with: JSON when the route takes it, else the first type that is text. */
function bodyTypeOf (op: Operation): string {
  const types = Object.keys(op.requestBody?.content ?? {})
  if (types.length === 0 || types.includes('application/json')) return 'application/json'
  return types.find(t => !t.startsWith('multipart/')) ?? 'application/json'
}

function RouteBody ({ route, doc, base }: { route: RouteEntry, doc: OpenApiDocument, base: string }) {
  const { op, method } = route
  const params = op.parameters ?? []
  const content = op.requestBody?.content ?? {}
  const jsonSchema = content['application/json']?.schema
  const fields = resolve(jsonSchema, doc)
  return (
    <div class='route-body'>
      {op.description != null ? <p class='route-description'>{op.description}</p> : null}
      {op.operationId != null ? <p class='note'>Operation <code>{op.operationId}</code></p> : null}

      <h3>Parameters</h3>
      {params.length === 0
        ? <p class='note'>None.</p>
        : (
          <div class='table-wrap'>
            <table aria-label={`Parameters of ${method.toUpperCase()} ${route.path}`}>
              <thead><tr><th>Name</th><th>In</th><th>Required</th><th>Type</th><th>Description</th></tr></thead>
              <tbody>
                {params.map(p => (
                  <tr key={`${p.in} ${p.name}`}>
                    <td><code>{p.name}</code></td>
                    <td>{p.in}</td>
                    <td>{p.required === true ? 'yes' : 'no'}</td>
                    <td>{typeOf(p.schema, doc)}</td>
                    <td>{p.description ?? resolve(p.schema, doc)?.description ?? ''}{exampleText(p, doc)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          )}

      {op.requestBody != null
        ? (
          <>
            <h3>Request body{op.requestBody.required === true ? ' (required)' : ''}</h3>
            {op.requestBody.description != null ? <p>{op.requestBody.description}</p> : null}
            <p>Content types: {Object.keys(content).map((t, i) => <span key={t}>{i > 0 ? ', ' : ''}<code>{t}</code></span>)}</p>
            {fields?.properties != null && Object.keys(fields.properties).length > 0
              ? (
                <div class='table-wrap'>
                  <table aria-label={`JSON body fields of ${method.toUpperCase()} ${route.path}`}>
                    <thead><tr><th>Field</th><th>Required</th><th>Type</th><th>Description</th></tr></thead>
                    <tbody>
                      {Object.entries(fields.properties).map(([name, prop]) => (
                        <tr key={name}>
                          <td><code>{name}</code></td>
                          <td>{fields.required?.includes(name) === true ? 'yes' : 'no'}</td>
                          <td>{typeOf(prop, doc)}</td>
                          <td>{resolve(prop, doc)?.description ?? ''}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
                )
              : null}
          </>
          )
        : null}

      {op.responses != null
        ? (
          <>
            <h3>Responses</h3>
            <dl class='figures'>
              {Object.entries(op.responses).map(([code, r]) => [<dt key={`t${code}`}>{code}</dt>, <dd key={`d${code}`}>{r.description ?? ''}</dd>])}
            </dl>
          </>
          )
        : null}

      <TryIt route={route} doc={doc} base={base} />
    </div>
  )
}

function exampleText (p: Parameter, doc: OpenApiDocument): string {
  const schema = resolve(p.schema, doc)
  const example = p.example ?? schema?.example
  const text = (value: unknown): string => typeof value === 'string' ? value : JSON.stringify(value)
  return [
    schema?.default !== undefined ? ` Default ${text(schema.default)}.` : '',
    example !== undefined ? ` Example: ${text(example)}` : ''
  ].join('')
}

interface Sent {
  method: string
  url: string
  status?: number
  statusText?: string
  headers?: Array<[string, string]>
  ms?: number
  body?: ShownBody
  error?: unknown
}

type ShownBody =
  | { kind: 'json' | 'text', text: string, bytes: number, cut: boolean, total: number | null }
  | { kind: 'binary', bytes: number, cut: boolean, total: number | null, type: string }

/** Reads at most `limit` bytes of a reply, then lets the rest go. */
async function readCapped (response: Response, limit: number): Promise<{ bytes: Uint8Array, cut: boolean }> {
  const reader = response.body?.getReader()
  if (reader == null) return { bytes: new Uint8Array(0), cut: false }
  const chunks: Uint8Array[] = []
  let total = 0
  let cut = false
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    chunks.push(value)
    total += value.byteLength
    if (total > limit) {
      cut = true
      await reader.cancel()
      break
    }
  }
  const bytes = new Uint8Array(Math.min(total, limit))
  let at = 0
  for (const chunk of chunks) {
    const take = Math.min(chunk.byteLength, bytes.byteLength - at)
    bytes.set(chunk.subarray(0, take), at)
    at += take
    if (at >= bytes.byteLength) break
  }
  return { bytes, cut }
}

function isJsonType (type: string): boolean {
  return /json/i.test(type) && !/ndjson/i.test(type)
}

function isTextType (type: string): boolean {
  return /^text\/|json|xml|javascript|yaml|x-www-form-urlencoded/i.test(type)
}

async function showBody (response: Response): Promise<ShownBody> {
  const type = response.headers.get('content-type') ?? ''
  const length = response.headers.get('content-length')
  const total = length != null && /^\d+$/.test(length) ? Number(length) : null
  const { bytes, cut } = await readCapped(response, SHOWN_LIMIT)
  let text: string | undefined
  if (isTextType(type)) {
    text = new TextDecoder().decode(bytes)
  } else if (type === '') {
    // no type given: text if it decodes as UTF-8
    try { text = new TextDecoder('utf-8', { fatal: true }).decode(bytes) } catch {}
  }
  if (text == null) return { kind: 'binary', bytes: bytes.byteLength, cut, total, type }
  if (isJsonType(type) && !cut) {
    try {
      return { kind: 'json', text: JSON.stringify(JSON.parse(text), null, 2), bytes: bytes.byteLength, cut, total }
    } catch {
      // not the JSON it claims to be: show it as it came
    }
  }
  return { kind: 'text', text, bytes: bytes.byteLength, cut, total }
}

const SHOWN_HEADERS = ['content-type', 'content-length', 'content-range', 'x-ipfs-path', 'etag']

function TryIt ({ route, doc, base }: { route: RouteEntry, doc: OpenApiDocument, base: string }) {
  const { op, method, path } = route
  const inputs = (op.parameters ?? []).filter(p => p.in === 'path' || p.in === 'query')
  const takesBody = op.requestBody != null || BODY_METHODS.has(method)
  const contentType = bodyTypeOf(op)
  const initialBody = useMemo(() => {
    const media = op.requestBody?.content?.[contentType]
    const example = media?.example ?? exampleOf(media?.schema, doc)
    if (example === undefined) return ''
    return contentType === 'application/json' ? JSON.stringify(example, null, 2) : typeof example === 'string' ? example : ''
  }, [op, contentType, doc])
  const [values, setValues] = useState<Record<string, string>>({})
  const [body, setBody] = useState(initialBody)
  const [problem, setProblem] = useState<{ field: string, message: string }>()
  const [sent, setSent] = useState<Sent>()
  const [sending, setSending] = useState(false)
  const inFlight = useRef<AbortController | undefined>(undefined)
  const formId = `try-${idOf(route.key)}`
  // closing the route drops its form: a request still on its way is no longer wanted
  useEffect(() => () => { inFlight.current?.abort() }, [])

  const send = async (event: Event): Promise<void> => {
    event.preventDefault()
    setProblem(undefined)
    const missing = inputs.find(p => (p.in === 'path' || p.required === true) && (values[p.name] ?? '').trim() === '')
    if (missing != null) {
      setProblem({ field: `param:${missing.name}`, message: `Fill in ${missing.name}: the route needs it.` })
      return
    }
    const hasBody = takesBody && body.trim() !== ''
    if (hasBody && contentType === 'application/json') {
      try {
        JSON.parse(body)
      } catch (err) {
        setProblem({ field: 'body', message: `The request body is not valid JSON: ${describeError(err)}` })
        return
      }
    }
    // a value with slashes keeps them, so a CID with a sub-path (cid/a/b) reaches the route's sub-path form
    const filledPath = path.replace(/\{([^}]+)\}/g, (_m, name: string) => (values[name] ?? '').trim().split('/').map(encodeURIComponent).join('/'))
    const query = new URLSearchParams()
    for (const p of inputs) {
      const value = values[p.name] ?? ''
      if (p.in === 'query' && value !== '') query.set(p.name, value)
    }
    const search = query.toString()
    const url = `${base}${filledPath}${search === '' ? '' : `?${search}`}`
    const upper = method.toUpperCase()

    // sending again replaces the request still on its way, so the button never has to be disabled (and lose focus)
    inFlight.current?.abort()
    const controller = new AbortController()
    inFlight.current = controller
    setSending(true)
    setSent({ method: upper, url })
    const started = performance.now()
    try {
      const response = await fetch(url, {
        method: upper,
        headers: hasBody ? { 'Content-Type': contentType } : undefined,
        body: hasBody ? body : undefined,
        signal: controller.signal
      })
      const headers = SHOWN_HEADERS.flatMap(name => {
        const value = response.headers.get(name)
        return value == null ? [] : [[name, value] as [string, string]]
      })
      const shown = await showBody(response)
      if (inFlight.current !== controller) return
      setSent({ method: upper, url, status: response.status, statusText: response.statusText, headers, ms: performance.now() - started, body: shown })
    } catch (error) {
      if (inFlight.current === controller) setSent({ method: upper, url, error })
    } finally {
      if (inFlight.current === controller) setSending(false)
    }
  }

  const cancel = (): void => {
    inFlight.current?.abort()
  }

  return (
    <form class='try-it' id={formId} aria-label={`Try ${method.toUpperCase()} ${path}`} noValidate onSubmit={(e) => { void send(e) }}>
      <h3 class='try-it-title'>Try it</h3>
      {inputs.map(p => {
        const id = `${formId}-${p.in}-${idOf(p.name)}`
        const wrong = problem?.field === `param:${p.name}`
        return (
          <div class='field' key={id}>
            <label for={id}>{p.name}</label>
            <input id={id} type='text' value={values[p.name] ?? ''} required={p.in === 'path' || p.required === true} aria-invalid={wrong}
              aria-describedby={wrong ? `${formId}-problem` : undefined} autocomplete='off'
              onInput={(e) => { const value = e.currentTarget.value; setValues(v => ({ ...v, [p.name]: value })) }} />
          </div>
        )
      })}
      {takesBody
        ? (
          <div class='field try-it-body'>
            <label for={`${formId}-body`}>Request body</label>
            <textarea id={`${formId}-body`} rows={Math.min(12, Math.max(3, body.split('\n').length + 1))} value={body} spellcheck={false}
              aria-invalid={problem?.field === 'body'} aria-describedby={`${formId}-body-type${problem?.field === 'body' ? ` ${formId}-problem` : ''}`}
              onInput={(e) => { setBody(e.currentTarget.value) }} />
            <span class='note' id={`${formId}-body-type`}>Sent as <code>{contentType}</code> when not empty.</span>
          </div>
          )
        : null}
      <div class='actions'>
        <button type='submit' class='primary'>Send request</button>
        {sending ? <button type='button' onClick={cancel}>Cancel request</button> : null}
      </div>
      {problem != null ? <p class='error' role='alert' id={`${formId}-problem`}>{problem.message}</p> : null}
      <p class='note try-it-status' role='status'>
        {sending ? 'Sending…' : sent?.status != null ? `Answered ${sent.status}${sent.statusText !== '' && sent.statusText != null ? ` ${sent.statusText}` : ''} in ${Math.round(sent.ms ?? 0)} ms` : ''}
      </p>
      {sent != null ? <ReplyView sent={sent} /> : null}
    </form>
  )
}

/** The request as sent and the reply as it came: status, a few headers, the body. */
function ReplyView ({ sent }: { sent: Sent }) {
  const body = sent.body
  return (
    <div class='response' role='group' aria-label='Response'>
      <p class='response-line'><span class='label'>Request</span> <code>{sent.method} {sent.url}</code></p>
      <ErrorText error={sent.error} />
      {sent.status != null
        ? (
          <>
            <p class={`response-line ${sent.status >= 400 ? 'error' : 'ok'}`}><span class='label'>Status</span> <code>{sent.status}{sent.statusText != null && sent.statusText !== '' ? ` ${sent.statusText}` : ''}</code></p>
            {sent.headers != null && sent.headers.length > 0
              ? (
                <dl class='figures response-headers'>
                  {sent.headers.map(([name, value]) => [<dt key={`t${name}`}>{name}</dt>, <dd key={`d${name}`}>{value}</dd>])}
                </dl>
                )
              : null}
          </>
          )
        : null}
      {body == null
        ? null
        : body.kind === 'binary'
          ? <p>{formatBytes(body.total ?? body.bytes)}{body.total == null && body.cut ? ' or more' : ''} binary{body.type !== '' ? ` (${body.type})` : ''}: not shown.</p>
          : (
            <>
              <pre class='response-body' tabIndex={0} aria-label='Response body'>{body.text}</pre>
              {body.cut ? <p class='note'>Showing the first {formatBytes(SHOWN_LIMIT)}{body.total != null ? ` of ${formatBytes(body.total)}` : ''}.</p> : null}
              {body.bytes === 0 ? <p class='note'>The reply has no body.</p> : null}
            </>
            )}
    </div>
  )
}
