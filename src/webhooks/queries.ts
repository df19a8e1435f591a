import { sql, type SQL } from 'drizzle-orm'
import type { Actor } from '../access/actor.js'
import { recordAudit } from '../audit/record.js'
import { headOfChanges } from '../changes/queries.js'
import { rows, type Database } from '../db/client.js'
import { inTransaction } from '../db/transaction.js'
import type { WebhookStatus } from '../db/schema.js'
import { DomainError, notFound, preconditionFailed } from '../errors.js'
import { urlRefusal, type AddressPolicy } from './outbound.js'
import { generateSigningSecret, type SecretBox } from './secret.js'

export interface WebhookRow {
  id: string
  url: string
  types: string[]
  unitId: string | null
  unitCodePath: string | null
  createdBy: string
  status: WebhookStatus
  statusReason: string | null
  cursor: number
  nextAttemptAt: Date
  failingSince: Date | null
  attempts: number
  previousSecretUntil: Date | null
  version: number
  createdAt: Date
  updatedAt: Date
}

const COLUMNS = sql`w.id, w.url, w.types, w.unit_id AS "unitId", u.code_path AS "unitCodePath", w.created_by AS "createdBy",
  w.status, w.status_reason AS "statusReason", w.cursor, w.next_attempt_at AS "nextAttemptAt", w.failing_since AS "failingSince",
  w.attempts, w.previous_secret_until AS "previousSecretUntil", w.version, w.created_at AS "createdAt", w.updated_at AS "updatedAt"`

/** Webhooks a key may see: all for a global key; for a scoped one, those on a unit of its subtree. */
function visible (actor: Actor): SQL {
  if (actor.scopeUnitId === null) return sql`true`
  return sql`w.unit_id IS NOT NULL AND u.path <@ (SELECT s.path FROM units s WHERE s.id = ${actor.scopeUnitId}::uuid)`
}

async function select (db: Database, where: SQL, tail: SQL = sql``): Promise<WebhookRow[]> {
  const found = await rows<WebhookRow>(db, sql`SELECT ${COLUMNS} FROM webhooks w LEFT JOIN units u ON u.id = w.unit_id WHERE ${where} ${tail}`)
  return found.map(r => ({ ...r, cursor: Number(r.cursor) }))
}

/** A type as the feed names it, one entity's every type (`appointment.*`), or everything (`*`). */
export const WEBHOOK_TYPE = /^(\*|[a-z][a-z_]*\.(\*|[a-z][a-z_]*))$/

/** The feed filter a webhook's types make: exact types and whole entities. */
export function typeFilter (types: string[]): { types?: string[], entityTypes?: string[] } {
  if (types.includes('*')) return {}
  return {
    types: types.filter(t => !t.endsWith('.*')),
    entityTypes: types.filter(t => t.endsWith('.*')).map(t => t.slice(0, -2))
  }
}

/** Stored and returned as given, in a stable order, without repeats. */
function normaliseTypes (types: string[]): string[] {
  const bad = types.filter(t => !WEBHOOK_TYPE.test(t))
  if (bad.length > 0) throw new DomainError('invalid', 'invalid_webhook_type', `Not a change type, entity.* or *: ${bad.join(', ')}.`)
  return [...new Set(types)].sort()
}

function assertUrl (policy: AddressPolicy, url: string) {
  const refusal = urlRefusal(policy, url)
  if (refusal) throw new DomainError('unprocessable', 'webhook_url_refused', `The webhook URL is refused: ${refusal}.`)
}

export function publicWebhook (w: WebhookRow) {
  return {
    id: w.id,
    url: w.url,
    types: w.types,
    unitId: w.unitId,
    unitCodePath: w.unitCodePath,
    status: w.status,
    statusReason: w.statusReason,
    createdBy: w.createdBy,
    createdAt: new Date(w.createdAt).toISOString(),
    updatedAt: new Date(w.updatedAt).toISOString()
  }
}

export interface CreateWebhookInput {
  url: string
  types: string[]
  unitId?: string | null
}

/** A new webhook, told of changes from now on; its signing secret is returned this once. */
export async function createWebhook (db: Database, actor: Actor, box: SecretBox, policy: AddressPolicy, input: CreateWebhookInput): Promise<{ webhook: WebhookRow, secret: string }> {
  if (actor.keyId === null) throw new DomainError('forbidden', 'insufficient_role', 'A webhook is created by an API key.')
  assertUrl(policy, input.url)
  const types = normaliseTypes(input.types)
  // A scoped key's webhook covers its subtree unless it names a unit inside it.
  const unitId = input.unitId ?? actor.scopeUnitId
  return inTransaction(db, actor, async (tx) => {
    if (unitId !== null) {
      const [unit] = await rows<{ id: string }>(tx, sql`SELECT u.id FROM units u WHERE u.id = ${unitId}::uuid
        AND (${actor.scopeUnitId}::uuid IS NULL OR u.path <@ (SELECT s.path FROM units s WHERE s.id = ${actor.scopeUnitId}::uuid))`)
      if (!unit) throw new DomainError('unprocessable', 'unit_not_in_scope', 'unitId names no unit within your scope.')
    }
    const secret = generateSigningSecret()
    const [{ id }] = await rows<{ id: string }>(tx, sql`SELECT gen_random_uuid() AS id`)
    // Changes from now on: the feed's head when it is created.
    const head = await headOfChanges(tx)
    await tx.execute(sql`INSERT INTO webhooks (id, url, types, unit_id, created_by, secret, cursor)
      VALUES (${id}::uuid, ${input.url}, ${sql.param(types)}::text[], ${unitId}::uuid, ${actor.keyId}::uuid, ${box.seal(secret, id)}, ${head})`)
    const [webhook] = await select(tx, sql`w.id = ${id}::uuid`)
    await recordAudit(tx, actor, { action: 'create', entityType: 'webhook', entityId: id, unitId, after: publicWebhook(webhook) })
    return { webhook, secret }
  })
}

export async function findWebhook (db: Database, actor: Actor, id: string): Promise<WebhookRow | undefined> {
  const [row] = await select(db, sql`w.id = ${id}::uuid AND ${visible(actor)}`)
  return row
}

/** Newest first; the cursor is (created_at, id). */
export async function listWebhooks (db: Database, actor: Actor, f: { before?: [string, string], limit: number }): Promise<WebhookRow[]> {
  const page = f.before ? sql`AND (w.created_at, w.id) < (${f.before[0]}::timestamptz, ${f.before[1]}::uuid)` : sql``
  return select(db, sql`${visible(actor)} ${page}`, sql`ORDER BY w.created_at DESC, w.id DESC LIMIT ${f.limit + 1}`)
}

async function lockVisible (tx: Database, actor: Actor, id: string, matches?: (version: number) => boolean): Promise<WebhookRow> {
  const [row] = await select(tx, sql`w.id = ${id}::uuid AND ${visible(actor)}`, sql`FOR UPDATE OF w`)
  if (!row) throw notFound('webhook')
  if (matches && !matches(row.version)) throw preconditionFailed()
  return row
}

export interface UpdateWebhookInput {
  url?: string
  types?: string[]
  /** active resumes (from where it stopped: nothing is skipped), paused pauses. */
  status?: 'active' | 'paused'
}

export async function updateWebhook (db: Database, actor: Actor, policy: AddressPolicy, id: string, input: UpdateWebhookInput, matches?: (version: number) => boolean): Promise<WebhookRow> {
  if (input.url !== undefined) assertUrl(policy, input.url)
  const types = input.types === undefined ? undefined : normaliseTypes(input.types)
  return inTransaction(db, actor, async (tx) => {
    const before = await lockVisible(tx, actor, id, matches)
    const sets: SQL[] = []
    if (input.url !== undefined) sets.push(sql`url = ${input.url}`)
    if (types !== undefined) sets.push(sql`types = ${sql.param(types)}::text[]`)
    if (input.status !== undefined && input.status !== before.status) {
      if (input.status === 'active') {
        // A revoked or expired creating key: the database refuses (webhooks_key_revoked).
        // Resumed: the next change is tried at once, its backoff forgotten.
        sets.push(sql`status = 'active', status_reason = NULL, attempts = 0, failing_since = NULL, next_attempt_at = now()`)
      } else {
        sets.push(sql`status = 'paused', status_reason = 'paused'`)
      }
    }
    if (sets.length === 0) return before
    await tx.execute(sql`UPDATE webhooks SET ${sql.join(sets, sql`, `)} WHERE id = ${id}::uuid`)
    const [after] = await select(tx, sql`w.id = ${id}::uuid`)
    await recordAudit(tx, actor, { action: 'update', entityType: 'webhook', entityId: id, unitId: after.unitId, before: publicWebhook(before), after: publicWebhook(after) })
    return after
  })
}

export async function deleteWebhook (db: Database, actor: Actor, id: string, matches?: (version: number) => boolean): Promise<void> {
  await inTransaction(db, actor, async (tx) => {
    const before = await lockVisible(tx, actor, id, matches)
    await tx.execute(sql`DELETE FROM webhooks WHERE id = ${id}::uuid`)
    await recordAudit(tx, actor, { action: 'delete', entityType: 'webhook', entityId: id, unitId: before.unitId, before: publicWebhook(before) })
  })
}

/**
 * A new signing secret, returned this once; the old one keeps signing beside it for
 * `graceMs`, so receivers can switch without a failed delivery.
 */
export async function rotateSecret (db: Database, actor: Actor, box: SecretBox, id: string, graceMs: number): Promise<{ webhook: WebhookRow, secret: string }> {
  return inTransaction(db, actor, async (tx) => {
    const before = await lockVisible(tx, actor, id)
    const [current] = await rows<{ secret: string }>(tx, sql`SELECT secret FROM webhooks WHERE id = ${id}::uuid`)
    const secret = generateSigningSecret()
    await tx.execute(sql`UPDATE webhooks SET secret = ${box.seal(secret, id)},
        previous_secret = ${graceMs > 0 ? current.secret : null},
        previous_secret_until = ${graceMs > 0 ? sql`now() + make_interval(secs => ${graceMs / 1000})` : null}
      WHERE id = ${id}::uuid`)
    const [webhook] = await select(tx, sql`w.id = ${id}::uuid`)
    await recordAudit(tx, actor, { action: 'rotate_secret', entityType: 'webhook', entityId: id, unitId: before.unitId, after: { previousSecretUntil: webhook.previousSecretUntil } })
    return { webhook, secret }
  })
}

export interface DeliveryRow {
  id: number
  messageId: string
  kind: 'change' | 'retry' | 'ping'
  type: string
  position: number | null
  attempt: number
  at: Date
  statusCode: number | null
  durationMs: number
  ok: boolean
  error: string | null
}

const DELIVERY_COLUMNS = sql`d.id, d.message_id AS "messageId", d.kind, d.type, d.position, d.attempt, d.at,
  d.status_code AS "statusCode", d.duration_ms AS "durationMs", d.ok, d.error`

function toDelivery (r: DeliveryRow): DeliveryRow {
  return { ...r, id: Number(r.id), position: r.position === null ? null : Number(r.position) }
}

/** Every attempt, newest first. */
export async function listDeliveries (db: Database, webhookId: string, f: { before?: number, limit: number }): Promise<DeliveryRow[]> {
  const found = await rows<DeliveryRow>(db, sql`SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d
    WHERE d.webhook_id = ${webhookId}::uuid ${f.before === undefined ? sql`` : sql`AND d.id < ${f.before}`}
    ORDER BY d.id DESC LIMIT ${f.limit + 1}`)
  return found.map(toDelivery)
}

export async function findDelivery (db: Database, webhookId: string, id: number): Promise<DeliveryRow | undefined> {
  const [row] = await rows<DeliveryRow>(db, sql`SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d WHERE d.webhook_id = ${webhookId}::uuid AND d.id = ${id}`)
  return row ? toDelivery(row) : undefined
}

export interface AttemptRecord {
  webhookId: string
  messageId: string
  kind: DeliveryRow['kind']
  type: string
  position: number | null
  attempt: number
  statusCode: number | null
  durationMs: number
  ok: boolean
  error: string | null
}

export async function recordAttempt (db: Database, a: AttemptRecord): Promise<DeliveryRow> {
  const [row] = await rows<DeliveryRow>(db, sql`INSERT INTO webhook_deliveries AS d (webhook_id, message_id, kind, type, position, attempt, status_code, duration_ms, ok, error)
    VALUES (${a.webhookId}::uuid, ${a.messageId}, ${a.kind}, ${a.type}, ${a.position}, ${a.attempt}, ${a.statusCode}, ${a.durationMs}, ${a.ok}, ${a.error})
    RETURNING ${DELIVERY_COLUMNS}`)
  return toDelivery(row)
}
