import { and, asc, eq, inArray, sql } from 'drizzle-orm'
import type { Actor } from '../access/actor.js'
import { recordAudit } from '../audit/record.js'
import type { Database } from '../db/client.js'
import { constraintOf } from '../db/errors.js'
import { appointments } from '../db/schema.js'
import { inTransaction } from '../db/transaction.js'
import { DomainError, notFound, preconditionFailed } from '../errors.js'
import { findPerson } from '../people/queries.js'
import { roleOrRefuse } from '../roles/catalogue.js'
import { MAIN_WING } from '../wings/schemas.js'
import { INELIGIBILITY_EXPLAINED, ineligibilityOf, lockPeople, openTermsOf, ruleRefusal } from '../rules/own-booth.js'
import { lockPost, overlappingTerms, violationsOfNewTerm, type Post } from '../rules/posts.js'
import { indiaToday } from '../time.js'
import { findUnit } from '../units/queries.js'
import { findCluster } from '../clusters/queries.js'
import { appointmentColumns, findAppointment, toAppointment, type AppointmentRow } from './queries.js'

export interface AppointInput {
  personId: string
  unitId?: string
  /** A booth cluster's post: its unit is the cluster's. */
  clusterId?: string
  /** Default: the main body. */
  wing?: string
  role: string
  startDate?: string
}

/**
 * Appoints a person to a post. PostgreSQL decides (src/db/routines/20_own_booth_rule.sql
 * and 21_posts.sql); under the same locks, the rule functions are
 * asked first, so that a refusal names its precise reason and the offices involved.
 */
export async function appoint (db: Database, actor: Actor, input: AppointInput): Promise<AppointmentRow> {
  return inTransaction(db, actor, async (tx) => {
    const cluster = input.clusterId === undefined ? undefined : await findCluster(tx, actor, input.clusterId)
    if (input.clusterId !== undefined && !cluster) throw new DomainError('unprocessable', 'cluster_not_found', 'The cluster does not exist.')
    if (cluster && input.unitId !== undefined && input.unitId !== cluster.unit_id) {
      throw new DomainError('unprocessable', 'cluster_not_in_unit', `The cluster belongs to ${cluster.unit_code_path}: leave unitId out, or give that unit.`)
    }
    const unit = await findUnit(tx, actor, cluster?.unit_id ?? input.unitId!)
    if (!unit) throw new DomainError('unprocessable', 'unit_not_found', 'The unit does not exist.')
    const person = await findPerson(tx, actor, input.personId)
    if (!person) throw new DomainError('unprocessable', 'person_not_found', 'The person does not exist.')
    const role = await roleOrRefuse(tx, input.wing ?? MAIN_WING, input.role)
    const startDate = input.startDate ?? indiaToday()
    const post: Post = { unitId: unit.id, clusterId: cluster?.id ?? null, wing: role.wing, role: role.code }
    const proposed = { unitId: unit.id, unitCodePath: unit.codePath, wing: role.wing, role: role.code, startDate, endDate: null }

    await lockPeople(tx, [person.id])
    await lockPost(tx, post)
    const violations = await violationsOfNewTerm(tx, post, startDate)
    if (violations.has('role_not_at_level') && (cluster || role.clusterKind)) {
      throw new DomainError('unprocessable', 'role_not_at_level', role.clusterKind
        ? `${role.name} is a post of a cluster of kind ${role.clusterKind}${cluster ? `, not of a ${cluster.kind}` : ': give its clusterId'}.`
        : `${role.name} is a post of a unit, not of a cluster.`)
    }
    if (violations.has('role_not_at_level')) {
      throw new DomainError('unprocessable', 'role_not_at_level', `${role.name}${role.wing === MAIN_WING ? '' : ` (${role.wing} wing)`} is a post at ${role.levels.join(', ')} level, not at a ${unit.level}.`)
    }
    const ineligible = await ineligibilityOf(tx, person.id)
    if (ineligible) {
      throw ruleRefusal('not_active_member_at_home', `Only an active member at their own home booth may hold office; this person ${INELIGIBILITY_EXPLAINED[ineligible]}.`, [proposed])
    }

    try {
      const row = await tx.transaction(async (savepoint) => {
        const [inserted] = await savepoint.insert(appointments).values({ personId: person.id, unitId: unit.id, clusterId: cluster?.id ?? null, wingCode: role.wing, roleCode: role.code, startDate })
          .returning(appointmentColumns)
        return inserted as AppointmentRow
      })
      await recordAudit(tx, actor, { action: 'appoint', entityType: 'appointment', entityId: row.id, unitId: unit.id, after: toAppointment(row) })
      return row
    } catch (err) {
      const constraint = constraintOf(err)
      if (constraint === 'appointments_no_double_term') {
        const held = (await openTermsOf(tx, actor, person.id)).inScope.filter(o => o.unitId === unit.id && o.wing === role.wing && o.role === role.code)
        throw ruleRefusal('already_holds_post', 'This person already holds this post over those dates.', held)
      }
      if (constraint === 'appointments_seats') {
        const holders = await overlappingTerms(tx, post, startDate)
        const n = holders.length
        throw ruleRefusal('post_full', `${unit.codePath} already has ${n} ${role.name}${n > 1 ? 's' : ''} (${role.seats} seat${role.seats !== 1 ? 's' : ''}). End a term first.`, holders)
      }
      throw err
    }
  })
}

/** Ends a term: endDate is the first day out of office. */
export async function endAppointment (db: Database, actor: Actor, id: string, input: { endDate: string, endReason: string }, matches?: (v: number) => boolean): Promise<AppointmentRow> {
  return inTransaction(db, actor, async (tx) => {
    const current = await findAppointment(tx, actor, id, true)
    if (!current) throw notFound('appointment')
    if (matches && !matches(current.version)) throw preconditionFailed()
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

/**
 * Ends every open term of a person (inside the caller's transaction), for a lapse. A term
 * that has not begun by the end date is closed on its own start date: it never ran.
 */
export async function endAllTermsOf (tx: Database, actor: Actor, personId: string, endDate: string, endReason: string): Promise<number> {
  const before = await tx.select(appointmentColumns).from(appointments)
    .where(and(eq(appointments.personId, personId), sql`term_is_open(${appointments.endDate})`))
    .orderBy(asc(appointments.startDate), asc(appointments.id))
    .for('update') as AppointmentRow[]
  if (before.length === 0) return 0
  const after = await tx.update(appointments)
    .set({ endDate: sql`greatest(${appointments.startDate}, ${endDate}::date)`, endReason })
    .where(inArray(appointments.id, before.map(b => b.id)))
    .returning(appointmentColumns) as AppointmentRow[]
  const ended = new Map(after.map(a => [a.id, a]))
  for (const b of before) {
    await recordAudit(tx, actor, { action: 'end', entityType: 'appointment', entityId: b.id, unitId: b.unitId, before: toAppointment(b), after: toAppointment(ended.get(b.id)!) })
  }
  return before.length
}
