import { randomUUID } from 'node:crypto'
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

export interface ExportEntry {
  /** What was downloaded, e.g. people. */
  entityType: string
  /**
   * The unit the download covers: the filter's unit, else the key's scope unit (null for
   * a global key's whole list). Scoped admins see the records of their subtree.
   */
  unitId: string | null
  /** The question asked: filters that are not personal data, by name. */
  filter: Record<string, unknown>
  /**
   * Filters that are personal data (phone, voter ID), by name: only whether each was
   * used is recorded, never its value.
   */
  personalFilter?: Record<string, unknown>
  format: string
}

/**
 * A download of personal data: one record per download (action `export`, entity id a
 * fresh export id), written before the first row is sent, so a download that cannot be
 * recorded does not happen. The trail is append-only, so it holds the question, not the
 * row count; the count is logged with the request id when the download ends.
 */
export async function recordExport (db: Database, actor: Actor, entry: ExportEntry): Promise<string> {
  const exportId = randomUUID()
  const used = Object.entries(entry.personalFilter ?? {}).filter(([, value]) => value !== undefined).map(([name]) => name)
  const filter = Object.fromEntries(Object.entries(entry.filter).filter(([, value]) => value !== undefined))
  await recordAudit(db, actor, {
    action: 'export',
    entityType: entry.entityType,
    entityId: exportId,
    unitId: entry.unitId,
    after: { format: entry.format, filter, ...(used.length > 0 ? { filteredBy: used } : {}), masked: actor.maskPersonalData }
  })
  return exportId
}
