import type { Actor } from '../access/actor.js'
import { listOfficeBearers, officeBearersList, type OfficeBearerRow } from '../appointments/queries.js'
import type { Database } from '../db/client.js'
import { listInBatches } from '../db/cursor.js'
import { inBatches } from '../db/keyset.js'
import { UNIT_LEVELS, type UnitLevel } from '../db/schema.js'
import { DomainError, notFound } from '../errors.js'
import { roleOrRefuse, type RoleRow } from '../roles/catalogue.js'
import { wingOrRefuse } from '../wings/catalogue.js'
import { findUnit, type UnitRow } from '../units/queries.js'
import { findAssembly, type AssemblyRow } from '../assemblies/queries.js'
import { trendDays, trendOf, type TrendParams } from './trend.js'
import { coverageByAssembly } from '../assemblies/coverage.js'
import { coverageOf, unitCoverageRow, gapsList, gapsPage, nationalOf, vacanciesOf, type CoverageParams, type CoverageSqlRow, type GapRow, type VacancyGroupRow } from './queries.js'

/**
 * Where the holes are: coverage, gaps, vacancies and office-bearers without a social
 * handle, as the domain asks for them. Knows nothing of HTTP; the routes page and
 * serialise what these return.
 */

export const depth = (level: UnitLevel) => UNIT_LEVELS.indexOf(level)

/** The unit, when the key may see it; 404 otherwise. */
export async function unitInScope (db: Database, actor: Actor, id: string): Promise<UnitRow> {
  const unit = await findUnit(db, actor, id)
  if (!unit) throw notFound('unit')
  return unit
}

/** Refuses (422 level_not_below_unit) a level above the unit (or at it, unless allowSame). */
export function levelBelow (unit: UnitRow, level: UnitLevel | undefined, allowSame: boolean) {
  if (level && (allowSame ? depth(level) < depth(unit.level) : depth(level) <= depth(unit.level))) {
    throw new DomainError('unprocessable', 'level_not_below_unit', `${unit.codePath} is a ${unit.level}: ask for a level below it.`)
  }
}

/** The unit (in scope) and the wing's role, a post at `level`, read in parallel: one round trip. */
async function unitAndPost (db: Database, actor: Actor, unitId: string, wing: string, code: string, level: (unit: UnitRow) => UnitLevel) {
  const [unit, role] = await Promise.all([findUnit(db, actor, unitId), roleOrRefuse(db, wing, code).catch((err: unknown) => err as Error)])
  if (!unit) throw notFound('unit')
  if (role instanceof Error) throw role
  const at = level(unit)
  if (!role.levels.includes(at)) throw new DomainError('unprocessable', 'role_not_at_level', `${role.name} is not a post at ${at} level.`)
  return { unit, role, seats: role.seats ?? 1 }
}

export interface CoverageQuestion extends CoverageParams {
  /** Rows for every descendant at this level instead of the children. */
  level?: UnitLevel
  /** Children after this code path (keyset). */
  after?: string
  limit: number
}

/** The unit's coverage row and its children's (or its descendants' at a level), limit + 1 of them. */
export async function coverageReport (db: Database, actor: Actor, unitId: string, q: CoverageQuestion) {
  const { unit } = await unitAndPost(db, actor, unitId, q.wing, q.role, () => 'booth')
  levelBelow(unit, q.level, false)
  return coverageOf(db, unit, q, { level: q.level, after: q.after, limit: q.limit })
}

/**
 * The whole report for a streamed download: the unit's own row, then its children's (or
 * its descendants' at a level), batch after batch (keyset). The first batch is read
 * before returning, so a refusal comes before any output.
 */
export async function allCoverage (db: Database, actor: Actor, unitId: string, q: Omit<CoverageQuestion, 'after' | 'limit'>, batch = 2000) {
  const { unit, role } = await unitAndPost(db, actor, unitId, q.wing, q.role, () => 'booth')
  levelBelow(unit, q.level, false)
  const first = await coverageOf(db, unit, q, { level: q.level, limit: batch })
  async function * rows (): AsyncGenerator<CoverageSqlRow> {
    yield first.self
    yield * inBatches(async (after: string | undefined, limit) => after === undefined
      ? first.children
      : (await coverageOf(db, unit, q, { level: q.level, after, limit })).children, r => r.code_path, batch)
  }
  return { unit, role, rows: rows() }
}

/**
 * The unit's coverage row and its booths' by assembly constituency (a page of limit + 1
 * in number order; `all` for a download: a state has at most a few hundred).
 */
export async function coverageByAssemblyReport (db: Database, actor: Actor, unitId: string, q: CoverageParams & { level?: UnitLevel, afterNumber?: number, limit: number }) {
  if (q.level !== undefined) {
    throw new DomainError('invalid', 'by_with_level', 'by=assembly groups the unit\'s booths by constituency: leave level out.')
  }
  const { unit, role } = await unitAndPost(db, actor, unitId, q.wing, q.role, () => 'booth')
  const [self, assemblies] = await Promise.all([
    unitCoverageRow(db, unit, q),
    coverageByAssembly(db, unit, role, q, { after: q.afterNumber, limit: q.limit + 1 })
  ])
  return { unit, role, self, assemblies }
}

export interface GapsQuestion {
  wing: string
  role: string
  level: UnitLevel
  /** Only the booths of this assembly constituency. */
  assemblyId?: string
  after?: string
  limit: number
}

/**
 * The constituency a question is narrowed to, when the key may see it (404 otherwise, as
 * for a unit). A constituency groups booths: its gaps are booths' (422 assembly_groups_booths).
 */
async function assemblyAsked (db: Database, actor: Actor, q: { level?: UnitLevel, assemblyId?: string }): Promise<AssemblyRow | undefined> {
  if (q.assemblyId === undefined) return undefined
  if (q.level !== undefined && q.level !== 'booth') {
    throw new DomainError('unprocessable', 'assembly_groups_booths', 'An assembly constituency groups booths: ask for its gaps at level booth.')
  }
  const assembly = await findAssembly(db, actor, q.assemblyId)
  if (!assembly) throw notFound('assembly')
  return assembly
}

/** Units at a level in the subtree without enough holders of the role: a page of limit + 1. */
export async function gapsReport (db: Database, actor: Actor, unitId: string, q: GapsQuestion): Promise<GapRow[]> {
  const { unit, role, seats } = await unitAndPost(db, actor, unitId, q.wing, q.role, () => q.level)
  levelBelow(unit, q.level, true)
  await assemblyAsked(db, actor, q)
  return gapsPage(db, unit, { wing: role.wing, role: role.code, seats, level: q.level, assemblyId: q.assemblyId, after: q.after, limit: q.limit + 1 })
}

/**
 * Every gap, batch after batch (keyset), for a streamed download. The unit and role are
 * checked before the first row is asked for, so a refusal comes before any output.
 */
export async function allGaps (db: Database, actor: Actor, unitId: string, q: { wing: string, role: string, level: UnitLevel, assemblyId?: string }, batch = 5000): Promise<{ unit: UnitRow, role: RoleRow, assembly?: AssemblyRow, batches: AsyncIterable<GapRow[]> }> {
  const { unit, role, seats } = await unitAndPost(db, actor, unitId, q.wing, q.role, () => q.level)
  levelBelow(unit, q.level, true)
  const assembly = await assemblyAsked(db, actor, q)
  return { unit, role, assembly, batches: listInBatches(db, gapsList(unit, { wing: role.wing, role: role.code, seats, level: q.level, assemblyId: q.assemblyId }), batch) }
}

/**
 * The role a question about the whole country asks of: for keys without a scope (a scoped
 * key asks its own unit, `own`: the route it is told to use), held at `level`.
 */
async function nationalRole (db: Database, actor: Actor, q: { wing: string, role: string }, level: UnitLevel, what: string, own: string): Promise<RoleRow> {
  if (actor.scopeUnitId !== null) {
    throw new DomainError('forbidden', 'global_key_required', `The country's ${what} are for keys without a scope: ask ${own} for your own unit.`)
  }
  const role = await roleOrRefuse(db, q.wing, q.role)
  if (!role.levels.includes(level)) throw new DomainError('unprocessable', 'role_not_at_level', `${role.name} is not a post at ${level} level.`)
  return role
}

/** The country's post for its gaps: the role at the level asked. */
async function nationalPost (db: Database, actor: Actor, q: { wing: string, role: string, level: UnitLevel }) {
  const role = await nationalRole(db, actor, q, q.level, 'gaps', 'GET /v1/units/{id}/gaps')
  return { role, post: { wing: role.wing, role: role.code, seats: role.seats ?? 1, level: q.level } }
}

/** The country's units at a level with fewer holders of the role than its seats: a page of limit + 1. */
export async function nationalGaps (db: Database, actor: Actor, q: { wing: string, role: string, level: UnitLevel, after?: string, limit: number }): Promise<GapRow[]> {
  const { post } = await nationalPost(db, actor, q)
  return gapsPage(db, null, { ...post, after: q.after, limit: q.limit + 1 })
}

/** Every gap in the country, for a streamed download; the key and role are checked before the first row. */
export async function allNationalGaps (db: Database, actor: Actor, q: { wing: string, role: string, level: UnitLevel }, batch = 5000): Promise<{ role: RoleRow, batches: AsyncIterable<GapRow[]> }> {
  const { role, post } = await nationalPost(db, actor, q)
  return { role, batches: listInBatches(db, gapsList(null, post), batch) }
}

/** Every required post of the wing left empty in the subtree, grouped by level and role (one query). */
export async function vacancies (db: Database, actor: Actor, unitId: string, wing: string, perGroup: number, assemblyId?: string) {
  const unit = await unitInScope(db, actor, unitId)
  await wingOrRefuse(db, wing)
  await assemblyAsked(db, actor, { assemblyId })
  return { unit, groups: await vacanciesOf(db, unit, wing, perGroup, assemblyId) }
}

/** A vacant unit, with the group (level and required role) it is listed under. */
export interface Vacancy { wing: string, group: VacancyGroupRow, gap: GapRow }

/**
 * Every vacant unit of every group (not only the first perGroup), in the groups' order
 * and code-path order within each, batch after batch, for a streamed download.
 */
export async function allVacancies (db: Database, actor: Actor, unitId: string, wing: string, assemblyId?: string, batch = 5000) {
  const unit = await unitInScope(db, actor, unitId)
  await wingOrRefuse(db, wing)
  const assembly = await assemblyAsked(db, actor, { assemblyId })
  const groups = await vacanciesOf(db, unit, wing, 0, assemblyId)
  async function * batches (): AsyncGenerator<Vacancy[]> {
    for (const group of groups) {
      const gaps = listInBatches(db, gapsList(unit, { wing, role: group.role, seats: group.seats, level: group.level, assemblyId }), batch)
      for await (const found of gaps) yield found.map(gap => ({ wing, group, gap }))
    }
  }
  return { unit, assembly, batches: batches() }
}

export interface WithoutHandlesQuestion {
  wing: string
  role?: string
  level?: UnitLevel
  after?: [string, string, string, string]
  limit: number
}

/** Current office-bearers in the subtree with no social media handle: a page of limit + 1. */
export async function withoutHandles (db: Database, actor: Actor, unitId: string, q: WithoutHandlesQuestion): Promise<OfficeBearerRow[]> {
  const unit = await unitInScope(db, actor, unitId)
  return listOfficeBearers(db, actor, unit, { subtree: true, wing: q.wing, role: q.role, level: q.level, withoutHandle: true, after: q.after, limit: q.limit })
}

/** All of them, batch after batch, for a streamed download. */
export async function allWithoutHandles (db: Database, actor: Actor, unitId: string, q: { wing: string, role?: string, level?: UnitLevel }, batch = 2000) {
  const unit = await unitInScope(db, actor, unitId)
  const batches = listInBatches(db, officeBearersList(actor, unit, { subtree: true, wing: q.wing, role: q.role, level: q.level, withoutHandle: true }), batch)
  return { unit, batches }
}

/**
 * The trend of a required booth post over the last weeks, for the unit and a page of its
 * children (limit + 1), over today's tree.
 */
export async function coverageTrend (db: Database, actor: Actor, unitId: string, q: TrendParams & { after?: string, limit: number }) {
  const { unit, role } = await unitAndPost(db, actor, unitId, q.wing, q.role, () => 'booth')
  if (!role.required) {
    throw new DomainError('unprocessable', 'role_not_tracked', `${role.name} is not a required post: coverage by day is kept for the required booth posts (such as president and BLA).`)
  }
  const days = await trendDays(db, q.weeks)
  const { self, children } = await trendOf(db, unit, { wing: role.wing, role: role.code, weeks: q.weeks }, days, { after: q.after, limit: q.limit })
  return { days, self, children }
}

/**
 * The country by state in one question (global keys only: a scoped key's figures start at
 * its own unit, GET /v1/units/{id}/coverage). The states' rows from `after`, limit + 1.
 */
export async function nationalCoverage (db: Database, actor: Actor, q: Omit<CoverageQuestion, 'level'>) {
  const role = await nationalRole(db, actor, q, 'booth', 'figures', 'GET /v1/units/{id}/coverage')
  const { states, country } = await nationalOf(db, q)
  const from = q.after === undefined ? states : states.filter(r => r.code_path > q.after!)
  return { role, country, states, page: from.slice(0, q.limit + 1) }
}
