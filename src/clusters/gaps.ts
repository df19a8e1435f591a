import { sql } from 'drizzle-orm'
import type { Actor } from '../access/actor.js'
import { rows, type Database } from '../db/client.js'
import { DomainError } from '../errors.js'
import { roleOrRefuse, type RoleRow } from '../roles/catalogue.js'
import { unitInScope } from '../coverage/service.js'
import { listInBatches } from '../db/cursor.js'
import type { UnitRow } from '../units/queries.js'
import { clusterGapsList, clusterGapsPage, clusterKindOrRefuse } from './queries.js'

export interface ClusterGapsQuestion { kind: string, wing: string, role?: string }

/**
 * "Which sectors of this block have no in-charge?": the unit (in scope), the kind, and the
 * post asked about: a role of that kind (default its first required one, in catalogue order).
 */
async function question (db: Database, actor: Actor, unitId: string, q: ClusterGapsQuestion): Promise<{ unit: UnitRow, role: RoleRow }> {
  const unit = await unitInScope(db, actor, unitId)
  const kind = await clusterKindOrRefuse(db, q.kind)
  let code = q.role
  if (code === undefined) {
    const [first] = await rows<{ code: string }>(db, sql`
      SELECT code FROM roles WHERE wing_code = ${q.wing} AND cluster_kind = ${kind.code} ORDER BY NOT required, sort_order, code LIMIT 1`)
    if (!first) throw new DomainError('unprocessable', 'no_cluster_post', `The ${q.wing} wing has no post at a ${kind.name.toLowerCase()}: name a role.`)
    code = first.code
  }
  const role = await roleOrRefuse(db, q.wing, code)
  if (role.clusterKind !== kind.code) {
    throw new DomainError('unprocessable', 'role_not_at_level', `${role.name} is not a post of a ${kind.name.toLowerCase()}.`)
  }
  return { unit, role }
}

/** A page (limit + 1) of the clusters under the unit lacking the post. */
export async function clusterGapsReport (db: Database, actor: Actor, unitId: string, q: ClusterGapsQuestion & { after?: [string, string], limit: number }) {
  const { unit, role } = await question(db, actor, unitId, q)
  const found = await clusterGapsPage(db, unit.codePath, { kind: q.kind, wing: role.wing, role: role.code, seats: role.seats ?? 1, after: q.after, limit: q.limit + 1 })
  return { unit, role, rows: found }
}

/** Every such cluster, batch after batch (src/db/cursor.ts), for a download; refusals come before any output. */
export async function allClusterGaps (db: Database, actor: Actor, unitId: string, q: ClusterGapsQuestion, batch = 5000) {
  const { unit, role } = await question(db, actor, unitId, q)
  const batches = listInBatches(db, clusterGapsList(unit.codePath, { kind: q.kind, wing: role.wing, role: role.code, seats: role.seats ?? 1 }), batch)
  return { unit, role, batches }
}
