/**
 * Console: the node's ipfs command line as a terminal. Each line goes to
 * POST /cli/command, which runs it through the same routes as HTTP and
 * answers with what the CLI printed. The transcript lives in module signals
 * so a command that is still running lands in it even after the person
 * visits another page and comes back; the history of lines survives a
 * reload through sessionStorage.
 */
import { signal } from '@preact/signals'
import { useEffect, useRef, useState } from 'preact/hooks'
import { ApiError, apiUrl, getJson } from '../api-client.ts'
import { EmptyState } from '../components/empty-state.tsx'
import { describeError, ErrorText } from '../components/error-text.tsx'
import { Page, Section } from '../components/page.tsx'
import { useLoad } from '../use-load.ts'
import type { Envelope } from '../api-client.ts'

/** What POST /cli/command answers, failures included (they keep `output` and add `error`). */
interface CliCommandReply extends Envelope {
  command: string
  output: string
  result: unknown
  exit_code: number
}

interface CliStatus extends Envelope {
  online: boolean
  available: string[]
  unavailable: Array<{ name: string, reason: string }>
  count: number
}

interface Entry {
  id: number
  command: string
  /** Undefined while the command runs. */
  output?: string
  failed: boolean
  /** For a failure: the exit code and the HTTP status the route gave. */
  detail?: string
  /** How much of the output was left out of the page. */
  cutChars?: number
}

const HISTORY_KEY = 'mcp-console-history'
const HISTORY_LIMIT = 200
const TRANSCRIPT_LIMIT = 300
/** A `cat` of a large text file prints all of it; a <pre> of many megabytes would stall the page. */
const OUTPUT_LIMIT = 256 * 1024
const EXAMPLES = ['help', 'files ls /', 'add -- hello world', 'add --help', 'pin ls', 'id', 'clear']

const transcript = signal<Entry[]>([])
const running = signal<{ id: number, controller: AbortController } | undefined>(undefined)
let nextId = 1

function readHistory (): string[] {
  try {
    const parsed: unknown = JSON.parse(sessionStorage.getItem(HISTORY_KEY) ?? '[]')
    return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === 'string') : []
  } catch {
    return []
  }
}

function remember (line: string): string[] {
  const history = readHistory()
  if (history.at(-1) !== line) history.push(line)
  const kept = history.slice(-HISTORY_LIMIT)
  try {
    sessionStorage.setItem(HISTORY_KEY, JSON.stringify(kept))
  } catch {
    // storage full or blocked: the history still works for this visit
  }
  return kept
}

/**
 * `add --help` (Kubo's way of asking) becomes `help add`, which the CLI
 * answers; the words after `--` are content, so a `--help` there is left alone.
 */
function asCliLine (line: string): string {
  const words = line.trim().split(/\s+/)
  if (words[0] === 'ipfs') words.shift()
  const last = words.at(-1)
  if ((last === '--help' || last === '-h') && !words.includes('--')) return ['help', ...words.slice(0, -1)].join(' ')
  return line
}

function updateEntry (id: number, change: Partial<Entry>): void {
  transcript.value = transcript.value.map(e => e.id === id ? { ...e, ...change } : e)
}

function finish (id: number, output: string, failed: boolean, detail?: string): void {
  const cutChars = output.length > OUTPUT_LIMIT ? output.length - OUTPUT_LIMIT : undefined
  updateEntry(id, { output: cutChars == null ? output : output.slice(0, OUTPUT_LIMIT), failed, detail, cutChars })
}

async function runLine (line: string): Promise<void> {
  const id = nextId++
  const controller = new AbortController()
  transcript.value = [...transcript.value, { id, command: line, failed: false }].slice(-TRANSCRIPT_LIMIT)
  running.value = { id, controller }
  try {
    const response = await fetch(apiUrl('/cli/command'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ command: asCliLine(line) }),
      signal: controller.signal
    })
    const text = await response.text()
    let reply: Partial<CliCommandReply> | undefined
    try {
      reply = JSON.parse(text) as Partial<CliCommandReply>
    } catch {
      reply = undefined
    }
    if (response.ok && reply?.success === true) {
      finish(id, typeof reply.output === 'string' ? reply.output : '', false)
      return
    }
    const error = new ApiError(response.status, reply?.error_type ?? 'HttpError', reply?.error ?? (text !== '' && reply == null ? text : `${response.status} ${response.statusText}`))
    // the CLI prints its own failure (usage text, "Error: …"); a failure before the CLI ran (bad JSON, node not ready) has only the envelope's error
    const printed = typeof reply?.output === 'string' && reply.output !== '' ? reply.output : describeError(error)
    const exit = typeof reply?.exit_code === 'number' ? `exit code ${reply.exit_code} · ` : ''
    finish(id, printed, true, `${exit}HTTP ${response.status} ${error.errorType}`)
  } catch (err) {
    finish(id, controller.signal.aborted ? 'Stopped: the command was cancelled from this page.' : describeError(err), true)
  } finally {
    if (running.value?.id === id) running.value = undefined
  }
}

export function ConsolePage () {
  const [line, setLine] = useState('')
  const input = useRef<HTMLInputElement>(null)
  const screen = useRef<HTMLDivElement>(null)
  /** Where ↑/↓ stand in the history (its length = the line being typed) and what was typed before moving. */
  const cursor = useRef<{ history: string[], at: number, draft: string }>({ history: [], at: 0, draft: '' })
  const status = useLoad(async signal => getJson<CliStatus>('/cli/status', undefined, signal), [], { every: 15_000 })
  const entries = transcript.value
  const busy = running.value != null
  const last = entries.at(-1)

  useEffect(() => {
    const history = readHistory()
    cursor.current = { history, at: history.length, draft: '' }
  }, [])

  // keep the newest output in view, as a terminal does
  useEffect(() => {
    const box = screen.current
    if (box != null) box.scrollTop = box.scrollHeight
  }, [entries.length, last?.output])

  const focusInput = (): void => { input.current?.focus() }
  // after a run, focus returns to the input unless the person has moved on to something outside the terminal
  const refocus = (): void => {
    const active = document.activeElement
    if (active == null || active === document.body || screen.current?.contains(active) === true) focusInput()
  }

  const submit = (event: Event): void => {
    event.preventDefault()
    if (busy) return
    const text = line.trim()
    if (text === '') return
    const history = remember(text)
    cursor.current = { history, at: history.length, draft: '' }
    setLine('')
    // pressing Run moves focus to a button that is about to be disabled: bring it back where typing happens
    focusInput()
    if (text === 'clear') {
      transcript.value = []
      return
    }
    void runLine(text).then(refocus)
  }

  const moveInHistory = (event: KeyboardEvent): void => {
    if (event.key !== 'ArrowUp' && event.key !== 'ArrowDown') return
    const c = cursor.current
    const to = event.key === 'ArrowUp' ? c.at - 1 : c.at + 1
    if (to < 0 || to > c.history.length) return
    event.preventDefault()
    if (c.at === c.history.length) c.draft = line
    c.at = to
    const value = to === c.history.length ? c.draft : c.history[to]
    setLine(value)
    // the caret goes to the end of the recalled line once it is rendered
    requestAnimationFrame(() => { input.current?.setSelectionRange(value.length, value.length) })
  }

  // a click on the terminal's background (not a selection of output) puts the caret back in the input
  const clickScreen = (event: MouseEvent): void => {
    const target = event.target as Element | null
    if (target?.closest('button, a, input') != null) return
    if ((getSelection()?.toString() ?? '') !== '') return
    focusInput()
  }

  const pick = (example: string): void => {
    setLine(example)
    focusInput()
  }

  return (
    <Page title='Console' intro='The ipfs command line, run by this node: type a command and press Enter. ↑ and ↓ recall earlier commands; "help" lists every command, "help <command>" or "<command> --help" explains one, "clear" empties the screen.'>
      <div class='row console-examples' role='group' aria-label='Example commands'>
        <span class='label'>Examples (put in the input):</span>
        {EXAMPLES.map(example => (
          <button key={example} type='button' class='small mono' onClick={() => { pick(example) }}>{example}</button>
        ))}
      </div>

      <div class='terminal' ref={screen} onClick={clickScreen}>
        <p class='console-meta'>Type "help" to list the commands.</p>
        <div role='log' aria-label='Console output'>
          {entries.map(entry => <TranscriptEntry key={entry.id} entry={entry} />)}
        </div>
        <form aria-label='Run a command' onSubmit={submit}>
          <label for='console-command' class='visually-hidden'>Command</label>
          <span class='prompt' aria-hidden='true'>ipfs&gt;</span>
          <input id='console-command' type='text' value={line} autocomplete='off' autocapitalize='off' spellcheck={false}
            aria-describedby='console-running'
            onInput={(e) => { setLine(e.currentTarget.value) }} onKeyDown={moveInHistory} />
          {busy
            ? <button type='button' class='small' onClick={() => { running.value?.controller.abort() }}>Stop</button>
            : null}
          <button type='submit' class='small' disabled={busy}>Run</button>
        </form>
        <p id='console-running' class='console-status' role='status'>{busy ? 'running…' : ''}</p>
      </div>

      <Section title='Commands' id='console-commands-heading'>
        <ErrorText error={status.error} />
        {status.data == null
          ? (status.error == null ? <p class='note' aria-busy='true'>Loading…</p> : null)
          : <CommandList status={status.data} onPick={pick} />}
      </Section>
    </Page>
  )
}

function TranscriptEntry ({ entry }: { entry: Entry }) {
  return (
    <div class='console-entry'>
      <pre class='console-line'><span class='prompt'>ipfs&gt;</span> {entry.command}</pre>
      {entry.output == null
        ? <p class='console-meta' aria-hidden='true'>running…</p>
        : entry.output !== '' ? <pre class={entry.failed ? 'failed' : undefined}>{entry.output}</pre> : null}
      {entry.cutChars != null ? <p class='console-meta'>… {entry.cutChars.toLocaleString()} more characters not shown here.</p> : null}
      {entry.detail != null ? <p class='console-meta'>{entry.detail}</p> : null}
    </div>
  )
}

function CommandList ({ status, onPick }: { status: CliStatus, onPick(command: string): void }) {
  return (
    <>
      <p class='note'>{status.online ? 'The node is online: every command can run.' : 'The node has no connection to other peers, so network commands are unavailable.'} Pick one to put <code>help &lt;command&gt;</code> in the input.</p>
      {status.available.length === 0
        ? <EmptyState>No command can run right now.</EmptyState>
        : (
          <ul class='command-list' aria-label='Available commands'>
            {status.available.map(name => (
              <li key={name}><button type='button' class='small mono' onClick={() => { onPick(`help ${name}`) }}><span class='visually-hidden'>Help for </span>{name}</button></li>
            ))}
          </ul>
          )}
      {status.unavailable.length > 0
        ? (
          <>
            <h3 class='console-subhead'>Unavailable now</h3>
            <ul class='command-list unavailable' aria-label='Unavailable commands'>
              {status.unavailable.map(u => <li key={u.name}><code>{u.name}</code> <span class='note'>{u.reason}</span></li>)}
            </ul>
          </>
          )
        : null}
    </>
  )
}
