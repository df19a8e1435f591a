import { sql } from 'drizzle-orm'
import { rows, type Database, type DatabaseHandle } from '../db/client.js'
import type { CopyValue } from '../db/copy-text.js'
import type { UnitLevel } from '../db/schema.js'
import { openSession, type SessionTransaction } from '../db/session.js'
import { beginWork, limitsOf } from '../db/transaction.js'
import { systemActor } from '../access/actor.js'
import { dayNumber } from './calendar.js'
import { CAMP_COLUMNS, CAMP_PLAN_COLUMNS, campPlanValues, campValues, CREATE_CAMP_PLANS, inviteSeededCamps, walkInValues } from './camps.js'
import { generate, type SeedBatch } from './generate.js'
import type { AppointmentRow, MembershipRow, PersonRow, RoleSpec } from './members.js'
import type { Preset } from './plan.js'
import type { SeedProgress } from './progress.js'
import type { UnitRow } from './tree.js'
import { verifyOrganisation } from './verify.js'

export interface SeedOptions {
  preset: Preset
  seed: number
  /** YYYY-MM-DD: every generated date is relative to it. */
  today: string
}

export interface SeedCounts {
  units: Record<UnitLevel, number>
  assemblies: number
  sectors: number
  sectorsWithIncharge: number
  people: number
  memberships: number
  currentMemberships: number
  activeMembers: number
  appointments: number
  currentAppointments: number
  camps: number
  campsHeld: number
  campsPlanned: number
  invitations: number
  attended: number
  walkIns: number
  attendanceDays: number
}

/** The database already holds one of the preset's states: the seed only adds, never replaces. */
export class SeedRefusal extends Error {}

// The tree trigger stays on: it derives path, code_path and parent_level from the parent,
// so the loaded tree is exactly what the API would have built (it costs a few seconds).
const TREE_TRIGGER = 'units_derive_tree_columns'
// On these tables every user trigger (own-booth rule, seats, counters) is replaced by the
// set-based verification and the counter rebuild below.
const ORGANISATION_TABLES = ['people', 'person_handles', 'memberships', 'appointments'] as const
// And on the camps' tables (rules and training counters): camp_violations() and the same rebuild.
const CAMP_TABLES = ['camps', 'camp_topics', 'camp_trainers', 'invitations', 'attendance'] as const
// What rebuild_coverage_stats() (30_counters.sql) empties and fills again.
const COUNTER_TABLES = ['unit_stats', 'office_stats', 'post_stats', 'member_joins', 'post_days', 'duty_stats', 'duty_platform_stats',
  'assembly_stats', 'assembly_office_stats', 'assembly_post_stats', 'assembly_member_joins', 'training_people', 'training_stats', 'training_rates'] as const

/**
 * Loads a preset in one transaction: COPY per level and per district with the per-row
 * triggers off, then the rules verified and the coverage counters recounted set-based,
 * triggers back on, commit. Either the whole organisation is there or none of it.
 */
export async function seedDatabase (handle: DatabaseHandle, options: SeedOptions, progress: SeedProgress): Promise<SeedCounts> {
  const session = await openSession(handle)
  try {
    await refuseExistingStates(session.db, options.preset)
    const roles = await rows<RoleSpec>(session.db, sql`SELECT wing_code AS wing, code, levels::text[] AS levels, seats FROM roles ORDER BY wing_code, sort_order, code`)
    const counts = await session.transaction(async (load) => {
      const { tx } = load
      await beginWork(tx, systemActor('seed'), limitsOf(handle.db).bulk)
      // The counter rebuild groups millions of rows: in memory, not in temporary files.
      // (PGlite's heap is small, and its loads are small.)
      if (session.kind === 'postgres') await tx.execute(sql`SET LOCAL work_mem = '256MB'`)
      // And the indexes built after the COPY sort in memory (people's name indexes, the keys).
      if (session.kind === 'postgres') await tx.execute(sql`SET LOCAL maintenance_work_mem = '1GB'`)
      // One camp_audience() statement per camp: its cost estimate crosses jit_above_cost,
      // and compiling took ~0.5 s of each ~30 ms call (cg).
      if (session.kind === 'postgres') await tx.execute(sql`SET LOCAL jit = off`)
      const unitTriggers = await setTriggers(tx, 'DISABLE')
      const deferred = await deferOrganisationConstraints(tx)
      for (const statement of CREATE_CAMP_PLANS) await tx.execute(statement)
      const loaded = await loadBatches(load, generate(options.preset, { seed: options.seed, today: dayNumber(options.today), roles }), progress)
      // Fresh statistics first, or the checks below (and the foreign keys' validation) plan their joins for empty tables.
      await progress.time('analyze', () => tx.execute(sql.raw(`ANALYZE units, assemblies, clusters, cluster_booths, camps, ${ORGANISATION_TABLES.join(', ')}`)))
      for (const statement of deferred) await progress.time('constraints', () => tx.execute(sql.raw(statement)))
      progress.step('inviting the camps\' audiences')
      await progress.time('camps', async () => {
        await inviteSeededCamps(tx, options.seed)
        await tx.execute(sql`ANALYZE invitations, attendance`)
        Object.assign(loaded, await campCounts(tx))
      })
      progress.step('verifying the own-booth rule and seats')
      await progress.time('verify', () => verifyOrganisation(tx))
      progress.step('recounting coverage counters')
      await progress.time('counters', async () => {
        // The recount rewrites every counter row: their keys to units are validated once after it.
        const keys = await dropConstraints(tx, COUNTER_TABLES, 'foreign keys')
        await tx.execute(sql`SELECT rebuild_coverage_stats()`)
        for (const statement of keys) await tx.execute(sql.raw(statement))
      })
      await setTriggers(tx, 'ENABLE', unitTriggers)
      await recordSeed(tx, options)
      progress.step('committing')
      return { commit: true, value: loaded }
    })
    await progress.time('analyze', () => session.db.execute(sql`ANALYZE unit_stats, post_stats, member_joins, training_people, training_stats, training_rates`))
    return counts
  } finally {
    await session.release()
  }
}

async function refuseExistingStates (db: Database, preset: Preset): Promise<void> {
  const codes = preset.states.map(s => s.code)
  const taken = await rows<{ code: string }>(db,
    sql`SELECT code FROM units WHERE level = 'state' AND code = ANY (string_to_array(${codes.join(',')}, ',')) ORDER BY code`)
  if (taken.length > 0) {
    throw new SeedRefusal(`state ${taken.map(t => t.code).join(', ')} already exists in this database; ` +
      'the seed loads only into a database without the preset\'s states (use a fresh database, or another preset)')
  }
}

/**
 * Disables (or re-enables) the triggers the load replaces. ALTER TABLE locks the tables
 * until commit, so API writes wait for the load instead of racing it. Trigger names on
 * units are read from the catalogue, so a migration that renames them cannot leave one on.
 */
async function setTriggers (tx: Database, action: 'DISABLE' | 'ENABLE', unitTriggers?: string[]): Promise<string[]> {
  const names = unitTriggers ?? (await rows<{ name: string }>(tx,
    sql`SELECT tgname AS name FROM pg_trigger WHERE tgrelid = 'units'::regclass AND NOT tgisinternal AND tgname <> ${TREE_TRIGGER} ORDER BY tgname`)).map(t => t.name)
  const statements = [
    ...names.map(name => `ALTER TABLE units ${action} TRIGGER "${name.replaceAll('"', '""')}"`),
    ...[...ORGANISATION_TABLES, ...CAMP_TABLES].map(table => `ALTER TABLE ${table} ${action} TRIGGER USER`)
  ]
  for (const statement of statements) await tx.execute(sql.raw(statement))
  return names
}

/**
 * Drops constraints of `tables` and returns the statements that recreate them, indexes
 * and unique constraints before the foreign keys: a bulk load builds each index once,
 * sorted, checking a unique or exclusion constraint as it goes, and validates each
 * foreign key by one join, instead of a page touched, a lookup and a row lock on the
 * referenced row per row written. `all`: every constraint and index but the primary keys
 * (a unique constraint only when no foreign key points at it); `foreign keys`: those only.
 */
async function dropConstraints (tx: Database, tables: readonly string[], what: 'all' | 'foreign keys'): Promise<string[]> {
  const within = `ARRAY[${tables.map(t => `'${t}'`).join(', ')}]::regclass[]`
  const constraints = await rows<{ table: string, name: string, definition: string }>(tx, sql.raw(`
    SELECT k.conrelid::regclass::text AS table, k.conname AS name, pg_get_constraintdef(k.oid) AS definition
      FROM pg_constraint k
     WHERE k.conrelid = ANY (${within}) AND k.contype IN (${what === 'all' ? "'f', 'u', 'x'" : "'f'"})
       AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = k.conindid AND k.contype <> 'f')
     ORDER BY k.contype = 'f', k.conrelid::regclass::text, k.conname`))
  // Indexes that no constraint owns (unique ones too: memberships' one current membership).
  const indexes = what === 'foreign keys'
    ? []
    : await rows<{ name: string, definition: string }>(tx, sql.raw(`
    SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS definition
      FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
     WHERE i.indrelid = ANY (${within})
       AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
     ORDER BY c.relname`))
  const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`
  for (const k of [...constraints].reverse()) await tx.execute(sql.raw(`ALTER TABLE ${k.table} DROP CONSTRAINT ${quoted(k.name)}`))
  for (const index of indexes) await tx.execute(sql.raw(`DROP INDEX ${quoted(index.name)}`))
  return [
    ...indexes.map(i => i.definition),
    ...constraints.map(k => `ALTER TABLE ${k.table} ADD CONSTRAINT ${quoted(k.name)} ${k.definition}`)
  ]
}

/**
 * Into a database with no people yet, people, memberships and appointments (and handles)
 * load with their primary keys only, and get the rest after the COPY (dropConstraints).
 * Into one that has people, nothing is dropped: the load is checked row by row.
 */
async function deferOrganisationConstraints (tx: Database): Promise<string[]> {
  const [{ empty }] = await rows<{ empty: boolean }>(tx, sql`SELECT NOT EXISTS (SELECT 1 FROM people) AND NOT EXISTS (SELECT 1 FROM appointments) AS empty`)
  return empty ? dropConstraints(tx, ORGANISATION_TABLES, 'all') : []
}

const ANALYZE_AFTER_ROWS = 1000
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

async function loadBatches (load: SessionTransaction, batches: Generator<SeedBatch>, progress: SeedProgress): Promise<SeedCounts> {
  const counts: SeedCounts = {
    units: { state: 0, district: 0, block: 0, ward: 0, booth: 0 },
    assemblies: 0,
    sectors: 0,
    sectorsWithIncharge: 0,
    people: 0,
    memberships: 0,
    currentMemberships: 0,
    activeMembers: 0,
    appointments: 0,
    currentAppointments: 0,
    camps: 0,
    campsHeld: 0,
    campsPlanned: 0,
    invitations: 0,
    attended: 0,
    walkIns: 0,
    attendanceDays: 0
  }
  for (;;) {
    const next = await progress.time('generate', () => batches.next())
    if (next.done) return counts
    const batch = next.value
    if (batch.kind === 'assemblies') {
      await progress.time('copy units', () => load.copy('assemblies', ASSEMBLY_COLUMNS, batch.rows.map(a => [a.id, a.stateId, a.number, a.name])))
      counts.assemblies += batch.rows.length
      continue
    }
    if (batch.kind === 'units') {
      await progress.time('copy units', () => load.copy('units', UNIT_COLUMNS, batch.rows.map(unitValues)))
      // The foreign-key checks of the next level (and of people) plan their lookup once per
      // session: planned against an empty units table they scan a whole level by
      // (level, code_path) per row instead of probing (id, level), and a UP load took
      // minutes instead of seconds. Fresh statistics make them replan.
      if (batch.rows.length >= ANALYZE_AFTER_ROWS) await progress.time('analyze', () => load.tx.execute(sql`ANALYZE units`))
      counts.units[batch.level] += batch.rows.length
      progress.advance(`${batch.state} ${batch.level}s`, 0, batch.rows.length)
      continue
    }
    if (batch.kind === 'camps') {
      await progress.time('copy camps', async () => {
        await load.copy('camps', CAMP_COLUMNS, batch.camps.map(campValues))
        await load.copy('camp_topics', ['camp_id', 'topic_code'], batch.camps.flatMap(c => c.topics.map(t => [c.id, t])))
        await load.copy('camp_trainers', ['camp_id', 'position', 'name'], batch.camps.flatMap(c => c.trainers.map((name, i) => [c.id, i + 1, name])))
        await load.copy('seed_camp_plans', CAMP_PLAN_COLUMNS, batch.camps.map(campPlanValues))
        await load.copy('seed_walk_ins', ['camp_id', 'person_id'], batch.camps.flatMap(walkInValues))
      })
      counts.camps += batch.camps.length
      counts.campsHeld += batch.camps.filter(c => c.status === 'held').length
      counts.campsPlanned += batch.camps.filter(c => c.status === 'planned').length
      continue
    }
    if (batch.kind === 'clusters') {
      await progress.time('copy clusters', async () => {
        await load.copy('clusters', CLUSTER_COLUMNS, batch.clusters.map(c => [c.id, c.unitId, c.kindCode, c.code, c.name, c.localName]))
        await load.copy('cluster_booths', CLUSTER_BOOTH_COLUMNS, batch.booths.map(b => [b.boothId, b.kindCode, b.clusterId]))
        await load.copy('appointments', [...APPOINTMENT_COLUMNS, 'cluster_id'], batch.appointments.map(a => [...appointmentValues(a), a.clusterId]))
      })
      counts.sectors += batch.clusters.length
      counts.sectorsWithIncharge += batch.appointments.length
      counts.appointments += batch.appointments.length
      counts.currentAppointments += batch.appointments.length
      continue
    }
    await progress.time('copy people', () => load.copy('people', PERSON_COLUMNS, batch.people.map(personValues)))
    await progress.time('copy people', () => load.copy('person_handles', HANDLE_COLUMNS, handleValues(batch.people)))
    await progress.time('copy memberships', () => load.copy('memberships', MEMBERSHIP_COLUMNS, batch.memberships.map(membershipValues)))
    await progress.time('copy appointments', () => load.copy('appointments', APPOINTMENT_COLUMNS, batch.appointments.map(appointmentValues)))
    counts.people += batch.people.length
    counts.memberships += batch.memberships.length
    for (const m of batch.memberships) {
      if (m.status === 'current') counts.currentMemberships++
      if (m.status === 'current' && m.grade === 'active') counts.activeMembers++
    }
    counts.appointments += batch.appointments.length
    for (const a of batch.appointments) if (a.endDate === null) counts.currentAppointments++
    progress.advance(`${batch.state} ${batch.label}`, batch.booths, batch.people.length + batch.memberships.length + batch.appointments.length)
  }
}

/** What the camps' SQL step made (this load's camps only). */
async function campCounts (tx: Database): Promise<Pick<SeedCounts, 'invitations' | 'attended' | 'walkIns' | 'attendanceDays'>> {
  const [found] = await rows<Pick<SeedCounts, 'invitations' | 'attended' | 'walkIns' | 'attendanceDays'>>(tx, sql`
    SELECT count(*)::int AS invitations,
           count(*) FILTER (WHERE i.status = 'attended')::int AS attended,
           count(*) FILTER (WHERE i.source = 'walk_in')::int AS "walkIns",
           coalesce(sum((SELECT count(*) FROM attendance a WHERE a.invitation_id = i.id)), 0)::int AS "attendanceDays"
      FROM seed_camp_plans s JOIN invitations i ON i.camp_id = s.camp_id`)
  return found
}

/** One audit record per seeded state: the trail says where the organisation came from. */
async function recordSeed (tx: Database, options: SeedOptions): Promise<void> {
  const after = JSON.stringify({ preset: options.preset.name, seed: options.seed, today: options.today })
  await tx.execute(sql`
    INSERT INTO audit_log (request_id, action, entity_type, entity_id, unit_id, unit_path, after)
    SELECT 'seed', 'seed', 'unit', id::text, id, path, ${after}::jsonb FROM units
     WHERE level = 'state' AND code = ANY (string_to_array(${options.preset.states.map(s => s.code).join(',')}, ','))`)
}
