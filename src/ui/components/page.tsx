import type { ComponentChildren } from 'preact'

/** A page's heading (focusable, so navigation can move focus to it) and a line on what the page is for. */
export function Page ({ title, intro, children }: { title: string, intro?: ComponentChildren, children: ComponentChildren }) {
  return (
    <>
      <h1 tabIndex={-1}>{title}</h1>
      {intro != null ? <p class='intro'>{intro}</p> : null}
      {children}
    </>
  )
}

/** A titled block of a page, a landmark named by its heading. */
export function Section ({ title, id, children, actions }: { title: string, id: string, children: ComponentChildren, actions?: ComponentChildren }) {
  return (
    <section aria-labelledby={id}>
      <div class='section-head'>
        <h2 id={id}>{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  )
}
