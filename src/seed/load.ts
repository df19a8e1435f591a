import { sql } from 'drizzle-orm'
import { rows, type Database, type DatabaseHandle } from '../db/client.js'
import type { UnitLevel } from '../db/schema.js'
import { openSession, type SessionTransaction } from '../db/session.js'
import { beginWork, limitsOf } from '../db/transaction.js'
import { systemActor } from '../access/actor.js'
import { loadBatches } from './batches.js'
import { dayNumber } from './calendar.js'
import { CREATE_CAMP_PLANS, inviteSeededCamps } from './camps.js'
import type { CountName, LoadBatch } from './encode.js'
import type { RoleSpec } from './members.js'
import type { Preset } from './plan.js'
import type { SeedProgress } from './progress.js'
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
      const unitIndexes = await deferUnitIndexes(tx)
      const { deferred, invitationKeys } = await deferOrganisationConstraints(load)
      for (const statement of CREATE_CAMP_PLANS) await tx.execute(statement)
      const loaded = await loadAll(load, loadBatches(options.preset, { seed: options.seed, today: dayNumber(options.today), roles }), progress)
      // Fresh statistics first, or the checks below (and the foreign keys' validation) plan their joins for empty tables.
      await progress.time('analyze', () => tx.execute(sql.raw(`ANALYZE units, assemblies, clusters, cluster_booths, camps, ${ORGANISATION_TABLES.join(', ')}`)))
      for (const statement of [...unitIndexes, ...deferred]) await progress.time('constraints', () => tx.execute(sql.raw(statement)))
      progress.step('inviting the camps\' audiences')
      await progress.time('camps', async () => {
        await inviteSeededCamps(tx, options.seed)
        for (const statement of invitationKeys) await tx.execute(sql.raw(statement))
        await tx.execute(sql`ANALYZE invitations, attendance`)
        Object.assign(loaded, await campCounts(tx))
      })
      progress.step('verifying the own-booth rule and seats')
      await progress.time('verify', () => verifyOrganisation(tx))
      progress.step('recounting coverage counters')
      await progress.time('counters', async () => {
        // The recount rewrites every counter row: their keys to units are validated once after it.
        const keys = await dropConstraints(tx, COUNTER_TABLES, { foreignKeys: true })
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
 * sorted, checking a unique constraint as it goes, and validates each foreign key by one
 * join, instead of a page touched, a lookup and a row lock on the referenced row per row
 * written. Which: `foreignKeys`; `uniques`, the unique constraints no foreign key points
 * at; `indexes`, those no constraint owns. Primary keys always stay.
 */
interface Dropped { foreignKeys?: boolean, uniques?: boolean, indexes?: boolean }

async function dropConstraints (tx: Database, tables: readonly string[], which: Dropped): Promise<string[]> {
  const within = `ARRAY[${tables.map(t => `'${t}'`).join(', ')}]::regclass[]`
  const kinds = [which.foreignKeys === true ? 'f' : '', which.uniques === true ? 'u' : ''].filter(Boolean).join(',')
  const constraints = await rows<{ table: string, name: string, definition: string }>(tx, sql.raw(`
    SELECT k.conrelid::regclass::text AS table, k.conname AS name, pg_get_constraintdef(k.oid) AS definition
      FROM pg_constraint k
     WHERE k.conrelid = ANY (${within}) AND k.contype = ANY ('{${kinds}}'::"char"[])
       AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = k.conindid AND k.contype <> 'f')
     ORDER BY k.contype = 'f', k.conrelid::regclass::text, k.conname`))
  // Indexes that no constraint owns (unique ones too: memberships' one current membership).
  const indexes = which.indexes !== true
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
 * load with their primary keys only, and get the rest after the COPY (dropConstraints);
 * on PostgreSQL their rows are written frozen and all-visible (session.freeze): the
 * country's 16 GB would otherwise be rewritten by its first readers setting hint bits,
 * and read through the heap, not index-only, until a VACUUM (a state's vacancies took
 * 5.6x up's time). Into one that has people, nothing is dropped: the load is checked row
 * by row.
 */
async function deferOrganisationConstraints (load: SessionTransaction): Promise<{ deferred: string[], invitationKeys: string[] }> {
  // Empty or not is answered under freeze()'s lock: no API write can add a person between
  // the answer and the constraints dropped. The lock and the truncation take the tables
  // whose keys lead to people too, invitations and attendance among them (empty as well):
  // the camps' audiences are written without their foreign keys and the invitations'
  // index by person, which come back after them (the unique key stays: the walk-ins rely
  // on it).
  if (!(await load.freeze(ORGANISATION_TABLES))) return { deferred: [], invitationKeys: [] }
  return {
    deferred: await dropConstraints(load.tx, ORGANISATION_TABLES, { foreignKeys: true, uniques: true, indexes: true }),
    invitationKeys: await dropConstraints(load.tx, ['invitations', 'attendance'], { foreignKeys: true, indexes: true })
  }
}

/**
 * Into a database without units, the tree loads with the keys its rows are checked by
 * (primary, unique, the parent's (id, level)) and without its search indexes (the path's
 * GiST, the names' and codes' trigrams, level and code path, constituency), built after
 * the load in one pass each. The units table is already locked (setTriggers).
 */
async function deferUnitIndexes (tx: Database): Promise<string[]> {
  const [{ empty }] = await rows<{ empty: boolean }>(tx, sql`SELECT NOT EXISTS (SELECT 1 FROM units) AS empty`)
  return empty ? dropConstraints(tx, ['units'], { indexes: true }) : []
}

const ANALYZE_AFTER_ROWS = 1000

async function loadAll (load: SessionTransaction, batches: AsyncIterable<LoadBatch>, progress: SeedProgress): Promise<SeedCounts> {
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
  // Time spent waiting for the generator: what the COPYs did not hide.
  const iterator = batches[Symbol.asyncIterator]()
  for (;;) {
    const next = await progress.time('generate', () => iterator.next())
    if (next.done) return counts
    const batch = next.value
    // People before their memberships and terms, units level by level: the order of the copies.
    for (const c of batch.copies) await progress.time(c.phase, () => load.copyText(c.table, c.columns, c.text))
    for (const [name, n] of Object.entries(batch.counts) as Array<[CountName, number]>) counts[name] += n
    if (batch.units) {
      counts.units[batch.units.level] += batch.units.rows
      // The foreign-key checks of the next level plan their lookup once per session:
      // planned against an empty units table they scan a whole level by (level,
      // code_path) per row instead of probing (id, level), and a UP load took minutes
      // instead of seconds. Fresh statistics make them replan: of the key's columns only,
      // as code_path's 2,000-bucket histogram samples 6 lakh rows (253 s of india's load).
      if (batch.units.rows >= ANALYZE_AFTER_ROWS) await progress.time('analyze', () => load.tx.execute(sql`ANALYZE units (id, level)`))
    }
    if (batch.progress) progress.advance(batch.progress.step, batch.progress.booths, batch.progress.rows)
  }
}

/** What the camps' SQL step made (this load's camps only). */
async function campCounts (tx: Database): Promise<Pick<SeedCounts, 'invitations' | 'attended' | 'walkIns' | 'attendanceDays'>> {
  // The days counted per invitation by one grouping, not a probe per invitation (19 lakh of them on india: 6.8 s).
  const [found] = await rows<Pick<SeedCounts, 'invitations' | 'attended' | 'walkIns' | 'attendanceDays'>>(tx, sql`
    SELECT count(*)::int AS invitations,
           count(*) FILTER (WHERE i.status = 'attended')::int AS attended,
           count(*) FILTER (WHERE i.source = 'walk_in')::int AS "walkIns",
           coalesce(sum(d.days), 0)::int AS "attendanceDays"
      FROM seed_camp_plans s JOIN invitations i ON i.camp_id = s.camp_id
      LEFT JOIN (SELECT invitation_id, count(*) AS days FROM attendance GROUP BY 1) d ON d.invitation_id = i.id`)
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
