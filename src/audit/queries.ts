import { and, desc, eq, gte, lt, sql, type SQL } from 'drizzle-orm'
import type { Actor } from '../access/actor.js'
import { withinScope } from '../access/scope.js'
import type { Database } from '../db/client.js'
import { auditLog, units } from '../db/schema.js'

export interface AuditFilter {
  entityType?: string
  entityId?: string
  action?: string
  keyId?: string
  /** Records about this unit or any unit below it. */
  unitId?: string
  from?: string
  to?: string
  /** Keyset: records older than this id. */
  before?: number
  limit: number
}

/** The trail, newest first, limited to the actor's subtree; limit + 1 rows. */
export async function listAudit (db: Database, actor: Actor, q: AuditFilter) {
  const where: Array<SQL | undefined> = [
    // Records with no unit (global catalogue, global keys) are for global keys only.
    actor.scopeUnitId ? and(sql`${auditLog.unitPath} IS NOT NULL`, withinScope(actor, auditLog.unitPath)) : undefined,
    q.entityType ? eq(auditLog.entityType, q.entityType) : undefined,
    q.entityId ? eq(auditLog.entityId, q.entityId) : undefined,
    q.action ? eq(auditLog.action, q.action) : undefined,
    q.keyId ? eq(auditLog.keyId, q.keyId) : undefined,
    q.unitId ? sql`${auditLog.unitPath} <@ (SELECT ${units.path} FROM ${units} WHERE ${units.id} = ${q.unitId})` : undefined,
    q.from ? gte(auditLog.at, new Date(q.from)) : undefined,
    q.to ? lt(auditLog.at, new Date(q.to)) : undefined,
    q.before !== undefined ? lt(auditLog.id, q.before) : undefined
  ]
  return db.select({
    id: auditLog.id,
    at: auditLog.at,
    keyId: auditLog.keyId,
    requestId: auditLog.requestId,
    action: auditLog.action,
    entityType: auditLog.entityType,
    entityId: auditLog.entityId,
    unitId: auditLog.unitId,
    before: auditLog.before,
    after: auditLog.after
  }).from(auditLog).where(and(...where)).orderBy(desc(auditLog.id)).limit(q.limit + 1)
}
