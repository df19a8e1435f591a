import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { notFound } from '../errors.js'
import { ifMatch, setEtag } from '../http/etag.js'
import { decodeCursor, toPage } from '../http/pagination.js'
import { withHeaders } from '../http/openapi.js'
import { problemResponses } from '../http/problem.js'
import { COVERAGE_CSV } from '../coverage/routes.js'
import { toCoverageRow } from '../coverage/queries.js'
import { jsonOrCsv, mapRows, sendCsvRows, wantsCsv } from '../http/csv.js'
import { MAIN_WING } from '../wings/schemas.js'
import { updateAssembly } from './changes.js'
import { assemblyCoverage } from './coverage.js'
import { findAssembly, listAssemblies, toAssembly, type AssemblyRow } from './queries.js'
import { AssemblyCoverageQuery, AssemblyCoverageReport, AssemblyIdParams, AssemblyPage, AssemblySchema, ListAssembliesQuery, UpdateAssemblyBody } from './schemas.js'

const tags = ['assemblies']
const CursorKey = z.tuple([z.string().max(40), z.number().int()])
const keyOf = (r: AssemblyRow): [string, number] => [r.state_code, r.number]

/** /v1/assemblies: assembly constituencies, groupings of a state's booths (src/assemblies). */
export const assemblyRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/assemblies', {
    schema: {
      operationId: 'listAssemblies',
      tags,
      summary: 'Assembly constituencies with booths in your scope, by state and number',
      querystring: ListAssembliesQuery,
      response: { 200: AssemblyPage, ...problemResponses(400) }
    }
  }, async (request) => {
    const { stateId, districtId, number, q, limit, cursor } = request.query
    const after = decodeCursor(cursor, CursorKey)
    const found = await listAssemblies(request.readDb, request.actor, { stateId, districtId, number, q, after, limit })
    return toPage(found, limit, toAssembly, keyOf)
  })

  app.get('/assemblies/:id', {
    schema: {
      operationId: 'getAssembly',
      tags,
      summary: 'One assembly constituency: its districts and booth count within your scope',
      params: AssemblyIdParams,
      response: { 200: withHeaders(AssemblySchema, 'ETag'), ...problemResponses(400, 404) }
    }
  }, async (request, reply) => {
    const row = await findAssembly(app.db, request.actor, request.params.id)
    if (!row) throw notFound('assembly')
    setEtag(reply, row.version)
    return toAssembly(row)
  })

  app.patch('/assemblies/:id', {
    schema: {
      operationId: 'updateAssembly',
      tags,
      summary: 'Rename a constituency or set its reservation (admin keys scoped to its state, or global)',
      params: AssemblyIdParams,
      body: UpdateAssemblyBody,
      response: { 200: withHeaders(AssemblySchema, 'ETag'), ...problemResponses(400, 403, 404, 409, 412) }
    }
  }, async (request, reply) => {
    const row = await updateAssembly(app.db, request.actor, request.params.id, request.body, ifMatch(request))
    setEtag(reply, row.version)
    return toAssembly(row)
  })

  app.get('/assemblies/:id/coverage', {
    schema: {
      operationId: 'assemblyCoverage',
      tags,
      summary: 'Coverage of a booth-level role over a constituency\'s booths, grouped by district, block or ward; JSON or CSV',
      description: 'The same figures as a unit\'s coverage row, counted over the constituency\'s booths in your scope. Its gaps: GET /v1/units/{stateId}/gaps?assemblyId=.',
      params: AssemblyIdParams,
      querystring: AssemblyCoverageQuery,
      response: { 200: jsonOrCsv(AssemblyCoverageReport), ...problemResponses(400, 404, 422) }
    }
  }, async (request, reply) => {
    const { format, ...q } = request.query
    const found = await assemblyCoverage(request.readDb, request.actor, request.params.id, q)
    if (wantsCsv(request, format)) {
      // The constituency first (level "assembly", its number as the code), then each group.
      const own = { ...found.totals, unitId: found.assembly.id, code: String(found.assembly.number), codePath: found.assembly.state_code, level: 'assembly' } as unknown as ReturnType<typeof toCoverageRow>
      const wing = found.role.wing === MAIN_WING ? '' : `${found.role.wing}-`
      return sendCsvRows(reply, `coverage-${wing}${found.role.code}-${found.assembly.state_code}-AC${found.assembly.number}-by-${q.by}.csv`, COVERAGE_CSV, mapRows([own, ...found.groups.map(toCoverageRow)], r => r))
    }
    return { wing: found.role.wing, role: found.role.code, by: q.by, assembly: found.totals, children: found.groups.map(toCoverageRow), nextCursor: null }
  })
}
