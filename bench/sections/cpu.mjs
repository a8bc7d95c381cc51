// CPU time a browser spends on one measure, read from Linux's /proc: the
// browser process of a profile and every process under it (renderers with
// their page, block worker and service worker threads; the network and
// storage services). A pipeline on a machine with few cores can go no
// faster than its CPU time spread over all of them; beside a limit's own
// CPU time this tells a gap the code can close from one the cores set.
import { availableParallelism } from 'node:os'
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'

export const CORES = availableParallelism()
/** Linux's clock ticks per second for /proc times (USER_HZ, 100 on every Linux platform Chromium runs on). */
const TICKS = 100

const readable = existsSync('/proc/self/stat')

/** [pid, ppid, ticks of user and system time] of each process, where /proc can be read. */
function processes () {
  const rows = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      // the fields after the command's name, which may hold spaces and parentheses
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      rows.push([Number(entry), Number(fields[1]), Number(fields[11]) + Number(fields[12])])
    } catch {
      // gone since the directory was listed
    }
  }
  return rows
}

/** A profile's browser process, found once (its pid stays while it runs). */
const browserPids = new Map()

function browserPid (profileDir) {
  const known = browserPids.get(profileDir)
  if (known != null && existsSync(`/proc/${known}`)) return known
  const found = findBrowserPid(profileDir)
  if (found != null) browserPids.set(profileDir, found)
  return found
}

function findBrowserPid (profileDir) {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0')
      if (args.includes(`--user-data-dir=${profileDir}`) && !args.some(a => a.startsWith('--type='))) return Number(entry)
    } catch {}
  }
  return undefined
}

/**
 * Seconds of CPU used so far by the browser running on `profileDir` and its
 * descendants, or undefined where /proc is not there (not Linux) or the
 * browser is not found. Time of a process that exits between two readings
 * is lost from the second: a measure's figure is then low, never high.
 */
export function browserCpuSeconds (profileDir) {
  if (!readable) return undefined
  const root = browserPid(profileDir)
  if (root == null) return undefined
  const all = processes()
  const children = new Map()
  for (const [pid, ppid] of all) children.set(ppid, [...(children.get(ppid) ?? []), pid])
  const ticks = new Map(all.map(([pid, , t]) => [pid, t]))
  let total = 0
  for (const queue = [root]; queue.length > 0;) {
    const pid = queue.pop()
    total += ticks.get(pid) ?? 0
    queue.push(...(children.get(pid) ?? []))
  }
  return total / TICKS
}

/** Runs `measure` and returns its result with the CPU seconds the browser on `profileDir` spent meanwhile (undefined where unknown). */
export async function withCpu (profileDir, measure) {
  const before = browserCpuSeconds(profileDir)
  const result = await measure()
  const after = browserCpuSeconds(profileDir)
  return { result, cpu: before == null || after == null ? undefined : after - before }
}

/**
 * The machine's CPU counters (/proc/stat): the share a virtual machine's
 * host took (steal) over a run, and how busy the machine is (all but idle
 * and I/O wait).
 */
export function machineTicks () {
  if (!readable) return undefined
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number)
  const all = fields.reduce((a, b) => a + b, 0)
  return { steal: fields[7], busy: all - fields[3] - fields[4], all }
}

/** Percent of the machine's time taken by its host between two `machineTicks()`. */
export function stealPercent (from, to) {
  if (from == null || to == null || to.all === from.all) return undefined
  return 100 * (to.steal - from.steal) / (to.all - from.all)
}

/**
 * The highest ratio to its limit a measure could reach here: its CPU time
 * spread evenly over every core, against the limit's time. A rate limit's
 * time is size / rate.
 */
export function cpuCeiling (cpuSeconds, limitSeconds) {
  return limitSeconds * CORES / cpuSeconds
}

/**
 * The browser's CPU time read when the benchmark page asks (its `cpuMark()`
 * at the start and the end of a limit's timed part), so a limit's figure
 * leaves out what it prepares.
 */
export async function cpuMarks (page, profileDir) {
  const readings = []
  await page.exposeFunction('benchCpuMark', () => { readings.push(browserCpuSeconds(profileDir)) })
  return {
    /** Runs `measure`, which marks once at its start and once at its end: its result, with the CPU seconds between the marks. */
    async around (measure) {
      readings.length = 0
      const result = await measure()
      const [start, end] = readings
      return { result, cpu: readings.length === 2 && start != null && end != null ? end - start : undefined }
    }
  }
}

/** A machine this busy or less (a share of all its cores) is quiet. */
const QUIET_SHARE = 0.15
const QUIET_WINDOW_MS = 100
const QUIET_LIMIT_MS = 5_000

/** Bytes the kernel may still hold to write to the disk for the disk to count as quiet. */
const QUIET_DIRTY_BYTES = 16 * 1024 * 1024

/**
 * Waits until the machine is quiet over a short window (at most
 * QUIET_LIMIT_MS), so a measure is not timed with what the one before it
 * left running: IndexedDB compacting what a collection removed, the
 * browser writing a large Blob to disk, another profile's node settling,
 * or the kernel writing out what the last measure wrote (a store's flush
 * then waits behind it: a raw OPFS write measured 230 to 1200 MB/s in one
 * run). Returns the milliseconds waited. Where /proc cannot be read, waits not.
 */
export async function quiet () {
  if (!readable) return 0
  const started = Date.now()
  // the kernel writes data out 30 s after it was written (vm.dirty_expire_centisecs): wanted on the disk now, not then
  if (unwrittenBytes() > QUIET_DIRTY_BYTES) spawnSync('sync', { timeout: QUIET_LIMIT_MS })
  while (Date.now() - started < QUIET_LIMIT_MS) {
    const from = machineTicks()
    await new Promise(resolve => setTimeout(resolve, QUIET_WINDOW_MS))
    const to = machineTicks()
    if (to.all > from.all && (to.busy - from.busy) / (to.all - from.all) <= QUIET_SHARE) break
  }
  return Date.now() - started
}

/** Bytes written and not yet on the disk (/proc/meminfo: Dirty and Writeback). */
function unwrittenBytes () {
  const info = readFileSync('/proc/meminfo', 'utf8')
  const kib = (name) => Number(info.match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm'))?.[1] ?? 0)
  return (kib('Dirty') + kib('Writeback')) * 1024
}
