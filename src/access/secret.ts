import { createHash, randomBytes } from 'node:crypto'

/**
 * What an API key secret is, in one place: the keys minted here, what BOOTSTRAP_ADMIN_KEY
 * may be, and what the verifier is willing to look up.
 */

export const SECRET_PREFIX = 'sg_'

/**
 * 20 to 200 visible ASCII characters (no spaces): room for the minted `sg_` + 43 base64url
 * characters and for a BOOTSTRAP_ADMIN_KEY of the operator's choosing, nothing a key could
 * never be. Anything else is refused without a hash or a database query.
 */
const WELL_FORMED = /^[\x21-\x7E]{20,200}$/
export const WELL_FORMED_SECRET_TEXT = '20 to 200 visible ASCII characters, no spaces'

export function isWellFormedSecret (secret: string): boolean {
  return WELL_FORMED.test(secret)
}

/** 32 random bytes: 256 bits of entropy, so SHA-256 (not a slow password hash) is the right check. */
export function generateSecret (): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64url')
}

export function hashSecret (secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex')
}
