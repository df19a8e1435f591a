import { and, eq, sql } from 'drizzle-orm'
import type { Actor } from '../access/actor.js'
import { recordAudit } from '../audit/record.js'
import type { Database } from '../db/client.js'
import { appointments, memberships, people } from '../db/schema.js'
import { inTransaction } from '../db/transaction.js'
import { DomainError, notFound, preconditionFailed } from '../errors.js'
import { currentMembershipOf, membershipColumns, toMembership, type MembershipRow } from '../memberships/queries.js'
import { lockPeople, openTermsOf, ruleRefusal, unlessRuleRefuses } from '../rules/own-booth.js'
import { findUnit } from '../units/queries.js'
import { LEGACY_PLATFORMS, writeHandles, type HandleChanges } from '../social-media/handles.js'
import { findPerson, personColumns, toPerson, type PersonRow } from './queries.js'

export interface PersonInput {
  name: string
  homeBoothId: string
  phone?: string | null
  voterId?: string | null
  gender?: 'female' | 'male' | 'other' | null
  twitter?: string | null
  facebook?: string | null
  instagram?: string | null
  youtube?: string | null
  handles?: HandleChanges
}

/** The handle changes a body asks for: the four legacy fields and `handles` (which wins). */
function handleChanges (input: Partial<PersonInput>): HandleChanges {
  const changes: HandleChanges = {}
  for (const k of LEGACY_PLATFORMS) if (input[k] !== undefined) changes[k] = input[k]
  return { ...changes, ...input.handles }
}

async function homeBooth (tx: Database, actor: Actor, boothId: string) {
  const booth = await findUnit(tx, actor, boothId)
  if (!booth) throw new DomainError('unprocessable', 'home_booth_not_found', 'The home booth does not exist.')
  if (booth.level !== 'booth') throw new DomainError('unprocessable', 'home_not_a_booth', `${booth.codePath} is a ${booth.level}; a home is a polling booth.`)
  return booth
}

async function assertVoterIdFree (tx: Database, voterId: string | null | undefined, exceptId?: string) {
  if (!voterId) return
  const [other] = await tx.select({ id: people.id }).from(people).where(eq(people.voterId, voterId))
  // Nothing about the other person is revealed, not even whether the caller may see them:
  // they may be outside its scope.
  if (other && other.id !== exceptId) {
    throw new DomainError('conflict', 'voter_id_taken', 'Another person already has this voter ID. If you cannot find them, they are outside your scope: an admin of a wider scope must resolve it.')
  }
}

export async function createPerson (db: Database, actor: Actor, input: PersonInput): Promise<PersonRow> {
  return inTransaction(db, actor, async (tx) => {
    const booth = await homeBooth(tx, actor, input.homeBoothId)
    await assertVoterIdFree(tx, input.voterId)
    const [row] = await tx.insert(people).values({
      name: input.name,
      homeBoothId: booth.id,
      phone: input.phone ?? null,
      voterId: input.voterId ?? null,
      gender: input.gender ?? null
    }).returning({ id: people.id })
    await writeHandles(tx, actor, row.id, handleChanges(input))
    const created = (await findPerson(tx, actor, row.id))!
    await recordAudit(tx, actor, { action: 'create', entityType: 'person', entityId: row.id, unitId: booth.id, after: toPerson(created, actor) })
    return created
  })
}

export type PersonChange = Partial<PersonInput> & { moveMembership?: boolean }

export async function updatePerson (db: Database, actor: Actor, id: string, change: PersonChange, matches?: (v: number) => boolean): Promise<PersonRow> {
  return inTransaction(db, actor, async (tx) => {
    // Lock by id first, then read: a locking read joined to the home booth would lose a
    // row whose home booth a concurrent transaction just changed.
    await lockPeople(tx, [id])
    const before = await findPerson(tx, actor, id)
    if (!before) throw notFound('person')
    if (matches && !matches(before.version)) throw preconditionFailed()
    await assertVoterIdFree(tx, change.voterId, id)

    const moving = change.homeBoothId !== undefined && change.homeBoothId !== before.homeBoothId
    const set: Partial<typeof people.$inferInsert> = {}
    for (const k of ['name', 'homeBoothId', 'phone', 'voterId', 'gender'] as const) {
      if (change[k] !== undefined) (set as Record<string, unknown>)[k] = change[k]
    }
    if (moving) {
      await homeBooth(tx, actor, change.homeBoothId!)
      const membership = await currentMembershipOf(tx, id)
      if (change.moveMembership && membership) {
        // Home and membership move in ONE statement: the rule is checked when it ends,
        // with both already moved.
        await tx.execute(sql`
          WITH moved AS (UPDATE memberships SET booth_id = ${change.homeBoothId!} WHERE id = ${membership.id} RETURNING id)
          UPDATE people SET home_booth_id = ${change.homeBoothId!} WHERE id = ${id}`)
        delete set.homeBoothId
        const [moved] = await tx.select(membershipColumns).from(memberships).where(eq(memberships.id, membership.id))
        await recordAudit(tx, actor, { action: 'transfer', entityType: 'membership', entityId: membership.id, unitId: change.homeBoothId!, before: toMembership(membership), after: toMembership(moved as MembershipRow) })
      }
    }
    if (Object.keys(set).length > 0) {
      await unlessRuleRefuses(tx, (savepoint) => savepoint.update(people).set(set).where(eq(people.id, id)),
        async () => ruleRefusal('home_booth_change_breaks_rule', 'This person holds office: their home booth must stay where their membership is. Move the membership with it (moveMembership), or end their terms first.', await openTermsOf(tx, actor, id)))
    }
    await writeHandles(tx, actor, id, handleChanges(change))
    const [row] = await tx.select(personColumns).from(people).where(eq(people.id, id))
    await recordAudit(tx, actor, { action: 'update', entityType: 'person', entityId: id, unitId: (row as PersonRow).homeBoothId, before: toPerson(before, actor), after: toPerson(row as PersonRow, actor) })
    return row as PersonRow
  })
}

/** Refused while the person holds office or a current membership, or has a history of either. */
export async function deletePerson (db: Database, actor: Actor, id: string, matches?: (v: number) => boolean): Promise<void> {
  await inTransaction(db, actor, async (tx) => {
    await lockPeople(tx, [id])
    const before = await findPerson(tx, actor, id)
    if (!before) throw notFound('person')
    if (matches && !matches(before.version)) throw preconditionFailed()
    const offices = await openTermsOf(tx, actor, id)
    if (offices.inScope.length + offices.outsideScope > 0) throw ruleRefusal('person_holds_office', 'This person holds office: end their terms first.', offices)
    if (await currentMembershipOf(tx, id)) throw new DomainError('conflict', 'person_has_membership', 'This person has a current membership: lapse it first.')
    const [history] = await tx.select({ n: sql<number>`count(*)::int` }).from(appointments).where(and(eq(appointments.personId, id)))
    const [pastMemberships] = await tx.select({ n: sql<number>`count(*)::int` }).from(memberships).where(eq(memberships.personId, id))
    if (history.n > 0 || pastMemberships.n > 0) {
      throw new DomainError('conflict', 'person_has_history', 'This person has past memberships or terms of office, which are kept as history.')
    }
    await recordAudit(tx, actor, { action: 'delete', entityType: 'person', entityId: id, unitId: before.homeBoothId, before: toPerson(before, actor) })
    await tx.delete(people).where(eq(people.id, id))
  })
}
