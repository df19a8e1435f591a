import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** Standard Webhooks' secret form: whsec_ and the HMAC key's bytes as base64. */
export const SIGNING_SECRET_PREFIX = 'whsec_'

export function generateSigningSecret (): string {
  return SIGNING_SECRET_PREFIX + randomBytes(32).toString('base64')
}

function keyBytes (secret: string): Buffer {
  return Buffer.from(secret.startsWith(SIGNING_SECRET_PREFIX) ? secret.slice(SIGNING_SECRET_PREFIX.length) : secret, 'base64')
}

/**
 * The webhook-signature header (Standard Webhooks): `v1,<base64 HMAC-SHA256 of
 * "id.timestamp.body">`, one per secret, space-separated: during a rotation's grace period
 * the old and the new secret both sign, so a receiver with either verifies.
 */
export function signatureHeader (secrets: string[], messageId: string, timestamp: number, body: string): string {
  return secrets.map(secret => `v1,${createHmac('sha256', keyBytes(secret)).update(`${messageId}.${timestamp}.${body}`).digest('base64')}`).join(' ')
}

/**
 * Signing secrets at rest: AES-256-GCM under WEBHOOK_KEY, the webhook's id as associated
 * data, so a ciphertext copied onto another webhook's row does not decrypt.
 */
export class SecretBox {
  private loaded: Buffer | undefined

  /** The key is loaded on first use: a service that never registers a webhook makes no key file. */
  constructor (private readonly load: () => Buffer) {}

  private get key (): Buffer {
    if (!this.loaded) {
      const key = this.load()
      if (key.length !== 32) throw new Error('the webhook key must be 32 bytes')
      this.loaded = key
    }
    return this.loaded
  }

  seal (secret: string, webhookId: string): string {
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', this.key, iv)
    cipher.setAAD(Buffer.from(webhookId, 'utf8'))
    const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()])
    return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), sealed.toString('base64')].join('.')
  }

  open (sealed: string, webhookId: string): string {
    const [version, iv, tag, data] = sealed.split('.')
    if (version !== 'v1' || !iv || !tag || !data) throw new Error('not a sealed webhook secret')
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'))
    decipher.setAAD(Buffer.from(webhookId, 'utf8'))
    decipher.setAuthTag(Buffer.from(tag, 'base64'))
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8')
  }
}

/**
 * WEBHOOK_KEY when given; otherwise the key kept in DATA_DIR/webhook-key.txt (mode 0600),
 * made on first use. Lose it and every stored secret must be rotated.
 */
export function loadWebhookKey (given: string | undefined, dataDir: string): { key: Buffer, generatedAt?: string } {
  if (given) return { key: Buffer.from(given, 'base64') }
  const file = join(dataDir, 'webhook-key.txt')
  if (existsSync(file)) return { key: Buffer.from(readFileSync(file, 'utf8').trim(), 'base64') }
  mkdirSync(dataDir, { recursive: true })
  const key = randomBytes(32)
  // wx: two instances starting together on one folder must not overwrite each other's key.
  try {
    writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' })
  } catch (err) {
    if ((err as { code?: string }).code === 'EEXIST') return { key: Buffer.from(readFileSync(file, 'utf8').trim(), 'base64') }
    throw err
  }
  chmodSync(file, 0o600)
  return { key, generatedAt: file }
}
