import { sql, type SQL } from 'drizzle-orm'
import type { Actor } from '../access/actor.js'
import { withinScope } from '../access/scope.js'
import { rows, type Database } from '../db/client.js'
import type { KeysetList } from '../db/cursor.js'
import { containing } from '../db/like.js'
import type { UnitLevel } from '../db/schema.js'
import { DomainError } from '../errors.js'

/**
 * Booth clusters as a key sees them: those of units in its subtree (a cluster is in the
 * subtree of its unit), in (unit code path, code) order.
 */

export interface ClusterKindRow { code: string, name: string, local_name: string | null, groups_kind: string | null, levels: UnitLevel[], sort_order: number }

export const toClusterKind = (r: ClusterKindRow) =>
  ({ code: r.code, name: r.name, localName: r.local_name, groupsKind: r.groups_kind, levels: r.levels, sortOrder: r.sort_order })

export async function listClusterKinds (db: Database): Promise<ClusterKindRow[]> {
  return rows<ClusterKindRow>(db, sql`SELECT code, name, local_name, groups_kind, levels::text[] AS levels, sort_order FROM cluster_kinds ORDER BY sort_order, code`)
}

export async function findClusterKind (db: Database, code: string): Promise<ClusterKindRow | undefined> {
  const [row] = await rows<ClusterKindRow>(db, sql`SELECT code, name, local_name, groups_kind, levels::text[] AS levels, sort_order FROM cluster_kinds WHERE code = ${code}`)
  return row
}

/** The kind, or a 422 naming it: for the changes and questions that take one (as roleOrRefuse does for roles). */
export async function clusterKindOrRefuse (db: Database, code: string): Promise<ClusterKindRow> {
  const kind = await findClusterKind(db, code)
  if (!kind) throw new DomainError('unprocessable', 'unknown_cluster_kind', `There is no cluster kind ${code} (GET /v1/cluster-kinds).`)
  return kind
}

export interface ClusterRow {
  id: string
  unit_id: string
  unit_code_path: string
  kind: string
  code: string
  name: string
  local_name: string | null
  parent_id: string | null
  booth_count: number
  member_count: number
  version: number
  created_at: string | Date
  updated_at: string | Date
}

export function toCluster (r: ClusterRow) {
  return {
    id: r.id,
    unitId: r.unit_id,
    unitCodePath: r.unit_code_path,
    kind: r.kind,
    code: r.code,
    name: r.name,
    localName: r.local_name,
    parentId: r.parent_id,
    boothCount: r.booth_count,
    memberCount: r.member_count,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString()
  }
}

export interface ClusterFilter {
  id?: string
  /** Clusters of units under this code path (the unit's own included). */
  under?: string
  kind?: string
  parentId?: string
  q?: string
  after?: [string, string]
  limit: number
}

/** The unit `u` lies in the subtree at `codePath` (itself included), as a code-path range. */
export const underCodePath = (codePath: string): SQL =>
  sql`(u.code_path = ${codePath} OR (u.code_path >= ${codePath + '/'} AND u.code_path < ${codePath + '0'}))`

/**
 * How many booths a cluster has: its own, or (when it groups clusters) its members'. Two
 * index probes added up: an OR of the two would scan every membership.
 */
export const boothsOfCluster = (cluster: SQL): SQL =>
  sql`((SELECT count(*) FROM cluster_booths cb WHERE cb.cluster_id = ${cluster})
     + (SELECT count(*) FROM clusters m JOIN cluster_booths cb ON cb.cluster_id = m.id WHERE m.parent_id = ${cluster}))::int`

export async function listClusters (db: Database, actor: Actor, f: ClusterFilter): Promise<ClusterRow[]> {
  const where: SQL[] = [withinScope(actor, sql`u.path`) ?? sql`true`]
  if (f.id) where.push(sql`c.id = ${f.id}`)
  if (f.under !== undefined) where.push(underCodePath(f.under))
  if (f.kind) where.push(sql`c.kind_code = ${f.kind}`)
  if (f.parentId) where.push(sql`c.parent_id = ${f.parentId}`)
  if (f.q) where.push(sql`(c.code ILIKE ${containing(f.q)} OR c.name ILIKE ${containing(f.q)})`)
  if (f.after) where.push(sql`(u.code_path, c.code) > (${f.after[0]}, ${f.after[1]})`)
  return rows<ClusterRow>(db, sql`
    SELECT c.id, c.unit_id, u.code_path AS unit_code_path, c.kind_code AS kind, c.code, c.name, c.local_name, c.parent_id,
           ${boothsOfCluster(sql`c.id`)} AS booth_count,
           (SELECT count(*)::int FROM clusters m WHERE m.parent_id = c.id) AS member_count,
           c.version, c.created_at, c.updated_at
      FROM clusters c JOIN units u ON u.id = c.unit_id
     WHERE ${sql.join(where, sql` AND `)}
     ORDER BY u.code_path, c.code
     LIMIT ${f.limit + 1}`)
}

export async function findCluster (db: Database, actor: Actor, id: string): Promise<ClusterRow | undefined> {
  const [row] = await listClusters(db, actor, { id, limit: 1 })
  return row
}

export interface ClusterBoothRow { id: string, code: string, code_path: string, name: string, ac_number: number | null, ps_number: string | null }

export const toClusterBooth = (r: ClusterBoothRow) =>
  ({ id: r.id, code: r.code, codePath: r.code_path, name: r.name, acNumber: r.ac_number, psNumber: r.ps_number })

/** A cluster's booths (its members' for a cluster that groups clusters), in code-path order. */
export async function listClusterBooths (db: Database, clusterId: string, page: { after?: string, limit: number }): Promise<ClusterBoothRow[]> {
  return rows<ClusterBoothRow>(db, sql`
    SELECT b.id, b.code, b.code_path, b.name, b.ac_number, b.ps_number
      FROM (SELECT cb.booth_id FROM cluster_booths cb WHERE cb.cluster_id = ${clusterId}
            UNION ALL
            SELECT cb.booth_id FROM clusters m JOIN cluster_booths cb ON cb.cluster_id = m.id WHERE m.parent_id = ${clusterId}) mine
      JOIN units b ON b.id = mine.booth_id
     WHERE true ${page.after !== undefined ? sql`AND b.code_path > ${page.after}` : sql``}
     ORDER BY b.code_path
     LIMIT ${page.limit + 1}`)
}

export interface ClusterGapRow { id: string, unit_id: string, unit_code_path: string, kind: string, code: string, name: string, booth_count: number, holders: number, seats: number }

export const toClusterGap = (r: ClusterGapRow) => ({
  id: r.id, unitId: r.unit_id, unitCodePath: r.unit_code_path, kind: r.kind, code: r.code, name: r.name, boothCount: r.booth_count, holders: r.holders, seats: r.seats
})

/**
 * Clusters of a kind under the unit (its own included) with fewer unended terms in the
 * role than its seats, in (unit code path, code) order from `after`.
 */
export async function clusterGapsPage (db: Database, under: string, f: ClusterGapsPost & { after?: [string, string], limit: number }): Promise<ClusterGapRow[]> {
  return rows<ClusterGapRow>(db, clusterGapsList(under, f).query(f.after, f.limit))
}

/** The keyset of clusters in code-path order: the unit's code path, then the cluster's code. */
export const clusterKey = (r: { unit_code_path: string, code: string }): [string, string] => [r.unit_code_path, r.code]

/** The post a cluster gaps question asks about. */
export interface ClusterGapsPost { kind: string, wing: string, role: string, seats: number }

/** clusterGapsPage's rows as a list to page through or download (src/db/cursor.ts). */
export function clusterGapsList (under: string, f: ClusterGapsPost): KeysetList<ClusterGapRow, [string, string]> {
  return {
    keyOf: clusterKey,
    query: (after, limit) => sql`
      SELECT * FROM (
        SELECT c.id, c.unit_id, u.code_path AS unit_code_path, c.kind_code AS kind, c.code, c.name,
               ${boothsOfCluster(sql`c.id`)} AS booth_count,
               (SELECT count(*)::int FROM appointments a
                 WHERE a.cluster_id = c.id AND a.wing_code = ${f.wing} AND a.role_code = ${f.role} AND a.end_date IS NULL) AS holders,
               ${f.seats}::int AS seats
          FROM clusters c JOIN units u ON u.id = c.unit_id
         WHERE c.kind_code = ${f.kind} AND ${underCodePath(under)}
           ${after ? sql`AND (u.code_path, c.code) > (${after[0]}, ${after[1]})` : sql``}
         ORDER BY u.code_path, c.code) g
       WHERE g.holders < g.seats
       ${limit !== undefined ? sql`LIMIT ${limit}` : sql``}`
  }
}
