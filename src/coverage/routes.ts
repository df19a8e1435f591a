import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { OfficeBearerCursor, officeBearerKey, toOfficeBearer } from '../appointments/queries.js'
import { OfficeBearerSchema } from '../appointments/schemas.js'
import { jsonOrCsv, sendCsv, wantsCsv } from '../http/csv.js'
import { text } from '../http/fields.js'
import { decodeCursor, pageOf, toPage } from '../http/pagination.js'
import { problemResponses } from '../http/problem.js'
import { toCoverageRow, toGap, type GapRow } from './queries.js'
import { allGaps, allWithoutHandles, coverageReport, gapsReport, vacancies, withoutHandles } from './service.js'
import { CoverageQuery, CoverageReport, GapPage, GapsQuery, VacanciesQuery, VacancyReport, WithoutHandlesQuery } from './schemas.js'

const tags = ['coverage']
const IdParams = z.object({ id: z.uuid() })
const byCodePath = (r: { code_path: string }) => r.code_path

const GAP_CSV_HEADER = ['code_path', 'state', 'district', 'block', 'ward', 'booth', 'name', 'level', 'ac_number', 'ps_number', 'role', 'holders', 'seats']
const gapCsvRow = (g: GapRow, role: string) => {
  const codes = g.code_path.split('/')
  return [g.code_path, codes[0], codes[1] ?? '', codes[2] ?? '', codes[3] ?? '', codes[4] ?? '', g.name, g.level, g.ac_number, g.ps_number, role, g.holders, g.seats]
}

/** Coverage, gaps, vacancies and missing social handles: where the holes are (src/coverage/service.ts). */
export const coverageRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/units/:id/coverage', {
    schema: {
      operationId: 'unitCoverage',
      tags,
      summary: 'Coverage of a booth-level role for the unit and each child (or each descendant at a level)',
      params: IdParams,
      querystring: CoverageQuery,
      response: { 200: CoverageReport, ...problemResponses(400, 404, 422) }
    }
  }, async (request) => {
    const { cursor, ...q } = request.query
    const { self, children } = await coverageReport(app.db, request.actor, request.params.id, { ...q, after: decodeCursor(cursor, text(300)) })
    const page = toPage(children, q.limit, toCoverageRow, byCodePath)
    return { unit: toCoverageRow(self), children: page.items, nextCursor: page.nextCursor }
  })

  app.get('/units/:id/gaps', {
    schema: {
      operationId: 'unitGaps',
      tags,
      summary: 'Units in the subtree with fewer holders of a role than its seats; JSON pages, or the whole list as CSV',
      params: IdParams,
      querystring: GapsQuery,
      response: { 200: jsonOrCsv(GapPage), ...problemResponses(400, 404, 422) }
    }
  }, async (request, reply) => {
    const { role, level, limit, cursor, format } = request.query
    if (wantsCsv(request, format)) {
      const gaps = await allGaps(app.db, request.actor, request.params.id, { role, level })
      return sendCsv(reply, `gaps-${gaps.role.code}-${gaps.unit.codePath}.csv`, GAP_CSV_HEADER, map(gaps.rows, g => gapCsvRow(g, gaps.role.code)))
    }
    const found = await gapsReport(app.db, request.actor, request.params.id, { role, level, limit, after: decodeCursor(cursor, text(300)) })
    return toPage(found, limit, toGap, byCodePath)
  })

  app.get('/units/:id/vacancies', {
    schema: {
      operationId: 'unitVacancies',
      tags,
      summary: 'Every required post left empty in the subtree, grouped by level and role',
      params: IdParams,
      querystring: VacanciesQuery,
      response: { 200: VacancyReport, ...problemResponses(400, 404) }
    }
  }, async (request) => {
    const { unit, groups } = await vacancies(app.db, request.actor, request.params.id, request.query.perGroup)
    return {
      items: groups.map(g => ({
        level: g.level,
        role: g.role,
        roleName: g.role_name,
        vacant: g.vacant,
        units: g.units.map(toGap),
        more: g.vacant > g.units.length ? `/v1/units/${unit.id}/gaps?role=${g.role}&level=${g.level}` : null
      })),
      nextCursor: null
    }
  })

  app.get('/units/:id/office-bearers/without-handles', {
    schema: {
      operationId: 'unitWithoutHandles',
      tags,
      summary: 'Current office-bearers in the subtree with no social media handle; JSON pages or CSV',
      params: IdParams,
      querystring: WithoutHandlesQuery,
      response: { 200: jsonOrCsv(pageOf(OfficeBearerSchema).meta({ id: 'OfficeBearerWithoutHandlePage' })), ...problemResponses(400, 404) }
    }
  }, async (request, reply) => {
    const { role, level, limit, cursor, format } = request.query
    const mask = request.actor.maskPersonalData
    if (wantsCsv(request, format)) {
      const found = await allWithoutHandles(app.db, request.actor, request.params.id, { role, level })
      return sendCsv(reply, `without-handles-${found.unit.codePath}.csv`, ['unit_code_path', 'role', 'name', 'phone', 'start_date'],
        map(found.rows, o => { const b = toOfficeBearer(o, mask); return [b.unitCodePath, b.role, b.person.name, b.person.phone, b.startDate] }))
    }
    const found = await withoutHandles(app.db, request.actor, request.params.id, { role, level, limit, after: decodeCursor(cursor, OfficeBearerCursor) })
    return toPage(found, limit, r => toOfficeBearer(r, mask), officeBearerKey)
  })
}

async function * map<T, U> (source: AsyncIterable<T>, fn: (t: T) => U): AsyncIterable<U> {
  for await (const item of source) yield fn(item)
}
