/**
 * Splits a command line as a POSIX shell would split words: whitespace
 * separates, single quotes are literal, double quotes allow \" \\ \$ \`
 * escapes, a backslash outside quotes escapes the next character. Written
 * here because shell-quote also expands $VARS and parses operators, which a
 * command line sent to the node must not do.
 */
import { CliUsageError } from './errors.ts'

export function shellWords (line: string): string[] {
  const words: string[] = []
  let word = ''
  let inWord = false
  let quote: '"' | '\'' | undefined
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]
    if (quote === '\'') {
      if (ch === '\'') quote = undefined
      else word += ch
      continue
    }
    if (quote === '"') {
      if (ch === '"') {
        quote = undefined
      } else if (ch === '\\' && i + 1 < line.length && '"\\$`\n'.includes(line[i + 1])) {
        word += line[++i]
      } else {
        word += ch
      }
      continue
    }
    if (ch === '\'' || ch === '"') {
      quote = ch
      inWord = true
    } else if (ch === '\\') {
      if (i + 1 >= line.length) throw new CliUsageError('the command ends with a lone backslash')
      word += line[++i]
      inWord = true
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word)
      word = ''
      inWord = false
    } else {
      word += ch
      inWord = true
    }
  }
  if (quote != null) throw new CliUsageError(`unterminated ${quote === '"' ? 'double' : 'single'} quote`)
  if (inWord) words.push(word)
  return words
}
