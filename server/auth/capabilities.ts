/**
 * Capability secrets: random strings that grant a role in one session. They are minted when the
 * session is created, shown once (in the links returned to its creator), and stored only as
 * SHA-256 hashes (a fast hash is enough: the secrets carry 144 random bits, so there is nothing
 * to brute-force). Verification compares hashes in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { AccessMode, Role } from '../../shared/roles.ts'

/** A new secret: 18 random bytes (144 bits) as base64url, 24 characters. */
export function mintSecret(): string {
  return randomBytes(18).toString('base64url')
}

/** The stored form of a secret (hex SHA-256). */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex')
}

function sameHash(secret: string, hash: string | null): boolean {
  if (!hash) return false
  const a = Buffer.from(hashSecret(secret), 'hex')
  const b = Buffer.from(hash, 'hex')
  return a.length === b.length && timingSafeEqual(a, b)
}

/** The hashes a session keeps. */
export interface SessionCapabilities {
  access: AccessMode
  moderatorKeyHash: string
  editorKeyHash: string
}

/** The outcome of presenting a secret (or none). `invalid` means a secret was given and matched nothing. */
export type Verification = { ok: true; role: Role } | { ok: false; reason: 'invalid' }

/**
 * The role `secret` grants in a session with `caps`. No secret: `editor` in an open session,
 * `viewer` in a keyed one. A secret that matches neither key is `invalid` (never silently a viewer).
 */
export function verifySecret(caps: SessionCapabilities, secret: string | null | undefined): Verification {
  if (!secret) return { ok: true, role: caps.access === 'open' ? 'editor' : 'viewer' }
  if (sameHash(secret, caps.moderatorKeyHash)) return { ok: true, role: 'moderator' }
  if (sameHash(secret, caps.editorKeyHash)) return { ok: true, role: 'editor' }
  return { ok: false, reason: 'invalid' }
}
