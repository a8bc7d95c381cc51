/**
 * Real media made in the page for the preview tests: a PNG drawn on a canvas,
 * and a seekable WebM (VP8 frames from WebCodecs, muxed here with a Duration
 * and Cues, which MediaRecorder's WebM lacks, so Chromium could not seek it).
 */
import type { Page } from '@playwright/test'

export async function makePng (page: Page): Promise<Buffer> {
  const bytes = await page.evaluate(async () => {
    const canvas = new OffscreenCanvas(64, 48)
    const g = canvas.getContext('2d')!
    g.fillStyle = '#1a5fb4'
    g.fillRect(0, 0, 64, 48)
    g.fillStyle = '#ffcc00'
    g.fillRect(16, 12, 32, 24)
    return [...new Uint8Array(await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer())]
  })
  return Buffer.from(bytes)
}

/** A WebM of `seconds` seconds at 10 frames per second, a keyframe (and a cluster) every second. */
export async function makeWebm (page: Page, seconds = 3): Promise<Buffer> {
  const bytes = await page.evaluate(async (seconds) => {
    const width = 160
    const height = 120
    const fps = 10
    const chunks: Array<{ key: boolean, ms: number, data: Uint8Array }> = []
    const encoder = new VideoEncoder({
      output: (chunk) => {
        const data = new Uint8Array(chunk.byteLength)
        chunk.copyTo(data)
        chunks.push({ key: chunk.type === 'key', ms: Math.round(chunk.timestamp / 1000), data })
      },
      error: (e) => { throw e }
    })
    encoder.configure({ codec: 'vp8', width, height, bitrate: 300_000, framerate: fps })
    const canvas = new OffscreenCanvas(width, height)
    const g = canvas.getContext('2d')!
    for (let i = 0; i < seconds * fps; i++) {
      g.fillStyle = `hsl(${(i * 12) % 360} 70% 50%)`
      g.fillRect(0, 0, width, height)
      g.fillStyle = '#fff'
      g.font = '40px sans-serif'
      g.fillText(String(i), 40, 80)
      const frame = new VideoFrame(canvas, { timestamp: Math.round((i * 1_000_000) / fps), duration: Math.round(1_000_000 / fps) })
      encoder.encode(frame, { keyFrame: i % fps === 0 })
      frame.close()
    }
    await encoder.flush()

    // EBML: every size is written as an 8-byte vint, so sizes never change a layout
    const concat = (parts: Uint8Array[]): Uint8Array => {
      const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
      let at = 0
      for (const p of parts) { out.set(p, at); at += p.length }
      return out
    }
    const id = (hex: number): Uint8Array => {
      const out: number[] = []
      for (let v = hex; v > 0; v = Math.floor(v / 256)) out.unshift(v % 256)
      return new Uint8Array(out)
    }
    const size = (n: number): Uint8Array => {
      const out = new Uint8Array(8)
      out[0] = 0x01
      for (let i = 7, v = n; i >= 1; i--, v = Math.floor(v / 256)) out[i] = v % 256
      return out
    }
    const el = (hex: number, ...body: Uint8Array[]): Uint8Array => { const b = concat(body); return concat([id(hex), size(b.length), b]) }
    const uint = (hex: number, v: number, width = 0): Uint8Array => {
      const out: number[] = []
      for (let x = v; x > 0 || out.length === 0; x = Math.floor(x / 256)) out.unshift(x % 256)
      while (out.length < width) out.unshift(0)
      return el(hex, new Uint8Array(out))
    }
    const str = (hex: number, s: string): Uint8Array => el(hex, new TextEncoder().encode(s))
    const float = (hex: number, v: number): Uint8Array => { const b = new Uint8Array(8); new DataView(b.buffer).setFloat64(0, v); return el(hex, b) }

    const header = el(0x1A45DFA3, uint(0x4286, 1), uint(0x42F7, 1), uint(0x42F2, 4), uint(0x42F3, 8), str(0x4282, 'webm'), uint(0x4287, 2), uint(0x4285, 2))
    const info = el(0x1549A966, uint(0x2AD7B1, 1_000_000), str(0x4D80, 'e2e'), str(0x5741, 'e2e'), float(0x4489, seconds * 1000))
    const tracks = el(0x1654AE6B, el(0xAE, uint(0xD7, 1), uint(0x73C5, 1), str(0x86, 'V_VP8'), uint(0x83, 1), el(0xE0, uint(0xB0, width), uint(0xBA, height))))
    const clusters: Array<{ ms: number, bytes: Uint8Array }> = []
    for (const c of chunks) {
      if (c.key || clusters.length === 0) clusters.push({ ms: c.ms, bytes: new Uint8Array(0) })
      const cluster = clusters[clusters.length - 1]
      const rel = c.ms - cluster.ms
      const block = el(0xA3, new Uint8Array([0x81, (rel >> 8) & 0xff, rel & 0xff, c.key ? 0x80 : 0x00]), c.data)
      cluster.bytes = concat([cluster.bytes, block])
    }
    const clusterEls = clusters.map(c => el(0x1F43B675, uint(0xE7, c.ms), c.bytes))
    // the cues come before the clusters; their positions are fixed-width, so their size is known first
    const cuesFor = (positions: number[]): Uint8Array => el(0x1C53BB6B, ...clusters.map((c, i) => el(0xBB, uint(0xB3, c.ms, 8), el(0xB7, uint(0xF7, 1), uint(0xF1, positions[i], 8)))))
    const cuesLength = cuesFor(clusters.map(() => 0)).length
    let at = info.length + tracks.length + cuesLength
    const positions = clusterEls.map(c => { const p = at; at += c.length; return p })
    const segment = el(0x18538067, info, tracks, cuesFor(positions), ...clusterEls)
    return [...concat([header, segment])]
  }, seconds)
  return Buffer.from(bytes)
}
