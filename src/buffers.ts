/** Whether `bytes` is the whole of its buffer (not a view of part of one), so that buffer can be handed over or freed as it. */
export function fillsItsBuffer (bytes: Uint8Array): boolean {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
}

/**
 * Lets a buffer nothing will read again go at once, rather than wait for the
 * collector: `bytes` must be the only view on it that anyone still uses. A
 * large add's chunks and the copies made of them piled up as garbage in the
 * threads they passed through (peaks of 50–80 MiB in the block worker during
 * a 200 MiB add, measured, before V8 collected them); a buffer transferred
 * to a new length of 0 frees its memory. Where `transfer` is missing (an
 * older browser), the collector frees it as before.
 */
export function releaseBuffer (bytes: Uint8Array): void {
  const buffer = bytes.buffer as ArrayBuffer & { transfer?: (length: number) => ArrayBuffer }
  buffer.transfer?.(0)
}
