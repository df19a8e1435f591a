import { sql } from 'drizzle-orm'
import type { Actor } from '../access/actor.js'
import type { Database } from '../db/client.js'
import { auditLog } from '../db/schema.js'

export interface AuditEntry {
  action: string
  entityType: string
  entityId: string
  /** The unit the change concerns; its current tree path is stored with the record. */
  unitId?: string | null
  before?: unknown
  after?: unknown
}

/**
 * Writes the audit record inside the caller's transaction: if the change rolls back
 * so does its record, and if the record cannot be written the change fails.
 */
export async function recordAudit (tx: Database, actor: Actor, entry: AuditEntry): Promise<void> {
  const unitId = entry.unitId ?? null
  await tx.insert(auditLog).values({
    keyId: actor.keyId,
    requestId: actor.requestId,
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId,
    unitId,
    unitPath: unitId === null ? null : sql`(SELECT path FROM units WHERE id = ${unitId})` as unknown as string,
    before: entry.before ?? null,
    after: entry.after ?? null
  })
}
