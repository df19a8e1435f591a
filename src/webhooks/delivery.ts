import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { publicChange, type ChangeRow } from '../changes/queries.js'
import { rows, type Database } from '../db/client.js'
import { DomainError } from '../errors.js'
import type { Outbound, Sent } from './outbound.js'
import { recordAttempt, type DeliveryRow } from './queries.js'
import { signatureHeader, type SecretBox } from './secret.js'

/**
 * The webhook-id of a change's delivery: the same for every attempt at it (by the worker or
 * asked for), so a receiver dedupes at-least-once delivery by it.
 */
export function messageIdOf (webhookId: string, position: number): string {
  return `msg_${webhookId.replace(/-/g, '')}_${position}`
}

/** Standard Webhooks' payload: the feed's change as data. */
export function changeMessage (change: ChangeRow): { type: string, body: string } {
  const data = publicChange(change)
  return { type: change.type, body: JSON.stringify({ type: change.type, timestamp: data.at, data }) }
}

export interface SigningSecrets {
  secret: string
  previousSecret: string | null
  previousValid: boolean
}

/** What sending needs: the secrets' key and the SSRF-safe client. */
export class Courier {
  constructor (readonly box: SecretBox, readonly outbound: Outbound) {}

  /** The secrets that sign now: the current one, and the old one during a rotation's grace. */
  secretsOf (webhookId: string, s: SigningSecrets): string[] {
    const secrets = [this.box.open(s.secret, webhookId)]
    if (s.previousSecret !== null && s.previousValid) secrets.push(this.box.open(s.previousSecret, webhookId))
    return secrets
  }

  async send (url: string, secrets: string[], messageId: string, body: string, signal?: AbortSignal): Promise<Sent> {
    const timestamp = Math.floor(Date.now() / 1000)
    return this.outbound.post(url, {
      'webhook-id': messageId,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signatureHeader(secrets, messageId, timestamp, body)
    }, body, signal)
  }
}

interface Target {
  id: string
  url: string
  secret: string
  previousSecret: string | null
  previousValid: boolean
}

async function targetOf (db: Database, webhookId: string): Promise<Target> {
  const [target] = await rows<Target>(db, sql`SELECT id, url, secret, previous_secret AS "previousSecret",
    coalesce(previous_secret_until > now(), false) AS "previousValid" FROM webhooks WHERE id = ${webhookId}::uuid`)
  if (!target) throw new DomainError('not_found', 'webhook_not_found', 'No webhook with that id.')
  return target
}

/** POST /v1/webhooks/{id}/ping: a signed test message, sent now; its attempt is logged. */
export async function ping (db: Database, courier: Courier, webhookId: string, messageId = `msg_ping_${randomUUID().replace(/-/g, '')}`, attempt = 1): Promise<DeliveryRow> {
  const target = await targetOf(db, webhookId)
  const body = JSON.stringify({ type: 'webhook.ping', timestamp: new Date().toISOString(), data: { webhookId } })
  const sent = await courier.send(target.url, courier.secretsOf(webhookId, target), messageId, body)
  return recordAttempt(db, { webhookId, messageId, kind: 'ping', type: 'webhook.ping', position: null, attempt, ...sent })
}

/**
 * Sends one logged delivery again, now, with its webhook-id. A change still pending for the
 * worker is also made due at once (its backoff forgotten): the worker may then deliver it
 * again, which the receiver dedupes by webhook-id.
 */
export async function retryDelivery (db: Database, courier: Courier, webhookId: string, delivery: DeliveryRow): Promise<DeliveryRow> {
  const [{ next }] = await rows<{ next: number }>(db, sql`SELECT coalesce(max(attempt), 0) + 1 AS next FROM webhook_deliveries WHERE webhook_id = ${webhookId}::uuid AND message_id = ${delivery.messageId}`)
  if (delivery.position === null) return ping(db, courier, webhookId, delivery.messageId, Number(next))
  const [change] = await rows<ChangeRow>(db, sql`SELECT c.position, c.type, c.entity_type AS "entityType", c.entity_id AS "entityId", c.unit_id AS "unitId",
    c.unit_code_path AS "unitCodePath", c.at, c.payload FROM changes c WHERE c.position = ${delivery.position}`)
  if (!change) throw new DomainError('gone', 'change_expired', 'This change is no longer kept in the feed (CHANGES_RETENTION_DAYS): it cannot be sent again.')
  const target = await targetOf(db, webhookId)
  const { type, body } = changeMessage({ ...change, position: Number(change.position) })
  const sent = await courier.send(target.url, courier.secretsOf(webhookId, target), delivery.messageId, body)
  await db.execute(sql`UPDATE webhooks SET next_attempt_at = now(), attempts = 0 WHERE id = ${webhookId}::uuid AND status = 'active' AND cursor < ${delivery.position}`)
  return recordAttempt(db, { webhookId, messageId: delivery.messageId, kind: 'retry', type, position: delivery.position, attempt: Number(next), ...sent })
}
