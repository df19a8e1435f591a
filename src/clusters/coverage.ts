import { sql } from 'drizzle-orm'
import type { Actor } from '../access/actor.js'
import { rows, type Database } from '../db/client.js'
import { DomainError } from '../errors.js'
import { boothFigures, figuresOf, sumsOfBooths, type CoverageParams, type FiguresSqlRow } from '../coverage/queries.js'
import { roleOrRefuse, type RoleRow } from '../roles/catalogue.js'
import { unitInScope } from '../coverage/service.js'
import type { UnitRow } from '../units/queries.js'
import { clusterKindOrRefuse, underCodePath } from './queries.js'

export type ClusterCoverageSqlRow = FiguresSqlRow & {
  id: string
  unit_id: string
  unit_code_path: string
  kind: string
  code: string
  name: string
  required_posts: number
  filled_posts: number
}

export function toClusterCoverageRow (r: ClusterCoverageSqlRow) {
  const cluster = { clusterId: r.id, unitId: r.unit_id, unitCodePath: r.unit_code_path, kind: r.kind, code: r.code, name: r.name, requiredPosts: r.required_posts, filledPosts: r.filled_posts }
  return Object.assign(cluster, figuresOf(r))
}

/**
 * Clusters of a kind under the unit, each with its own required posts (how many of the
 * kind's required roles in the wing are filled: "has this sector an in-charge?") and the
 * coverage figures of its booths (its members' for a zone), in (unit code path, code)
 * order from `after`. Read from the booths' own rows (booth_figures): a page of clusters
 * is a few hundred booths.
 */
export async function clusterCoveragePage (db: Database, unit: UnitRow, role: RoleRow, kind: string, p: CoverageParams, page: { after?: [string, string], limit: number }) {
  return rows<ClusterCoverageSqlRow>(db, sql`
    WITH page AS (
      SELECT c.id, c.unit_id, u.code_path AS unit_code_path, c.kind_code AS kind, c.code, c.name
        FROM clusters c JOIN units u ON u.id = c.unit_id
       WHERE c.kind_code = ${kind} AND ${underCodePath(unit.codePath)}
         ${page.after ? sql`AND (u.code_path, c.code) > (${page.after[0]}, ${page.after[1]})` : sql``}
       ORDER BY u.code_path, c.code
       LIMIT ${page.limit}),
    members AS (
      SELECT p.id AS cluster_id, cb.booth_id FROM page p JOIN cluster_booths cb ON cb.cluster_id = p.id
      UNION ALL
      SELECT p.id, cb.booth_id FROM page p JOIN clusters m ON m.parent_id = p.id JOIN cluster_booths cb ON cb.cluster_id = m.id),
    sums AS (
      SELECT b.cluster_id, ${sumsOfBooths(role, p)}
        FROM (${boothFigures(role, p, sql`true`, sql`m.cluster_id`, sql`members m JOIN units u ON u.id = m.booth_id`)}) b
       GROUP BY b.cluster_id)
    SELECT p.*,
           coalesce(s.total_booths, 0) AS total_booths, coalesce(s.covered_booths, 0) AS covered_booths,
           coalesce(s.booths_with_committee, 0) AS booths_with_committee, coalesce(s.active_members, 0) AS active_members,
           coalesce(s.new_members, 0) AS new_members, coalesce(s.office_bearers, 0) AS office_bearers,
           coalesce(s.office_bearers_with_handle, 0) AS office_bearers_with_handle,
           (SELECT count(*)::int FROM roles r WHERE r.wing_code = ${role.wing} AND r.cluster_kind = p.kind AND r.required) AS required_posts,
           (SELECT count(*)::int FROM roles r
             WHERE r.wing_code = ${role.wing} AND r.cluster_kind = p.kind AND r.required
               AND (SELECT count(*) FROM appointments a
                     WHERE a.cluster_id = p.id AND a.wing_code = r.wing_code AND a.role_code = r.code AND a.end_date IS NULL) >= coalesce(r.seats, 1)) AS filled_posts
      FROM page p LEFT JOIN sums s ON s.cluster_id = p.id
     ORDER BY p.unit_code_path, p.code`)
}

/** The unit (in scope), the kind and the booth-level role whose coverage is counted. */
export async function clusterCoverageQuestion (db: Database, actor: Actor, unitId: string, q: { kind: string, wing: string, role: string }) {
  const unit = await unitInScope(db, actor, unitId)
  await clusterKindOrRefuse(db, q.kind)
  const role = await roleOrRefuse(db, q.wing, q.role)
  if (!role.levels.includes('booth')) throw new DomainError('unprocessable', 'role_not_at_level', `${role.name} is not a post at booth level.`)
  return { unit, role }
}
