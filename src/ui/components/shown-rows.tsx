/**
 * A long list (a folder of thousands of files, every pin) shown a step at a
 * time, the rest a button away. A table of 1000 files took 250–300 ms to
 * lay out and paint once its data had come, and every render paid it again
 * (clearing the pins filter: 160–280 ms). A filter still searches the whole
 * list; what is shown starts again from one step when `resetKey` changes
 * (another folder, another filter).
 */
import { useState } from 'preact/hooks'
import type { JSX } from 'preact'

/** Rows shown at first, and added by "Show more". */
export const ROWS_STEP = 200

export interface ShownRows<T> {
  shown: T[]
  /** The count and the buttons that show more: null when the list fits in one step. */
  more: JSX.Element | null
}

export function useShownRows<T> (items: T[], resetKey: unknown, label: string): ShownRows<T> {
  const [limit, setLimit] = useState(ROWS_STEP)
  const [key, setKey] = useState(resetKey)
  if (key !== resetKey) {
    setKey(resetKey)
    setLimit(ROWS_STEP)
  }
  const shown = items.length > limit ? items.slice(0, limit) : items
  const left = items.length - shown.length
  // once shown, the buttons stay (aria-disabled, not disabled, nor gone): the one pressed keeps the focus
  const unless = (action: () => void) => () => { if (left > 0) action() }
  return {
    shown,
    more: items.length <= ROWS_STEP
      ? null
      : (
        <div class='row more-rows' role='group' aria-label={`More ${label}`}>
          <p class='note' aria-live='polite'>{left === 0 ? `Showing all ${items.length} ${label}.` : `Showing ${shown.length} of ${items.length} ${label}.`}</p>
          <button type='button' aria-disabled={left === 0} onClick={unless(() => { setLimit(l => l + ROWS_STEP) })}>{left === 0 ? 'Show more' : `Show ${Math.min(ROWS_STEP, left)} more`}</button>
          <button type='button' aria-disabled={left === 0} onClick={unless(() => { setLimit(items.length) })}>Show all {items.length}</button>
        </div>
        )
  }
}
