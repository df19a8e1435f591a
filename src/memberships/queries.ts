import { and, asc, eq, gt, type SQL } from 'drizzle-orm'
import type { Actor } from '../access/actor.js'
import { withinScope } from '../access/scope.js'
import type { Database } from '../db/client.js'
import { memberships, units } from '../db/schema.js'

export const membershipColumns = {
  id: memberships.id,
  personId: memberships.personId,
  boothId: memberships.boothId,
  grade: memberships.grade,
  status: memberships.status,
  joinedOn: memberships.joinedOn,
  lapsedOn: memberships.lapsedOn,
  version: memberships.version,
  createdAt: memberships.createdAt,
  updatedAt: memberships.updatedAt
}

export interface MembershipRow {
  id: string
  personId: string
  boothId: string
  grade: 'primary' | 'active'
  status: 'current' | 'lapsed'
  joinedOn: string
  lapsedOn: string | null
  version: number
  createdAt: Date
  updatedAt: Date
}

export function toMembership (r: MembershipRow) {
  return {
    id: r.id,
    personId: r.personId,
    boothId: r.boothId,
    grade: r.grade,
    status: r.status,
    joinedOn: r.joinedOn,
    lapsedOn: r.lapsedOn,
    createdAt: new Date(r.createdAt).toISOString(),
    updatedAt: new Date(r.updatedAt).toISOString()
  }
}

/** A membership is in a key's scope when its booth is. */
export async function findMembership (db: Database, actor: Actor, id: string, forUpdate = false): Promise<MembershipRow | undefined> {
  const q = db.select(membershipColumns).from(memberships)
    .innerJoin(units, eq(units.id, memberships.boothId))
    .where(and(eq(memberships.id, id), withinScope(actor, units.path)))
  const [row] = forUpdate ? await q.for('update', { of: memberships }) : await q
  return row as MembershipRow | undefined
}

export async function listMemberships (db: Database, actor: Actor, f: {
  personId?: string, boothId?: string, status?: 'current' | 'lapsed', grade?: 'primary' | 'active', after?: string, limit: number
}): Promise<MembershipRow[]> {
  const where: Array<SQL | undefined> = [withinScope(actor, units.path)]
  if (f.personId) where.push(eq(memberships.personId, f.personId))
  if (f.boothId) where.push(eq(memberships.boothId, f.boothId))
  if (f.status) where.push(eq(memberships.status, f.status))
  if (f.grade) where.push(eq(memberships.grade, f.grade))
  if (f.after) where.push(gt(memberships.id, f.after))
  const rows = await db.select(membershipColumns).from(memberships)
    .innerJoin(units, eq(units.id, memberships.boothId))
    .where(and(...where))
    .orderBy(asc(memberships.id))
    .limit(f.limit + 1)
  return rows as MembershipRow[]
}

export async function currentMembershipOf (db: Database, personId: string): Promise<MembershipRow | undefined> {
  const [row] = await db.select(membershipColumns).from(memberships)
    .where(and(eq(memberships.personId, personId), eq(memberships.status, 'current')))
  return row as MembershipRow | undefined
}
