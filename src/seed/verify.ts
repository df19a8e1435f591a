import { sql } from 'drizzle-orm'
import { rows, type Database } from '../db/client.js'

/**
 * The seed loads with the rule and counter triggers off, so it asks the functions those
 * triggers call (src/db/routines/20_own_booth_rule.sql, 21_posts.sql, 47_camps.sql) about
 * every row at once. Any violation fails the load and rolls it back: a seed must never
 * leave a database the API could not have produced.
 */
export class SeedVerificationError extends Error {}

export async function verifyOrganisation (tx: Database): Promise<void> {
  const [found] = await rows<{ own_booth: number, role_not_at_level: number, no_free_seat: number, double_terms: number, cluster_booths: number, camps: string | null }>(tx, sql`
    SELECT (SELECT count(*)::int FROM own_booth_violations()) AS own_booth,
           (SELECT count(*)::int FROM double_terms()) AS double_terms,
           (SELECT count(*)::int FROM cluster_booth_violations()) AS cluster_booths,
           (SELECT string_agg(n || ' camps breaking ' || violation, '; ' ORDER BY violation)
              FROM (SELECT violation, count(*) AS n FROM camp_violations() GROUP BY violation) c) AS camps,
           count(*) FILTER (WHERE v.violation = 'role_not_at_level')::int AS role_not_at_level,
           count(*) FILTER (WHERE v.violation = 'no_free_seat')::int AS no_free_seat
      FROM post_violations() v`)
  const failures = [
    [found.own_booth, 'current office-bearers who are not active members at their home booth (own-booth rule)'],
    [found.role_not_at_level, 'terms at a level where their role does not exist'],
    [found.no_free_seat, 'terms that overfill their post (more overlapping terms than seats)'],
    [found.double_terms, 'terms overlapping another term of the same person in the same post'],
    [found.cluster_booths, 'booths in a cluster they do not lie under (46_clusters.sql)']
  ].filter(([n]) => Number(n) > 0).map(([n, rule]) => `${n} ${rule}`)
  // Camps (47_camps.sql): invitees at home under the camp, attended exactly with days, days within the camp, capacity.
  if (found.camps !== null) failures.push(found.camps)
  if (failures.length > 0) throw new SeedVerificationError(`the generated organisation breaks the rules, nothing was loaded: ${failures.join('; ')}`)
}
