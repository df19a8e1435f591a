import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { rows, type Database } from '../db/client.js'

/**
 * A post is a wing's role at a unit (or at one of its booth clusters). Its rules (the role exists at the unit's level; at most
 * `seats` overlapping terms) are SQL, in src/db/routines/21_posts.sql (post_key,
 * lock_posts, post_violations), enforced after every statement that writes terms. The
 * API takes the same lock and asks the same function, to refuse with a precise code.
 */

export interface Post {
  unitId: string
  /** A booth cluster's post: its unit is the cluster's. */
  clusterId?: string | null
  wing: string
  role: string
}

export type PostViolation = 'role_not_at_level' | 'no_free_seat'

/** One writer per post at a time: counts of seats read after this hold until commit. */
export async function lockPost (tx: Database, post: Post): Promise<void> {
  await tx.execute(sql`SELECT lock_posts(${sql.param([post.unitId])}::uuid[], ${sql.param([post.wing])}::text[], ${sql.param([post.role])}::text[])`)
}

/** What the post's rules say of a new term there, from `startDate` on (unended unless `endDate`). */
export async function violationsOfNewTerm (tx: Database, post: Post, startDate: string, endDate: string | null = null): Promise<Set<PostViolation>> {
  const found = await rows<{ violation: PostViolation }>(tx, sql`
    SELECT violation FROM post_violations(${sql.param([randomUUID()])}::uuid[], ${sql.param([post.unitId])}::uuid[], ARRAY[${post.clusterId ?? null}::uuid], ${sql.param([post.wing])}::text[],
                                          ${sql.param([post.role])}::text[], ${sql.param([startDate])}::date[], ARRAY[${endDate}::date])`)
  return new Set(found.map(f => f.violation))
}

/** The terms at the post that overlap [startDate, endDate): the seats a new term would compete for. */
export async function overlappingTerms (db: Database, post: Post, startDate: string, endDate: string | null = null) {
  return rows<{ id: string, unitId: string, unitCodePath: string, wing: string, role: string, startDate: string, endDate: string | null }>(db, sql`
    SELECT a.id, a.unit_id AS "unitId", u.code_path AS "unitCodePath", a.wing_code AS wing, a.role_code AS role,
           a.start_date AS "startDate", a.end_date AS "endDate"
      FROM appointments a JOIN units u ON u.id = a.unit_id
     WHERE a.unit_id = ${post.unitId} AND a.wing_code = ${post.wing} AND a.role_code = ${post.role}
       AND a.cluster_id IS NOT DISTINCT FROM ${post.clusterId ?? null}::uuid
       AND terms_overlap(a.start_date, a.end_date, ${startDate}::date, ${endDate}::date)
     ORDER BY a.start_date, a.id`)
}
