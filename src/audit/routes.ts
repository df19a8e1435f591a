import { and, desc, eq, gte, lt, sql, type SQL } from 'drizzle-orm'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { withinScope } from '../access/scope.js'
import { auditLog, units } from '../db/schema.js'
import { decodeCursor, pageOf, PageQuery, toPage } from '../http/pagination.js'
import { problemResponses } from '../http/problem.js'

const AuditRecord = z.object({
  id: z.number().int(),
  at: z.iso.datetime(),
  keyId: z.uuid().nullable().describe('The key that made the change; null for the system (start-up, command line)'),
  requestId: z.string().nullable(),
  action: z.string().describe('create, update, delete, move, revoke, appoint, end, lapse, import...'),
  entityType: z.string(),
  entityId: z.string(),
  unitId: z.uuid().nullable(),
  before: z.unknown().nullable(),
  after: z.unknown().nullable()
}).meta({ id: 'AuditRecord' })

const AuditQuery = z.object({
  entityType: z.string().max(50).optional(),
  entityId: z.string().max(100).optional(),
  action: z.string().max(50).optional(),
  keyId: z.uuid().optional(),
  unitId: z.uuid().optional().describe('Records about this unit or any unit below it'),
  from: z.iso.datetime({ offset: true }).optional().describe('Inclusive'),
  to: z.iso.datetime({ offset: true }).optional().describe('Exclusive'),
  ...PageQuery
})

/** GET /v1/audit: the trail, newest first, limited to the caller's subtree. Read-only by design. */
export const auditRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/audit', {
    config: { permission: 'read_audit' },
    schema: {
      tags: ['audit'],
      summary: 'The audit trail of changes, newest first (admin keys)',
      querystring: AuditQuery,
      response: { 200: pageOf(AuditRecord).meta({ id: 'AuditPage' }), ...problemResponses(400, 403) }
    }
  }, async (request) => {
    const q = request.query
    const where: Array<SQL | undefined> = [
      // Records with no unit (global catalogue, global keys) are for global keys only.
      request.actor.scopeUnitId ? and(sql`${auditLog.unitPath} IS NOT NULL`, withinScope(request.actor, auditLog.unitPath)) : undefined,
      q.entityType ? eq(auditLog.entityType, q.entityType) : undefined,
      q.entityId ? eq(auditLog.entityId, q.entityId) : undefined,
      q.action ? eq(auditLog.action, q.action) : undefined,
      q.keyId ? eq(auditLog.keyId, q.keyId) : undefined,
      q.unitId ? sql`${auditLog.unitPath} <@ (SELECT ${units.path} FROM ${units} WHERE ${units.id} = ${q.unitId})` : undefined,
      q.from ? gte(auditLog.at, new Date(q.from)) : undefined,
      q.to ? lt(auditLog.at, new Date(q.to)) : undefined
    ]
    const before = decodeCursor(q.cursor, z.number().int())
    if (before !== undefined) where.push(lt(auditLog.id, before))
    const rows = await app.db.select({
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
    return toPage(rows, q.limit, r => ({ ...r, at: new Date(r.at).toISOString() }), r => r.id)
  })
}
