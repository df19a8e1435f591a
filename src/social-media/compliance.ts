import { sql, type SQL } from 'drizzle-orm'
import type { Actor } from '../access/actor.js'
import { withinScope } from '../access/scope.js'
import { rows, type Database } from '../db/client.js'
import { inBatches } from '../db/keyset.js'
import { listInBatches, type KeysetList } from '../db/cursor.js'
import type { UnitLevel } from '../db/schema.js'
import { DomainError } from '../errors.js'
import { maskPhone } from '../people/identity.js'
import { toReportUnit, type UnitRow } from '../units/queries.js'
import { wingOrRefuse } from '../wings/catalogue.js'
import { ALL_WINGS } from '../wings/schemas.js'
import { handlesOf, legacyFields, type Handles } from './fields.js'
import { depth, levelBelow, unitInScope } from '../coverage/service.js'

/**
 * The social media duty as the organisers ask about it: how many of the office-bearers
 * the policy binds (handle_duties) run every platform their post requires, per unit, and
 * who does not. The figures are the counters src/db/routines/32_duties.sql keeps exact
 * in every write's transaction (duty_figures reads them: one row set per unit reported,
 * whatever the number of booths below); the list of the non-compliant reads the
 * bound_terms view of the same file. Knows nothing of HTTP.
 */

/** Which bound posts a question is about: any when a filter is absent. */
export interface DutyFilter {
  /** One wing, or 'all'. */
  wing: string
  role?: string
  /** The level of the post's unit: ward presidents are role president at postLevel ward. */
  postLevel?: UnitLevel
}

export interface ComplianceQuestion extends DutyFilter {
  /** Rows for every descendant at this level instead of the children. */
  level?: UnitLevel
  after?: string
  limit: number
}

interface FigureRow {
  unit_id: string
  code: string
  code_path: string
  name: string
  level: UnitLevel
  figures: Array<{ platform: string | null, bound: number, met: number }>
}

export interface Platform { code: string, name: string }

export interface ComplianceRow {
  unitId: string
  code: string
  codePath: string
  name: string
  level: UnitLevel
  bound: number
  compliant: number
  share: number
  platforms: Array<{ platform: string, bound: number, held: number }>
}

const nullable = (wing: string) => wing === ALL_WINGS ? null : wing

/** The platforms the policy requires of the posts the filter keeps, in the catalogue's order. */
export async function requiredPlatforms (db: Database, f: DutyFilter): Promise<Platform[]> {
  return rows<Platform>(db, sql`
    SELECT p.code, p.name FROM social_platforms p
     WHERE EXISTS (SELECT 1 FROM handle_duties d WHERE d.platform_code = p.code AND ${dutyWhere(f, sql`d`)})
     ORDER BY p.sort_order, p.code`)
}

function dutyWhere (f: DutyFilter, alias: SQL): SQL {
  const parts = [sql`true`]
  if (f.wing !== ALL_WINGS) parts.push(sql`${alias}.wing_code = ${f.wing}`)
  if (f.role) parts.push(sql`${alias}.role_code = ${f.role}`)
  if (f.postLevel) parts.push(sql`${alias}.level = ${f.postLevel}::unit_level`)
  return sql.join(parts, sql` AND `)
}

async function checkFilter (db: Database, unit: UnitRow, q: DutyFilter & { level?: UnitLevel }) {
  if (q.wing !== ALL_WINGS) await wingOrRefuse(db, q.wing)
  levelBelow(unit, q.level, false)
  if (q.postLevel && depth(q.postLevel) < depth(unit.level)) {
    throw new DomainError('unprocessable', 'level_not_below_unit', `${unit.codePath} is a ${unit.level}: posts at ${q.postLevel} level lie outside it.`)
  }
}

/**
 * The unit's row and its children's (or descendants' at a level), limit + 1 of them, in
 * ONE query: the unit sorts first (its code path is a prefix of theirs).
 */
async function complianceOf (db: Database, unit: UnitRow, q: ComplianceQuestion, platforms: Platform[]): Promise<{ self: ComplianceRow, children: ComplianceRow[] }> {
  const below = q.level
    ? sql`u.level = ${q.level} AND u.code_path >= ${unit.codePath + '/'} AND u.code_path < ${unit.codePath + '0'}`
    : sql`u.parent_id = ${unit.id}`
  const after = q.after !== undefined ? sql` AND u.code_path > ${q.after}` : sql``
  const found = await rows<FigureRow>(db, sql`
    WITH target AS MATERIALIZED (
      SELECT u.id, u.code, u.code_path, u.name, u.level FROM units u
       WHERE u.id = ${unit.id} OR (${below}${after})
       ORDER BY u.code_path LIMIT ${q.limit + 2}),
    figures AS (
      SELECT * FROM duty_figures(ARRAY(SELECT id FROM target), ${nullable(q.wing)}, ${q.role ?? null}, ${q.postLevel ?? null}::unit_level))
    SELECT t.id AS unit_id, t.code, t.code_path, t.name, t.level,
           coalesce(json_agg(json_build_object('platform', f.platform_code, 'bound', f.bound, 'met', f.met)) FILTER (WHERE f.unit_id IS NOT NULL), '[]') AS figures
      FROM target t LEFT JOIN figures f ON f.unit_id = t.id
     GROUP BY t.id, t.code, t.code_path, t.name, t.level
     ORDER BY t.code_path`)
  const all = found.map(r => toComplianceRow(r, platforms))
  return { self: all.find(r => r.unitId === unit.id)!, children: all.filter(r => r.unitId !== unit.id) }
}

function toComplianceRow (r: FigureRow, platforms: Platform[]): ComplianceRow {
  const whole = r.figures.find(f => f.platform === null)
  const bound = whole?.bound ?? 0
  const compliant = whole?.met ?? 0
  // Object.assign, not a spread in a literal: V8 takes a slow path for the latter (~2 µs a row).
  return Object.assign(toReportUnit(r), {
    bound,
    compliant,
    share: bound === 0 ? 0 : Math.round((compliant / bound) * 10_000) / 10_000,
    platforms: platforms.map(p => {
      const f = r.figures.find(x => x.platform === p.code)
      return { platform: p.code, bound: f?.bound ?? 0, held: f?.met ?? 0 }
    })
  })
}

/** The compliance report: the unit's row and a page of its children's (or descendants' at a level). */
export async function complianceReport (db: Database, actor: Actor, unitId: string, q: ComplianceQuestion) {
  const unit = await unitInScope(db, actor, unitId)
  await checkFilter(db, unit, q)
  const platforms = await requiredPlatforms(db, q)
  return { unit, platforms, ...await complianceOf(db, unit, q, platforms) }
}

/** The whole report for a streamed download: the unit's row, then every child's, batch after batch. */
export async function allCompliance (db: Database, actor: Actor, unitId: string, q: Omit<ComplianceQuestion, 'after' | 'limit'>, batch = 2000) {
  const unit = await unitInScope(db, actor, unitId)
  await checkFilter(db, unit, q)
  const platforms = await requiredPlatforms(db, q)
  const first = await complianceOf(db, unit, { ...q, limit: batch }, platforms)
  async function * all (): AsyncGenerator<ComplianceRow> {
    yield first.self
    yield * inBatches(async (after: string | undefined, limit) => after === undefined
      ? first.children
      : (await complianceOf(db, unit, { ...q, after, limit }, platforms)).children, r => r.codePath, batch)
  }
  return { unit, platforms, rows: all() }
}

export interface NonCompliantRow {
  appointment_id: string
  unit_id: string
  unit_code_path: string
  wing: string
  role: string
  post_level: UnitLevel
  start_date: string
  person_id: string
  person_name: string
  phone: string | null
  handles: Handles
  missing: string[]
}

export type NonCompliantKey = [string, string, string, string]
export const nonCompliantKey = (r: NonCompliantRow): NonCompliantKey => [r.unit_code_path, r.wing, r.role, r.appointment_id]

/**
 * Bound terms in the subtree whose holder lacks a platform the post requires (or lacks
 * `platform`, when given), in code-path, wing, role order from `after`: limit + 1 of
 * them. Terms at units outside the caller's scope are never listed.
 */
export async function nonCompliantPage (db: Database, actor: Actor, unit: UnitRow, q: DutyFilter & { platform?: string, after?: NonCompliantKey, limit: number }): Promise<NonCompliantRow[]> {
  return rows<NonCompliantRow>(db, nonCompliantList(actor, unit, q).query(q.after, q.limit + 1))
}

/** nonCompliantPage's rows as a list to page through or download (src/db/cursor.ts). */
export function nonCompliantList (actor: Actor, unit: UnitRow, q: DutyFilter & { platform?: string }): KeysetList<NonCompliantRow, NonCompliantKey> {
  const scope = withinScope(actor, sql`u.path`) ?? sql`true`
  return {
    keyOf: nonCompliantKey,
    query: (after, limit) => sql`
      SELECT a.id AS appointment_id, a.unit_id, u.code_path AS unit_code_path, a.wing_code AS wing, a.role_code AS role,
             u.level AS post_level, a.start_date::text AS start_date, p.id AS person_id, p.name AS person_name, p.phone,
             ${handlesOf(sql`p.id`)} AS handles,
             m.missing
        FROM units u
        JOIN appointments a ON a.unit_id = u.id AND a.end_date IS NULL
        JOIN people p ON p.id = a.person_id
        CROSS JOIN LATERAL (
          SELECT array_agg(d.platform_code ORDER BY sp.sort_order, d.platform_code) FILTER (WHERE NOT d.platform_code = ANY (p.handle_platforms)) AS missing
            FROM handle_duties d JOIN social_platforms sp ON sp.code = d.platform_code
           WHERE d.wing_code = a.wing_code AND d.role_code = a.role_code AND d.level = u.level) m
       WHERE u.code_path >= ${unit.codePath} AND u.code_path < ${unit.codePath + '0'}
         AND (u.code_path = ${unit.codePath} OR u.code_path >= ${unit.codePath + '/'})
         AND ${scope}
         AND ${dutyWhere({ wing: q.wing, role: q.role }, sql`a`)}
         ${q.postLevel ? sql`AND u.level = ${q.postLevel}::unit_level` : sql``}
         AND m.missing IS NOT NULL
         ${q.platform ? sql`AND ${q.platform} = ANY (m.missing)` : sql``}
         ${after ? sql`AND (u.code_path, a.wing_code, a.role_code, a.id) > (${after[0]}, ${after[1]}, ${after[2]}, ${after[3]}::uuid)` : sql``}
       ORDER BY u.code_path, a.wing_code, a.role_code, a.id
       ${limit !== undefined ? sql`LIMIT ${limit}` : sql``}`
  }
}

export async function nonCompliant (db: Database, actor: Actor, unitId: string, q: DutyFilter & { platform?: string, after?: NonCompliantKey, limit: number }) {
  const unit = await unitInScope(db, actor, unitId)
  await checkFilter(db, unit, q)
  return { unit, rows: await nonCompliantPage(db, actor, unit, q) }
}

export async function allNonCompliant (db: Database, actor: Actor, unitId: string, q: DutyFilter & { platform?: string }, batch = 2000) {
  const unit = await unitInScope(db, actor, unitId)
  await checkFilter(db, unit, q)
  return { unit, batches: listInBatches(db, nonCompliantList(actor, unit, q), batch) }
}

export function toNonCompliant (r: NonCompliantRow, mask: boolean) {
  return {
    appointmentId: r.appointment_id,
    unitId: r.unit_id,
    unitCodePath: r.unit_code_path,
    wing: r.wing,
    role: r.role,
    postLevel: r.post_level,
    startDate: r.start_date,
    missing: r.missing,
    person: {
      id: r.person_id,
      name: r.person_name,
      phone: mask ? maskPhone(r.phone) : r.phone,
      ...legacyFields(r.handles),
      handles: r.handles ?? {}
    }
  }
}
