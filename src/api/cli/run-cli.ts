/**
 * Runs one CLI command line against the API: parse like a shell, match
 * Kubo's command names, check flags and arguments, call the route the
 * command names through the same Hono app, and print the result as the
 * CLI would.
 */
import { API_PREFIX } from '../route.ts'
import { COMMANDS } from './commands.ts'
import { CliUsageError } from './errors.ts'
import { parseFlags } from './flags.ts'
import { shellWords } from './shell-words.ts'
import type { ApiCall, CliInput, CommandSpec } from './commands.ts'
import type { FlagValues } from './flags.ts'

export interface CliRequest {
  /** The command line (`files ls /photos`); with `args`/`kwargs`, only the command's name. */
  command: string
  args?: string[]
  /** Flags by name (`{recursive: true}`). */
  kwargs?: Record<string, string | number | boolean>
  /** Text content for add, block put, dag put, files write (in place of `-- text`). */
  content?: string
}

export interface CliReply {
  success: boolean
  command: string
  output: string
  result: unknown
  exit_code: number
  /** The HTTP status of the route the command ran (400 for a usage error). */
  status: number
  error?: string
  error_type?: string
}

/** Whatever can answer a Request: the API app. */
export type Fetcher = (request: Request) => Promise<Response> | Response

const ENVELOPE_FIELDS = new Set(['success', 'operation', 'timestamp'])

/** The command whose name is the longest prefix of the words. */
export function findCommand (words: readonly string[]): { spec: CommandSpec, rest: string[] } | undefined {
  for (const length of [2, 1]) {
    const name = words.slice(0, length).join(' ')
    const spec = COMMANDS.find(c => c.name === name)
    if (spec != null) return { spec, rest: words.slice(length) }
  }
  return undefined
}

export function helpText (name?: string): string {
  if (name != null && name !== '') {
    const found = findCommand(name.split(/\s+/))
    if (found == null || found.rest.length > 0) throw new CliUsageError(`no command "${name}": try "help"`)
    const { spec } = found
    const flags = Object.entries(spec.flags).map(([n, f]) => `  --${n}${f.alias != null ? `, -${f.alias}` : ''}  ${f.description}`)
    return [`USAGE\n  ipfs ${spec.usage}`, '', spec.description, ...(flags.length > 0 ? ['', 'OPTIONS', ...flags] : [])].join('\n')
  }
  const width = Math.max(...COMMANDS.map(c => c.name.length))
  return ['USAGE\n  ipfs <command> [options] [arguments]', '', 'COMMANDS', ...COMMANDS.map(c => `  ${c.name.padEnd(width)}  ${c.description}`), '', 'Use "help <command>" for one command\'s options.'].join('\n')
}

function usageError (command: string, err: CliUsageError, usage?: string): CliReply {
  const text = usage != null ? `Error: ${err.message}\n\nUSAGE\n  ipfs ${usage}` : `Error: ${err.message}`
  return { success: false, command, output: text, result: null, exit_code: 1, status: 400, error: err.message, error_type: CliUsageError.name }
}

/** Parses the request into a command and its input; throws CliUsageError. */
function parse (request: CliRequest): { spec: CommandSpec, input: CliInput } {
  let words: string[]
  let kwargs: FlagValues = {}
  if (request.args != null || request.kwargs != null) {
    words = [...shellWords(request.command), ...(request.args ?? [])]
    kwargs = Object.fromEntries(Object.entries(request.kwargs ?? {}).map(([k, v]) => [k.replace(/_/g, '-'), v]))
  } else {
    words = shellWords(request.command)
  }
  if (words[0] === 'ipfs') words.shift()
  if (words.length === 0) throw new CliUsageError('no command given: try "help"')
  const found = findCommand(words)
  if (found == null) throw new CliUsageError(`unknown command "${words.slice(0, 2).join(' ')}": try "help"`)
  const { spec, rest } = found
  let parsed
  try {
    parsed = parseFlags(rest, spec.flags)
  } catch (err) {
    throw err instanceof CliUsageError && err.usage == null ? new CliUsageError(err.message, spec.usage) : err
  }
  for (const [name, value] of Object.entries(kwargs)) {
    const flag = spec.flags[name]
    if (!Object.hasOwn(spec.flags, name)) throw new CliUsageError(`unknown option --${name}`, spec.usage)
    if ((flag.type === 'bool' && typeof value !== 'boolean') || (flag.type === 'int' && !Number.isInteger(value)) || (flag.type === 'string' && typeof value !== 'string')) {
      throw new CliUsageError(`--${name} takes ${flag.type === 'bool' ? 'true or false' : flag.type === 'int' ? 'a whole number' : 'a string'}`, spec.usage)
    }
    parsed.flags[name] = value
  }
  const required = spec.args.filter(a => !a.endsWith('?')).length
  if (parsed.args.length < required) throw new CliUsageError(`missing argument <${spec.args[parsed.args.length].replace('?', '')}>`, spec.usage)
  if (parsed.args.length > spec.args.length) throw new CliUsageError(`unexpected argument "${parsed.args[spec.args.length]}"`, spec.usage)
  if (parsed.rest != null && spec.takesContent !== true) throw new CliUsageError(`${spec.name} takes no content after --`, spec.usage)
  if (parsed.rest != null && request.content != null) throw new CliUsageError('give the content after -- or in the content field, not both', spec.usage)
  return { spec, input: { args: parsed.args, flags: parsed.flags, content: parsed.rest ?? request.content } }
}

function toRequest (call: ApiCall, flags: FlagValues, signal?: AbortSignal): Request {
  const url = new URL(`http://cli.local${API_PREFIX}${call.path}`)
  // a command reaches only its own route, whatever its arguments hold
  if (url.pathname !== `${API_PREFIX}${call.path}`) throw new CliUsageError('an argument would take the command to another route')
  for (const [k, v] of Object.entries(call.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v))
  if (typeof flags.timeout === 'string') url.searchParams.set('timeout', flags.timeout)
  const init: RequestInit = { method: call.method, signal }
  if (call.json !== undefined) {
    init.body = JSON.stringify(call.json)
    init.headers = { 'Content-Type': 'application/json' }
  } else if (call.body != null) {
    init.body = call.body.data
    init.headers = { 'Content-Type': call.body.type }
  }
  return new Request(url, init)
}

/** A byte reply as a result: its size and type, and its text when it is UTF-8 (else base64). */
async function bytesResult (response: Response): Promise<Record<string, unknown>> {
  const bytes = new Uint8Array(await response.arrayBuffer())
  let text: string | undefined
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {}
  return {
    size: bytes.byteLength,
    content_type: response.headers.get('content-type'),
    ...(text != null ? { text } : { base64: btoa(Array.from(bytes, b => String.fromCharCode(b)).join('')) })
  }
}

export async function runCli (fetcher: Fetcher, request: CliRequest, signal?: AbortSignal): Promise<CliReply> {
  const command = request.args != null || request.kwargs != null ? [request.command, ...(request.args ?? [])].join(' ') : request.command
  let spec: CommandSpec | undefined
  try {
    const words = shellWords(request.command)
    if (words[0] === 'help' || (words[0] === 'ipfs' && words[1] === 'help')) {
      const topic = words.slice(words[0] === 'ipfs' ? 2 : 1).join(' ')
      return { success: true, command, output: helpText(topic), result: { help: helpText(topic) }, exit_code: 0, status: 200 }
    }
    const parsed = parse(request)
    spec = parsed.spec
    const response = await fetcher(toRequest(spec.call(parsed.input), parsed.input.flags, signal))
    if (!response.ok) {
      const body = await response.json().catch(() => ({})) as { error?: string, error_type?: string }
      const error = body.error ?? `${response.status} ${response.statusText}`
      return { success: false, command, output: `Error: ${error}`, result: body, exit_code: 1, status: response.status, error, error_type: body.error_type ?? 'HttpError' }
    }
    let result: any
    if (spec.reply === 'bytes') {
      result = await bytesResult(response)
    } else if (spec.reply === 'json' && /json/.test(response.headers.get('content-type') ?? '')) {
      result = await response.json()
    } else if (spec.reply === 'json') {
      // another output codec (dag-cbor, raw): bytes
      result = await bytesResult(response)
    } else {
      const body = await response.json() as Record<string, unknown>
      result = Object.fromEntries(Object.entries(body).filter(([k]) => !ENVELOPE_FIELDS.has(k)))
    }
    return { success: true, command, output: spec.print(result, parsed.input), result, exit_code: 0, status: 200 }
  } catch (err) {
    if (err instanceof CliUsageError) return usageError(command, err, err.usage ?? spec?.usage)
    throw err
  }
}

/** The command tree: each command with its usage, arguments and flags. */
export function commandTree (): Array<{ name: string, usage: string, description: string, arguments: string[], flags: Array<{ name: string, alias?: string, type: string, description: string }>, network: boolean }> {
  return COMMANDS.map(c => ({
    name: c.name,
    usage: `ipfs ${c.usage}`,
    description: c.description,
    arguments: c.args,
    flags: Object.entries(c.flags).map(([name, f]) => ({ name, ...(f.alias != null ? { alias: f.alias } : {}), type: f.type, description: f.description })),
    network: c.network === true
  }))
}
