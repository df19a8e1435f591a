import { sql } from 'drizzle-orm'
import type { Actor } from '../access/actor.js'
import { withinScope } from '../access/scope.js'
import { recordAudit } from '../audit/record.js'
import { rows, type Database } from '../db/client.js'
import { inTransaction } from '../db/transaction.js'
import { DomainError, notFound, preconditionFailed } from '../errors.js'
import { findUnit } from '../units/queries.js'
import { clusterKindOrRefuse, findCluster, findClusterKind, toCluster, toClusterKind, type ClusterKindRow, type ClusterRow } from './queries.js'

/**
 * Changes to booth clusters. PostgreSQL holds the rules (src/db/routines/46_clusters.sql:
 * where a cluster and its booths may be, one cluster of a kind per booth, scope); these
 * find what is asked for within the key's reach, refuse what can be named first, write,
 * and audit.
 */

export interface ClusterKindInput { code: string, name: string, localName?: string, groupsKind?: string, levels: string[], sortOrder?: number }

/** The catalogue is global: only a global admin adds to it (the route's permission). */
export async function createClusterKind (db: Database, actor: Actor, input: ClusterKindInput): Promise<ClusterKindRow> {
  return inTransaction(db, actor, async (tx) => {
    if (input.groupsKind !== undefined && !(await findClusterKind(tx, input.groupsKind))) {
      throw new DomainError('unprocessable', 'unknown_cluster_kind', `There is no cluster kind ${input.groupsKind} to group.`)
    }
    await tx.execute(sql`
      INSERT INTO cluster_kinds (code, name, local_name, groups_kind, levels, sort_order)
      VALUES (${input.code}, ${input.name}, ${input.localName ?? null}, ${input.groupsKind ?? null}, ${sql.param([...new Set(input.levels)])}::text[]::unit_level[], ${input.sortOrder ?? 100})`)
    const row = (await findClusterKind(tx, input.code))!
    await recordAudit(tx, actor, { action: 'create', entityType: 'cluster_kind', entityId: row.code, after: toClusterKind(row) })
    return row
  })
}

export interface ClusterInput { unitId: string, kind: string, code: string, name: string, localName?: string, parentId?: string, boothIds?: string[] }

export async function createCluster (db: Database, actor: Actor, input: ClusterInput): Promise<ClusterRow> {
  return inTransaction(db, actor, async (tx) => {
    const unit = await findUnit(tx, actor, input.unitId)
    if (!unit) throw new DomainError('unprocessable', 'unit_not_found', 'The unit does not exist.')
    const kind = await clusterKindOrRefuse(tx, input.kind)
    if (!kind.levels.includes(unit.level)) {
      throw new DomainError('unprocessable', 'cluster_unit_level', `A ${kind.name.toLowerCase()} belongs to a unit at ${kind.levels.join(' or ')} level; ${unit.codePath} is a ${unit.level}.`)
    }
    if (input.parentId !== undefined) await parentInReach(tx, actor, input.parentId)
    const [created] = await rows<{ id: string }>(tx, sql`
      INSERT INTO clusters (unit_id, kind_code, code, name, local_name, parent_id)
      VALUES (${unit.id}, ${kind.code}, ${input.code}, ${input.name}, ${input.localName ?? null}, ${input.parentId ?? null})
      RETURNING id`)
    if (input.boothIds?.length) await insertBooths(tx, actor, created.id, input.boothIds)
    const row = (await findCluster(tx, actor, created.id))!
    await recordAudit(tx, actor, { action: 'create', entityType: 'cluster', entityId: row.id, unitId: row.unit_id, after: { ...toCluster(row), boothIds: input.boothIds ?? [] } })
    return row
  })
}

/** The cluster (locked), when the key may see it; 404 otherwise; 412 when If-Match does not match. */
async function lockCluster (tx: Database, actor: Actor, id: string, matches?: (v: number) => boolean): Promise<ClusterRow> {
  await tx.execute(sql`SELECT 1 FROM clusters WHERE id = ${id} FOR UPDATE`)
  const row = await findCluster(tx, actor, id)
  if (!row) throw notFound('cluster')
  if (matches && !matches(row.version)) throw preconditionFailed()
  return row
}

async function parentInReach (tx: Database, actor: Actor, parentId: string) {
  if (!(await findCluster(tx, actor, parentId))) throw new DomainError('unprocessable', 'cluster_not_found', 'The grouping cluster (parentId) does not exist.')
}

export async function updateCluster (db: Database, actor: Actor, id: string, change: { name?: string, localName?: string | null, parentId?: string | null }, matches?: (v: number) => boolean): Promise<ClusterRow> {
  return inTransaction(db, actor, async (tx) => {
    const before = await lockCluster(tx, actor, id, matches)
    if (change.parentId) await parentInReach(tx, actor, change.parentId)
    await tx.execute(sql`
      UPDATE clusters SET
        name = ${change.name !== undefined ? sql`${change.name}` : sql`name`},
        local_name = ${change.localName !== undefined ? sql`${change.localName}` : sql`local_name`},
        parent_id = ${change.parentId !== undefined ? sql`${change.parentId}::uuid` : sql`parent_id`}
      WHERE id = ${id}`)
    const after = (await findCluster(tx, actor, id))!
    await recordAudit(tx, actor, { action: 'update', entityType: 'cluster', entityId: id, unitId: after.unit_id, before: toCluster(before), after: toCluster(after) })
    return after
  })
}

/** Deletes a cluster without office-bearers (past terms keep it, for their history); its booths leave it, its members lose their group. */
export async function deleteCluster (db: Database, actor: Actor, id: string, matches?: (v: number) => boolean): Promise<void> {
  await inTransaction(db, actor, async (tx) => {
    const before = await lockCluster(tx, actor, id, matches)
    const [terms] = await rows<{ current: number, past: number }>(tx, sql`
      SELECT count(*) FILTER (WHERE end_date IS NULL)::int AS current, count(*) FILTER (WHERE end_date IS NOT NULL)::int AS past
        FROM appointments WHERE cluster_id = ${id}`)
    if (terms.current > 0) {
      throw new DomainError('conflict', 'cluster_has_office_bearers', `${before.code} has ${terms.current} current office-bearer${terms.current > 1 ? 's' : ''}: end their terms first.`)
    }
    if (terms.past > 0) {
      throw new DomainError('conflict', 'cluster_has_terms', `${before.code} has ${terms.past} past term${terms.past > 1 ? 's' : ''} of office, kept for their history.`)
    }
    await tx.execute(sql`DELETE FROM clusters WHERE id = ${id}`)
    await recordAudit(tx, actor, { action: 'delete', entityType: 'cluster', entityId: id, unitId: before.unit_id, before: toCluster(before) })
  })
}

/** Booths into the cluster: each a booth the key may see; the database checks the rest. */
async function insertBooths (tx: Database, actor: Actor, clusterId: string, boothIds: string[]) {
  const ids = [...new Set(boothIds)]
  const found = new Set((await rows<{ id: string }>(tx, sql`
    SELECT u.id FROM units u
     WHERE u.id = ANY (${sql.param(ids)}::uuid[]) AND u.level = 'booth' AND ${withinScope(actor, sql`u.path`) ?? sql`true`}`)).map(r => r.id))
  const missing = ids.filter(i => !found.has(i))
  if (missing.length > 0) throw new DomainError('unprocessable', 'booth_not_found', `No booth with ${missing.length > 1 ? 'these ids' : 'this id'}: ${missing.join(', ')}.`)
  await tx.execute(sql`
    INSERT INTO cluster_booths (booth_id, kind_code, cluster_id)
    SELECT b, c.kind_code, c.id FROM unnest(${sql.param(ids)}::uuid[]) AS b, clusters c WHERE c.id = ${clusterId}`)
}

/** Puts booths in a cluster (all or none). */
export async function addClusterBooths (db: Database, actor: Actor, id: string, boothIds: string[]): Promise<ClusterRow> {
  return inTransaction(db, actor, async (tx) => {
    const before = await lockCluster(tx, actor, id)
    await insertBooths(tx, actor, id, boothIds)
    const after = (await findCluster(tx, actor, id))!
    await recordAudit(tx, actor, { action: 'add_booths', entityType: 'cluster', entityId: id, unitId: before.unit_id, before: { boothCount: before.booth_count }, after: { boothCount: after.booth_count, boothIds: [...new Set(boothIds)] } })
    return after
  })
}

export async function removeClusterBooth (db: Database, actor: Actor, id: string, boothId: string): Promise<void> {
  await inTransaction(db, actor, async (tx) => {
    const before = await lockCluster(tx, actor, id)
    const removed = await rows<{ booth_id: string }>(tx, sql`DELETE FROM cluster_booths WHERE cluster_id = ${id} AND booth_id = ${boothId} RETURNING booth_id`)
    if (removed.length === 0) throw new DomainError('not_found', 'booth_not_in_cluster', 'The booth is not in this cluster.')
    await recordAudit(tx, actor, { action: 'remove_booth', entityType: 'cluster', entityId: id, unitId: before.unit_id, before: { boothId }, after: null })
  })
}
