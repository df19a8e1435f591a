import { sql } from 'drizzle-orm'
import type { Database } from '../../src/db/client.js'
import { rows } from '../../src/db/client.js'

const SNAPSHOT = {
  unit_stats: sql`SELECT unit_id::text || ':' || total_booths || ':' || active_members AS r FROM unit_stats ORDER BY 1`,
  // A wing's row that counts nothing any more equals no row.
  office_stats: sql`SELECT unit_id::text || ':' || wing_code || ':' || office_bearers || ':' || office_bearers_with_handle || ':' || committee_histogram::text AS r
                      FROM office_stats WHERE office_bearers <> 0 OR committee_histogram <> array_fill(0, ARRAY[33]) ORDER BY 1`,
  post_stats: sql`SELECT unit_id::text || ':' || wing_code || ':' || role_code || ':' || filled_booths AS r FROM post_stats WHERE filled_booths <> 0 ORDER BY 1`,
  member_joins: sql`SELECT unit_id::text || ':' || joined_on || ':' || members AS r FROM member_joins WHERE members <> 0 ORDER BY 1`,
  post_days: sql`SELECT unit_id::text || ':' || wing_code || ':' || role_code || ':' || day || ':' || delta AS r FROM post_days WHERE delta <> 0 ORDER BY 1`,
  duty_stats: sql`SELECT unit_id::text || ':' || wing_code || ':' || role_code || ':' || level || ':' || bound || ':' || compliant AS r FROM duty_stats WHERE bound <> 0 OR compliant <> 0 ORDER BY 1`,
  duty_platform_stats: sql`SELECT unit_id::text || ':' || wing_code || ':' || role_code || ':' || level || ':' || platform_code || ':' || bound || ':' || held AS r
                             FROM duty_platform_stats WHERE bound <> 0 OR held <> 0 ORDER BY 1`,
  // A constituency's pairs (33_assembly_stats.sql): a pair with no booth has no row.
  assembly_stats: sql`SELECT assembly_id::text || ':' || district_node || ':' || total_booths || ':' || active_members AS r FROM assembly_stats ORDER BY 1`,
  assembly_office_stats: sql`SELECT assembly_id::text || ':' || district_node || ':' || wing_code || ':' || office_bearers || ':' || office_bearers_with_handle || ':' || committee_histogram::text AS r
                               FROM assembly_office_stats WHERE office_bearers <> 0 OR committee_histogram <> array_fill(0, ARRAY[33]) ORDER BY 1`,
  assembly_post_stats: sql`SELECT assembly_id::text || ':' || district_node || ':' || wing_code || ':' || role_code || ':' || filled_booths AS r FROM assembly_post_stats WHERE filled_booths <> 0 ORDER BY 1`,
  assembly_member_joins: sql`SELECT assembly_id::text || ':' || district_node || ':' || joined_on || ':' || members AS r FROM assembly_member_joins WHERE members <> 0 ORDER BY 1`,
  // Training (47_camps.sql): each counted person's summary, people per unit, rates.
  training_people: sql`SELECT person_id::text || ':' || booth_id || ':' || wings::text || ':' || topics::text || ':' || last_days::text AS r FROM training_people ORDER BY 1`,
  training_stats: sql`SELECT unit_id::text || ':' || wing_key || ':' || topic_key || ':' || last_day || ':' || people AS r FROM training_stats WHERE people <> 0 ORDER BY 1`,
  training_rates: sql`SELECT unit_id::text || ':' || invited || ':' || attended || ':' || camps_held AS r FROM training_rates WHERE invited <> 0 OR attended <> 0 OR camps_held <> 0 ORDER BY 1`
}

/**
 * Differences between the counters the triggers maintained and a full recount from the
 * base tables (rebuild_coverage_stats, rolled back afterwards). Empty means exact.
 */
export async function counterDrift (db: Database): Promise<string[]> {
  const drift: string[] = []
  await db.transaction(async (tx) => {
    const maintained: Record<string, string[]> = {}
    for (const [table, q] of Object.entries(SNAPSHOT)) maintained[table] = (await rows<{ r: string }>(tx, q)).map(x => x.r)
    await tx.execute(sql`SELECT rebuild_coverage_stats()`)
    for (const [table, q] of Object.entries(SNAPSHOT)) {
      const recounted = (await rows<{ r: string }>(tx, q)).map(x => x.r)
      const a = new Set(maintained[table])
      const b = new Set(recounted)
      for (const r of a) if (!b.has(r)) drift.push(`${table} maintained ${r}`)
      for (const r of b) if (!a.has(r)) drift.push(`${table} recounted ${r}`)
    }
    tx.rollback()
  }).catch((err) => { if (!/rollback/i.test(String(err?.message ?? err))) throw err })
  return drift
}
