import type { ComponentChildren } from 'preact'

/** What an empty list says: what is missing and what to do next. */
export function EmptyState ({ children }: { children: ComponentChildren }) {
  return <p class='empty'>{children}</p>
}
