/**
 * Organizer tokens: the operator configures them as SHA-256 hashes only (`ORGANIZER_TOKEN_HASHES`,
 * `ORGANIZER_TOKENS_FILE`), so neither the environment nor the file can leak a usable token. A
 * token is a high-entropy random string (see docs/organizers.md for the one-liner that makes one
 * and its hash), so a fast hash compared in constant time is enough: there is nothing to guess.
 *
 * File format: one hash per line, optionally followed by whitespace and a label naming the person
 * (the label is what the audit log shows); blank lines and lines starting with `#` are skipped.
 */
import fs from 'node:fs'
import { timingSafeEqual } from 'node:crypto'
import type { OrganizerIdentity } from '../../shared/organizer.ts'
import { hashSecret } from './capabilities.ts'

/** One configured organizer token. */
export interface OrganizerTokenEntry {
  /** Lower-case hex SHA-256 of the token. */
  hash: string
  /** The person or purpose, from the file; null when none was given. */
  label: string | null
}

const hexHash = /^[0-9a-f]{64}$/

/**
 * Parses the comma list of `ORGANIZER_TOKEN_HASHES` and the text of `ORGANIZER_TOKENS_FILE`
 * into entries. Throws an Error naming the first malformed hash (the server then refuses to
 * start, which beats running with an organizer locked out).
 */
export function parseOrganizerTokens(hashList: string | null, fileText: string | null): OrganizerTokenEntry[] {
  const entries: OrganizerTokenEntry[] = []
  for (const raw of (hashList ?? '').split(',')) {
    const hash = raw.trim().toLowerCase()
    if (hash === '') continue
    if (!hexHash.test(hash)) throw new Error(`ORGANIZER_TOKEN_HASHES: "${hash.slice(0, 70)}" is not a SHA-256 hex hash (64 hex digits)`)
    entries.push({ hash, label: null })
  }
  const lines = (fileText ?? '').split(/\r?\n/)
  lines.forEach((line, index) => {
    const trimmed = line.trim()
    if (trimmed === '' || trimmed.startsWith('#')) return
    const [first, ...rest] = trimmed.split(/\s+/)
    const hash = first!.toLowerCase()
    if (!hexHash.test(hash)) throw new Error(`ORGANIZER_TOKENS_FILE line ${index + 1}: the line must start with a SHA-256 hex hash (64 hex digits)`)
    const label = rest.join(' ').slice(0, 100)
    entries.push({ hash, label: label === '' ? null : label })
  })
  return entries
}

/** Reads `ORGANIZER_TOKENS_FILE` (when set) and parses it with the hash list; see parseOrganizerTokens. */
export function loadOrganizerTokens(hashList: string | null, file: string | null): OrganizerTokenEntry[] {
  return parseOrganizerTokens(hashList, file ? fs.readFileSync(file, 'utf8') : null)
}

/** Verifies organizer tokens against the configured hashes. */
export class OrganizerTokens {
  private readonly entries: { hash: Buffer; identity: OrganizerIdentity }[]

  constructor(entries: readonly OrganizerTokenEntry[]) {
    this.entries = entries.map((entry) => ({
      hash: Buffer.from(entry.hash, 'hex'),
      identity: { kind: 'token', id: entry.label ?? `token-${entry.hash.slice(0, 8)}`, name: entry.label ?? `organizer token ${entry.hash.slice(0, 8)}` },
    }))
  }

  /** True when at least one token is configured. */
  get configured(): boolean {
    return this.entries.length > 0
  }

  /** The organizer `token` belongs to, or null. Every configured hash is compared, in constant time each. */
  identify(token: string): OrganizerIdentity | null {
    const presented = Buffer.from(hashSecret(token), 'hex')
    let found: OrganizerIdentity | null = null
    for (const entry of this.entries) {
      if (timingSafeEqual(presented, entry.hash) && !found) found = entry.identity
    }
    return found
  }
}
