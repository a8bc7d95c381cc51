/**
 * The heat score: how much a CID is wanted now. One function, its constants
 * named, so it can be tuned in one place.
 */

/** Weight of how often it was read. */
export const FREQUENCY_WEIGHT = 0.6
/** Weight of how new it is. */
export const RECENCY_WEIGHT = 0.4
/** Recency halves every this many hours since the record was added. */
export const RECENCY_HALF_LIFE_HOURS = 12
/** Accesses beyond this many count no more. */
export const FREQUENCY_SATURATION = 10

const HOUR_MS = 3_600_000

export interface HeatInput {
  /** Unix ms the record was added. */
  added_timestamp: number
  access_count: number
}

/**
 * `heat = 0.6·frequency + 0.4·recency`, where `frequency = min(10, accesses) / 10`
 * and `recency = 2^(−age_h / 12)` with `age_h` the hours since the record was added.
 */
export function heatScore (record: HeatInput, now: number): number {
  const ageHours = Math.max(0, now - record.added_timestamp) / HOUR_MS
  const recency = Math.pow(2, -ageHours / RECENCY_HALF_LIFE_HOURS)
  const frequency = Math.min(FREQUENCY_SATURATION, record.access_count) / FREQUENCY_SATURATION
  return FREQUENCY_WEIGHT * frequency + RECENCY_WEIGHT * recency
}
