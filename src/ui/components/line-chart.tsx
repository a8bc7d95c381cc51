/**
 * A small time-series chart drawn by uPlot, which is imported only when the
 * first chart is shown, and not before the node has first answered (there
 * is nothing to draw before, and the import would compete with its start).
 * The box keeps its height before the library arrives, so nothing moves
 * when it does.
 */
import { useEffect, useRef } from 'preact/hooks'
import { nodeAnswered } from '../node-state.ts'

export interface Series { label: string, values: Array<number | null>, color: string }

interface Chart { setData(data: Array<Array<number | null>>): void, setSize(size: { width: number, height: number }): void, destroy(): void }

const HEIGHT = 150

export function LineChart ({ label, times, series, max, formatValue }: { label: string, times: number[], series: Series[], max?: number, formatValue?: (v: number) => string }) {
  const box = useRef<HTMLDivElement>(null)
  const chart = useRef<Chart | undefined>(undefined)
  const data = [times, ...series.map(s => s.values)]
  const latest = useRef(data)
  latest.current = data

  useEffect(() => {
    let cancelled = false
    let observer: ResizeObserver | undefined
    void nodeAnswered.then(async () => Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')])).then(([{ default: UPlot }]) => {
      if (cancelled || box.current == null) return
      const width = (): number => Math.max(200, box.current?.clientWidth ?? 200)
      chart.current = new UPlot({
        width: width(),
        height: HEIGHT,
        legend: { show: series.length > 1 },
        series: [{}, ...series.map(s => ({ label: s.label, stroke: s.color, width: 2 }))],
        scales: max != null ? { y: { range: [0, max] } } : { y: { range: (_u: unknown, _min: number, top: number) => [0, Math.max(1, top)] } },
        axes: [
          { stroke: 'currentColor' },
          formatValue != null
            ? { stroke: 'currentColor', size: 64, values: (_u: unknown, splits: number[]) => splits.map(formatValue) }
            : { stroke: 'currentColor' }
        ]
      }, data as never, box.current) as unknown as Chart
      observer = new ResizeObserver(() => { chart.current?.setSize({ width: width(), height: HEIGHT }) })
      observer.observe(box.current)
    })
    // a hidden tab's charts are drawn again when it is shown, not at every sample: the tab that
    // runs the node for the others is often hidden, and redrawing five charts every two seconds
    // took 2–5 ms of its main thread's each second
    const shown = (): void => { if (!document.hidden) chart.current?.setData(latest.current) }
    document.addEventListener('visibilitychange', shown)
    return () => { cancelled = true; document.removeEventListener('visibilitychange', shown); observer?.disconnect(); chart.current?.destroy(); chart.current = undefined }
  }, [])

  useEffect(() => { if (!document.hidden) chart.current?.setData(data) })

  return (
    <figure class='chart-card'>
      <figcaption>{label}</figcaption>
      <div ref={box} class='chart' role='img' aria-label={`${label} over the last ten minutes`} />
    </figure>
  )
}
