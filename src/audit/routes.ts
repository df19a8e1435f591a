import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { decodeCursor, pageOf, PageQuery, toPage } from '../http/pagination.js'
import { IsoDateTime, text } from '../http/fields.js'
import { problemResponses } from '../http/problem.js'
import { listAudit } from './queries.js'

const AuditRecord = z.object({
  id: z.number().int(),
  at: z.iso.datetime(),
  keyId: z.uuid().nullable().describe('The key that made the change; null for the system (start-up, command line)'),
  requestId: z.string().nullable(),
  action: z.string().describe('create, update, delete, move, revoke, appoint, end, lapse, import, export (a download of personal data)...'),
  entityType: z.string(),
  entityId: z.string(),
  unitId: z.uuid().nullable(),
  // unknown already admits null; .nullable() would document an illogical anyOf [{}, null]
  before: z.unknown().describe('The entity before the change; null when there was none'),
  after: z.unknown().describe('The entity after the change (an import: its id); null when there is none')
}).meta({ id: 'AuditRecord' })

const AuditQuery = z.object({
  entityType: text(50).optional(),
  entityId: text(100).optional(),
  action: text(50).optional(),
  keyId: z.uuid().optional(),
  unitId: z.uuid().optional().describe('Records about this unit or any unit below it'),
  from: IsoDateTime.optional().describe('Inclusive'),
  to: IsoDateTime.optional().describe('Exclusive'),
  ...PageQuery
})

/** GET /v1/audit: the trail, newest first, limited to the caller's subtree. Read-only by design. */
export const auditRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/audit', {
    config: { permission: 'read_audit' },
    schema: {
      operationId: 'listAuditRecords',
      tags: ['audit'],
      summary: 'The audit trail of changes, newest first (admin keys)',
      querystring: AuditQuery,
      response: { 200: pageOf(AuditRecord).meta({ id: 'AuditPage' }), ...problemResponses(400, 403) }
    }
  }, async (request) => {
    const { cursor, limit, ...filter } = request.query
    const found = await listAudit(request.readDb, request.actor, { ...filter, before: decodeCursor(cursor, z.number().int()), limit })
    return toPage(found, limit, r => ({ ...r, at: new Date(r.at).toISOString() }), r => r.id)
  })
}
