import { sql, type SQL } from 'drizzle-orm'
import { rows, type Database } from '../db/client.js'
import type { KeysetList } from '../db/cursor.js'
import { UNIT_LEVELS, type UnitLevel } from '../db/schema.js'
import type { RoleRow } from '../roles/catalogue.js'
import { toReportUnit, type UnitRow } from '../units/queries.js'
import { atLevelInSubtree } from '../units/levels.js'

/**
 * Coverage read from the counters (unit_stats, post_stats, member_joins) that the database
 * keeps exact in every write's transaction for the units above booths: one row per unit
 * reported, so the cost does not grow with the number of booths underneath. A booth's
 * own row is read from its terms and memberships (booth_figures, a few index probes).
 */

export interface CoverageParams {
  /** The wing whose posts and office-bearers are counted. */
  wing: string
  role: string
  minCommittee: number
  newMemberDays: number
}

export interface CoverageSqlRow {
  unit_id: string
  code: string
  code_path: string
  name: string
  level: UnitLevel
  total_booths: number
  covered_booths: number
  booths_with_committee: number
  active_members: number
  new_members: number
  office_bearers: number
  office_bearers_with_handle: number
}

/**
 * The rows of a subtree's units (itself, or descendants) matching `where`, in code-path
 * order. `booths`: some rows may be booths, whose figures are read from their own rows;
 * without, the query reads nothing but the counters (and plans in a fraction of the time).
 */
export function coverageSql (where: SQL, p: CoverageParams, limit: number, booths: boolean): SQL {
  // committee_histogram[i] holds booths with a committee of i-1 members (33: 32 or more).
  const fromCounters = {
    total: sql`s.total_booths`,
    covered: sql`coalesce(ps.filled_booths, 0)`,
    // K = 0 is every booth; office_stats leaves bucket 1 (no terms) implicit.
    withCommittee: p.minCommittee === 0
      ? sql`s.total_booths`
      : sql`(SELECT coalesce(sum(x), 0)::int FROM unnest(os.committee_histogram[${p.minCommittee + 1}:33]) AS x)`,
    active: sql`s.active_members`,
    newMembers: sql`(SELECT coalesce(sum(mj.members), 0)::int FROM member_joins mj
                      WHERE mj.unit_id = u.id AND mj.joined_on > india_today() - ${p.newMemberDays}::int)`,
    officeBearers: sql`coalesce(os.office_bearers, 0)`,
    withHandle: sql`coalesce(os.office_bearers_with_handle, 0)`
  }
  const boothOr = (booth: SQL, counters: SQL) => booths ? sql`CASE WHEN u.level = 'booth' THEN ${booth} ELSE ${counters} END` : counters
  return sql`
    SELECT u.id AS unit_id, u.code, u.code_path, u.name, u.level,
           ${boothOr(sql`1`, fromCounters.total)} AS total_booths,
           ${boothOr(sql`(b.holders >= (SELECT coalesce(r.seats, 1) FROM roles r WHERE r.wing_code = ${p.wing} AND r.code = ${p.role}))::int`, fromCounters.covered)} AS covered_booths,
           ${boothOr(sql`(b.committee >= ${p.minCommittee})::int`, fromCounters.withCommittee)} AS booths_with_committee,
           ${boothOr(sql`b.active_members`, fromCounters.active)} AS active_members,
           ${boothOr(sql`b.new_members`, fromCounters.newMembers)} AS new_members,
           ${boothOr(sql`b.committee`, fromCounters.officeBearers)} AS office_bearers,
           ${boothOr(sql`b.with_handle`, fromCounters.withHandle)} AS office_bearers_with_handle
      FROM units u
      LEFT JOIN unit_stats s ON s.unit_id = u.id
      LEFT JOIN office_stats os ON os.unit_id = u.id AND os.wing_code = ${p.wing}
      LEFT JOIN post_stats ps ON ps.unit_id = u.id AND ps.wing_code = ${p.wing} AND ps.role_code = ${p.role}
      ${booths
        // Other units pass no id: their probes find nothing at once.
        ? sql`CROSS JOIN LATERAL booth_figures(CASE WHEN u.level = 'booth' THEN u.id END, ${p.wing}, ${p.role}, india_today() - ${p.newMemberDays}::int) b`
        : sql``}
     WHERE ${where}
     ORDER BY u.code_path
     LIMIT ${limit}`
}

export type FiguresSqlRow = Omit<CoverageSqlRow, 'unit_id' | 'code' | 'code_path' | 'name' | 'level'>

export function toCoverageRow (r: CoverageSqlRow) {
  // Not `{ ...unit, ...figures }`: on Node 20's V8 a literal of two spreads takes the
  // runtime's slow path, ~5 µs a row (0.4 ms of a state's 76-row report); this is ~0.2 µs.
  return Object.assign(toReportUnit(r), figuresOf(r))
}

/** A row's figures as the API names them, with the share of booths covered. */
export function figuresOf (r: FiguresSqlRow) {
  return {
    totalBooths: r.total_booths,
    coveredBooths: r.covered_booths,
    coverage: r.total_booths === 0 ? 0 : Math.round((r.covered_booths / r.total_booths) * 10_000) / 10_000,
    boothsWithCommittee: r.booths_with_committee,
    activeMembers: r.active_members,
    newMembers: r.new_members,
    officeBearers: r.office_bearers,
    officeBearersWithHandle: r.office_bearers_with_handle
  }
}

/**
 * The unit's row and its children's (or descendants' at a level) in ONE query: the
 * unit sorts first (its code path is a prefix of theirs), and a page after a cursor
 * still brings the unit's own row along.
 */
export async function coverageOf (db: Database, unit: UnitRow, p: CoverageParams, rowsOf: { level?: UnitLevel, after?: string, limit: number }) {
  const below = rowsOf.level
    ? sql`u.level = ${rowsOf.level} AND u.code_path >= ${unit.codePath + '/'} AND u.code_path < ${unit.codePath + '0'}`
    : sql`u.parent_id = ${unit.id}`
  const after = rowsOf.after !== undefined ? sql` AND u.code_path > ${rowsOf.after}` : sql``
  const booths = unit.level === 'booth' || rowsOf.level === 'booth' || (!rowsOf.level && unit.level === 'ward')
  const found = await rows<CoverageSqlRow>(db, coverageSql(sql`u.id = ${unit.id} OR (${below}${after})`, p, rowsOf.limit + 2, booths))
  const self = found.find(r => r.unit_id === unit.id)!
  return { self, children: found.filter(r => r.unit_id !== unit.id) }
}

/** The unit's own coverage row. */
export async function unitCoverageRow (db: Database, unit: UnitRow, p: CoverageParams): Promise<CoverageSqlRow> {
  const [row] = await rows<CoverageSqlRow>(db, coverageSql(sql`u.id = ${unit.id}`, p, 1, unit.level === 'booth'))
  return row
}

/** Each booth `u` (from `from`) matching `where` with its figures (booth_figures) and the `keep` column. */
export function boothFigures (role: RoleRow, p: CoverageParams, where: SQL, keep: SQL, from: SQL = sql`units u`): SQL {
  return sql`
    SELECT ${keep}, f.committee, f.with_handle, f.holders, f.active_members, f.new_members
      FROM ${from}
     CROSS JOIN LATERAL booth_figures(u.id, ${role.wing}, ${role.code}, india_today() - ${p.newMemberDays}::int) f
     WHERE ${where}`
}

/** A coverage row's figures summed over the booths `b` of a group. */
export function sumsOfBooths (role: RoleRow, p: CoverageParams): SQL {
  return sql`
    count(*)::int AS total_booths,
    count(*) FILTER (WHERE b.holders >= ${role.seats ?? 1})::int AS covered_booths,
    count(*) FILTER (WHERE b.committee >= ${p.minCommittee})::int AS booths_with_committee,
    sum(b.active_members)::int AS active_members,
    sum(b.new_members)::int AS new_members,
    sum(b.committee)::int AS office_bearers,
    sum(b.with_handle)::int AS office_bearers_with_handle`
}

export interface GapRow {
  id: string
  code: string
  name: string
  code_path: string
  level: UnitLevel
  ac_number: number | null
  ps_number: string | null
  holders: number
  seats: number
}

/**
 * Units at a level in the subtree (the unit itself included; the whole country when
 * `unit` is null) with fewer unended terms in the role than its seats, in code-path order
 * from `after`: holders counted through the open-terms index (appointments_open_idx), one
 * probe per unit, the units read in order from the (level, code_path) index.
 */
export async function gapsPage (db: Database, unit: UnitRow | null, f: GapsPost & { after?: string, limit: number }): Promise<GapRow[]> {
  return rows<GapRow>(db, gapsList(unit, f).query(f.after, f.limit))
}

/** The post a gaps question asks about, and where. */
export interface GapsPost { wing: string, role: string, seats: number, level: UnitLevel, assemblyId?: string }

/** gapsPage's rows as a list to page through or download (src/db/cursor.ts), in code-path order. */
export function gapsList (unit: UnitRow | null, f: GapsPost): KeysetList<GapRow, string> {
  const holders = sql`(SELECT count(*)::int FROM appointments a WHERE a.unit_id = u.id AND a.wing_code = ${f.wing} AND a.role_code = ${f.role} AND a.end_date IS NULL)`
  return {
    keyOf: byCodePath,
    query: (after, limit) => sql`
      SELECT * FROM (
        SELECT u.id, u.code, u.name, u.code_path, u.level, u.ac_number, u.ps_number, ${holders} AS holders, ${f.seats}::int AS seats
          FROM units u
         WHERE ${unit === null ? sql`u.level = ${f.level}::unit_level` : atLevelInSubtree(unit, f.level)}${inAssembly(f.assemblyId)}
           ${after !== undefined ? sql` AND u.code_path > ${after}` : sql``}
         ORDER BY u.code_path
      ) g
      WHERE g.holders < g.seats
      ${limit !== undefined ? sql`LIMIT ${limit}` : sql``}`
  }
}

/** A keyset over code paths: the key of a row of units in code-path order. */
export const byCodePath = (r: { code_path: string }) => r.code_path

export function toGap (r: GapRow) {
  return {
    id: r.id,
    code: r.code,
    name: r.name,
    codePath: r.code_path,
    level: r.level,
    acNumber: r.ac_number,
    psNumber: r.ps_number,
    holders: r.holders,
    seats: r.seats
  }
}

export interface VacancyGroupRow {
  level: UnitLevel
  role: string
  role_name: string
  seats: number
  vacant: number
  units: GapRow[]
}

/**
 * Every required post of the wing left empty in the subtree, per level (the unit's and those below)
 * and required role, in one query: how many units lack it (booths under a unit: from its
 * counters) and the first `perGroup` of them in code-path order. Groups with nothing
 * vacant are left out.
 */
export async function vacanciesOf (db: Database, unit: UnitRow, wing: string, perGroup: number, assemblyId?: string): Promise<VacancyGroupRow[]> {
  // A constituency groups booths: only its booths' posts, counted from their own rows.
  const levels = assemblyId !== undefined ? ['booth'] : UNIT_LEVELS.slice(UNIT_LEVELS.indexOf(unit.level))
  // A unit's counters count its whole subtree: a constituency's booths are counted one by one.
  const fromCounters = assemblyId === undefined ? sql`g.level = 'booth' AND ${unit.level}::unit_level <> 'booth'` : sql`false`
  // `= ANY (ARRAY[u.id])`: the open terms' B-tree. (Until migration 0031 `= u.id` let the
  // planner take the exclusion's GiST index, ~9 µs a probe against ~1 µs; since 0033 there
  // is no such index; the form stays, harmless.)
  const holders = sql`(SELECT count(*) FROM appointments a WHERE a.unit_id = ANY (ARRAY[u.id]) AND a.wing_code = g.wing_code AND a.role_code = g.code AND a.end_date IS NULL)`
  const inGroup = sql`${atLevelInSubtree(unit, sql`g.level`)}${inAssembly(assemblyId)} AND ${holders} < g.seats`
  return rows<VacancyGroupRow>(db, sql`
    SELECT * FROM (
      SELECT g.level, g.code AS role, g.name AS role_name, g.seats,
             CASE WHEN ${fromCounters}
                  THEN (SELECT s.total_booths - coalesce(ps.filled_booths, 0)
                          FROM unit_stats s LEFT JOIN post_stats ps ON ps.unit_id = s.unit_id AND ps.wing_code = g.wing_code AND ps.role_code = g.code
                         WHERE s.unit_id = ${unit.id})
                  ELSE (SELECT count(*)::int FROM units u WHERE ${inGroup})
             END AS vacant,
             (SELECT coalesce(json_agg(x ORDER BY x.code_path), '[]')
                FROM (SELECT u.id, u.code, u.name, u.code_path, u.level, u.ac_number, u.ps_number, ${holders}::int AS holders, g.seats
                        FROM units u WHERE ${inGroup} ORDER BY u.code_path LIMIT ${perGroup}) x) AS units,
             g.depth, g.sort_order
        FROM (SELECT l.level, l.depth, r.wing_code, r.code, r.name, coalesce(r.seats, 1) AS seats, r.sort_order
                FROM unnest(${sql.param(levels)}::text[]::unit_level[]) WITH ORDINALITY AS l(level, depth)
                JOIN roles r ON r.wing_code = ${wing} AND r.required AND l.level = ANY (r.levels)) g
      -- Each group's count once: without the fence the filter below is pushed into the
      -- join and counts the vacant units a second time for every group it keeps.
      OFFSET 0
    ) v
    WHERE v.vacant > 0
    ORDER BY v.depth, v.sort_order, v.role`)
}

/** SQL: with a constituency, the unit `u` is also one of its booths. */
function inAssembly (assemblyId?: string): SQL {
  return assemblyId === undefined ? sql`` : sql` AND u.assembly_id = ${assemblyId}`
}

/**
 * The country: every state's coverage row (one counters row set each: the states are
 * few) and their sums. For global keys; the caller checks.
 */
export async function nationalOf (db: Database, p: CoverageParams) {
  const states = await rows<CoverageSqlRow>(db, coverageSql(sql`u.level = 'state'`, p, 1000, false))
  return { states, country: { states: states.length, ...sumOfRows(states) } }
}

/** The figures of a set of coverage rows added up (a whole over its parts: the country, a constituency). */
export function sumOfRows (parts: CoverageSqlRow[]) {
  const sum = (f: (r: CoverageSqlRow) => number) => parts.reduce((n, r) => n + f(r), 0)
  const totalBooths = sum(r => r.total_booths)
  const coveredBooths = sum(r => r.covered_booths)
  return {
    totalBooths,
    coveredBooths,
    coverage: totalBooths === 0 ? 0 : Math.round((coveredBooths / totalBooths) * 10_000) / 10_000,
    boothsWithCommittee: sum(r => r.booths_with_committee),
    activeMembers: sum(r => r.active_members),
    newMembers: sum(r => r.new_members),
    officeBearers: sum(r => r.office_bearers),
    officeBearersWithHandle: sum(r => r.office_bearers_with_handle)
  }
}
