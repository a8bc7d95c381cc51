/**
 * One modal confirmation for the whole app (a native <dialog>, so focus is
 * trapped and Escape cancels): `await confirmAction(…)` resolves true only
 * when the person presses the confirming button.
 */
import { signal } from '@preact/signals'
import { useEffect, useRef } from 'preact/hooks'

interface Pending { title: string, message: string, confirmLabel: string, resolve(ok: boolean): void }

const pending = signal<Pending | undefined>(undefined)

export async function confirmAction (title: string, message: string, confirmLabel: string): Promise<boolean> {
  pending.value?.resolve(false)
  return new Promise(resolve => { pending.value = { title, message, confirmLabel, resolve } })
}

export function ConfirmDialog () {
  const ref = useRef<HTMLDialogElement>(null)
  const current = pending.value
  useEffect(() => {
    if (current != null && ref.current?.open === false) ref.current.showModal()
  }, [current])
  const close = (ok: boolean): void => {
    current?.resolve(ok)
    pending.value = undefined
    ref.current?.close()
  }
  return (
    <dialog ref={ref} aria-labelledby='confirm-title' onCancel={() => { close(false) }}>
      <h2 id='confirm-title'>{current?.title}</h2>
      <p>{current?.message}</p>
      <div class='actions'>
        <button type='button' class='danger' onClick={() => { close(true) }}>{current?.confirmLabel}</button>
        <button type='button' onClick={() => { close(false) }} autofocus>Cancel</button>
      </div>
    </dialog>
  )
}
