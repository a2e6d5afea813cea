/**
 * A random id of `bytes` random bytes as hex. Uses `crypto.getRandomValues`, which browsers
 * offer on plain http too (`crypto.randomUUID` needs https or localhost, and summit networks
 * often serve summitpad over plain http).
 */
export function randomId(bytes = 16): string {
  return [...crypto.getRandomValues(new Uint8Array(bytes))].map((byte) => byte.toString(16).padStart(2, '0')).join('')
}
