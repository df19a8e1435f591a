import { handlesOf, legacyFields, type Handles } from '../social-media/fields.js'
import { and, desc, eq, lt, or, sql, type SQL } from 'drizzle-orm'
import { z } from 'zod'
import { text } from '../http/fields.js'
import { phoneCell, type CsvColumn } from '../http/csv.js'
import type { Actor } from '../access/actor.js'
import { withinScope } from '../access/scope.js'
import { rows, type Database } from '../db/client.js'
import type { KeysetList } from '../db/cursor.js'
import { selectList } from '../db/select.js'
import { appointments, people, units, type UnitLevel } from '../db/schema.js'
import { maskPhone } from '../people/identity.js'
import { ALL_WINGS } from '../wings/schemas.js'

/** A term is current today (India) when today lies in [start_date, end_date): src/db/routines/01_calendar.sql. */
export const isCurrent = sql<boolean>`term_is_current(${appointments.startDate}, ${appointments.endDate})`

export const appointmentColumns = {
  id: appointments.id,
  personId: appointments.personId,
  unitId: appointments.unitId,
  clusterId: appointments.clusterId,
  wing: appointments.wingCode,
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
  clusterId: string | null
  wing: string
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
    clusterId: r.clusterId,
    wing: r.wing,
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
  clusterId?: string
  /** One wing, or 'all'. */
  wing: string
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
  if (f.clusterId) where.push(eq(appointments.clusterId, f.clusterId))
  if (f.wing !== ALL_WINGS) where.push(eq(appointments.wingCode, f.wing))
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

export interface OfficeBearerRow extends AppointmentRow {
  unitCodePath: string
  personName: string
  phone: string | null
  handles: Handles
}

export interface OfficeBearersFilter {
  subtree: boolean
  /** One wing, or 'all'. */
  wing: string
  role?: string
  level?: UnitLevel
  withoutHandle?: boolean
  /** Keyset: [unitCodePath, wing, role, id] of the last row. */
  after?: [string, string, string, string]
  limit: number
}

/** Current office-bearers at a unit (or anywhere below it), in code-path, wing, then role order. */
export async function listOfficeBearers (db: Database, actor: Actor, unit: { id: string, codePath: string }, f: OfficeBearersFilter): Promise<OfficeBearerRow[]> {
  return rows<OfficeBearerRow>(db, officeBearersList(actor, unit, f).query(f.after, f.limit + 1))
}

type OfficeBearerKey = [string, string, string, string]

/** listOfficeBearers' rows as a list to page through or download (src/db/cursor.ts). */
export function officeBearersList (actor: Actor, unit: { id: string, codePath: string }, f: Omit<OfficeBearersFilter, 'after' | 'limit'>): KeysetList<OfficeBearerRow, OfficeBearerKey> {
  const where: Array<SQL | undefined> = [isCurrent, withinScope(actor, units.path)]
  if (f.subtree) {
    where.push(sql`${units.codePath} >= ${unit.codePath} AND ${units.codePath} < ${unit.codePath + '0'}`)
    where.push(sql`(${units.codePath} = ${unit.codePath} OR ${units.codePath} >= ${unit.codePath + '/'})`)
  } else {
    where.push(eq(appointments.unitId, unit.id))
  }
  if (f.wing !== ALL_WINGS) where.push(eq(appointments.wingCode, f.wing))
  if (f.role) where.push(eq(appointments.roleCode, f.role))
  if (f.level) where.push(eq(units.level, f.level))
  if (f.withoutHandle) where.push(sql`${people.handlePlatforms} = '{}'`)
  const columns = selectList({
    ...appointmentColumns,
    unitCodePath: units.codePath,
    personName: people.name,
    phone: people.phone,
    handles: handlesOf(people.id)
  })
  return {
    keyOf: officeBearerKey,
    query: (after, limit) => sql`
      SELECT ${columns}
        FROM ${appointments}
        JOIN ${units} ON ${units.id} = ${appointments.unitId}
        JOIN ${people} ON ${people.id} = ${appointments.personId}
       WHERE ${and(...where, after && sql`(${units.codePath}, ${appointments.wingCode}, ${appointments.roleCode}, ${appointments.id}) > (${after[0]}, ${after[1]}, ${after[2]}, ${after[3]}::uuid)`) ?? sql`true`}
       ORDER BY ${units.codePath}, ${appointments.wingCode}, ${appointments.roleCode}, ${appointments.id}
       ${limit !== undefined ? sql`LIMIT ${limit}` : sql``}`
  }
}

export const officeBearerKey = (r: OfficeBearerRow): OfficeBearerKey => [r.unitCodePath, r.wing, r.role, r.id]
/** The shape of officeBearerKey, to validate a cursor. */
export const OfficeBearerCursor = z.tuple([text(300), text(30), text(50), z.uuid()])

/** The API shape of an office-bearer; `mask` hides the phone (reader keys with maskPersonalData). */
export function toOfficeBearer (r: OfficeBearerRow, mask: boolean) {
  return {
    ...toAppointment(r),
    unitCodePath: r.unitCodePath,
    person: {
      id: r.personId,
      name: r.personName,
      phone: mask ? maskPhone(r.phone) : r.phone,
      ...legacyFields(r.handles),
      handles: r.handles ?? {}
    }
  }
}

/**
 * The office-bearers CSV: one row per current term, the API shape flattened (phone as in
 * src/http/csv.ts, masked when `mask` as toOfficeBearer masks it). The cells read the
 * database's rows, not toOfficeBearer's objects: a download builds no API object per row.
 */
export function officeBearerCsv (mask: boolean): ReadonlyArray<CsvColumn<OfficeBearerRow>> {
  return [
    ['unit_code_path', b => b.unitCodePath],
    ['role', b => b.role],
    ['name', b => b.personName],
    ['phone', b => phoneCell(mask ? maskPhone(b.phone) : b.phone)],
    ['twitter', b => b.handles?.twitter],
    ['facebook', b => b.handles?.facebook],
    ['instagram', b => b.handles?.instagram],
    ['youtube', b => b.handles?.youtube],
    ['start_date', b => b.startDate],
    ['person_id', b => b.personId],
    ['unit_id', b => b.unitId],
    ['appointment_id', b => b.id],
    // Last, so that a sheet or script reading the columns by position still finds them.
    ['wing', b => b.wing]
  ]
}
