import { eq } from 'drizzle-orm'
import type { Actor } from '../access/actor.js'
import { recordAudit } from '../audit/record.js'
import type { Database } from '../db/client.js'
import { memberships } from '../db/schema.js'
import { inTransaction } from '../db/transaction.js'
import { DomainError, notFound, preconditionFailed } from '../errors.js'
import { endAllTermsOf } from '../appointments/changes.js'
import { lockPeople, openTermsOf, ruleRefusal, unlessRuleRefuses } from '../rules/own-booth.js'
import { findPerson } from '../people/queries.js'
import { indiaToday } from '../time.js'
import { findUnit } from '../units/queries.js'
import { currentMembershipOf, findMembership, membershipColumns, toMembership, type MembershipRow } from './queries.js'

async function boothInScope (tx: Database, actor: Actor, boothId: string) {
  const booth = await findUnit(tx, actor, boothId)
  if (!booth) throw new DomainError('unprocessable', 'booth_not_found', 'The booth does not exist.')
  if (booth.level !== 'booth') throw new DomainError('unprocessable', 'not_a_booth', `${booth.codePath} is a ${booth.level}; members enrol at a booth.`)
  return booth
}

export async function enrol (db: Database, actor: Actor, input: { personId: string, boothId: string, grade: 'primary' | 'active', joinedOn?: string }): Promise<MembershipRow> {
  return inTransaction(db, actor, async (tx) => {
    const person = await findPerson(tx, actor, input.personId)
    if (!person) throw new DomainError('unprocessable', 'person_not_found', 'The person does not exist.')
    const booth = await boothInScope(tx, actor, input.boothId)
    await lockPeople(tx, [person.id])
    const existing = await currentMembershipOf(tx, person.id)
    if (existing) {
      throw new DomainError('conflict', 'membership_exists', 'This person already has a current membership: change it or lapse it first.', { membershipId: existing.id })
    }
    const joinedOn = input.joinedOn ?? indiaToday()
    if (joinedOn > indiaToday()) throw new DomainError('unprocessable', 'joined_in_future', 'joinedOn cannot be in the future.')
    const [row] = await tx.insert(memberships).values({ personId: person.id, boothId: booth.id, grade: input.grade, joinedOn })
      .returning(membershipColumns)
    await recordAudit(tx, actor, { action: 'create', entityType: 'membership', entityId: row.id, unitId: booth.id, after: toMembership(row as MembershipRow) })
    return row as MembershipRow
  })
}

export interface MembershipChange {
  grade?: 'primary' | 'active'
  boothId?: string
  status?: 'lapsed'
  lapsedOn?: string
  endAppointments?: boolean
}

/**
 * Grade changes, transfers and lapses. PostgreSQL refuses any that would leave an
 * office-bearer without an active membership at home (src/db/routines/20_own_booth_rule.sql);
 * the refusal is named after the change that caused it. Asked for explicitly, a lapse
 * ends the person's terms first, in this one transaction.
 */
export async function changeMembership (db: Database, actor: Actor, id: string, change: MembershipChange, matches?: (v: number) => boolean): Promise<MembershipRow> {
  return inTransaction(db, actor, async (tx) => {
    const found = await findMembership(tx, actor, id)
    if (!found) throw notFound('membership')
    await lockPeople(tx, [found.personId])
    const current = (await findMembership(tx, actor, id, true))!
    if (matches && !matches(current.version)) throw preconditionFailed()
    if (current.status === 'lapsed') {
      throw new DomainError('conflict', 'membership_lapsed', 'This membership has lapsed; enrol the person again to start a new one.')
    }
    const moving = change.boothId !== undefined && change.boothId !== current.boothId
    if (moving) await boothInScope(tx, actor, change.boothId!)
    let endedTerms = 0
    let lapsedOn: string | null = current.lapsedOn
    if (change.status === 'lapsed') {
      lapsedOn = change.lapsedOn ?? indiaToday()
      if (lapsedOn > indiaToday()) throw new DomainError('unprocessable', 'lapse_in_future', 'lapsedOn cannot be in the future.')
      if (lapsedOn < current.joinedOn) throw new DomainError('unprocessable', 'lapse_before_joining', `lapsedOn cannot be before joinedOn (${current.joinedOn}).`)
      if (change.endAppointments) endedTerms = await endAllTermsOf(tx, actor, current.personId, lapsedOn, 'membership lapsed')
    }

    const row = await unlessRuleRefuses(tx, async (savepoint) => {
      const [updated] = await savepoint.update(memberships).set({
        grade: change.grade ?? current.grade,
        boothId: change.boothId ?? current.boothId,
        status: change.status ?? current.status,
        lapsedOn
      }).where(eq(memberships.id, id)).returning(membershipColumns)
      return updated as MembershipRow
    }, async () => {
      const offices = await openTermsOf(tx, actor, current.personId)
      if (change.grade === 'primary' && current.grade === 'active') {
        return ruleRefusal('office_bearer_must_stay_active', 'This person holds office: their membership must stay active. End their terms first.', offices)
      }
      if (moving) {
        return ruleRefusal('transfer_away_from_home', 'This person holds office: their membership must stay at their home booth. Change their home booth and move the membership with it, or end their terms first.', offices)
      }
      return ruleRefusal('office_bearer_cannot_lapse', 'This person holds office. Ask for their terms to be ended together with the lapse (endAppointments), or end them first.', offices)
    })
    const action = change.status === 'lapsed' ? 'lapse' : moving ? 'transfer' : 'update'
    await recordAudit(tx, actor, { action, entityType: 'membership', entityId: id, unitId: row.boothId, before: toMembership(current), after: { ...toMembership(row), endedTerms } })
    return row
  })
}
