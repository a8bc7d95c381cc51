/** A namespaced logger: `[mcp:api] message`. Debug lines only when `localStorage.debug` names the namespace or `*`. */
export interface Logger {
  (message: string, ...args: unknown[]): void
  error(message: string, ...args: unknown[]): void
  debug(message: string, ...args: unknown[]): void
}

export function createLogger (namespace: string): Logger {
  const prefix = `[${namespace}]`
  const log = ((message: string, ...args: unknown[]) => { console.info(prefix, message, ...args) }) as Logger
  log.error = (message, ...args) => { console.error(prefix, message, ...args) }
  log.debug = (message, ...args) => {
    if (debugEnabled(namespace)) console.debug(prefix, message, ...args)
  }
  return log
}

function debugEnabled (namespace: string): boolean {
  try {
    const setting = (globalThis as { localStorage?: Storage }).localStorage?.getItem('debug') ?? ''
    return setting === '*' || setting.split(',').some(n => namespace.startsWith(n.trim()))
  } catch {
    return false
  }
}
