// Browser to browser: a 64 MiB file fetched by one node from another over
// native WebRTC (two contexts, the local relay for signalling), beside the
// raw data-channel rate between the same two pages.
import { MIB, mbps, median, openApp, ratioRow, REPEATS, row } from './common.mjs'

const SIZE = 64 * MIB
const MESSAGE = 64 * 1024

/** Runs in page A: an offer with a data channel, every candidate gathered. */
async function rtcOffer () {
  const pc = new RTCPeerConnection()
  const channel = pc.createDataChannel('bench', { ordered: true })
  channel.binaryType = 'arraybuffer'
  globalThis.benchRtc = { pc, channel }
  await pc.setLocalDescription(await pc.createOffer())
  if (pc.iceGatheringState !== 'complete') await new Promise(resolve => pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') resolve() }))
  return pc.localDescription.toJSON()
}

/** Runs in page B: answers, and resolves `benchRtc.received` with the wall-clock time the last byte arrived. */
async function rtcAnswer ([offer, size]) {
  const pc = new RTCPeerConnection()
  let received
  const done = new Promise(resolve => { received = resolve })
  pc.addEventListener('datachannel', ({ channel }) => {
    channel.binaryType = 'arraybuffer'
    let bytes = 0
    channel.onmessage = ({ data }) => {
      bytes += data.byteLength
      if (bytes >= size) received(Date.now())
    }
  })
  globalThis.benchRtc = { pc, done }
  await pc.setRemoteDescription(offer)
  await pc.setLocalDescription(await pc.createAnswer())
  if (pc.iceGatheringState !== 'complete') await new Promise(resolve => pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') resolve() }))
  return pc.localDescription.toJSON()
}

/** Runs in page A: sends `size` bytes once the channel opens, keeping at most 1 MiB buffered; returns the wall-clock start. */
async function rtcSend ([answer, size, message]) {
  const { pc, channel } = globalThis.benchRtc
  await pc.setRemoteDescription(answer)
  if (channel.readyState !== 'open') await new Promise(resolve => { channel.onopen = resolve })
  channel.bufferedAmountLowThreshold = 256 * 1024
  const chunk = new Uint8Array(message)
  crypto.getRandomValues(chunk.subarray(0, 4096))
  const started = Date.now()
  for (let sent = 0; sent < size; sent += message) {
    if (channel.bufferedAmount > 1024 * 1024) await new Promise(resolve => { channel.onbufferedamountlow = resolve })
    channel.send(chunk)
  }
  return started
}

async function closeRtc (page) {
  await page.evaluate(() => { globalThis.benchRtc?.pc.close(); delete globalThis.benchRtc })
}

/** `promise`, or an error naming `what` once `ms` have passed: a stalled step fails the section instead of hanging it. */
async function within (promise, ms, what) {
  let timer
  const expired = new Promise((resolve, reject) => { timer = setTimeout(() => { reject(new Error(`${what}: no answer within ${ms / 1000} s`)) }, ms) })
  try {
    return await Promise.race([promise, expired])
  } finally {
    clearTimeout(timer)
  }
}

/** A bare data channel that stalls (now and then one never opens) is set up afresh, up to three times. */
async function rawChannel (a, b, size) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await within(rawChannelOnce(a, b, size), 60_000, `the bare data channel, attempt ${attempt}`)
    } catch (err) {
      await closeRtc(a)
      await closeRtc(b)
      if (attempt === 3) throw err
      console.error(String(err))
    }
  }
}

/** ms for `size` bytes over a bare data channel from A to B. */
async function rawChannelOnce (a, b, size) {
  const offer = await a.evaluate(rtcOffer)
  const answer = await b.evaluate(rtcAnswer, [offer, size])
  const started = await a.evaluate(rtcSend, [answer, size, MESSAGE])
  const ended = await b.evaluate(() => globalThis.benchRtc.done)
  await closeRtc(a)
  await closeRtc(b)
  return ended - started
}

async function api (page, path, json) {
  return page.evaluate(async ([path, json]) => {
    const response = await fetch(`/api/v0/mcp${path}`, json == null ? {} : { method: 'POST', body: JSON.stringify(json), headers: { 'Content-Type': 'application/json' } })
    return { status: response.status, json: await response.json() }
  }, [path, json])
}

/** Runs in page A: adds `size` random bytes; the CID. */
async function addRandom (size) {
  const data = new Uint8Array(size)
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(data.subarray(i, i + 65536))
  const reply = await (await fetch('/api/v0/mcp/ipfs/add', { method: 'POST', body: new Blob([data]), headers: { 'Content-Type': 'application/octet-stream' } })).json()
  if (!reply.success) throw new Error(reply.error)
  return reply.cid
}

/** Runs in page B: ms to cat `cid` (fetched from peers) through its API. */
async function timedCat ([cid, size]) {
  const started = performance.now()
  // how far it got, for the error should it stall
  const progress = globalThis.benchCatProgress = { status: 0, read: 0, lastMs: 0 }
  const response = await fetch(`/api/v0/mcp/ipfs/cat/${cid}?timeout=120s`)
  progress.status = response.status
  const reader = response.body.getReader()
  let read = 0
  while (true) {
    const { value, done } = await reader.read()
    if (done) break
    read += value.byteLength
    progress.read = read
    progress.lastMs = Math.round(performance.now() - started)
  }
  if (read !== size) throw new Error(`cat over WebRTC gave ${read} bytes, not ${size}`)
  return performance.now() - started
}

/**
 * ms for B to cat a fresh file of A's. A fetch over WebRTC stalls now and
 * then (the bytes stop coming and the read fails once the request's 120 s
 * pass without any): it is noted in `stalls` and tried again with a new file,
 * up to three times.
 */
async function fetchOverWebRTC (a, b, stalls) {
  for (let attempt = 1; ; attempt++) {
    const cid = await within(a.evaluate(addRandom, SIZE), 120_000, 'A\'s add')
    try {
      // the cat's own deadline is 120 s: a stall fails it before this limit
      return await within(b.evaluate(timedCat, [cid, SIZE]), 150_000, 'B\'s cat of A\'s file')
    } catch (err) {
      const stall = { error: err.message.split('\n')[0], progress: await b.evaluate(() => globalThis.benchCatProgress) }
      stalls.push(stall)
      console.error(`B's cat of A's file, attempt ${attempt}: ${JSON.stringify(stall)}`)
      if (attempt === 3) throw err
    }
  }
}

/** Waits until the node holds a relay reservation (its WebRTC address), which a dial to or from it needs. */
async function reserved (page) {
  const until = Date.now() + 30_000
  while (Date.now() < until) {
    const { json } = await api(page, '/ipfs/id')
    if (json.addresses?.some(a => a.includes('/p2p-circuit/webrtc'))) return json.id
    await new Promise(resolve => setTimeout(resolve, 250))
  }
  throw new Error('the node got no relay reservation within 30 s')
}

export async function webrtcSection (profiles, { origin }) {
  const a = await openApp(profiles, origin)
  const b = await openApp(profiles, origin)
  try {
    const [idA] = await Promise.all([reserved(a), reserved(b)])
    // a dial through the relay's signalling stalls now and then: up to three attempts
    let connected
    for (let attempt = 0; attempt < 3 && connected?.json.type !== 'webrtc'; attempt++) connected = await api(b, '/webrtc/connect', { peer_id: idA })
    if (connected?.json.type !== 'webrtc') throw new Error(`B could not reach A over WebRTC: ${JSON.stringify(connected?.json)}`)
    const raw = []
    const fetched = []
    const stalls = []
    for (let i = 0; i < REPEATS; i++) {
      raw.push(mbps(SIZE, await rawChannel(a, b, SIZE)))
      fetched.push(mbps(SIZE, await fetchOverWebRTC(a, b, stalls)))
    }
    return {
      rows: [
        row('raw WebRTC data channel between the two pages, 64 KiB messages (limit)', median(raw), 'MB/s', { ratio: 1 }),
        ratioRow('B fetches A\'s 64 MiB file over WebRTC (bitswap), through B\'s API', median(fetched), 'MB/s', median(raw), { atLeast: 0.5 })
      ],
      samples: { raw, fetched, stalls }
    }
  } finally {
    await a.context().close()
    await b.context().close()
  }
}
