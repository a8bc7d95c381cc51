import { useState } from 'preact/hooks'

/** Copies a value to the clipboard and says so. */
export function CopyButton ({ value, label }: { value: string, label: string }) {
  const [said, setSaid] = useState('')
  const copy = (): void => {
    navigator.clipboard.writeText(value).then(() => { setSaid('Copied') }, () => { setSaid('Copy failed: select and copy by hand') })
    setTimeout(() => { setSaid('') }, 2_000)
  }
  return (
    <>
      <button type='button' class='small' aria-label={label} onClick={copy}>Copy</button>
      <span class='note' aria-live='polite'>{said}</span>
    </>
  )
}
