import { and, asc, eq, sql } from 'drizzle-orm'
import type { Actor } from '../access/actor.js'
import { recordAudit } from '../audit/record.js'
import type { Database } from '../db/client.js'
import { appointments, roles, type UnitLevel } from '../db/schema.js'
import { inTransaction } from '../db/transaction.js'
import { DomainError, notFound } from '../errors.js'
import { ALL_WINGS } from '../wings/schemas.js'
import { wingOrRefuse } from '../wings/catalogue.js'

const roleColumns = {
  wing: roles.wingCode,
  code: roles.code,
  name: roles.name,
  levels: roles.levels,
  clusterKind: roles.clusterKind,
  seats: roles.seats,
  required: roles.required,
  sortOrder: roles.sortOrder,
  version: roles.version
}

export type RoleRow = { wing: string, code: string, name: string, levels: UnitLevel[], clusterKind: string | null, seats: number | null, required: boolean, sortOrder: number, version: number }

/** A role in the audit trail: its code in the main body (as always), wing/code in another wing. */
const roleEntityId = (wing: string, code: string) => wing === 'main' ? code : `${wing}/${code}`

export function toRole (r: RoleRow) {
  return { wing: r.wing, code: r.code, name: r.name, levels: r.levels, clusterKind: r.clusterKind, seats: r.seats, required: r.required, sortOrder: r.sortOrder }
}

/** One wing's roles, or every wing's (`all`), in the wings' order. */
export async function listRoles (db: Database, wing: string): Promise<RoleRow[]> {
  return db.select(roleColumns).from(roles)
    .where(wing === ALL_WINGS ? undefined : eq(roles.wingCode, wing))
    .orderBy(sql`(SELECT w.sort_order FROM wings w WHERE w.code = ${roles.wingCode})`, asc(roles.wingCode), asc(roles.sortOrder), asc(roles.code))
}

/** A wing's role: a post is (unit, wing, role). */
export async function findRole (db: Database, wing: string, code: string): Promise<RoleRow | undefined> {
  const [row] = await db.select(roleColumns).from(roles).where(and(eq(roles.wingCode, wing), eq(roles.code, code)))
  return row
}

/** The wing's role, or a 422 naming what is missing: for changes and questions that take one. */
export async function roleOrRefuse (db: Database, wing: string, code: string): Promise<RoleRow> {
  const role = await findRole(db, wing, code)
  if (role) return role
  await wingOrRefuse(db, wing)
  throw new DomainError('unprocessable', 'unknown_role', `There is no role ${code} in the ${wing} wing's roles catalogue.`)
}

export interface RoleInput { wing?: string, code: string, name: string, levels?: UnitLevel[], clusterKind?: string, seats?: number | null, required?: boolean, sortOrder?: number }

/** The catalogue is global: only a global admin changes it (checked by the route's permission). */
export async function createRole (db: Database, actor: Actor, input: RoleInput): Promise<RoleRow> {
  return inTransaction(db, actor, async (tx) => {
    const wing = (await wingOrRefuse(tx, input.wing ?? 'main')).code
    if (await findRole(tx, wing, input.code)) throw new DomainError('conflict', 'role_exists', `The ${wing} wing already has a role ${input.code}.`)
    const [row] = await tx.insert(roles).values({
      wingCode: wing,
      code: input.code,
      name: input.name,
      levels: [...new Set(input.levels ?? [])],
      clusterKind: input.clusterKind ?? null,
      seats: input.seats ?? null,
      required: input.required ?? false,
      sortOrder: input.sortOrder ?? 100
    }).returning(roleColumns)
    await recordAudit(tx, actor, { action: 'create', entityType: 'role', entityId: roleEntityId(row.wing, row.code), after: toRole(row) })
    return row
  })
}

/**
 * Changing seats or levels does not end existing terms: the new limits apply to new
 * appointments. Vacancy and coverage reports read the catalogue as it is now.
 */
export async function updateRole (db: Database, actor: Actor, wing: string, code: string, change: Partial<Omit<RoleInput, 'code' | 'wing'>>): Promise<RoleRow> {
  return inTransaction(db, actor, async (tx) => {
    const [before] = await tx.select(roleColumns).from(roles).where(and(eq(roles.wingCode, wing), eq(roles.code, code))).for('update')
    if (!before) throw notFound('role')
    const [row] = await tx.update(roles).set({
      ...(change.name !== undefined ? { name: change.name } : {}),
      ...(change.levels !== undefined ? { levels: [...new Set(change.levels)] } : {}),
      ...(change.seats !== undefined ? { seats: change.seats } : {}),
      ...(change.required !== undefined ? { required: change.required } : {}),
      ...(change.sortOrder !== undefined ? { sortOrder: change.sortOrder } : {})
    }).where(and(eq(roles.wingCode, wing), eq(roles.code, code))).returning(roleColumns)
    await recordAudit(tx, actor, { action: 'update', entityType: 'role', entityId: roleEntityId(wing, code), before: toRole(before), after: toRole(row) })
    return row
  })
}

export async function deleteRole (db: Database, actor: Actor, wing: string, code: string): Promise<void> {
  await inTransaction(db, actor, async (tx) => {
    const [before] = await tx.select(roleColumns).from(roles).where(and(eq(roles.wingCode, wing), eq(roles.code, code))).for('update')
    if (!before) throw notFound('role')
    const [used] = await tx.select({ n: sql<number>`count(*)::int` }).from(appointments).where(and(eq(appointments.wingCode, wing), eq(appointments.roleCode, code)))
    if (used.n > 0) throw new DomainError('conflict', 'role_in_use', `${used.n} terms of office (current or past) use this role; it is kept for their history.`)
    await recordAudit(tx, actor, { action: 'delete', entityType: 'role', entityId: roleEntityId(wing, code), before: toRole(before) })
    await tx.delete(roles).where(and(eq(roles.wingCode, wing), eq(roles.code, code)))
  })
}
