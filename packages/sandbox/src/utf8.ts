// UTF-8 boundaries, so output is never cut inside a character when it becomes a string.

/** How many bytes a sequence starting with `lead` has, or 0 when `lead` cannot start one. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

const isContinuation = (byte: number) => (byte & 0xc0) === 0x80;

/**
 * Where to cut `bytes[start, end)` so the piece does not end inside a character that the bytes
 * after `end` could still complete. Returns `end` when the piece ends cleanly; invalid bytes are
 * left for the decoder to replace, as they would be anyway.
 * @param read reads the byte at an absolute position (the log spans several blocks)
 */
export function utf8SafeEnd(read: (at: number) => number, start: number, end: number): number {
  // A character is at most 4 bytes: only the last 3 can belong to one still incomplete.
  for (let at = end - 1; at >= Math.max(start, end - 3); at--) {
    const byte = read(at);
    if (isContinuation(byte)) continue;
    const length = sequenceLength(byte);
    return length > 1 && at + length > end ? at : end;
  }
  return end;
}

/** Moves `offset` forward past continuation bytes, to where a character can begin. */
export function utf8SafeStart(read: (at: number) => number, offset: number, end: number): number {
  let at = offset;
  while (at < end && at < offset + 3 && isContinuation(read(at))) at++;
  return at;
}
