import { formatBytes, formatDuration, formatRate } from '../format.ts'

export interface ProgressFigures {
  done: number
  total: number
  /** Bytes per second, measured. */
  rate?: number
}

/** A labelled progress bar with bytes done of total, the rate and the time left. */
export function ProgressBar ({ label, figures }: { label: string, figures: ProgressFigures }) {
  const { done, total, rate } = figures
  const percent = total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : 100
  const left = rate != null && rate > 0 && done < total ? (total - done) / rate : undefined
  return (
    <div class='progress'>
      <progress aria-label={label} max={100} value={percent}>{percent} %</progress>
      <span class='progress-figures'>
        {percent} % · {formatBytes(done)} of {formatBytes(total)}
        {rate != null ? ` · ${formatRate(rate)}` : ''}
        {left != null ? ` · ${formatDuration(left)} left` : ''}
      </span>
    </div>
  )
}
