// What the benchmark sections share: figures, rows and the pages they drive.
export const MIB = 1024 * 1024
export const REPEATS = Number(process.env.BENCH_REPEATS ?? 3)

export const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]
export const mbps = (bytes, ms) => (bytes / MIB) / (ms / 1000)

/**
 * One table row: a figure, its unit and, when a limit was measured in the
 * same run, its ratio to that limit; `target` is the goal, `met` whether the
 * ratio (or the figure) reaches it.
 */
export function row (measure, value, unit, extra = {}) {
  return { measure, value, unit, ...extra }
}

/** A ratio row checked against a target: `atLeast` for rates, `atMost` for times. */
export function ratioRow (measure, value, unit, limit, { atLeast, atMost }) {
  const ratio = value / limit
  const target = atLeast != null ? `≥ ${atLeast}×` : `≤ ${atMost}×`
  const met = atLeast != null ? ratio >= atLeast : ratio <= atMost
  return row(measure, value, unit, { ratio, target, met })
}

/** Calls `globalThis.bench[name](...args)` in a benchmark page. */
export async function benchCall (page, name, ...args) {
  return page.evaluate(async ([name, args]) => globalThis.bench[name](...args), [name, args])
}

/** Opens the app in a fresh profile (or the context given) and waits for its node. */
export async function openApp (profiles, origin, context) {
  const page = await (context ?? await profiles.newContext()).newPage()
  await page.goto(origin)
  await page.getByRole('banner').getByRole('status').filter({ hasText: 'The node is up.' }).waitFor({ timeout: 60_000 })
  return page
}

/** Opens the benchmark pages in a fresh profile. */
export async function openBenchPage (profiles, origin) {
  const page = await (await profiles.newContext()).newPage()
  await page.goto(origin)
  await page.waitForFunction(() => document.title === 'bench ready')
  return page
}
