import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { officeBearerCsv, OfficeBearerCursor, officeBearerKey, toOfficeBearer } from '../appointments/queries.js'
import { OfficeBearerSchema } from '../appointments/schemas.js'
import { jsonOrCsv, mapRows, sendCsvBatches, sendCsvRows, wantsCsv, type CsvColumn } from '../http/csv.js'
import { text } from '../http/fields.js'
import { decodeCursor, pageOf, toPage } from '../http/pagination.js'
import { problemResponses } from '../http/problem.js'
import { MAIN_WING } from '../wings/schemas.js'
import { byCodePath, figuresOf, toCoverageRow, toGap, type GapRow } from './queries.js'
import { toTrendRow } from './trend.js'
import { toAssemblyCoverageRow } from '../assemblies/coverage.js'
import { CoverageByAssemblyReport } from '../assemblies/schemas.js'
import { coverageByAssemblyReport, allCoverage, allGaps, allNationalGaps, nationalGaps, coverageTrend, nationalCoverage, allVacancies, allWithoutHandles, coverageReport, gapsReport, vacancies, withoutHandles, type Vacancy } from './service.js'
import { CoverageTrend, TrendQuery, CoverageQuery, CoverageReport, NationalCoverageQuery, NationalCoverageReport, GapPage, GapsQuery, NationalGapsQuery, VacanciesQuery, VacancyReport, WithoutHandlesQuery } from './schemas.js'

const tags = ['coverage']
const IdParams = z.object({ id: z.uuid() })
/** A download's file name names the wing, unless it is the main body's (as always). */
const wingPart = (wing: string) => wing === MAIN_WING ? '' : `${wing}-`
/** ...and the constituency it is narrowed to, by its number. */
const acPart = (assembly?: { number: number }) => assembly === undefined ? '' : `-AC${assembly.number}`

/** A coverage row's figures as CSV columns, in the JSON's order (figuresOf). */
export const FIGURES_CSV: ReadonlyArray<CsvColumn<ReturnType<typeof figuresOf>>> = [
  ['total_booths', r => r.totalBooths],
  ['covered_booths', r => r.coveredBooths],
  ['coverage', r => r.coverage],
  ['booths_with_committee', r => r.boothsWithCommittee],
  ['active_members', r => r.activeMembers],
  ['new_members', r => r.newMembers],
  ['office_bearers', r => r.officeBearers],
  ['office_bearers_with_handle', r => r.officeBearersWithHandle]
]

/** The coverage CSV: the JSON rows, one per unit, the unit asked about first. */
export const COVERAGE_CSV: ReadonlyArray<CsvColumn<ReturnType<typeof toCoverageRow>>> = [
  ['code_path', r => r.codePath],
  ['code', r => r.code],
  ['name', r => r.name],
  ['level', r => r.level],
  ...FIGURES_CSV,
  ['unit_id', r => r.unitId]
]

/** A gap's columns (its code path also split per level, to filter on in a sheet), with the role's between. */
function gapCsv<R> (gapOf: (row: R) => GapRow, role: ReadonlyArray<CsvColumn<R>>): ReadonlyArray<CsvColumn<R>> {
  const code = (level: number) => (r: R) => gapOf(r).code_path.split('/')[level] ?? ''
  return [
    ['code_path', r => gapOf(r).code_path],
    ['state', code(0)],
    ['district', code(1)],
    ['block', code(2)],
    ['ward', code(3)],
    ['booth', code(4)],
    ['name', r => gapOf(r).name],
    ['level', r => gapOf(r).level],
    ['ac_number', r => gapOf(r).ac_number],
    ['ps_number', r => gapOf(r).ps_number],
    ...role,
    ['holders', r => gapOf(r).holders],
    ['seats', r => gapOf(r).seats]
  ]
}

/** A gaps CSV: each gap, with the role and wing asked for on every row. */
const gapsCsv = (role: { code: string, wing: string }): ReadonlyArray<CsvColumn<GapRow>> =>
  [...gapCsv<GapRow>(g => g, [['role', () => role.code]]), ['wing', () => role.wing]]

/** The vacancies CSV: every vacant unit of every group, its level and role on each row. */
const VACANCY_CSV = [...gapCsv<Vacancy>(v => v.gap, [['role', v => v.group.role], ['role_name', v => v.group.role_name]]), ['wing', (v: Vacancy) => v.wing] as CsvColumn<Vacancy>]

const withoutHandlesCsv = (mask: boolean) => officeBearerCsv(mask).filter(([header]) => !['twitter', 'facebook', 'instagram', 'youtube'].includes(header))

/** Coverage, gaps, vacancies and missing social handles: where the holes are (src/coverage/service.ts). */
export const coverageRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/units/:id/coverage', {
    schema: {
      operationId: 'unitCoverage',
      tags,
      summary: 'Coverage of a booth-level role for the unit and each child (or each descendant at a level, or each assembly constituency: by=assembly); JSON pages or CSV',
      params: IdParams,
      querystring: CoverageQuery,
      response: { 200: jsonOrCsv(z.union([CoverageReport, CoverageByAssemblyReport])), ...problemResponses(400, 404, 422) }
    }
  }, async (request, reply) => {
    const { cursor, format, by, ...q } = request.query
    if (by === 'assembly') {
      const csv = wantsCsv(request, format)
      const found = await coverageByAssemblyReport(request.readDb, request.actor, request.params.id, { ...q, afterNumber: csv ? undefined : decodeCursor(cursor, z.number().int()), limit: csv ? 10_000 : q.limit })
      if (csv) {
        // The unit first, then each constituency (level "assembly", its number as the code).
        const constituencies = found.assemblies.map(r => Object.assign(toAssemblyCoverageRow(r), { unitId: r.assembly_id, code: String(r.number), codePath: found.unit.codePath, level: 'assembly' }) as unknown as ReturnType<typeof toCoverageRow>)
        return sendCsvRows(reply, `coverage-${wingPart(found.role.wing)}${found.role.code}-${found.unit.codePath}-by-assembly.csv`, COVERAGE_CSV, mapRows([toCoverageRow(found.self), ...constituencies], r => r))
      }
      const page = toPage(found.assemblies, q.limit, toAssemblyCoverageRow, r => r.number)
      return { wing: found.role.wing, role: found.role.code, by, unit: toCoverageRow(found.self), children: page.items, nextCursor: page.nextCursor }
    }
    if (wantsCsv(request, format)) {
      const found = await allCoverage(request.readDb, request.actor, request.params.id, q)
      return sendCsvRows(reply, `coverage-${wingPart(found.role.wing)}${found.role.code}-${found.unit.codePath}.csv`, COVERAGE_CSV, mapRows(found.rows, toCoverageRow))
    }
    const { self, children } = await coverageReport(request.readDb, request.actor, request.params.id, { ...q, after: decodeCursor(cursor, text(300)) })
    const page = toPage(children, q.limit, toCoverageRow, byCodePath)
    return { wing: q.wing, role: q.role, by: 'unit' as const, unit: toCoverageRow(self), children: page.items, nextCursor: page.nextCursor }
  })

  app.get('/coverage', {
    schema: {
      operationId: 'nationalCoverage',
      tags,
      summary: 'Coverage of the whole country and of each state in one request (keys without a scope); JSON or CSV',
      description: 'The same figures as GET /v1/units/{id}/coverage, from the same counters: a row per state and their sums. A scoped key is refused (403 global_key_required): its figures start at its own unit.',
      querystring: NationalCoverageQuery,
      response: { 200: jsonOrCsv(NationalCoverageReport), ...problemResponses(400, 403, 422) }
    }
  }, async (request, reply) => {
    const { cursor, format, ...q } = request.query
    const found = await nationalCoverage(request.readDb, request.actor, { ...q, after: decodeCursor(cursor, text(300)) })
    if (wantsCsv(request, format)) {
      // The country first (no unit of its own: code path and unit id empty, level "country"), then each state.
      const country = { unitId: '', code: '', codePath: '', name: 'All states', level: 'country', ...found.country } as unknown as ReturnType<typeof toCoverageRow>
      return sendCsvRows(reply, `coverage-${wingPart(found.role.wing)}${found.role.code}-country.csv`, COVERAGE_CSV, mapRows([country, ...found.states.map(toCoverageRow)], r => r))
    }
    const page = toPage(found.page, q.limit, toCoverageRow, byCodePath)
    return { wing: q.wing, role: q.role, country: found.country, children: page.items, nextCursor: page.nextCursor }
  })

  app.get('/units/:id/coverage/trend', {
    schema: {
      operationId: 'unitCoverageTrend',
      tags,
      summary: 'Coverage of a required booth post (president, BLA) on each of the last weeks, for the unit and each child, over today\'s tree',
      params: IdParams,
      querystring: TrendQuery,
      response: { 200: CoverageTrend, ...problemResponses(400, 404, 422) }
    }
  }, async (request) => {
    const { cursor, ...q } = request.query
    const { days, self, children } = await coverageTrend(request.readDb, request.actor, request.params.id, { ...q, after: decodeCursor(cursor, text(300)) })
    const page = toPage(children, q.limit, toTrendRow, byCodePath)
    return { wing: q.wing, role: q.role, days, unit: toTrendRow(self), children: page.items, nextCursor: page.nextCursor }
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
    const { wing, role, level, assemblyId, limit, cursor, format } = request.query
    if (wantsCsv(request, format)) {
      const gaps = await allGaps(request.readDb, request.actor, request.params.id, { wing, role, level, assemblyId })
      return sendCsvBatches(reply, `gaps-${wingPart(wing)}${gaps.role.code}-${gaps.unit.codePath}${acPart(gaps.assembly)}.csv`, gapsCsv(gaps.role), gaps.batches)
    }
    const found = await gapsReport(request.readDb, request.actor, request.params.id, { wing, role, level, assemblyId, limit, after: decodeCursor(cursor, text(300)) })
    return toPage(found, limit, toGap, byCodePath)
  })

  app.get('/gaps', {
    schema: {
      operationId: 'nationalGaps',
      tags,
      summary: 'The whole country\'s units with fewer holders of a role than its seats (keys without a scope); JSON pages, or the whole list as CSV',
      description: 'GET /v1/units/{id}/gaps for every state at once, in code-path order. A scoped key is refused (403 global_key_required): its gaps start at its own unit.',
      querystring: NationalGapsQuery,
      response: { 200: jsonOrCsv(GapPage), ...problemResponses(400, 403, 422) }
    }
  }, async (request, reply) => {
    const { wing, role, level, limit, cursor, format } = request.query
    if (wantsCsv(request, format)) {
      const gaps = await allNationalGaps(request.readDb, request.actor, { wing, role, level })
      return sendCsvBatches(reply, `gaps-${wingPart(wing)}${gaps.role.code}-country.csv`, gapsCsv(gaps.role), gaps.batches)
    }
    const found = await nationalGaps(request.readDb, request.actor, { wing, role, level, limit, after: decodeCursor(cursor, text(300)) })
    return toPage(found, limit, toGap, byCodePath)
  })

  app.get('/units/:id/vacancies', {
    schema: {
      operationId: 'unitVacancies',
      tags,
      summary: 'Every required post left empty in the subtree, grouped by level and role; as CSV, every vacant unit, a row each',
      params: IdParams,
      querystring: VacanciesQuery,
      response: { 200: jsonOrCsv(VacancyReport), ...problemResponses(400, 404) }
    }
  }, async (request, reply) => {
    const { wing, assemblyId } = request.query
    if (wantsCsv(request, request.query.format)) {
      const found = await allVacancies(request.readDb, request.actor, request.params.id, wing, assemblyId)
      return sendCsvBatches(reply, `vacancies-${wingPart(wing)}${found.unit.codePath}${acPart(found.assembly)}.csv`, VACANCY_CSV, found.batches)
    }
    const { unit, groups } = await vacancies(request.readDb, request.actor, request.params.id, wing, request.query.perGroup, assemblyId)
    return {
      items: groups.map(g => ({
        level: g.level,
        role: g.role,
        roleName: g.role_name,
        vacant: g.vacant,
        units: g.units.map(toGap),
        more: g.vacant > g.units.length ? `/v1/units/${unit.id}/gaps?${wing === MAIN_WING ? '' : `wing=${wing}&`}role=${g.role}&level=${g.level}${assemblyId === undefined ? '' : `&assemblyId=${assemblyId}`}` : null
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
    const { wing, role, level, limit, cursor, format } = request.query
    const mask = request.actor.maskPersonalData
    if (wantsCsv(request, format)) {
      const found = await allWithoutHandles(request.readDb, request.actor, request.params.id, { wing, role, level })
      return sendCsvBatches(reply, `without-handles-${found.unit.codePath}.csv`, withoutHandlesCsv(mask), found.batches)
    }
    const found = await withoutHandles(request.readDb, request.actor, request.params.id, { wing, role, level, limit, after: decodeCursor(cursor, OfficeBearerCursor) })
    return toPage(found, limit, r => toOfficeBearer(r, mask), officeBearerKey)
  })
}
