import { and, asc, desc, eq, lt, or, sql, type SQL } from 'drizzle-orm'
import type { Actor } from '../access/actor.js'
import { withinScope } from '../access/scope.js'
import type { Database } from '../db/client.js'
import { appointments, people, units, type UnitLevel } from '../db/schema.js'
import { maskPhone } from '../people/identity.js'

/** A term is current today (India) when today lies in [start_date, end_date). */
export const isCurrent = sql<boolean>`(${appointments.startDate} <= india_today() AND (${appointments.endDate} IS NULL OR ${appointments.endDate} > india_today()))`
/** A term the own-booth rule covers: not ended, whether or not it has begun. */
export const isOpen = sql<boolean>`(${appointments.endDate} IS NULL OR ${appointments.endDate} > india_today())`

export const appointmentColumns = {
  id: appointments.id,
  personId: appointments.personId,
  unitId: appointments.unitId,
  role: appointments.roleCode,
  startDate: appointments.startDate,
  endDate: appointments.endDate,
  endReason: appointments.endReason,
  current: isCurrent,
  version: appointments.version,
  createdAt: appointments.createdAt,
  updatedAt: appointments.updatedAt
}

export interface AppointmentRow {
  id: string
  personId: string
  unitId: string
  role: string
  startDate: string
  endDate: string | null
  endReason: string | null
  current: boolean
  version: number
  createdAt: Date
  updatedAt: Date
}

export function toAppointment (r: AppointmentRow) {
  return {
    id: r.id,
    personId: r.personId,
    unitId: r.unitId,
    role: r.role,
    startDate: r.startDate,
    endDate: r.endDate,
    endReason: r.endReason,
    current: r.current,
    createdAt: new Date(r.createdAt).toISOString(),
    updatedAt: new Date(r.updatedAt).toISOString()
  }
}

/** An appointment by id, when its unit lies in the actor's subtree. */
export async function findAppointment (db: Database, actor: Actor, id: string, forUpdate = false): Promise<AppointmentRow | undefined> {
  const q = db.select(appointmentColumns).from(appointments)
    .innerJoin(units, eq(units.id, appointments.unitId))
    .where(and(eq(appointments.id, id), withinScope(actor, units.path)))
  const [row] = forUpdate ? await q.for('update', { of: appointments }) : await q
  return row as AppointmentRow | undefined
}

export interface ListAppointmentsFilter {
  personId?: string
  unitId?: string
  role?: string
  current?: boolean
  on?: string
  /** Keyset: [startDate, id] of the last row, newest first. */
  after?: [string, string]
  limit: number
}

export async function listAppointments (db: Database, actor: Actor, f: ListAppointmentsFilter): Promise<AppointmentRow[]> {
  const where: Array<SQL | undefined> = [withinScope(actor, units.path)]
  if (f.personId) where.push(eq(appointments.personId, f.personId))
  if (f.unitId) where.push(eq(appointments.unitId, f.unitId))
  if (f.role) where.push(eq(appointments.roleCode, f.role))
  if (f.current === true) where.push(isCurrent)
  if (f.current === false) where.push(sql`NOT ${isCurrent}`)
  if (f.on) where.push(sql`${appointments.startDate} <= ${f.on}::date AND (${appointments.endDate} IS NULL OR ${appointments.endDate} > ${f.on}::date)`)
  if (f.after) {
    const [start, id] = f.after
    where.push(or(lt(appointments.startDate, start), and(eq(appointments.startDate, start), lt(appointments.id, id))))
  }
  const rows = await db.select(appointmentColumns).from(appointments)
    .innerJoin(units, eq(units.id, appointments.unitId))
    .where(and(...where))
    .orderBy(desc(appointments.startDate), desc(appointments.id))
    .limit(f.limit + 1)
  return rows as AppointmentRow[]
}

export interface OfficeRef {
  id: string
  unitId: string
  unitCodePath: string
  role: string
  startDate: string
  endDate: string | null
}

/** The terms the own-booth rule covers for one person: named in every refusal. */
export async function openOfficesOf (db: Database, personId: string): Promise<OfficeRef[]> {
  return db.select({
    id: appointments.id,
    unitId: appointments.unitId,
    unitCodePath: units.codePath,
    role: appointments.roleCode,
    startDate: appointments.startDate,
    endDate: appointments.endDate
  }).from(appointments)
    .innerJoin(units, eq(units.id, appointments.unitId))
    .where(and(eq(appointments.personId, personId), isOpen))
    .orderBy(asc(appointments.startDate))
}

/** Current office-bearers at a unit (or anywhere below it), in code-path then role order. */
export async function listOfficeBearers (db: Database, actor: Actor, unit: { id: string, codePath: string },
  f: { subtree: boolean, role?: string, level?: UnitLevel, withoutHandle?: boolean, after?: [string, string, string], limit: number, mask: boolean }) {
  const where: Array<SQL | undefined> = [isCurrent, withinScope(actor, units.path)]
  if (f.subtree) {
    where.push(sql`${units.codePath} >= ${unit.codePath} AND ${units.codePath} < ${unit.codePath + '0'}`)
    where.push(sql`(${units.codePath} = ${unit.codePath} OR ${units.codePath} >= ${unit.codePath + '/'})`)
  } else {
    where.push(eq(appointments.unitId, unit.id))
  }
  if (f.role) where.push(eq(appointments.roleCode, f.role))
  if (f.level) where.push(eq(units.level, f.level))
  if (f.withoutHandle) where.push(sql`coalesce(${people.twitter}, ${people.facebook}, ${people.instagram}, ${people.youtube}) IS NULL`)
  if (f.after) {
    const [codePath, role, id] = f.after
    where.push(sql`(${units.codePath}, ${appointments.roleCode}, ${appointments.id}) > (${codePath}, ${role}, ${id}::uuid)`)
  }
  const rows = await db.select({
    ...appointmentColumns,
    unitCodePath: units.codePath,
    personName: people.name,
    phone: people.phone,
    twitter: people.twitter,
    facebook: people.facebook,
    instagram: people.instagram,
    youtube: people.youtube
  }).from(appointments)
    .innerJoin(units, eq(units.id, appointments.unitId))
    .innerJoin(people, eq(people.id, appointments.personId))
    .where(and(...where))
    .orderBy(asc(units.codePath), asc(appointments.roleCode), asc(appointments.id))
    .limit(f.limit + 1)
  return rows.map(r => ({
    ...toAppointment(r as AppointmentRow),
    unitCodePath: r.unitCodePath,
    person: {
      id: r.personId,
      name: r.personName,
      phone: f.mask ? maskPhone(r.phone) : r.phone,
      twitter: r.twitter,
      facebook: r.facebook,
      instagram: r.instagram,
      youtube: r.youtube
    }
  }))
}
