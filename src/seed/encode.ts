import { copyLine, type CopyValue } from '../db/copy-text.js'
import type { UnitLevel } from '../db/schema.js'
import { CAMP_COLUMNS, CAMP_PLAN_COLUMNS, campPlanValues, campValues, walkInValues } from './camps.js'
import type { SeedBatch } from './generate.js'
import type { AppointmentRow, MembershipRow, PersonRow } from './members.js'
import type { UnitRow } from './tree.js'

/**
 * A generated batch as the load sends it: COPY text per table, and what it adds to the
 * load's counts. Made where the rows are generated (a worker thread, seed/worker.ts), so
 * the load's own thread only streams text while the next batch is being made.
 */
export interface LoadBatch {
  copies: TableCopy[]
  counts: CountsAdded
  /** A level of units, this many of them: the load refreshes the units' statistics after a large one. */
  units?: { level: UnitLevel, rows: number }
  /** The step shown on the progress bar, and the booths and rows it completes. */
  progress?: { step: string, booths: number, rows: number }
}

export interface TableCopy {
  /** The phase the COPY's time is reported under. */
  phase: string
  table: string
  columns: readonly string[]
  /** COPY text: whole lines, newline-terminated. */
  text: string
}

/** What a batch adds to the load's counts (SeedCounts' numbers but units, which come per level). */
export type CountsAdded = Partial<Record<CountName, number>>
export type CountName = 'assemblies' | 'sectors' | 'sectorsWithIncharge' | 'people' | 'memberships' | 'currentMemberships' | 'activeMembers' |
  'appointments' | 'currentAppointments' | 'camps' | 'campsHeld' | 'campsPlanned'

const UNIT_COLUMNS = ['id', 'level', 'parent_id', 'code', 'name', 'local_name', 'display_label', 'ac_number', 'ac_name', 'ps_number', 'assembly_id']
const ASSEMBLY_COLUMNS = ['id', 'state_id', 'number', 'name']
const PERSON_COLUMNS = ['id', 'name', 'home_booth_id', 'phone', 'voter_id', 'gender', 'handle_platforms']
const HANDLE_COLUMNS = ['person_id', 'platform_code', 'handle']
const PLATFORMS = ['facebook', 'instagram', 'twitter', 'youtube'] as const
const MEMBERSHIP_COLUMNS = ['id', 'person_id', 'booth_id', 'grade', 'status', 'joined_on', 'lapsed_on']
const APPOINTMENT_COLUMNS = ['id', 'person_id', 'unit_id', 'wing_code', 'role_code', 'start_date', 'end_date', 'end_reason']
const CLUSTER_COLUMNS = ['id', 'unit_id', 'kind_code', 'code', 'name', 'local_name']
const CLUSTER_BOOTH_COLUMNS = ['booth_id', 'kind_code', 'cluster_id']

const unitValues = (u: UnitRow): CopyValue[] =>
  [u.id, u.level, u.parentId, u.code, u.name, u.localName, u.displayLabel, u.acNumber, u.acName, u.psNumber, u.assemblyId]
const personValues = (p: PersonRow): CopyValue[] =>
  [p.id, p.name, p.homeBoothId, p.phone, p.voterId, p.gender, `{${PLATFORMS.filter(k => p[k] !== null).join(',')}}`]
const handleValues = (people: PersonRow[]): CopyValue[][] =>
  people.flatMap(p => PLATFORMS.filter(k => p[k] !== null).map(k => [p.id, k, p[k]]))
const membershipValues = (m: MembershipRow): CopyValue[] =>
  [m.id, m.personId, m.boothId, m.grade, m.status, m.joinedOn, m.lapsedOn]
const appointmentValues = (a: AppointmentRow): CopyValue[] =>
  [a.id, a.personId, a.unitId, a.wingCode, a.roleCode, a.startDate, a.endDate, a.endReason]

function copyOf (phase: string, table: string, columns: readonly string[], rows: Iterable<readonly CopyValue[]>): TableCopy {
  let text = ''
  for (const row of rows) text += copyLine(row)
  return { phase, table, columns, text }
}

export function encodeBatch (batch: SeedBatch): LoadBatch {
  switch (batch.kind) {
    case 'assemblies':
      return {
        copies: [copyOf('copy units', 'assemblies', ASSEMBLY_COLUMNS, batch.rows.map(a => [a.id, a.stateId, a.number, a.name]))],
        counts: { assemblies: batch.rows.length }
      }
    case 'units':
      return {
        copies: [copyOf('copy units', 'units', UNIT_COLUMNS, batch.rows.map(unitValues))],
        counts: {},
        units: { level: batch.level, rows: batch.rows.length },
        progress: { step: `${batch.state} ${batch.level}s`, booths: 0, rows: batch.rows.length }
      }
    case 'camps':
      return {
        copies: [
          copyOf('copy camps', 'camps', CAMP_COLUMNS, batch.camps.map(campValues)),
          copyOf('copy camps', 'camp_topics', ['camp_id', 'topic_code'], batch.camps.flatMap(c => c.topics.map(t => [c.id, t]))),
          copyOf('copy camps', 'camp_trainers', ['camp_id', 'position', 'name'], batch.camps.flatMap(c => c.trainers.map((name, i) => [c.id, i + 1, name]))),
          copyOf('copy camps', 'seed_camp_plans', CAMP_PLAN_COLUMNS, batch.camps.map(campPlanValues)),
          copyOf('copy camps', 'seed_walk_ins', ['camp_id', 'person_id'], batch.camps.flatMap(walkInValues))
        ],
        counts: {
          camps: batch.camps.length,
          campsHeld: batch.camps.filter(c => c.status === 'held').length,
          campsPlanned: batch.camps.filter(c => c.status === 'planned').length
        }
      }
    case 'clusters':
      return {
        copies: [
          copyOf('copy clusters', 'clusters', CLUSTER_COLUMNS, batch.clusters.map(c => [c.id, c.unitId, c.kindCode, c.code, c.name, c.localName])),
          copyOf('copy clusters', 'cluster_booths', CLUSTER_BOOTH_COLUMNS, batch.booths.map(b => [b.boothId, b.kindCode, b.clusterId])),
          copyOf('copy clusters', 'appointments', [...APPOINTMENT_COLUMNS, 'cluster_id'], batch.appointments.map(a => [...appointmentValues(a), a.clusterId]))
        ],
        counts: {
          sectors: batch.clusters.length,
          sectorsWithIncharge: batch.appointments.length,
          appointments: batch.appointments.length,
          currentAppointments: batch.appointments.length
        }
      }
    case 'organisation': {
      let currentMemberships = 0
      let activeMembers = 0
      for (const m of batch.memberships) {
        if (m.status === 'current') currentMemberships++
        if (m.status === 'current' && m.grade === 'active') activeMembers++
      }
      return {
        copies: [
          copyOf('copy people', 'people', PERSON_COLUMNS, batch.people.map(personValues)),
          copyOf('copy people', 'person_handles', HANDLE_COLUMNS, handleValues(batch.people)),
          copyOf('copy memberships', 'memberships', MEMBERSHIP_COLUMNS, batch.memberships.map(membershipValues)),
          copyOf('copy appointments', 'appointments', APPOINTMENT_COLUMNS, batch.appointments.map(appointmentValues))
        ],
        counts: {
          people: batch.people.length,
          memberships: batch.memberships.length,
          currentMemberships,
          activeMembers,
          appointments: batch.appointments.length,
          currentAppointments: batch.appointments.filter(a => a.endDate === null).length
        },
        progress: { step: `${batch.state} ${batch.label}`, booths: batch.booths, rows: batch.people.length + batch.memberships.length + batch.appointments.length }
      }
    }
  }
}
