import { eq, sql } from 'drizzle-orm'
import type { Actor } from '../access/actor.js'
import { recordAudit } from '../audit/record.js'
import { rows, type Database } from '../db/client.js'
import { assemblies } from '../db/schema.js'
import { inTransaction } from '../db/transaction.js'
import { DomainError, notFound, preconditionFailed } from '../errors.js'
import { findAssembly, inScope, toAssembly, type AssemblyRow } from './queries.js'

export interface AssemblyChange { name?: string, localName?: string | null, reserved?: 'SC' | 'ST' | null }

/**
 * Renames or re-reserves a constituency. Admins only, and only with a key whose subtree
 * holds the whole state: a rename carries to every booth's acName (the trigger in
 * src/db/routines/45_assemblies.sql), which a district's key may not all change.
 */
export async function updateAssembly (db: Database, actor: Actor, id: string, change: AssemblyChange, matches?: (v: number) => boolean): Promise<AssemblyRow> {
  return inTransaction(db, actor, async (tx) => {
    // Locked first, so that the audit's "before" is the row this change replaces.
    const [locked] = await tx.select({ version: assemblies.version }).from(assemblies).where(eq(assemblies.id, id)).for('update')
    const before = locked && await findAssembly(tx, actor, id)
    if (!before) throw notFound('assembly')
    if (actor.role !== 'admin') throw new DomainError('forbidden', 'admins_only', 'Only admin keys change an assembly constituency.')
    const [whole] = await rows<{ ok: boolean }>(tx, sql`SELECT ${inScope(actor, sql`s.path`)} AS ok FROM units s WHERE s.id = ${before.state_id}`)
    if (!whole.ok) {
      throw new DomainError('forbidden', 'outside_scope', 'A constituency is changed with a key scoped to its whole state (or global): its booths may lie in several districts.')
    }
    if (matches && !matches(locked.version)) throw preconditionFailed()
    await tx.update(assemblies).set({
      ...(change.name !== undefined ? { name: change.name } : {}),
      ...(change.localName !== undefined ? { localName: change.localName } : {}),
      ...(change.reserved !== undefined ? { reserved: change.reserved } : {})
    }).where(eq(assemblies.id, id))
    const after = (await findAssembly(tx, actor, id))!
    await recordAudit(tx, actor, { action: 'update', entityType: 'assembly', entityId: id, unitId: before.state_id, before: audited(before), after: audited(after) })
    return after
  })
}

function audited (r: AssemblyRow) {
  const { districts: _districts, boothCount: _boothCount, ...fields } = toAssembly(r)
  return fields
}
