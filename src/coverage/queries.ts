import { sql, type SQL } from 'drizzle-orm'
import { rows, type Database } from '../db/client.js'
import type { UnitLevel } from '../db/schema.js'
import type { UnitRow } from '../units/queries.js'

/**
 * Coverage read from the counters (unit_stats, post_stats, member_joins) that the database
 * keeps exact in every write's transaction for the units above booths: one row per unit
 * reported, so the cost does not grow with the number of booths underneath. A booth's
 * own row is read from its terms and memberships (booth_figures, a few index probes).
 */

export interface CoverageParams {
  role: string
  minCommittee: number
  newMemberDays: number
}

interface CoverageSqlRow {
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
    withCommittee: sql`(SELECT coalesce(sum(x), 0)::int FROM unnest(s.committee_histogram[${p.minCommittee + 1}:33]) AS x)`,
    active: sql`s.active_members`,
    newMembers: sql`(SELECT coalesce(sum(mj.members), 0)::int FROM member_joins mj
                      WHERE mj.unit_id = u.id AND mj.joined_on > india_today() - ${p.newMemberDays}::int)`,
    officeBearers: sql`s.office_bearers`,
    withHandle: sql`s.office_bearers_with_handle`
  }
  const boothOr = (booth: SQL, counters: SQL) => booths ? sql`CASE WHEN u.level = 'booth' THEN ${booth} ELSE ${counters} END` : counters
  return sql`
    SELECT u.id AS unit_id, u.code, u.code_path, u.name, u.level,
           ${boothOr(sql`1`, fromCounters.total)} AS total_booths,
           ${boothOr(sql`(b.holders >= (SELECT coalesce(r.seats, 1) FROM roles r WHERE r.code = ${p.role}))::int`, fromCounters.covered)} AS covered_booths,
           ${boothOr(sql`(b.committee >= ${p.minCommittee})::int`, fromCounters.withCommittee)} AS booths_with_committee,
           ${boothOr(sql`b.active_members`, fromCounters.active)} AS active_members,
           ${boothOr(sql`b.new_members`, fromCounters.newMembers)} AS new_members,
           ${boothOr(sql`b.committee`, fromCounters.officeBearers)} AS office_bearers,
           ${boothOr(sql`b.with_handle`, fromCounters.withHandle)} AS office_bearers_with_handle
      FROM units u
      LEFT JOIN unit_stats s ON s.unit_id = u.id
      LEFT JOIN post_stats ps ON ps.unit_id = u.id AND ps.role_code = ${p.role}
      ${booths
        // Other units pass no id: their probes find nothing at once.
        ? sql`CROSS JOIN LATERAL booth_figures(CASE WHEN u.level = 'booth' THEN u.id END, ${p.role}, india_today() - ${p.newMemberDays}::int) b`
        : sql``}
     WHERE ${where}
     ORDER BY u.code_path
     LIMIT ${limit}`
}

export function toCoverageRow (r: CoverageSqlRow) {
  return {
    unitId: r.unit_id,
    code: r.code,
    codePath: r.code_path,
    name: r.name,
    level: r.level,
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
 * Units at a level in the subtree (the unit itself included) with fewer unended terms in
 * the role than its seats, in code-path order from `after`: holders counted through the
 * open-terms index (appointments_open_idx), one probe per unit.
 */
export async function gapsPage (db: Database, unit: UnitRow, f: { role: string, seats: number, level: UnitLevel, after?: string, limit: number }): Promise<GapRow[]> {
  const holders = sql`(SELECT count(*)::int FROM appointments a WHERE a.unit_id = u.id AND a.role_code = ${f.role} AND a.end_date IS NULL)`
  const after = f.after !== undefined ? sql` AND u.code_path > ${f.after}` : sql``
  return rows<GapRow>(db, sql`
    SELECT * FROM (
      SELECT u.id, u.code, u.name, u.code_path, u.level, u.ac_number, u.ps_number, ${holders} AS holders, ${f.seats}::int AS seats
        FROM units u
       WHERE u.level = ${f.level}
         AND (u.code_path = ${unit.codePath} OR (u.code_path >= ${unit.codePath + '/'} AND u.code_path < ${unit.codePath + '0'}))
         ${after}
       ORDER BY u.code_path
    ) g
    WHERE g.holders < g.seats
    LIMIT ${f.limit}`)
}

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

/** Every gap, batch after batch (keyset), for a streamed download. */
export async function * allGaps (db: Database, unit: UnitRow, f: { role: string, seats: number, level: UnitLevel }, batch = 5000) {
  let after: string | undefined
  for (;;) {
    const page = await gapsPage(db, unit, { ...f, after, limit: batch })
    for (const r of page) yield r
    if (page.length < batch) return
    after = page[page.length - 1].code_path
  }
}

/** How many units at a level in the subtree have the post unfilled. Booths under a unit: from its counters. */
export async function vacantCount (db: Database, unit: UnitRow, f: { role: string, seats: number, level: UnitLevel }): Promise<number> {
  if (f.level === 'booth' && unit.level !== 'booth') {
    const [r] = await rows<{ n: number }>(db, sql`
      SELECT s.total_booths - coalesce(ps.filled_booths, 0) AS n
        FROM unit_stats s LEFT JOIN post_stats ps ON ps.unit_id = s.unit_id AND ps.role_code = ${f.role}
       WHERE s.unit_id = ${unit.id}`)
    return r?.n ?? 0
  }
  const [r] = await rows<{ n: number }>(db, sql`
    SELECT count(*)::int AS n FROM units u
     WHERE u.level = ${f.level}
       AND (u.code_path = ${unit.codePath} OR (u.code_path >= ${unit.codePath + '/'} AND u.code_path < ${unit.codePath + '0'}))
       AND (SELECT count(*) FROM appointments a WHERE a.unit_id = u.id AND a.role_code = ${f.role} AND a.end_date IS NULL) < ${f.seats}`)
  return r.n
}
