import { sql } from 'drizzle-orm'
import { rows, type Database } from '../db/client.js'
import type { UnitLevel } from '../db/schema.js'
import { toReportUnit, type UnitRow } from '../units/queries.js'

/**
 * The trend of a required booth post (president, BLA): booths whose post was filled on
 * each of the last weeks' days, over today's tree, for a unit and its children. Units
 * above booths read post_days (31_post_days.sql): filled on day D = filled now
 * (post_stats) less the changes after D, so only the asked weeks' rows are read,
 * whatever the number of booths. A booth's own figures come from its terms (post_steps).
 */

export interface TrendSqlRow {
  unit_id: string
  code: string
  code_path: string
  name: string
  level: UnitLevel
  total_booths: number
  filled: number[]
}

export interface TrendParams { wing: string, role: string, weeks: number }

/** The days asked about: one a week, the last one today (India), oldest first. */
export async function trendDays (db: Database, weeks: number): Promise<string[]> {
  const [row] = await rows<{ days: string[] }>(db, sql`
    SELECT array_agg(to_char(india_today() - 7 * g, 'YYYY-MM-DD') ORDER BY g DESC) AS days FROM generate_series(0, ${weeks}::int - 1) AS g`)
  return row.days
}

/** The unit's row and its children's after `after` (code path), limit + 1 of them. */
export async function trendOf (db: Database, unit: UnitRow, p: TrendParams, days: string[], page: { after?: string, limit: number }): Promise<{ self: TrendSqlRow, children: TrendSqlRow[] }> {
  const targets = sql`
    (SELECT u.id, u.code, u.code_path, u.name, u.level, 0 AS ord FROM units u WHERE u.id = ${unit.id})
    UNION ALL
    (SELECT c.id, c.code, c.code_path, c.name, c.level, 1 FROM units c
      WHERE c.parent_id = ${unit.id} ${page.after !== undefined ? sql`AND c.code_path > ${page.after}` : sql``}
      ORDER BY c.code_path LIMIT ${page.limit + 1})`
  const found = await rows<TrendSqlRow & { ord: number }>(db, sql`
    -- Day i (1 = oldest) is d0 + 7(i - 1). A change on a day in (day i-1, day i] falls in
    -- week i; after the last day (a term dated ahead), in the last week too. Changes after
    -- day i = the sum over the weeks after it: one aggregate over the weeks' rows, then a
    -- running sum over at most 12 cells per unit.
    WITH days AS MATERIALIZED (SELECT d::date AS day, i::int AS i FROM unnest(${`{${days.join(',')}}`}::date[]) WITH ORDINALITY AS x(d, i)),
    targets AS MATERIALIZED (${targets}),
    weeks AS (
      SELECT pd.unit_id, least(ceil((pd.day - ${days[0]}::date) / 7.0)::int + 1, ${days.length + 1}::int) AS i, sum(pd.delta)::int AS n
        FROM post_days pd JOIN targets t ON t.id = pd.unit_id AND t.level <> 'booth'
       WHERE pd.wing_code = ${p.wing} AND pd.role_code = ${p.role} AND pd.day > ${days[0]}::date
       GROUP BY 1, 2),
    -- Booths: their own steps, from their terms of this post.
    booth_terms AS MATERIALIZED (
      SELECT a.id, a.unit_id, a.wing_code, a.role_code, a.start_date, a.end_date
        FROM appointments a JOIN targets t ON t.id = a.unit_id AND t.level = 'booth'
       WHERE a.wing_code = ${p.wing} AND a.role_code = ${p.role}),
    steps AS (
      SELECT * FROM post_steps(
        ARRAY(SELECT unit_id FROM booth_terms ORDER BY id), ARRAY(SELECT wing_code FROM booth_terms ORDER BY id),
        ARRAY(SELECT role_code FROM booth_terms ORDER BY id), ARRAY(SELECT start_date FROM booth_terms ORDER BY id),
        ARRAY(SELECT end_date FROM booth_terms ORDER BY id))),
    booth_filled AS (
      SELECT s.booth_id AS unit_id, d.i, sum(s.delta)::int AS n FROM steps s JOIN days d ON s.day <= d.day GROUP BY 1, 2),
    cells AS (
      SELECT t.id, d.i,
             CASE WHEN t.level = 'booth' THEN coalesce(bf.n, 0)
                  ELSE coalesce(ps.filled_booths, 0) - coalesce(sum(w.n) OVER (PARTITION BY t.id ORDER BY d.i DESC), 0) END AS filled
        FROM targets t CROSS JOIN days d
        LEFT JOIN post_stats ps ON ps.unit_id = t.id AND ps.wing_code = ${p.wing} AND ps.role_code = ${p.role}
        LEFT JOIN weeks w ON w.unit_id = t.id AND w.i = d.i + 1
        LEFT JOIN booth_filled bf ON bf.unit_id = t.id AND bf.i = d.i),
    series AS (
      SELECT id, array_agg(filled::int ORDER BY i) AS filled FROM cells GROUP BY id)
    SELECT t.id AS unit_id, t.code, t.code_path, t.name, t.level, t.ord,
           CASE WHEN t.level = 'booth' THEN 1 ELSE coalesce((SELECT us.total_booths FROM unit_stats us WHERE us.unit_id = t.id), 0) END AS total_booths,
           s.filled
      FROM targets t JOIN series s ON s.id = t.id
     ORDER BY t.ord, t.code_path`)
  const [self, ...children] = found
  return { self, children }
}

export function toTrendRow (r: TrendSqlRow) {
  // Object.assign, not a spread in a literal: V8 takes a slow path for the latter (~2 µs a row).
  return Object.assign(toReportUnit(r), {
    totalBooths: r.total_booths,
    filled: r.filled,
    coverage: r.filled.map(n => r.total_booths > 0 ? n / r.total_booths : 0)
  })
}
