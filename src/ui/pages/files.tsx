/**
 * Files: the node's mutable file system (MFS). A folder per URL
 * (`/files/photos/2024`), uploads by button or drag-and-drop (folders too)
 * with progress, previews, rename/move/copy (drag a row onto a folder to move
 * it), delete with confirmation, download, copy CID and share.
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import { API, getJson, mfsReadUrl, postJson } from '../api-client.ts'
import { confirmAction } from '../components/confirm-dialog.tsx'
import { ContentPreview, downloadUrl } from '../components/content-preview.tsx'
import { CopyButton } from '../components/copy-button.tsx'
import { EmptyState } from '../components/empty-state.tsx'
import { ErrorText } from '../components/error-text.tsx'
import { Page, Section } from '../components/page.tsx'
import { ProgressBar } from '../components/progress-bar.tsx'
import { useShownRows } from '../components/shown-rows.tsx'
import { formatBytes, shorten } from '../format.ts'
import { navigate, route } from '../router.ts'
import { cancelUpload, clearFinished, filesFromDrop, filesFromInput, isActive, landed, queueUploads, uploadNews, uploads, uploadsRunning } from '../uploads.ts'
import { useLoad } from '../use-load.ts'
import { exploreUrl } from './explore.tsx'
import type { Envelope, MfsEntry, MfsList } from '../api-client.ts'
import type { Upload } from '../uploads.ts'

const MFS_DRAG_TYPE = 'application/x-mfs-path'

export function joinPath (dir: string, name: string): string {
  return `${dir.replace(/\/$/, '')}/${name}`
}

function folderUrl (path: string): string {
  return `/files${path === '/' ? '' : path.split('/').map(encodeURIComponent).join('/')}`
}

export function shareUrl (cid: string): string {
  return `${location.origin}${exploreUrl(`/ipfs/${cid}`)}`
}

type Action = { kind: 'rename' | 'move' | 'copy', entry: MfsEntry }

export function FilesPage () {
  const dir = route.value.path.replace(/^\/files/, '') || '/'
  const previewName = route.value.query.get('preview')
  const listing = useLoad(async signal => getJson<MfsList>('/ipfs/files/ls', { path: dir, long: true }, signal), [dir, landed.value])
  const [action, setAction] = useState<Action>()
  const [actionDir, setActionDir] = useState(dir)
  // a rename or move form belongs to the folder it was opened in
  if (actionDir !== dir) { setActionDir(dir); setAction(undefined) }
  const firstDir = useRef(true)
  useEffect(() => {
    // opening a folder removes the link that had focus: give it to the page heading, as a page change does
    if (firstDir.current) { firstDir.current = false; return }
    document.querySelector<HTMLElement>('main h1')?.focus()
  }, [dir])
  const [actionError, setActionError] = useState<unknown>()
  const [said, setSaid] = useState('')
  const [dragOver, setDragOver] = useState(false)
  const [dropTarget, setDropTarget] = useState<string>()

  const entries = [...(listing.data?.entries ?? [])].sort((a, b) => a.type === b.type ? a.name.localeCompare(b.name) : a.type === 'directory' ? -1 : 1)
  const previewed = previewName == null ? undefined : entries.find(e => e.name === previewName && e.type === 'file')
  const rows = useShownRows(entries, dir, 'entries')

  const run = async (what: string, work: () => Promise<unknown>): Promise<void> => {
    setActionError(undefined)
    setSaid('')
    try {
      await work()
      setSaid(what)
      setAction(undefined)
      listing.reload()
    } catch (err) {
      setActionError(err)
    }
  }

  const moveInto = (source: string, folder: string): void => {
    const name = source.split('/').at(-1) ?? ''
    const parent = source.slice(0, source.length - name.length - 1) || '/'
    // dropped where it already is, or into itself: nothing to do
    if (parent === folder || source === folder || folder.startsWith(`${source}/`)) return
    void run(`Moved ${name} to ${folder}.`, async () => postJson<Envelope>('/ipfs/files/mv', { source, destination: joinPath(folder, name) }))
  }

  const onDrop = (event: DragEvent, folder = dir): void => {
    event.preventDefault()
    event.stopPropagation()
    setDragOver(false)
    setDropTarget(undefined)
    const transfer = event.dataTransfer
    if (transfer == null) return
    const moved = transfer.getData(MFS_DRAG_TYPE)
    if (moved !== '') { moveInto(moved, folder); return }
    void filesFromDrop(transfer).then((picked) => {
      if (picked.length > 0) queueUploads(picked, folder)
    }, (err: unknown) => { setActionError(err) })
  }

  const remove = async (entry: MfsEntry): Promise<void> => {
    const path = joinPath(dir, entry.name)
    const sure = await confirmAction(`Delete ${entry.name}?`, entry.type === 'directory' ? `The folder ${path} and everything in it will be removed from your files.` : `The file ${path} will be removed from your files.`, 'Delete')
    if (!sure) return
    await run(`Deleted ${entry.name}.`, async () => postJson<Envelope>('/ipfs/files/rm', { path, recursive: true }))
    // the row (and the button that had focus) is gone: say what happened where focus lands
    document.getElementById('files-said')?.focus()
    if (previewName === entry.name) navigate(folderUrl(dir), { replace: true })
  }

  const download = (entry: MfsEntry): void => {
    setActionError(undefined)
    const done = entry.type === 'directory'
      ? downloadUrl(`${API}/ipfs/get/${entry.cid}`, `${entry.name}.tar`)
      : downloadUrl(mfsReadUrl(joinPath(dir, entry.name)), entry.name)
    done.then(() => { setSaid(`Downloaded ${entry.name}.`) }, (err: unknown) => { setActionError(err) })
  }

  return (
    <Page title='Files' intro='Your files on this node (IPFS MFS). Drop files or folders here to upload them; drag a row onto a folder to move it.'>
      <Breadcrumbs dir={dir} onDrop={onDrop} />
      <Section title='Upload and create' id='files-upload-heading'>
        <div class='row'>
          <label class='button'>Upload files<input type='file' multiple class='visually-hidden' onChange={(e) => {
            const input = e.currentTarget
            queueUploads(filesFromInput(input.files), dir)
            input.value = ''
          }} /></label>
          <label class='button'>Upload a folder<input type='file' {...{ webkitdirectory: '' }} class='visually-hidden' onChange={(e) => {
            const input = e.currentTarget
            queueUploads(filesFromInput(input.files), dir)
            input.value = ''
          }} /></label>
          <NewFolder dir={dir} onCreated={(name) => { setSaid(`Created ${name}.`); listing.reload() }} />
        </div>
        <div class={`dropzone ${dragOver ? 'over' : ''}`} aria-label={`Drop files or folders to upload them into ${dir}`}
          onDragOver={(e) => { e.preventDefault(); setDragOver(true) }} onDragLeave={() => { setDragOver(false) }} onDrop={(e) => { onDrop(e) }}>
          Drop files or folders here to upload them into <code>{dir}</code>
        </div>
        <UploadList />
      </Section>

      {previewed != null
        ? (
          <Section title={`Preview: ${previewed.name}`} id='files-preview-heading' actions={
            <button type='button' onClick={() => { navigate(folderUrl(dir)) }}>Close preview</button>
          }>
            <ContentPreview url={mfsReadUrl(joinPath(dir, previewed.name))} name={previewed.name} />
            <ShareLine cid={previewed.cid} />
          </Section>
          )
        : null}

      {action != null ? <ActionForm key={`${dir}:${action.kind}:${action.entry.name}`} dir={dir} action={action} onCancel={() => { setAction(undefined) }} onRun={run} /> : null}

      <Section title={`Folder ${dir}`} id='files-list-heading' actions={<button type='button' onClick={listing.reload}>Refresh</button>}>
        <p class='ok' aria-live='polite' id='files-said' tabIndex={-1}>{said}</p>
        <p class='visually-hidden' aria-live='polite'>{uploadNews.value}</p>
        <ErrorText error={actionError} />
        <ErrorText error={listing.error} />
        <div class='table-wrap' onDragOver={(e) => { e.preventDefault() }} onDrop={(e) => { onDrop(e) }}>
          <table aria-label={`Contents of ${dir}`} aria-busy={listing.loading}>
            <thead><tr><th>Name</th><th class='num'>Size</th><th class='hide-narrow'>Type</th><th class='hide-narrow'>CID</th><th>Actions</th></tr></thead>
            <tbody>
              {rows.shown.map(entry => {
                const path = joinPath(dir, entry.name)
                const isDir = entry.type === 'directory'
                return (
                  <tr key={entry.name} draggable class={`${dropTarget === entry.name ? 'drop-target' : ''} ${previewName === entry.name ? 'selected' : ''}`}
                    onDragStart={(e) => { e.dataTransfer?.setData(MFS_DRAG_TYPE, path) }}
                    onDragOver={isDir ? (e) => { e.preventDefault(); setDropTarget(entry.name) } : undefined}
                    onDragLeave={isDir ? () => { setDropTarget(undefined) } : undefined}
                    onDrop={isDir ? (e) => { onDrop(e, path) } : undefined}>
                    <td>{isDir ? <a href={folderUrl(path)}>{entry.name}/</a> : <a href={`${folderUrl(dir)}?preview=${encodeURIComponent(entry.name)}`}>{entry.name}</a>}</td>
                    <td class='num'>{isDir ? '—' : formatBytes(entry.size)}</td>
                    <td class='hide-narrow'>{isDir ? 'folder' : 'file'}</td>
                    <td class='hide-narrow mono' title={entry.cid}>{shorten(entry.cid, 6)} <CopyButton value={entry.cid} label={`Copy the CID of ${entry.name}`} /></td>
                    <td>
                      <div class='actions'>
                        <button type='button' class='small' onClick={() => { download(entry) }}>Download<span class='visually-hidden'> {entry.name}</span></button>
                        <button type='button' class='small' onClick={() => { setAction({ kind: 'rename', entry }) }}>Rename<span class='visually-hidden'> {entry.name}</span></button>
                        <button type='button' class='small' onClick={() => { setAction({ kind: 'move', entry }) }}>Move<span class='visually-hidden'> {entry.name}</span></button>
                        <button type='button' class='small' onClick={() => { setAction({ kind: 'copy', entry }) }}>Copy to<span class='visually-hidden'> {entry.name}</span></button>
                        <button type='button' class='small danger' onClick={() => { void remove(entry) }}>Delete<span class='visually-hidden'> {entry.name}</span></button>
                      </div>
                    </td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        </div>
        {rows.more}
        {listing.data != null && entries.length === 0
          ? <EmptyState>This folder is empty. Upload files or folders, drop them here, or create a folder.</EmptyState>
          : null}
      </Section>
    </Page>
  )
}

function Breadcrumbs ({ dir, onDrop }: { dir: string, onDrop(event: DragEvent, folder: string): void }) {
  const parts = dir.split('/').filter(p => p !== '')
  const crumbs = [{ name: 'Files', path: '/' }, ...parts.map((name, i) => ({ name, path: `/${parts.slice(0, i + 1).join('/')}` }))]
  return (
    <nav aria-label='Breadcrumbs' class='breadcrumbs'>
      <ol>
        {crumbs.map((c, i) => (
          <li key={c.path} onDragOver={(e) => { e.preventDefault() }} onDrop={(e) => { onDrop(e, c.path) }}>
            <a href={folderUrl(c.path)} aria-current={i === crumbs.length - 1 ? 'location' : undefined}>{c.name}</a>
          </li>
        ))}
      </ol>
    </nav>
  )
}

function NewFolder ({ dir, onCreated }: { dir: string, onCreated(name: string): void }) {
  const [name, setName] = useState('')
  const [error, setError] = useState<unknown>()
  const invalid = name.includes('/') || name === '.' || name === '..'
  return (
    <form aria-label='New folder' onSubmit={(e) => {
      e.preventDefault()
      if (name === '' || invalid) return
      setError(undefined)
      postJson<Envelope>('/ipfs/files/mkdir', { path: joinPath(dir, name) }).then(() => { onCreated(name); setName('') }, setError)
    }}>
      <div class='field narrow'>
        <label for='new-folder-name'>New folder name</label>
        <input id='new-folder-name' type='text' value={name} aria-invalid={invalid} aria-describedby='new-folder-error' onInput={(e) => { setName(e.currentTarget.value) }} />
      </div>
      <button type='submit' disabled={name === '' || invalid}>Create folder</button>
      {invalid ? <p class='error' id='new-folder-error'>A folder name cannot contain “/” or be “.” or “..”.</p> : <ErrorText error={error} id='new-folder-error' />}
    </form>
  )
}

function ActionForm ({ dir, action, onCancel, onRun }: { dir: string, action: Action, onCancel(): void, onRun(what: string, work: () => Promise<unknown>): Promise<void> }) {
  const { kind, entry } = action
  const source = joinPath(dir, entry.name)
  const [value, setValue] = useState(kind === 'rename' ? entry.name : source)
  const input = useRef<HTMLInputElement>(null)
  // autofocus does nothing on an element added after load: move focus to the form that just opened
  useEffect(() => { input.current?.focus(); input.current?.select() }, [])
  const label = kind === 'rename' ? `New name for ${entry.name}` : kind === 'move' ? `Move ${entry.name} to (a path)` : `Copy ${entry.name} to (a path)`
  const submit = (e: Event): void => {
    e.preventDefault()
    const destination = kind === 'rename' ? joinPath(dir, value) : value
    const verb = kind === 'copy' ? 'Copied' : kind === 'move' ? 'Moved' : 'Renamed'
    void onRun(`${verb} ${entry.name} to ${destination}.`, async () => postJson<Envelope>(kind === 'copy' ? '/ipfs/files/cp' : '/ipfs/files/mv', { source, destination, parents: kind !== 'rename' }))
  }
  return (
    <Section title={kind === 'rename' ? 'Rename' : kind === 'move' ? 'Move' : 'Copy'} id='files-action-heading'>
      <form onSubmit={submit}>
        <div class='field'>
          <label for='files-action-input'>{label}</label>
          <input id='files-action-input' ref={input} type='text' value={value} onInput={(e) => { setValue(e.currentTarget.value) }} />
        </div>
        <button type='submit' class='primary' disabled={value.trim() === ''}>{kind === 'rename' ? 'Rename' : kind === 'move' ? 'Move' : 'Copy'}</button>
        <button type='button' onClick={onCancel}>Cancel</button>
      </form>
    </Section>
  )
}

function ShareLine ({ cid }: { cid: string }) {
  const link = shareUrl(cid)
  return (
    <div class='row'>
      <span class='label'>CID</span> <code>{cid}</code> <CopyButton value={cid} label='Copy the CID' />
      <span class='label'>Share</span> <a href={link}>open by CID</a> <CopyButton value={link} label='Copy the share link' />
      <a href={`/ipfs/${cid}`} target='_blank' rel='noopener'>open on the gateway</a>
    </div>
  )
}

function UploadList () {
  const list = uploads.value
  if (list.length === 0) return null
  const active = list.filter(u => u.state !== 'cancelled' && u.state !== 'failed')
  const total = active.reduce((s, u) => s + u.total, 0)
  const done = active.reduce((s, u) => s + u.done, 0)
  const started = Math.min(...active.map(u => u.startedAt ?? Infinity))
  const running = uploadsRunning()
  const elapsed = (Date.now() - started) / 1000
  return (
    <div class='uploads' aria-label='Uploads' role='group'>
      <div class='section-head'>
        <h3>Uploads</h3>
        {!running ? <button type='button' class='small' onClick={clearFinished}>Clear finished uploads</button> : null}
      </div>
      <ProgressBar label='All uploads' figures={{ done, total, rate: Number.isFinite(started) && elapsed > 0 && running ? done / elapsed : undefined }} />
      <ul class='upload-items'>
        {list.map(u => <UploadItem key={u.id} upload={u} />)}
      </ul>
    </div>
  )
}

const SHOWN_FILES = 20

function UploadItem ({ upload }: { upload: Upload }) {
  const elapsed = upload.startedAt == null ? 0 : ((upload.finishedAt ?? Date.now()) - upload.startedAt) / 1000
  const state = upload.finishedFirst === true
    ? 'done: it had finished before the cancel reached the node'
    : { queued: 'waiting', uploading: 'uploading', cancelling: 'cancelling…', done: 'done', failed: 'failed', cancelled: 'cancelled' }[upload.state]
  return (
    <li>
      <div class='section-head'>
        <span><strong>{upload.name}</strong> <span class='note'>→ {upload.destination} · {state}</span></span>
        {upload.state === 'queued' || upload.state === 'uploading'
          ? <button type='button' class='small' onClick={() => { cancelUpload(upload.id) }}>Cancel<span class='visually-hidden'> upload of {upload.name}</span></button>
          : null}
      </div>
      <ProgressBar label={`Upload of ${upload.name}`} figures={{ done: upload.done, total: upload.total, rate: elapsed > 0 && isActive(upload.state) ? upload.done / elapsed : undefined }} />
      {upload.files.length > 1
        ? (
          <ul class='upload-files'>
            {upload.files.slice(0, SHOWN_FILES).map(f => (
              <li key={f.path}><span class='note'>{f.path}</span><ProgressBar label={`Upload of ${f.path}`} figures={{ done: f.done, total: f.file.size }} /></li>
            ))}
            {upload.files.length > SHOWN_FILES ? <li class='note'>and {upload.files.length - SHOWN_FILES} more files</li> : null}
          </ul>
          )
        : null}
      <ErrorText error={upload.error} />
    </li>
  )
}
