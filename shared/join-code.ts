/**
 * Join codes (issue 19): a live session's short code, read off the projector from the back of the
 * room and typed after `/j/`. Four characters of an alphabet without look-alikes (no 0/O, 1/I/L),
 * any case when typed; five when four keep colliding. Unique among live sessions (the store
 * refuses a taken one), gone when the session ends.
 */

/** The characters of a join code: upper-case letters and digits without 0, O, 1, I and L. */
export const joinCodeAlphabet = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789'

/** A fresh random join code of `length` characters (default 4: 923,521 codes). */
export function randomJoinCode(length = 4): string {
  const bytes = new Uint8Array(length)
  crypto.getRandomValues(bytes)
  let code = ''
  // 248 = 8 * 31: bytes at or above it would favour the first letters; redraw them.
  for (let i = 0; i < length; i++) {
    let byte = bytes[i]!
    while (byte >= 248) byte = crypto.getRandomValues(new Uint8Array(1))[0]!
    code += joinCodeAlphabet[byte % joinCodeAlphabet.length]
  }
  return code
}

/**
 * What someone typed as a join code, as stored (upper case), or null when it cannot be one
 * (wrong length or a character outside the alphabet, look-alikes included).
 */
export function normalizeJoinCode(input: string): string | null {
  const code = input.trim().toUpperCase()
  if (code.length < 4 || code.length > 5) return null
  for (const char of code) if (!joinCodeAlphabet.includes(char)) return null
  return code
}

/** The path a join code leads through: `/j/<code>`. */
export function joinPath(code: string): string {
  return `/j/${code}`
}
