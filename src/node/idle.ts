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

/** The channel nextTask posts on, made once: making one for each call cost more than the message. */
let tasks: MessagePort | undefined
const waitingForTask: Array<() => void> = []

/**
 * Resolves in a later task: what the page's thread has waiting (a request,
 * a paint) runs first. A message rather than a timer: a hidden tab's chained
 * timers wait up to a minute each (Chromium's intensive throttling), and
 * the node's tab is often a hidden one.
 */
export async function nextTask (): Promise<void> {
  if (tasks == null) {
    const { port1, port2 } = new MessageChannel()
    port1.onmessage = () => { waitingForTask.shift()?.() }
    // Node: a port listened on keeps the process alive; this one must not
    ;(port1 as { unref?: () => void }).unref?.()
    ;(port2 as { unref?: () => void }).unref?.()
    tasks = port2
  }
  const port = tasks
  await new Promise<void>((resolve) => {
    waitingForTask.push(resolve)
    port.postMessage(null)
  })
}
