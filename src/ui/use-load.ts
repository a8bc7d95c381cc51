/** Loads data for a page from the API, optionally refreshing it; a reload or a refresh keeps the last value while it runs (no flicker, no layout shift). */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks'

export interface Loaded<T> {
  data?: T
  error?: unknown
  loading: boolean
  reload(): void
}

export function useLoad<T> (load: (signal: AbortSignal) => Promise<T>, deps: unknown[], options: { every?: number } = {}): Loaded<T> {
  const [state, setState] = useState<{ data?: T, error?: unknown, loading: boolean }>({ loading: true })
  const [nonce, setNonce] = useState(0)
  const latest = useRef(load)
  latest.current = load
  const loadedFor = useRef<unknown[] | undefined>(undefined)
  useEffect(() => {
    const controller = new AbortController()
    let timer: ReturnType<typeof setTimeout> | undefined
    // other parameters (another folder, another CID) make the old data wrong, not just old: drop it
    const same = loadedFor.current != null && loadedFor.current.length === deps.length && loadedFor.current.every((d, i) => Object.is(d, deps[i]))
    loadedFor.current = deps
    if (!same) setState({ loading: true })
    const run = (): void => {
      setState(s => ({ ...s, loading: true }))
      latest.current(controller.signal).then(
        (data) => { if (!controller.signal.aborted) setState({ data, loading: false }) },
        (error: unknown) => { if (!controller.signal.aborted) setState(s => ({ data: s.data, error, loading: false })) }
      ).finally(() => {
        if (options.every != null && !controller.signal.aborted) timer = setTimeout(run, options.every)
      })
    }
    run()
    return () => { controller.abort(); clearTimeout(timer) }
  }, [...deps, nonce])
  const reload = useCallback(() => { setNonce(n => n + 1) }, [])
  return { ...state, reload }
}
