import { fixedSize, rabin } from 'ipfs-unixfs-importer/chunker'
import { InvalidParametersError } from '../../errors.ts'
import type { Chunker } from 'ipfs-unixfs-importer/chunker'

/** Blocks over this size are refused by peers (bitswap), so chunks may not exceed it. */
export const MAX_CHUNK_SIZE = 1024 * 1024 * 2
/** The rabin chunker's own lower bound for its minimum chunk (it throws below it). */
const RABIN_MIN_CHUNK = 16

/**
 * Parses Kubo's chunker strings: `size-<bytes>`, `rabin`, `rabin-<avg>`,
 * `rabin-<min>-<avg>-<max>`.
 */
export async function parseChunker (spec: string): Promise<Chunker> {
  const size = /^size-(\d+)$/.exec(spec)
  if (size != null) {
    return fixedSize({ chunkSize: chunkSizeOf(size[1], spec) })
  }
  const rabinSpec = /^rabin(?:-(\d+))?(?:-(\d+))?(?:-(\d+))?$/.exec(spec)
  if (rabinSpec != null) {
    const numbers = rabinSpec.slice(1).filter((n): n is string => n != null).map(n => chunkSizeOf(n, spec))
    if (numbers.length === 2) {
      throw new InvalidParametersError(`chunker "${spec}": give rabin one size (avg) or three (min-avg-max)`)
    }
    if (numbers.length === 0) return rabin()
    if (numbers.length === 1) {
      if (Math.floor(numbers[0] / 3) < RABIN_MIN_CHUNK) throw new InvalidParametersError(`chunker "${spec}": the rabin average must be at least ${RABIN_MIN_CHUNK * 3} bytes`)
      return rabin({ avgChunkSize: numbers[0], minChunkSize: Math.floor(numbers[0] / 3), maxChunkSize: numbers[0] * 2 })
    }
    const [min, avg, max] = numbers
    if (!(min <= avg && avg <= max)) {
      throw new InvalidParametersError(`chunker "${spec}": sizes must be min <= avg <= max`)
    }
    if (min < RABIN_MIN_CHUNK) {
      // the rabin chunker itself refuses these, with an error that would otherwise surface as a 500
      throw new InvalidParametersError(`chunker "${spec}": the rabin minimum must be at least ${RABIN_MIN_CHUNK} bytes`)
    }
    return rabin({ minChunkSize: min, avgChunkSize: avg, maxChunkSize: max })
  }
  throw new InvalidParametersError(`chunker "${spec}" is not one of size-<bytes>, rabin, rabin-<avg>, rabin-<min>-<avg>-<max>`)
}

function chunkSizeOf (text: string, spec: string): number {
  const n = Number(text)
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_CHUNK_SIZE) {
    throw new InvalidParametersError(`chunker "${spec}": chunk sizes must be between 1 and ${MAX_CHUNK_SIZE} bytes`)
  }
  return n
}
