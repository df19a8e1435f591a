import { asc, eq, sql } from 'drizzle-orm'
import type { Actor } from '../access/actor.js'
import { recordAudit } from '../audit/record.js'
import type { Database } from '../db/client.js'
import { appointments, roles, type UnitLevel } from '../db/schema.js'
import { inTransaction } from '../db/transaction.js'
import { DomainError, notFound } from '../errors.js'

const roleColumns = {
  code: roles.code,
  name: roles.name,
  levels: roles.levels,
  seats: roles.seats,
  required: roles.required,
  sortOrder: roles.sortOrder,
  version: roles.version
}

export type RoleRow = { code: string, name: string, levels: UnitLevel[], seats: number | null, required: boolean, sortOrder: number, version: number }

export function toRole (r: RoleRow) {
  return { code: r.code, name: r.name, levels: r.levels, seats: r.seats, required: r.required, sortOrder: r.sortOrder }
}

export async function listRoles (db: Database): Promise<RoleRow[]> {
  return db.select(roleColumns).from(roles).orderBy(asc(roles.sortOrder), asc(roles.code))
}

export async function findRole (db: Database, code: string): Promise<RoleRow | undefined> {
  const [row] = await db.select(roleColumns).from(roles).where(eq(roles.code, code))
  return row
}

export interface RoleInput { code: string, name: string, levels: UnitLevel[], seats?: number | null, required?: boolean, sortOrder?: number }

/** The catalogue is global: only a global admin changes it (checked by the route's permission). */
export async function createRole (db: Database, actor: Actor, input: RoleInput): Promise<RoleRow> {
  return inTransaction(db, actor, async (tx) => {
    if (await findRole(tx, input.code)) throw new DomainError('conflict', 'role_exists', `A role ${input.code} already exists.`)
    const [row] = await tx.insert(roles).values({
      code: input.code, name: input.name, levels: [...new Set(input.levels)], seats: input.seats ?? null, required: input.required ?? false, sortOrder: input.sortOrder ?? 100
    }).returning(roleColumns)
    await recordAudit(tx, actor, { action: 'create', entityType: 'role', entityId: row.code, after: toRole(row) })
    return row
  })
}

/**
 * Changing seats or levels does not end existing terms: the new limits apply to new
 * appointments. Vacancy and coverage reports read the catalogue as it is now.
 */
export async function updateRole (db: Database, actor: Actor, code: string, change: Partial<Omit<RoleInput, 'code'>>): Promise<RoleRow> {
  return inTransaction(db, actor, async (tx) => {
    const [before] = await tx.select(roleColumns).from(roles).where(eq(roles.code, code)).for('update')
    if (!before) throw notFound('role')
    const [row] = await tx.update(roles).set({
      ...(change.name !== undefined ? { name: change.name } : {}),
      ...(change.levels !== undefined ? { levels: [...new Set(change.levels)] } : {}),
      ...(change.seats !== undefined ? { seats: change.seats } : {}),
      ...(change.required !== undefined ? { required: change.required } : {}),
      ...(change.sortOrder !== undefined ? { sortOrder: change.sortOrder } : {})
    }).where(eq(roles.code, code)).returning(roleColumns)
    await recordAudit(tx, actor, { action: 'update', entityType: 'role', entityId: code, before: toRole(before), after: toRole(row) })
    return row
  })
}

export async function deleteRole (db: Database, actor: Actor, code: string): Promise<void> {
  await inTransaction(db, actor, async (tx) => {
    const [before] = await tx.select(roleColumns).from(roles).where(eq(roles.code, code)).for('update')
    if (!before) throw notFound('role')
    const [used] = await tx.select({ n: sql<number>`count(*)::int` }).from(appointments).where(eq(appointments.roleCode, code))
    if (used.n > 0) throw new DomainError('conflict', 'role_in_use', `${used.n} terms of office (current or past) use this role; it is kept for their history.`)
    await recordAudit(tx, actor, { action: 'delete', entityType: 'role', entityId: code, before: toRole(before) })
    await tx.delete(roles).where(eq(roles.code, code))
  })
}
