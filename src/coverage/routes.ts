import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Actor } from '../access/actor.js'
import type { Database } from '../db/client.js'
import { UNIT_LEVELS, type UnitLevel } from '../db/schema.js'
import { DomainError, notFound } from '../errors.js'
import { sendCsv, wantsCsv } from '../http/csv.js'
import { decodeCursor, encodeCursor, pageOf } from '../http/pagination.js'
import { problemResponses } from '../http/problem.js'
import { listOfficeBearers } from '../offices/queries.js'
import { OfficeBearerSchema } from '../offices/schemas.js'
import { findRole, listRoles } from '../roles/catalogue.js'
import { findUnit, type UnitRow } from '../units/queries.js'
import { allGaps, coverageOf, gapsPage, toCoverageRow, toGap, vacantCount } from './queries.js'
import { CoverageQuery, CoverageReport, GapPage, GapsQuery, VacanciesQuery, VacancyReport, WithoutHandlesQuery } from './schemas.js'

const tags = ['coverage']
const IdParams = z.object({ id: z.uuid() })
const depth = (level: UnitLevel) => UNIT_LEVELS.indexOf(level)

async function unitInScope (db: Database, actor: Actor, id: string): Promise<UnitRow> {
  const unit = await findUnit(db, actor, id)
  if (!unit) throw notFound('unit')
  return unit
}

function levelBelow (unit: UnitRow, level: UnitLevel | undefined, allowSame: boolean) {
  if (level && (allowSame ? depth(level) < depth(unit.level) : depth(level) <= depth(unit.level))) {
    throw new DomainError('unprocessable', 'level_not_below_unit', `${unit.codePath} is a ${unit.level}: ask for a level below it.`)
  }
}

/** The unit (in scope) and the role (a post at `level`), read in parallel: one round trip. */
async function unitAndPost (db: Database, actor: Actor, unitId: string, code: string, level: (unit: UnitRow) => UnitLevel) {
  const [unit, role] = await Promise.all([findUnit(db, actor, unitId), findRole(db, code)])
  if (!unit) throw notFound('unit')
  return { unit, ...checkPost(role, code, level(unit)) }
}

function checkPost (role: Awaited<ReturnType<typeof findRole>>, code: string, level: UnitLevel) {
  if (!role) throw new DomainError('unprocessable', 'unknown_role', `There is no role ${code}; see GET /v1/roles.`)
  if (!role.levels.includes(level)) {
    throw new DomainError('unprocessable', 'role_not_at_level', `${role.name} is not a post at ${level} level.`)
  }
  return { role, seats: role.seats ?? 1 }
}

export interface CoverageRequest { role: string, level?: UnitLevel, minCommittee: number, newMemberDays: number, limit: number, cursor?: string }

/** Everything GET /units/{id}/coverage reads, for the route and for the benchmark. */
export async function coverageReport (db: Database, actor: Actor, unitId: string, q: CoverageRequest) {
  const { unit } = await unitAndPost(db, actor, unitId, q.role, () => 'booth')
  levelBelow(unit, q.level, false)
  const after = decodeCursor(q.cursor, z.string())
  const { self, children } = await coverageOf(db, unit, q, { level: q.level, after, limit: q.limit })
  const more = children.length > q.limit
  const page = more ? children.slice(0, q.limit) : children
  return {
    unit: toCoverageRow(self),
    children: page.map(toCoverageRow),
    nextCursor: more ? encodeCursor(page[page.length - 1].code_path) : null
  }
}

/** The first (or next) page of GET /units/{id}/gaps, for the route and for the benchmark. */
export async function gapsReport (db: Database, actor: Actor, unitId: string, q: { role: string, level: UnitLevel, limit: number, cursor?: string }) {
  const { unit, role, seats } = await unitAndPost(db, actor, unitId, q.role, () => q.level)
  levelBelow(unit, q.level, true)
  const after = decodeCursor(q.cursor, z.string())
  const page = await gapsPage(db, unit, { role: role.code, seats, level: q.level, after, limit: q.limit + 1 })
  const more = page.length > q.limit
  const items = more ? page.slice(0, q.limit) : page
  return { items: items.map(toGap), nextCursor: more ? encodeCursor(items[items.length - 1].code_path) : null }
}

const GAP_CSV_HEADER = ['code_path', 'state', 'district', 'block', 'ward', 'booth', 'name', 'level', 'ac_number', 'ps_number', 'role', 'holders', 'seats']

/** Coverage, gaps, vacancies and missing social handles: where the holes are. */
export const coverageRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/units/:id/coverage', {
    schema: {
      tags,
      summary: 'Coverage of a booth-level role for the unit and each child (or each descendant at a level)',
      params: IdParams,
      querystring: CoverageQuery,
      response: { 200: CoverageReport, ...problemResponses(400, 404, 422) }
    }
  }, async (request) => coverageReport(app.db, request.actor, request.params.id, request.query))

  app.get('/units/:id/gaps', {
    schema: {
      tags,
      summary: 'Units in the subtree with fewer holders of a role than its seats; JSON pages, or the whole list as CSV',
      params: IdParams,
      querystring: GapsQuery,
      response: { 200: GapPage, ...problemResponses(400, 404, 422) }
    }
  }, async (request, reply) => {
    const q = request.query
    if (!wantsCsv(request, q.format)) return gapsReport(app.db, request.actor, request.params.id, q)
    const { unit, role, seats } = await unitAndPost(app.db, request.actor, request.params.id, q.role, () => q.level)
    levelBelow(unit, q.level, true)
    const filter = { role: role.code, seats, level: q.level }
    const source = (async function * () {
      for await (const g of allGaps(app.db, unit, filter)) {
        const codes = g.code_path.split('/')
        yield [g.code_path, codes[0], codes[1] ?? '', codes[2] ?? '', codes[3] ?? '', codes[4] ?? '', g.name, g.level, g.ac_number, g.ps_number, role.code, g.holders, g.seats]
      }
    })()
    return sendCsv(reply, `gaps-${role.code}-${unit.codePath}.csv`, GAP_CSV_HEADER, source)
  })

  app.get('/units/:id/vacancies', {
    schema: {
      tags,
      summary: 'Every required post left empty in the subtree, grouped by level and role',
      params: IdParams,
      querystring: VacanciesQuery,
      response: { 200: VacancyReport, ...problemResponses(400, 404) }
    }
  }, async (request) => {
    const unit = await unitInScope(app.db, request.actor, request.params.id)
    const required = (await listRoles(app.db)).filter(r => r.required)
    const items = []
    for (const level of UNIT_LEVELS.filter(l => depth(l) >= depth(unit.level))) {
      for (const role of required.filter(r => r.levels.includes(level))) {
        const filter = { role: role.code, seats: role.seats ?? 1, level }
        const vacant = await vacantCount(app.db, unit, filter)
        if (vacant === 0) continue
        const units = request.query.perGroup > 0 ? await gapsPage(app.db, unit, { ...filter, limit: request.query.perGroup }) : []
        items.push({
          level,
          role: role.code,
          roleName: role.name,
          vacant,
          units: units.map(toGap),
          more: vacant > units.length ? `/v1/units/${unit.id}/gaps?role=${role.code}&level=${level}` : null
        })
      }
    }
    return { items, nextCursor: null }
  })

  app.get('/units/:id/office-bearers/without-handles', {
    schema: {
      tags,
      summary: 'Current office-bearers in the subtree with no social media handle; JSON pages or CSV',
      params: IdParams,
      querystring: WithoutHandlesQuery,
      response: { 200: pageOf(OfficeBearerSchema).meta({ id: 'OfficeBearerWithoutHandlePage' }), ...problemResponses(400, 404) }
    }
  }, async (request, reply) => {
    const q = request.query
    const unit = await unitInScope(app.db, request.actor, request.params.id)
    const base = { subtree: true, role: q.role, level: q.level, withoutHandle: true, mask: request.actor.maskPersonalData }
    if (wantsCsv(request, q.format)) {
      const db = app.db
      const actor = request.actor
      const source = (async function * () {
        let after: [string, string, string] | undefined
        for (;;) {
          const page = await listOfficeBearers(db, actor, unit, { ...base, after, limit: 2000 })
          for (const o of page.slice(0, 2000)) yield [o.unitCodePath, o.role, o.person.name, o.person.phone, o.startDate]
          if (page.length <= 2000) return
          const last = page[1999]
          after = [last.unitCodePath, last.role, last.id]
        }
      })()
      return sendCsv(reply, `without-handles-${unit.codePath}.csv`, ['unit_code_path', 'role', 'name', 'phone', 'start_date'], source)
    }
    const after = decodeCursor(q.cursor, z.tuple([z.string(), z.string(), z.uuid()]))
    const items = await listOfficeBearers(app.db, request.actor, unit, { ...base, after, limit: q.limit })
    const more = items.length > q.limit
    const page = more ? items.slice(0, q.limit) : items
    const last = page[page.length - 1]
    return { items: page, nextCursor: more ? encodeCursor([last.unitCodePath, last.role, last.id]) : null }
  })
}
