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
