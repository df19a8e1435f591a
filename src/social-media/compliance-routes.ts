import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { jsonOrCsv, mapBatches, phoneCell, sendCsvRows, wantsCsv, type CsvColumn } from '../http/csv.js'
import { sendPersonalDataCsv } from '../http/export.js'
import { text } from '../http/fields.js'
import { decodeCursor, toPage } from '../http/pagination.js'
import { problemResponses } from '../http/problem.js'
import { allCompliance, allNonCompliant, complianceReport, nonCompliant, nonCompliantKey, toNonCompliant, type ComplianceRow, type Platform } from './compliance.js'
import { ComplianceQuery, ComplianceReport, NonCompliantPage, NonCompliantQuery } from './compliance-schemas.js'

const tags = ['social-media']
const IdParams = z.object({ id: z.uuid() })
const Cursor = z.tuple([text(300), text(30), text(50), z.uuid()])
const filePart = (q: { wing: string, role?: string, postLevel?: string }) =>
  [q.wing === 'all' ? '' : q.wing, q.postLevel ?? '', q.role ?? ''].filter(Boolean).map(x => `${x}-`).join('')

/** The report's CSV: a row per unit, the unit asked about first; per required platform, bound and held. */
function complianceCsv (platforms: Platform[]): ReadonlyArray<CsvColumn<ComplianceRow>> {
  return [
    ['code_path', r => r.codePath],
    ['code', r => r.code],
    ['name', r => r.name],
    ['level', r => r.level],
    ['bound', r => r.bound],
    ['compliant', r => r.compliant],
    ['share', r => r.share],
    ...platforms.flatMap((p, i): Array<CsvColumn<ComplianceRow>> => [
      [`${p.code}_bound`, r => r.platforms[i].bound],
      [`${p.code}_held`, r => r.platforms[i].held]
    ]),
    ['unit_id', r => r.unitId]
  ]
}

type NonCompliant = ReturnType<typeof toNonCompliant>

const NON_COMPLIANT_CSV: ReadonlyArray<CsvColumn<NonCompliant>> = [
  ['unit_code_path', r => r.unitCodePath],
  ['wing', r => r.wing],
  ['role', r => r.role],
  ['post_level', r => r.postLevel],
  ['name', r => r.person.name],
  ['phone', r => phoneCell(r.person.phone)],
  ['missing', r => r.missing.join(' ')],
  ['handles', r => Object.entries(r.person.handles).map(([k, v]) => `${k}:${v}`).join(' ')],
  ['start_date', r => r.startDate],
  ['person_id', r => r.person.id],
  ['unit_id', r => r.unitId],
  ['appointment_id', r => r.appointmentId]
]

/** The social media duty: compliance per unit and who is not compliant (src/social-media/compliance.ts). */
export const complianceRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/units/:id/social-media', {
    schema: {
      operationId: 'unitSocialMedia',
      tags,
      summary: 'The social media duty for the unit and each child (or each descendant at a level): office-bearers it binds, how many run every required platform, and per platform; JSON pages or CSV',
      description: 'Which posts must run which platforms is the policy at /v1/handle-duties (seeded: block, ward and booth presidents run X, YouTube, Facebook and Instagram). Counted per current term, exact after every write.',
      params: IdParams,
      querystring: ComplianceQuery,
      response: { 200: jsonOrCsv(ComplianceReport), ...problemResponses(400, 404, 422) }
    }
  }, async (request, reply) => {
    const { cursor, format, ...q } = request.query
    if (wantsCsv(request, format)) {
      const found = await allCompliance(request.readDb, request.actor, request.params.id, q)
      return sendCsvRows(reply, `social-media-${filePart(q)}${found.unit.codePath}.csv`, complianceCsv(found.platforms), found.rows)
    }
    const { self, children } = await complianceReport(request.readDb, request.actor, request.params.id, { ...q, after: decodeCursor(cursor, text(300)) })
    const page = toPage(children, q.limit, r => r, r => r.codePath)
    return { wing: q.wing, role: q.role ?? null, postLevel: q.postLevel ?? null, unit: self, children: page.items, nextCursor: page.nextCursor }
  })

  app.get('/units/:id/social-media/non-compliant', {
    schema: {
      operationId: 'unitSocialMediaNonCompliant',
      tags,
      summary: 'Office-bearers in the subtree whom the social media duty binds and who lack a required platform; JSON pages or CSV (the download is audited)',
      params: IdParams,
      querystring: NonCompliantQuery,
      response: { 200: jsonOrCsv(NonCompliantPage), ...problemResponses(400, 404, 422) }
    }
  }, async (request, reply) => {
    const { cursor, format, limit, ...q } = request.query
    const mask = request.actor.maskPersonalData
    if (wantsCsv(request, format)) {
      const found = await allNonCompliant(request.readDb, request.actor, request.params.id, q)
      return sendPersonalDataCsv(app.db, request, reply, {
        entityType: 'social_media_non_compliant',
        unitId: found.unit.id,
        filter: q,
        format: 'csv',
        filename: `social-media-non-compliant-${filePart(q)}${found.unit.codePath}.csv`,
        columns: NON_COMPLIANT_CSV,
        batches: mapBatches(found.batches, r => toNonCompliant(r, mask))
      })
    }
    const found = await nonCompliant(request.readDb, request.actor, request.params.id, { ...q, limit, after: decodeCursor(cursor, Cursor) })
    return toPage(found.rows, limit, r => toNonCompliant(r, mask), nonCompliantKey)
  })
}
