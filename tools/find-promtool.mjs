// Where promtool is (PROMTOOL_PATH, then the PATH), or undefined.
import { existsSync } from 'node:fs'
import { delimiter, join } from 'node:path'

export function promtoolPath () {
  const candidates = [process.env.PROMTOOL_PATH, ...(process.env.PATH ?? '').split(delimiter).map(dir => join(dir, 'promtool'))]
  return candidates.find(p => p != null && p !== '' && existsSync(p))
}
