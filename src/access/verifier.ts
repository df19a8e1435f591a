import type { Database } from '../db/client.js'
import { findCredentials, hashSecret, recordKeyUse, type KeyCredentials } from './keys.js'

export type Verification =
  | { ok: true, key: KeyCredentials }
  | { ok: false, reason: 'invalid_key' | 'key_revoked' | 'key_expired' }

/**
 * Checks bearer secrets in well under a millisecond: a hit is one SHA-256 and a Map
 * lookup. Entries live at most `ttlMs` (4 s by default), which bounds how long a key revoked on
 * another instance keeps working here; a revocation on this instance is forgotten at once.
 */
export class KeyVerifier {
  private readonly cache = new Map<string, { key: KeyCredentials | undefined, at: number }>()
  private readonly lastUseRecorded = new Map<string, number>()

  constructor (
    private readonly db: Database,
    private readonly options: { ttlMs: number, maxEntries: number, onUseError?: (err: unknown) => void } = { ttlMs: 4_000, maxEntries: 50_000 }
  ) {}

  async verify (secret: string): Promise<Verification> {
    const hash = hashSecret(secret)
    const now = Date.now()
    let entry = this.cache.get(hash)
    if (!entry || now - entry.at > this.options.ttlMs) {
      entry = { key: await findCredentials(this.db, hash), at: now }
      // Unknown secrets are cached too, so guessing costs the database nothing extra.
      if (this.cache.size >= this.options.maxEntries) this.cache.clear()
      this.cache.set(hash, entry)
    }
    const key = entry.key
    if (!key) return { ok: false, reason: 'invalid_key' }
    if (key.revokedAt) return { ok: false, reason: 'key_revoked' }
    if (key.expiresAt && new Date(key.expiresAt).getTime() <= now) return { ok: false, reason: 'key_expired' }
    this.noteUse(key.id, now)
    return { ok: true, key }
  }

  /** Drops every cached entry of a key (after revocation here). */
  forget (keyId: string) {
    for (const [hash, entry] of this.cache) if (entry.key?.id === keyId) this.cache.delete(hash)
  }

  // last_used_at is written at most once a minute per key, off the request's path.
  private noteUse (keyId: string, now: number) {
    const last = this.lastUseRecorded.get(keyId) ?? 0
    if (now - last < 60_000) return
    this.lastUseRecorded.set(keyId, now)
    recordKeyUse(this.db, keyId).catch((err) => this.options.onUseError?.(err))
  }
}
