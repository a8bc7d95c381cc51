/** Kubo-style flags: `--name=value`, `--name value`, `--bool`, `--bool=false`, `-x` aliases, `--` ends flags. */
import { CliUsageError } from './errors.ts'

export interface FlagSpec {
  type: 'bool' | 'string' | 'int'
  description: string
  alias?: string
}

export type FlagValues = Record<string, string | number | boolean>

export interface ParsedLine {
  args: string[]
  flags: FlagValues
  /** The words after `--`, joined by spaces (text content for add). */
  rest?: string
}

function coerce (name: string, spec: FlagSpec, raw: string): string | number | boolean {
  if (spec.type === 'bool') {
    if (/^(true|1|yes)$/i.test(raw)) return true
    if (/^(false|0|no)$/i.test(raw)) return false
    throw new CliUsageError(`--${name} takes true or false, not "${raw}"`)
  }
  if (spec.type === 'int') {
    if (!/^-?\d+$/.test(raw)) throw new CliUsageError(`--${name} takes a whole number, not "${raw}"`)
    return Number(raw)
  }
  return raw
}

export function parseFlags (words: readonly string[], specs: Readonly<Record<string, FlagSpec>>): ParsedLine {
  const byAlias = new Map(Object.entries(specs).filter(([, s]) => s.alias != null).map(([name, s]) => [s.alias as string, name]))
  const out: ParsedLine = { args: [], flags: {} }
  for (let i = 0; i < words.length; i++) {
    const word = words[i]
    if (word === '--') {
      out.rest = words.slice(i + 1).join(' ')
      break
    }
    let name: string | undefined
    let value: string | undefined
    if (word.startsWith('--') && word.length > 2) {
      const eq = word.indexOf('=')
      name = eq < 0 ? word.slice(2) : word.slice(2, eq)
      value = eq < 0 ? undefined : word.slice(eq + 1)
    } else if (/^-[A-Za-z]$/.test(word)) {
      name = byAlias.get(word.slice(1))
      if (name == null) throw new CliUsageError(`unknown option ${word}`)
    } else {
      out.args.push(word)
      continue
    }
    const spec = specs[name]
    if (!Object.hasOwn(specs, name)) throw new CliUsageError(`unknown option --${name}`)
    if (value == null) {
      if (spec.type === 'bool') {
        value = 'true'
      } else {
        if (i + 1 >= words.length) throw new CliUsageError(`--${name} needs a value`)
        value = words[++i]
      }
    }
    out.flags[name] = coerce(name, spec, value)
  }
  return out
}
