import { asc, eq, sql } from 'drizzle-orm'
import type { Actor } from '../access/actor.js'
import { recordAudit } from '../audit/record.js'
import type { Database } from '../db/client.js'
import { roles, wings } from '../db/schema.js'
import { inTransaction } from '../db/transaction.js'
import { DomainError, notFound, preconditionFailed } from '../errors.js'
import { MAIN_WING } from './schemas.js'

/**
 * The wings catalogue: the main body and the frontal organisations. Global, like the
 * roles catalogue: only a global admin changes it (checked by the route's permission).
 */

const wingColumns = { code: wings.code, name: wings.name, localName: wings.localName, sortOrder: wings.sortOrder, version: wings.version }

export type WingRow = { code: string, name: string, localName: string | null, sortOrder: number, version: number }

export function toWing (w: WingRow) {
  return { code: w.code, name: w.name, localName: w.localName, sortOrder: w.sortOrder }
}

export async function listWings (db: Database): Promise<WingRow[]> {
  return db.select(wingColumns).from(wings).orderBy(asc(wings.sortOrder), asc(wings.code))
}

export async function findWing (db: Database, code: string): Promise<WingRow | undefined> {
  const [row] = await db.select(wingColumns).from(wings).where(eq(wings.code, code))
  return row
}

/** The wing, or a 422 naming it: for questions and changes that take a `wing`. */
export async function wingOrRefuse (db: Database, code: string): Promise<WingRow> {
  const wing = await findWing(db, code)
  if (!wing) throw new DomainError('unprocessable', 'unknown_wing', `There is no wing ${code} in the wings catalogue.`)
  return wing
}

export interface WingInput { code: string, name: string, localName?: string | null, sortOrder?: number }

export async function createWing (db: Database, actor: Actor, input: WingInput): Promise<WingRow> {
  return inTransaction(db, actor, async (tx) => {
    if (await findWing(tx, input.code)) throw new DomainError('conflict', 'wing_exists', `A wing ${input.code} already exists.`)
    const [row] = await tx.insert(wings).values({
      code: input.code, name: input.name, localName: input.localName ?? null, sortOrder: input.sortOrder ?? 100
    }).returning(wingColumns)
    await recordAudit(tx, actor, { action: 'create', entityType: 'wing', entityId: row.code, after: toWing(row) })
    return row
  })
}

export async function updateWing (db: Database, actor: Actor, code: string, change: Partial<Omit<WingInput, 'code'>>, matches?: (v: number) => boolean): Promise<WingRow> {
  return inTransaction(db, actor, async (tx) => {
    const [before] = await tx.select(wingColumns).from(wings).where(eq(wings.code, code)).for('update')
    if (!before) throw notFound('wing')
    if (matches && !matches(before.version)) throw preconditionFailed()
    const [row] = await tx.update(wings).set({
      ...(change.name !== undefined ? { name: change.name } : {}),
      ...(change.localName !== undefined ? { localName: change.localName } : {}),
      ...(change.sortOrder !== undefined ? { sortOrder: change.sortOrder } : {})
    }).where(eq(wings.code, code)).returning(wingColumns)
    await recordAudit(tx, actor, { action: 'update', entityType: 'wing', entityId: code, before: toWing(before), after: toWing(row) })
    return row
  })
}

/** Only a wing with no roles goes: its roles (and their terms' history) keep it. */
export async function deleteWing (db: Database, actor: Actor, code: string, matches?: (v: number) => boolean): Promise<void> {
  await inTransaction(db, actor, async (tx) => {
    const [before] = await tx.select(wingColumns).from(wings).where(eq(wings.code, code)).for('update')
    if (!before) throw notFound('wing')
    if (matches && !matches(before.version)) throw preconditionFailed()
    if (code === MAIN_WING) throw new DomainError('conflict', 'wing_in_use', 'The main body is the wing every call without a wing means: it cannot be removed.')
    const [used] = await tx.select({ n: sql<number>`count(*)::int` }).from(roles).where(eq(roles.wingCode, code))
    if (used.n > 0) throw new DomainError('conflict', 'wing_in_use', `The wing has ${used.n} role${used.n > 1 ? 's' : ''} in the roles catalogue: remove them first.`)
    await recordAudit(tx, actor, { action: 'delete', entityType: 'wing', entityId: code, before: toWing(before) })
    await tx.delete(wings).where(eq(wings.code, code))
  })
}
