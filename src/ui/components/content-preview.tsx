/**
 * Shows content where it stands: images, audio, video (the element streams it
 * with Range requests, so it can seek), PDFs, text; anything else gets its
 * type, size and a download. The first request asks for one range, which
 * gives the type, the total size and the start of a text file at once.
 */
import { useEffect, useState } from 'preact/hooks'
import { errorOf } from '../api-client.ts'
import { formatBytes } from '../format.ts'
import { ErrorText } from './error-text.tsx'

const TEXT_LIMIT = 64 * 1024

interface Probe { type: string, size: number, text?: string }

async function probe (url: string, signal: AbortSignal): Promise<Probe> {
  const response = await fetch(url, { headers: { Range: `bytes=0-${TEXT_LIMIT - 1}` }, signal })
  if (response.status === 416) return { type: 'application/octet-stream', size: 0, text: '' }
  if (!response.ok) throw await errorOf(response)
  const type = response.headers.get('content-type') ?? 'application/octet-stream'
  const total = /\/(\d+)$/.exec(response.headers.get('content-range') ?? '')?.[1] ?? response.headers.get('content-length')
  const size = Number(total ?? 0)
  if (isText(type)) return { type, size, text: await response.text() }
  await response.body?.cancel()
  return { type, size }
}

function isText (type: string): boolean {
  return /^text\/|json|xml|javascript/.test(type)
}

/** Saves a URL's bytes under a name: fetched and handed over as a blob, because Chromium does not send <a download> through the service worker. */
export async function downloadUrl (url: string, name: string): Promise<void> {
  const response = await fetch(url)
  if (!response.ok) throw await errorOf(response)
  const a = document.createElement('a')
  a.href = URL.createObjectURL(await response.blob())
  a.download = name
  a.click()
  setTimeout(() => { URL.revokeObjectURL(a.href) }, 30_000)
}

/** A button that downloads a URL and says when it failed, next to itself. */
export function DownloadButton ({ url, name, label }: { url: string, name: string, label: string }) {
  const [state, setState] = useState<{ busy: boolean, error?: unknown }>({ busy: false })
  return (
    <span>
      <button type='button' disabled={state.busy} onClick={() => {
        setState({ busy: true })
        downloadUrl(url, name).then(() => { setState({ busy: false }) }, (error: unknown) => { setState({ busy: false, error }) })
      }}>{state.busy ? 'Downloading…' : label}</button>
      <ErrorText error={state.error} />
    </span>
  )
}

export function ContentPreview ({ url, name }: { url: string, name: string }) {
  const [state, setState] = useState<{ probe?: Probe, error?: unknown }>({})
  useEffect(() => {
    const controller = new AbortController()
    setState({})
    probe(url, controller.signal).then((p) => { setState({ probe: p }) }, (error: unknown) => { if (!controller.signal.aborted) setState({ error }) })
    return () => { controller.abort() }
  }, [url])
  const { probe: p, error } = state
  if (error != null) return <ErrorText error={error} />
  if (p == null) return <p class='preview-box note' aria-busy='true'>Loading the preview…</p>
  const label = `Preview of ${name}`
  const meta = <p class='note'>{p.type}, {formatBytes(p.size)}</p>
  if (p.type.startsWith('image/')) return <div class='preview-box'>{meta}<img src={url} alt={label} /></div>
  if (p.type.startsWith('video/')) return <div class='preview-box'>{meta}<video src={url} controls preload='metadata' aria-label={label} /></div>
  if (p.type.startsWith('audio/')) return <div class='preview-box'>{meta}<audio src={url} controls preload='metadata' aria-label={label} /></div>
  if (p.type === 'application/pdf') return <div class='preview-box'>{meta}<iframe src={url} title={label} class='pdf' /></div>
  if (p.text != null) {
    return (
      <div class='preview-box'>
        {meta}
        <pre aria-label={label} tabIndex={0}>{p.text}</pre>
        {p.size > TEXT_LIMIT ? <p class='note'>Showing the first {formatBytes(TEXT_LIMIT)} of {formatBytes(p.size)}.</p> : null}
      </div>
    )
  }
  return <div class='preview-box'>{meta}<p>No preview for this type: download it to open it.</p></div>
}
