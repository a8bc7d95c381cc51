/**
 * Explore: open any CID or /ipfs/ or /ipns/ path. A file is previewed, a
 * directory listed, and every block can be looked at as IPLD (dag/get), with
 * its links clickable and its size and codec shown.
 */
import { CID } from 'multiformats/cid'
import { useState } from 'preact/hooks'
import { API, catUrl, contentPathInUrl, encodePath, errorOf, getJson } from '../api-client.ts'
import { ContentPreview, DownloadButton } from '../components/content-preview.tsx'
import { CopyButton } from '../components/copy-button.tsx'
import { EmptyState } from '../components/empty-state.tsx'
import { ErrorText } from '../components/error-text.tsx'
import { Page, Section } from '../components/page.tsx'
import { useShownRows } from '../components/shown-rows.tsx'
import { formatBytes } from '../format.ts'
import { navigate, route } from '../router.ts'
import { useLoad } from '../use-load.ts'
import type { ComponentChildren } from 'preact'
import type { BlockStat, Envelope, LsReply, Resolved } from '../api-client.ts'

const CODECS: Record<number, string> = { 0x70: 'dag-pb', 0x55: 'raw', 0x71: 'dag-cbor', 0x0129: 'dag-json', 0x0200: 'json', 0x51: 'cbor' }
const DAG_TEXT_LIMIT = 64 * 1024

interface DagResolved extends Envelope { cid: string, remainder_path: string }

interface Explored {
  /** The /ipfs/ path everything below reads. */
  ipfsPath: string
  resolvedFrom?: Resolved
  cid: CID
  remainder: string
  block: BlockStat
  listing?: LsReply
  /** Why it is not a directory, when it is UnixFS. */
  unixfs: boolean
}

export function exploreUrl (path: string): string {
  return `/explore?path=${encodeURIComponent(path)}`
}

/** "bafy…", "/ipfs/bafy…/a", "ipfs://…" or "/ipns/k51…" as a path the API takes. */
function normalise (input: string): string {
  const text = input.trim().replace(/^(ipfs|ipns):\/\//, '/$1/')
  if (text.startsWith('/ipfs/') || text.startsWith('/ipns/')) return text
  return `/ipfs/${text.replace(/^\//, '')}`
}

async function explore (path: string, signal: AbortSignal): Promise<Explored> {
  let ipfsPath = path
  let resolvedFrom: Resolved | undefined
  if (path.startsWith('/ipns/')) {
    // the name resolves; what follows it is a path inside what it points at
    const [name, ...rest] = path.slice('/ipns/'.length).split('/')
    resolvedFrom = await getJson<Resolved>('/ipfs/name/resolve', { name: `/ipns/${name}`, timeout: '20s' }, signal)
    ipfsPath = [resolvedFrom.path.replace(/\/$/, ''), ...rest].join('/')
  }
  const inner = contentPathInUrl(ipfsPath)
  const resolved = await getJson<DagResolved>(`/ipfs/dag/resolve/${inner}`, { timeout: '30s' }, signal)
  const cid = CID.parse(resolved.cid)
  const block = await getJson<BlockStat>(`/ipfs/block/stat/${resolved.cid}`, undefined, signal)
  const unixfs = cid.code === 0x70 || cid.code === 0x55
  let listing: LsReply | undefined
  if (cid.code === 0x70 && resolved.remainder_path === '') {
    listing = await getJson<LsReply>(`/ipfs/ls/${inner}`, undefined, signal).catch(() => undefined)
  }
  return { ipfsPath, resolvedFrom, cid, remainder: resolved.remainder_path, block, listing, unixfs }
}

export function ExplorePage () {
  const { path: location, query } = route.value
  const path = query.get('path') ?? (location.startsWith('/ipfs/') || location.startsWith('/ipns/') ? location : '')
  const [input, setInput] = useState(path)
  const [shownFor, setShownFor] = useState(path)
  if (shownFor !== path) { setShownFor(path); setInput(path) }
  const found = useLoad(async signal => path === '' ? undefined : explore(path, signal), [path])
  const data = found.data

  return (
    <Page title='Explore' intro='Open content by CID or path: files are previewed, directories listed, and every block can be read as IPLD.'>
      <form role='search' onSubmit={(e) => { e.preventDefault(); if (input.trim() !== '') navigate(exploreUrl(normalise(input))) }}>
        <div class='field'>
          <label for='explore-input'>CID or /ipfs/ or /ipns/ path</label>
          <input id='explore-input' type='text' value={input} spellcheck={false} autocomplete='off' onInput={(e) => { setInput(e.currentTarget.value) }} />
        </div>
        <button type='submit' class='primary'>Open</button>
      </form>
      {path === '' ? <EmptyState>Paste a CID (bafy…, Qm…) or a path such as /ipfs/&lt;cid&gt;/file.txt or /ipns/&lt;name&gt;, then press Open.</EmptyState> : null}
      {found.loading && data == null ? <p class='note' aria-busy='true'>Looking up {path}…</p> : null}
      <ErrorText error={found.error} />
      {data != null && !found.loading ? <ExploredView data={data} /> : null}
    </Page>
  )
}

function ExploredView ({ data }: { data: Explored }) {
  const { cid, block, listing, ipfsPath, resolvedFrom, remainder } = data
  const name = ipfsPath.split('/').filter(s => s !== '').at(-1) ?? cid.toString()
  return (
    <>
      <Section title='Block' id='explore-block-heading'>
        <dl class='figures'>
          {resolvedFrom != null ? <><dt>Name</dt><dd>{resolvedFrom.name} → <a href={exploreUrl(resolvedFrom.path)}>{resolvedFrom.path}</a> (sequence {resolvedFrom.sequence})</dd></> : null}
          <dt>CID</dt><dd>{cid.toString()} <CopyButton value={cid.toString()} label='Copy the CID' /></dd>
          <dt>Codec</dt><dd>{CODECS[cid.code] ?? `0x${cid.code.toString(16)}`} (CIDv{cid.version})</dd>
          <dt>Block size</dt><dd>{formatBytes(block.size)}</dd>
          <dt>Gateway</dt><dd><a href={encodePath(ipfsPath)} target='_blank' rel='noopener'>{ipfsPath}</a> <span class='note'>(<a href={`/ipfs/${cid.toString()}?format=car`} target='_blank' rel='noopener'>as a CAR</a>)</span></dd>
          {remainder !== '' ? <><dt>Path inside the block</dt><dd>{remainder}</dd></> : null}
        </dl>
      </Section>
      {listing != null
        ? <DirectoryView path={ipfsPath} listing={listing} />
        : data.unixfs && remainder === ''
          ? (
            <Section title='Content' id='explore-content-heading' actions={
              <DownloadButton url={catUrl(ipfsPath)} name={name} label='Download' />
            }>
              <ContentPreview url={catUrl(ipfsPath)} name={name} />
            </Section>
            )
          : null}
      <DagView cid={cid} remainder={remainder} />
    </>
  )
}

function DirectoryView ({ path, listing }: { path: string, listing: LsReply }) {
  const rows = useShownRows(listing.entries, path, 'entries')
  return (
    <Section title='Directory' id='explore-dir-heading' actions={
      <DownloadButton url={`${API}/ipfs/get/${contentPathInUrl(path)}`} name={`${path.split('/').at(-1) ?? 'directory'}.tar`} label='Download as tar' />
    }>
      {listing.entries.length === 0
        ? <EmptyState>This directory is empty.</EmptyState>
        : (
          <>
            <div class='table-wrap'>
              <table aria-label={`Entries of ${path}`}>
                <thead><tr><th>Name</th><th class='num'>Size</th><th class='hide-narrow'>CID</th></tr></thead>
                <tbody>
                  {rows.shown.map(e => (
                    <tr key={e.name}>
                      <td><a href={exploreUrl(`${path}/${e.name}`)}>{e.name}{e.type === 'directory' ? '/' : ''}</a></td>
                      <td class='num'>{e.type === 'directory' ? '—' : formatBytes(e.size)}</td>
                      <td class='hide-narrow mono'>{e.cid}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {rows.more}
          </>
          )}
    </Section>
  )
}

/** The block as dag-json, links ({"/": cid}) as links to explore them. */
function DagView ({ cid, remainder }: { cid: CID, remainder: string }) {
  const [open, setOpen] = useState(cid.code !== 0x55)
  const node = useLoad(async (signal) => {
    if (!open) return undefined
    const response = await fetch(`${API}/ipfs/dag/get/${cid.toString()}${remainder === '' ? '' : `/${encodePath(remainder)}`}`, { signal })
    if (!response.ok) throw await errorOf(response)
    const text = await response.text()
    return text.length > DAG_TEXT_LIMIT ? { cut: true, text: text.slice(0, DAG_TEXT_LIMIT) } : { cut: false, value: JSON.parse(text) as unknown }
  }, [cid.toString(), remainder, open])
  return (
    <Section title='DAG view' id='explore-dag-heading'>
      {!open ? <button type='button' onClick={() => { setOpen(true) }}>Show the block as IPLD</button> : null}
      <ErrorText error={node.error} />
      {node.data != null
        ? node.data.cut
          ? <pre tabIndex={0} aria-label='The block as dag-json (cut)'>{node.data.text}…</pre>
          : <pre tabIndex={0} aria-label='The block as dag-json'><JsonValue value={node.data.value} indent='' /></pre>
        : null}
    </Section>
  )
}

/** Deeper nesting is shown as plain JSON: a crafted block must not exhaust the stack. */
const MAX_DEPTH = 32

function JsonValue ({ value, indent }: { value: unknown, indent: string }): ComponentChildren {
  if (value === null || typeof value !== 'object') return JSON.stringify(value)
  if (indent.length / 2 >= MAX_DEPTH) return JSON.stringify(value)
  const record = value as Record<string, unknown>
  const keys = Object.keys(record)
  if (!Array.isArray(value) && keys.length === 1 && keys[0] === '/' && typeof record['/'] === 'string') {
    const link = record['/']
    return <>{'{"/": '}<a href={exploreUrl(`/ipfs/${link}`)}>"{link}"</a>{'}'}</>
  }
  const inner = `${indent}  `
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]'
    return <>[{'\n'}{value.map((v, i) => <>{inner}<JsonValue value={v} indent={inner} />{i < value.length - 1 ? ',' : ''}{'\n'}</>)}{indent}]</>
  }
  if (keys.length === 0) return '{}'
  return <>{'{'}{'\n'}{keys.map((k, i) => <>{inner}{JSON.stringify(k)}: <JsonValue value={record[k]} indent={inner} />{i < keys.length - 1 ? ',' : ''}{'\n'}</>)}{indent}{'}'}</>
}
