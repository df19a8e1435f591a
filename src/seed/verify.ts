import type { LoadConnection } from './connection.js'

/**
 * The checks the per-row and per-statement triggers would have made, run once over the
 * loaded tables while those triggers are off. Any violation fails the load and rolls
 * it back: a seed must never leave a database the API could not have produced.
 */
const CHECKS: ReadonlyArray<{ rule: string, sql: string }> = [
  {
    rule: 'current office-bearers who are not active members at their home booth (own-booth rule)',
    sql: `SELECT count(*)::int AS n FROM appointments a
           WHERE (a.end_date IS NULL OR a.end_date > india_today())
             AND NOT EXISTS (
               SELECT 1 FROM people p JOIN memberships m ON m.person_id = p.id AND m.booth_id = p.home_booth_id
                WHERE p.id = a.person_id AND m.status = 'current' AND m.grade = 'active')`
  },
  {
    rule: 'terms at a level where their role does not exist',
    sql: `SELECT count(*)::int AS n FROM appointments a
            JOIN roles r ON r.code = a.role_code JOIN units u ON u.id = a.unit_id
           WHERE NOT (u.level = ANY (r.levels))`
  },
  {
    rule: 'terms that overfill their post (more overlapping terms than seats)',
    sql: `SELECT count(*)::int AS n FROM (
            SELECT a.id FROM appointments a
              JOIN roles r ON r.code = a.role_code AND r.seats IS NOT NULL
              JOIN appointments o ON o.unit_id = a.unit_id AND o.role_code = a.role_code AND o.id <> a.id
                                 AND daterange(o.start_date, o.end_date, '[)') && daterange(a.start_date, a.end_date, '[)')
             GROUP BY a.id, r.seats
            HAVING count(*) >= r.seats) overfilled`
  }
]

export class SeedVerificationError extends Error {}

export async function verifyOrganisation (conn: LoadConnection): Promise<void> {
  const failures: string[] = []
  for (const check of CHECKS) {
    const [{ n }] = await conn.query<{ n: number }>(check.sql)
    if (n > 0) failures.push(`${n} ${check.rule}`)
  }
  if (failures.length > 0) throw new SeedVerificationError(`the generated organisation breaks the rules, nothing was loaded: ${failures.join('; ')}`)
}
