import { and, eq, sql } from 'drizzle-orm'
import type { Actor } from '../access/actor.js'
import { recordAudit } from '../audit/record.js'
import type { Database } from '../db/client.js'
import { appointments, roles } from '../db/schema.js'
import { inTransaction } from '../db/transaction.js'
import { DomainError, notFound } from '../errors.js'
import { findPerson } from '../people/queries.js'
import { indiaToday } from '../time.js'
import { findUnit } from '../units/queries.js'
import { appointmentColumns, findAppointment, openOfficesOf, toAppointment, type AppointmentRow } from './queries.js'
import { lockPerson, mayHoldOffice, ruleRefusal, standingOf } from './rule.js'

export interface AppointInput {
  personId: string
  unitId: string
  role: string
  startDate?: string
}

/** Appoints a person to a post, after checking every rule the database will also enforce. */
export async function appoint (db: Database, actor: Actor, input: AppointInput): Promise<AppointmentRow> {
  return inTransaction(db, async (tx) => {
    const unit = await findUnit(tx, actor, input.unitId)
    if (!unit) throw new DomainError('unprocessable', 'unit_not_found', 'The unit does not exist.')
    const person = await findPerson(tx, actor, input.personId)
    if (!person) throw new DomainError('unprocessable', 'person_not_found', 'The person does not exist.')
    const [role] = await tx.select().from(roles).where(eq(roles.code, input.role))
    if (!role) throw new DomainError('unprocessable', 'unknown_role', `There is no role ${input.role}; see GET /v1/roles.`)
    if (!role.levels.includes(unit.level)) {
      throw new DomainError('unprocessable', 'role_not_at_level', `${role.name} is a post at ${role.levels.join(', ')} level, not at a ${unit.level}.`)
    }
    const startDate = input.startDate ?? indiaToday()
    const proposed = { unitId: unit.id, unitCodePath: unit.codePath, role: role.code, startDate, endDate: null }

    await lockPerson(tx, person.id)
    const standing = await standingOf(tx, person.id)
    if (!standing || !mayHoldOffice(standing)) {
      const why = !standing?.membership
        ? 'has no current membership'
        : standing.membership.grade !== 'active'
          ? 'is a primary member, not an active one'
          : 'is a member at a booth other than their home booth'
      throw ruleRefusal('not_active_member_at_home', `Only an active member at their own home booth may hold office; this person ${why}.`, [proposed])
    }

    // Same person, same post, overlapping term: also an exclusion constraint.
    const [twice] = await tx.select({ id: appointments.id }).from(appointments).where(and(
      eq(appointments.personId, person.id), eq(appointments.unitId, unit.id), eq(appointments.roleCode, role.code),
      sql`daterange(${appointments.startDate}, ${appointments.endDate}, '[)') && daterange(${startDate}::date, NULL, '[)')`))
    if (twice) {
      throw ruleRefusal('already_holds_post', 'This person already holds this post over those dates.', await openOfficesOf(tx, person.id).then(o => o.filter(x => x.id === twice.id)))
    }

    if (role.seats !== null) {
      // The trigger takes the same lock; taking it here first gives the precise refusal.
      await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${unit.id}::text || '/' || ${role.code}, 0))`)
      const holders = await tx.select({ id: appointments.id, startDate: appointments.startDate, endDate: appointments.endDate, personId: appointments.personId })
        .from(appointments).where(and(eq(appointments.unitId, unit.id), eq(appointments.roleCode, role.code),
          sql`daterange(${appointments.startDate}, ${appointments.endDate}, '[)') && daterange(${startDate}::date, NULL, '[)')`))
      if (holders.length >= role.seats) {
        throw ruleRefusal('post_full', `${unit.codePath} already has ${holders.length} ${role.name}${holders.length > 1 ? 's' : ''} (${role.seats} seat${role.seats > 1 ? 's' : ''}). End a term first.`,
          holders.map(h => ({ id: h.id, unitId: unit.id, unitCodePath: unit.codePath, role: role.code, startDate: h.startDate, endDate: h.endDate })))
      }
    }

    const [row] = await tx.insert(appointments).values({ personId: person.id, unitId: unit.id, roleCode: role.code, startDate })
      .returning(appointmentColumns)
    await recordAudit(tx, actor, { action: 'appoint', entityType: 'appointment', entityId: row.id, unitId: unit.id, after: toAppointment(row as AppointmentRow) })
    return row as AppointmentRow
  })
}

/** Ends a term: endDate is the first day out of office. */
export async function endAppointment (db: Database, actor: Actor, id: string, input: { endDate: string, endReason: string }, matches?: (v: number) => boolean): Promise<AppointmentRow> {
  return inTransaction(db, async (tx) => {
    const current = await findAppointment(tx, actor, id, true)
    if (!current) throw notFound('appointment')
    if (matches && !matches(current.version)) throw new DomainError('precondition_failed', 'etag_mismatch', 'The appointment has changed since you read it.')
    if (current.endDate !== null) {
      throw new DomainError('conflict', 'appointment_already_ended', `This term already ended on ${current.endDate}.`)
    }
    // Coverage counts a post as filled until its term is ended; a term ends today or earlier.
    if (input.endDate > indiaToday()) {
      throw new DomainError('unprocessable', 'end_in_future', 'A term is ended on the day it ends: endDate cannot be after today (India time).')
    }
    if (input.endDate < current.startDate) {
      throw new DomainError('unprocessable', 'end_before_start', `A term cannot end before it starts (${current.startDate}).`)
    }
    const [row] = await tx.update(appointments).set({ endDate: input.endDate, endReason: input.endReason })
      .where(eq(appointments.id, id)).returning(appointmentColumns)
    await recordAudit(tx, actor, { action: 'end', entityType: 'appointment', entityId: id, unitId: current.unitId, before: toAppointment(current), after: toAppointment(row as AppointmentRow) })
    return row as AppointmentRow
  })
}

/** Ends every open term of a person (inside the caller's transaction), for a lapse. */
export async function endAllTermsOf (tx: Database, actor: Actor, personId: string, endDate: string, endReason: string): Promise<number> {
  const open = await openOfficesOf(tx, personId)
  for (const office of open) {
    const [before] = await tx.select(appointmentColumns).from(appointments).where(eq(appointments.id, office.id))
    // A term that has not begun by the end date is closed on its own start date: it never ran.
    const end = office.startDate > endDate ? office.startDate : endDate
    const [after] = await tx.update(appointments).set({ endDate: end, endReason })
      .where(eq(appointments.id, office.id)).returning(appointmentColumns)
    await recordAudit(tx, actor, { action: 'end', entityType: 'appointment', entityId: office.id, unitId: office.unitId, before: toAppointment(before as AppointmentRow), after: toAppointment(after as AppointmentRow) })
  }
  return open.length
}
