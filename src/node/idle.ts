/**
 * Resolves when the page's thread is next idle (at the latest after
 * `timeoutMs`), or on the next task where there is no such notion (Node,
 * workers): for work that must not hold up what the page is answering.
 */
export async function whenIdle (timeoutMs = 1_000): Promise<void> {
  await new Promise<void>((resolve) => {
    if (typeof requestIdleCallback === 'function') requestIdleCallback(() => { resolve() }, { timeout: timeoutMs })
    else setTimeout(resolve, 0)
  })
}

/**
 * Resolves in a later task: what the page's thread has waiting (a request,
 * a paint) runs first. A message rather than a timer: a hidden tab's chained
 * timers wait up to a minute each (Chromium's intensive throttling), and
 * the node's tab is often a hidden one.
 */
export async function nextTask (): Promise<void> {
  const { port1, port2 } = new MessageChannel()
  await new Promise<void>((resolve) => {
    port1.onmessage = () => { resolve() }
    port2.postMessage(null)
  })
  port1.close()
  port2.close()
}
