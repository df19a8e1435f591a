import { LRUCache } from 'lru-cache'
import type { Database } from '../db/client.js'
import { findCredentials, recordKeyUse, type KeyCredentials } from './keys.js'
import { hashSecret, isWellFormedSecret } from './secret.js'

export type Refusal = 'malformed_key' | 'invalid_key' | 'key_revoked' | 'key_expired'

export type Verification =
  | { ok: true, key: KeyCredentials }
  | { ok: false, reason: Refusal }

/** Where the verifier reads keys and records their use: the database; a test may wrap it to count. */
export interface KeyStore {
  findCredentials (secretHash: string): Promise<KeyCredentials | undefined>
  recordUse (keyId: string): Promise<void>
}

export function databaseKeyStore (db: Database): KeyStore {
  return {
    findCredentials: (secretHash) => findCredentials(db, secretHash),
    recordUse: (keyId) => recordKeyUse(db, keyId)
  }
}

export interface VerifierOptions {
  /** How long an answer from the database is trusted: bounds how long a key revoked elsewhere works here. */
  ttlMs: number
  /** Secrets that are keys (valid, revoked or expired). Only real keys get in, so this can be generous. */
  maxKeys: number
  /** Secrets that are no key. A cache of their own, so guesses only ever evict other guesses. */
  maxUnknown: number
  onUseError?: (err: unknown) => void
  /** The clock, in ms since the epoch (Date.now unless given): a test moves its own by hand. */
  now?: () => number
}

export const VERIFIER_DEFAULTS: VerifierOptions = { ttlMs: 4_000, maxKeys: 50_000, maxUnknown: 10_000 }

interface KnownKey { key: KeyCredentials, checkedAt: number }

/**
 * Checks bearer secrets in well under a millisecond: a hit is one SHA-256 and an LRU lookup.
 * An answer is trusted for at most `ttlMs`, which bounds how long a key revoked on another
 * instance keeps working here; a revocation on this instance is forgotten at once.
 *
 * Two bounded caches: `keys` holds secrets the database knows (and remembers them after
 * their answer has gone stale, so verifyKnown can tell them from guesses), `unknown` holds
 * secrets it does not. A stream of random secrets fills `unknown` only, never evicting a key.
 */
export class KeyVerifier {
  private readonly keys: LRUCache<string, KnownKey>
  private readonly unknown: LRUCache<string, number>
  private readonly useRecordedAt: LRUCache<string, number>
  private readonly now: () => number
  private lookups = 0
  // Bumped by forget(): a lookup that was in flight across a revocation must not cache its answer.
  private forgets = 0

  constructor (private readonly store: KeyStore, private readonly options: VerifierOptions = VERIFIER_DEFAULTS) {
    this.keys = new LRUCache({ max: options.maxKeys })
    this.unknown = new LRUCache({ max: options.maxUnknown })
    this.useRecordedAt = new LRUCache({ max: options.maxKeys })
    this.now = options.now ?? Date.now
  }

  async verify (secret: string): Promise<Verification> {
    if (!isWellFormedSecret(secret)) return { ok: false, reason: 'malformed_key' }
    const hash = hashSecret(secret)
    const now = this.now()
    const known = this.keys.get(hash)
    if (known && this.fresh(known.checkedAt, now)) return this.judge(known.key, now)
    if (!known) {
      const unknownAt = this.unknown.get(hash)
      if (unknownAt !== undefined && this.fresh(unknownAt, now)) return { ok: false, reason: 'invalid_key' }
    }
    return this.judge(await this.lookUp(hash, now), now)
  }

  /**
   * verify() for a caller that may no longer make us query the database for guesses (an
   * address over its failed-authentication limit): only a secret this instance already knows
   * as a key is checked, re-read from the database if its answer is stale. Anything else is
   * undefined: not a key as far as memory goes, and not looked up.
   */
  async verifyKnown (secret: string): Promise<Verification | undefined> {
    if (!isWellFormedSecret(secret)) return undefined
    const hash = hashSecret(secret)
    const now = this.now()
    const known = this.keys.get(hash)
    if (!known) return undefined
    if (this.fresh(known.checkedAt, now)) return this.judge(known.key, now)
    return this.judge(await this.lookUp(hash, now), now)
  }

  /**
   * verify() answered from memory alone: the verdict on a secret this instance knows as a
   * key and checked within ttlMs, undefined otherwise (then ask verify or verifyKnown).
   * Both would return this same verdict, whatever the address's failure standing.
   */
  verifyFresh (secret: string): Verification | undefined {
    if (!isWellFormedSecret(secret)) return undefined
    const now = this.now()
    const known = this.keys.get(hashSecret(secret))
    return known && this.fresh(known.checkedAt, now) ? this.judge(known.key, now) : undefined
  }

  /** Drops every cached entry of a key (after revocation here). */
  forget (keyId: string) {
    this.forgets++
    const hashes: string[] = []
    for (const [hash, entry] of this.keys.entries()) if (entry.key.id === keyId) hashes.push(hash)
    for (const hash of hashes) this.keys.delete(hash)
  }

  /** Database lookups made so far and the sizes of both caches: for tests and benchmarks. */
  get stats () {
    return { lookups: this.lookups, keys: this.keys.size, unknown: this.unknown.size }
  }

  private fresh (checkedAt: number, now: number) {
    return now - checkedAt < this.options.ttlMs
  }

  private async lookUp (hash: string, now: number): Promise<KeyCredentials | undefined> {
    this.lookups++
    const forgetsBefore = this.forgets
    const key = await this.store.findCredentials(hash)
    if (this.forgets !== forgetsBefore) return key
    if (key) {
      this.keys.set(hash, { key, checkedAt: now })
      this.unknown.delete(hash)
    } else {
      this.keys.delete(hash)
      this.unknown.set(hash, now)
    }
    return key
  }

  private judge (key: KeyCredentials | undefined, now: number): Verification {
    if (!key) return { ok: false, reason: 'invalid_key' }
    if (key.revokedAt) return { ok: false, reason: 'key_revoked' }
    if (key.expiresAt && new Date(key.expiresAt).getTime() <= now) return { ok: false, reason: 'key_expired' }
    this.noteUse(key.id, now)
    return { ok: true, key }
  }

  // last_used_at is written at most once a minute per key, off the request's path.
  private noteUse (keyId: string, now: number) {
    const last = this.useRecordedAt.get(keyId) ?? 0
    if (now - last < 60_000) return
    this.useRecordedAt.set(keyId, now)
    this.store.recordUse(keyId).catch((err) => this.options.onUseError?.(err))
  }
}
