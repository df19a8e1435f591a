import { sql } from 'drizzle-orm'
import {
  type AnyPgColumn, bigint, boolean, check, customType, date, foreignKey, index, integer, jsonb, pgEnum, pgSequence, pgTable, primaryKey, text, timestamp, unique, uniqueIndex, uuid
} from 'drizzle-orm/pg-core'
import { VOTER_ID_PATTERN } from '../people/identity.js'

/**
 * The one schema module: tables, constraints and indexes. drizzle-kit generates the
 * ordered migrations from it (hand-written ones add what it cannot express, such as
 * extensions). Triggers, trigger functions, views and the functions that own the rules
 * have one current definition each in src/db/routines/*.sql; the whole schema as the
 * database holds it is committed in src/db/schema.sql (npm run db:dump).
 */

export const UNIT_LEVELS = ['state', 'district', 'block', 'ward', 'booth'] as const
export type UnitLevel = typeof UNIT_LEVELS[number]

export const unitLevel = pgEnum('unit_level', UNIT_LEVELS)

// ltree: materialised path of internal node numbers (never of codes, which change
// and may hold '-', which PostgreSQL 15's ltree rejects).
const ltree = customType<{ data: string }>({ dataType: () => 'ltree' })
// Byte-order collation so that code paths sort the same on every server and the
// keyset pagination over them is stable.
const textC = customType<{ data: string }>({ dataType: () => 'text COLLATE "C"' })

export const units = pgTable('units', {
  id: uuid('id').primaryKey().defaultRandom(),
  node: bigint('node', { mode: 'number' }).generatedAlwaysAsIdentity().notNull(),
  level: unitLevel('level').notNull(),
  parentId: uuid('parent_id'),
  // Copied from the parent by a trigger; with the composite foreign key below it
  // lets a CHECK constraint, not application code, decide which level hangs where.
  parentLevel: unitLevel('parent_level'),
  path: ltree('path').notNull(),
  code: text('code').notNull(),
  codePath: textC('code_path').notNull(),
  name: text('name').notNull(),
  localName: text('local_name'),
  displayLabel: text('display_label'),
  acNumber: integer('ac_number'),
  acName: text('ac_name'),
  psNumber: text('ps_number'),
  // Booths only: the assembly constituency of (its state, ac_number), set by a trigger
  // (src/db/routines/45_assemblies.sql), never by a writer.
  assemblyId: uuid('assembly_id').references((): AnyPgColumn => assemblies.id),
  version: integer('version').notNull().default(1),
  // The bulk import that last created or changed the row, for traceability.
  importId: uuid('import_id'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
}, (t) => [
  unique('units_node_key').on(t.node),
  unique('units_id_level_key').on(t.id, t.level),
  unique('units_sibling_code_key').on(t.parentId, t.code).nullsNotDistinct(),
  unique('units_code_path_key').on(t.codePath),
  foreignKey({
    name: 'units_parent_fkey',
    columns: [t.parentId, t.parentLevel],
    foreignColumns: [t.id, t.level]
  }),
  // IS NOT DISTINCT FROM, not =: a NULL would make the CHECK pass silently.
  check('units_parent_level_check', sql`CASE ${t.level}
    WHEN 'state' THEN ${t.parentId} IS NULL AND ${t.parentLevel} IS NULL
    WHEN 'district' THEN ${t.parentId} IS NOT NULL AND ${t.parentLevel} IS NOT DISTINCT FROM 'state'
    WHEN 'block' THEN ${t.parentId} IS NOT NULL AND ${t.parentLevel} IS NOT DISTINCT FROM 'district'
    WHEN 'ward' THEN ${t.parentId} IS NOT NULL AND ${t.parentLevel} IS NOT DISTINCT FROM 'block'
    WHEN 'booth' THEN ${t.parentId} IS NOT NULL AND ${t.parentLevel} IS NOT DISTINCT FROM 'ward'
  END`),
  check('units_code_check', sql`${t.code} ~ '^[A-Z0-9][A-Z0-9_-]{0,31}$'`),
  check('units_name_check', sql`length(btrim(${t.name})) BETWEEN 1 AND 200`),
  check('units_booth_fields_check', sql`${t.level} = 'booth' OR (${t.acNumber} IS NULL AND ${t.acName} IS NULL AND ${t.psNumber} IS NULL)`),
  check('units_ac_number_check', sql`${t.acNumber} IS NULL OR ${t.acNumber} BETWEEN 1 AND 9999`),
  index('units_path_gist').using('gist', t.path),
  index('units_level_code_path_idx').on(t.level, t.codePath),
  index('units_name_trgm').using('gin', sql`${t.name} gin_trgm_ops`),
  index('units_code_trgm').using('gin', sql`${t.code} gin_trgm_ops`),
  index('units_assembly_idx').on(t.assemblyId).where(sql`${t.assemblyId} IS NOT NULL`)
])

/**
 * Assembly constituencies: elections are fought per constituency, so organisers plan and
 * count per constituency as much as per block. A grouping over the tree's booths, not a
 * level of it: a constituency is (state, number), created when the first booth names it
 * (API, import or seed) and its booths are the state's booths with that ac_number.
 */
export const assemblies = pgTable('assemblies', {
  id: uuid('id').primaryKey().defaultRandom(),
  stateId: uuid('state_id').notNull(),
  // Always 'state': with the composite foreign key, only a state can own a constituency.
  stateLevel: unitLevel('state_level').notNull().default('state'),
  number: integer('number').notNull(),
  name: text('name').notNull(),
  // false while the name is a placeholder ('AC 72'): the first booth that names the
  // constituency names it, and from then on a booth must give the same name.
  named: boolean('named').notNull().default(true),
  localName: text('local_name'),
  // Seats reserved for scheduled castes or scheduled tribes; null when unreserved.
  reserved: text('reserved'),
  version: integer('version').notNull().default(1),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
}, (t) => [
  unique('assemblies_state_number_key').on(t.stateId, t.number),
  foreignKey({ name: 'assemblies_state_fkey', columns: [t.stateId, t.stateLevel], foreignColumns: [units.id, units.level] }).onDelete('cascade'),
  check('assemblies_state_level_check', sql`${t.stateLevel} = 'state'`),
  check('assemblies_number_check', sql`${t.number} BETWEEN 1 AND 9999`),
  check('assemblies_name_check', sql`length(btrim(${t.name})) BETWEEN 1 AND 200`),
  check('assemblies_reserved_check', sql`${t.reserved} IN ('SC', 'ST')`)
])

export const idempotencyRequests = pgTable('idempotency_requests', {
  principal: text('principal').notNull(),
  key: text('key').notNull(),
  fingerprint: text('fingerprint').notNull(),
  statusCode: integer('status_code'),
  headers: text('headers'),
  body: text('body'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
}, (t) => [
  primaryKey({ name: 'idempotency_requests_pkey', columns: [t.principal, t.key] }),
  index('idempotency_requests_created_idx').on(t.createdAt)
])

export const KEY_ROLES = ['reader', 'editor', 'importer', 'admin'] as const
export type KeyRole = typeof KEY_ROLES[number]
export const keyRole = pgEnum('key_role', KEY_ROLES)

/** API keys: only a SHA-256 of the secret is kept (keys are 256-bit random, so no slow hash is needed). */
export const apiKeys = pgTable('api_keys', {
  id: uuid('id').primaryKey().defaultRandom(),
  label: text('label').notNull(),
  role: keyRole('role').notNull(),
  // A key scoped to a unit sees and changes only that unit's subtree; null is global.
  scopeUnitId: uuid('scope_unit_id').references(() => units.id),
  secretHash: text('secret_hash').notNull(),
  // First characters of the secret, so a person can tell keys apart without the secret.
  prefix: text('prefix').notNull(),
  maskPersonalData: boolean('mask_personal_data').notNull().default(false),
  createdBy: uuid('created_by'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
  expiresAt: timestamp('expires_at', { withTimezone: true }),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
  revokedBy: uuid('revoked_by')
}, (t) => [
  unique('api_keys_secret_hash_key').on(t.secretHash),
  index('api_keys_scope_idx').on(t.scopeUnitId),
  check('api_keys_label_check', sql`length(btrim(${t.label})) BETWEEN 1 AND 200`),
  check('api_keys_mask_check', sql`NOT ${t.maskPersonalData} OR ${t.role} = 'reader'`)
])

/**
 * The audit trail: one row per change, written in the change's own transaction. A
 * trigger refuses UPDATE and DELETE, so the trail is append-only even to raw SQL.
 */
export const auditLog = pgTable('audit_log', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  keyId: uuid('key_id'),
  requestId: text('request_id'),
  action: text('action').notNull(),
  entityType: text('entity_type').notNull(),
  entityId: text('entity_id').notNull(),
  unitId: uuid('unit_id'),
  // The unit's tree path when the change happened: scoped keys see the records of their subtree.
  unitPath: ltree('unit_path'),
  before: jsonb('before'),
  after: jsonb('after')
}, (t) => [
  index('audit_log_unit_path_gist').using('gist', t.unitPath),
  index('audit_log_entity_idx').on(t.entityType, t.entityId, t.id),
  index('audit_log_key_idx').on(t.keyId, t.id),
  index('audit_log_at_idx').on(t.at)
])

/**
 * The change feed's outbox (GET /v1/changes): one row per published audit record, written
 * by a trigger on audit_log in the change's own transaction (src/db/routines/50_changes.sql).
 * A row is born without a position; sequence_changes() numbers the committed ones under an
 * advisory lock, so positions become visible in increasing order and a reader resuming
 * after position p never misses one that commits later. Kept CHANGES_RETENTION_DAYS.
 */
export const changePositions = pgSequence('change_positions', { startWith: 1, increment: 1 })

export const changes = pgTable('changes', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  // Set once, at commit time (by the sequencer), never before.
  position: bigint('position', { mode: 'number' }),
  positionedAt: timestamp('positioned_at', { withTimezone: true }),
  auditId: bigint('audit_id', { mode: 'number' }).notNull(),
  type: text('type').notNull(),
  entityType: text('entity_type').notNull(),
  entityId: text('entity_id').notNull(),
  unitId: uuid('unit_id'),
  // The unit's tree path and code path when the change happened: scope is by the unit at the time.
  unitPath: ltree('unit_path'),
  unitCodePath: textC('unit_code_path'),
  at: timestamp('at', { withTimezone: true }).notNull(),
  // Ids and the fields that changed; never a phone number or voter ID.
  payload: jsonb('payload').notNull()
}, (t) => [
  uniqueIndex('changes_position_key').on(t.position),
  index('changes_pending_idx').on(t.id).where(sql`${t.position} IS NULL`),
  check('changes_positioned_check', sql`(${t.position} IS NULL) = (${t.positionedAt} IS NULL)`)
])

/** One row: the highest position retention has deleted; a cursor below it is expired (410). */
export const changeFeedFloor = pgTable('change_feed_floor', {
  only: boolean('only').primaryKey().default(true),
  expiredThrough: bigint('expired_through', { mode: 'number' }).notNull().default(0)
}, (t) => [
  check('change_feed_floor_only_check', sql`${t.only}`)
])

export const GENDERS = ['female', 'male', 'other'] as const
export const gender = pgEnum('gender', GENDERS)
export const MEMBERSHIP_GRADES = ['primary', 'active'] as const
export const membershipGrade = pgEnum('membership_grade', MEMBERSHIP_GRADES)
export const MEMBERSHIP_STATUSES = ['current', 'lapsed'] as const
export const membershipStatus = pgEnum('membership_status', MEMBERSHIP_STATUSES)

/**
 * A person and their home booth (where they vote). `home_level` is always 'booth': with
 * the composite foreign key it makes PostgreSQL refuse a home that is not a booth.
 */
export const people = pgTable('people', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  homeBoothId: uuid('home_booth_id').notNull(),
  homeLevel: unitLevel('home_level').notNull().default('booth'),
  phone: text('phone'),
  voterId: text('voter_id'),
  gender: gender('gender'),
  // The platforms of the person's handles (person_handles), sorted: kept by that table's
  // triggers (22_handles.sql) so counters and lists need no join to know them.
  handlePlatforms: text('handle_platforms').array().notNull().default(sql`'{}'::text[]`),
  version: integer('version').notNull().default(1),
  importId: uuid('import_id'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
}, (t) => [
  foreignKey({ name: 'people_home_booth_fkey', columns: [t.homeBoothId, t.homeLevel], foreignColumns: [units.id, units.level] }),
  check('people_home_level_check', sql`${t.homeLevel} = 'booth'`),
  check('people_name_check', sql`length(btrim(${t.name})) BETWEEN 1 AND 200`),
  // E.164 Indian mobile: +91 and ten digits starting 6-9.
  check('people_phone_check', sql`${t.phone} ~ '^\\+91[6-9][0-9]{9}$'`),
  // The one definition of a voter ID's forms lives in src/people/identity.ts.
  check('people_voter_id_check', sql`${t.voterId} ~ ${sql.raw(`'${VOTER_ID_PATTERN}'`)}`),
  unique('people_voter_id_key').on(t.voterId),
  index('people_home_booth_idx').on(t.homeBoothId),
  index('people_phone_idx').on(t.phone),
  // The people list's order (name, then id): a page is read from here, not sorted out of
  // every person under the unit (a state's first page: 0.44 s of sorting 17,26,020).
  index('people_name_order_idx').on(t.name, t.id),
  index('people_name_trgm').using('gin', sql`${t.name} gin_trgm_ops`)
])

export const memberships = pgTable('memberships', {
  id: uuid('id').primaryKey().defaultRandom(),
  personId: uuid('person_id').notNull().references(() => people.id),
  boothId: uuid('booth_id').notNull(),
  boothLevel: unitLevel('booth_level').notNull().default('booth'),
  grade: membershipGrade('grade').notNull(),
  status: membershipStatus('status').notNull().default('current'),
  joinedOn: date('joined_on', { mode: 'string' }).notNull(),
  lapsedOn: date('lapsed_on', { mode: 'string' }),
  version: integer('version').notNull().default(1),
  importId: uuid('import_id'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
}, (t) => [
  foreignKey({ name: 'memberships_booth_fkey', columns: [t.boothId, t.boothLevel], foreignColumns: [units.id, units.level] }),
  check('memberships_booth_level_check', sql`${t.boothLevel} = 'booth'`),
  check('memberships_lapse_check', sql`(${t.status} = 'lapsed') = (${t.lapsedOn} IS NOT NULL)`),
  check('memberships_dates_check', sql`${t.lapsedOn} IS NULL OR ${t.lapsedOn} >= ${t.joinedOn}`),
  // One current membership per person.
  uniqueIndex('memberships_one_current_idx').on(t.personId).where(sql`${t.status} = 'current'`),
  index('memberships_booth_idx').on(t.boothId, t.status, t.grade),
  index('memberships_person_idx').on(t.personId)
])

/**
 * The wings of the organisation: the main body and the frontal organisations (youth,
 * women's, students' wings, Seva Dal, the IT and social media cell). Each has posts of
 * its own at the same units; the main body is a wing like the others.
 */
export const wings = pgTable('wings', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  localName: text('local_name'),
  sortOrder: integer('sort_order').notNull().default(100),
  version: integer('version').notNull().default(1),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
}, (t) => [
  // 'all' is the filter meaning every wing: it can never name one.
  check('wings_code_check', sql`${t.code} ~ '^[a-z][a-z0-9_]{1,29}$' AND ${t.code} <> 'all'`),
  check('wings_name_check', sql`length(btrim(${t.name})) BETWEEN 1 AND 100`)
])

/** The roles catalogue: which posts each wing has, at which levels, with how many seats. */
export const roles = pgTable('roles', {
  wingCode: text('wing_code').notNull().default('main').references(() => wings.code, { onUpdate: 'cascade' }),
  code: text('code').notNull(),
  name: text('name').notNull(),
  levels: unitLevel('levels').array().notNull(),
  // A post of booth clusters of this kind (a sector's in-charge) instead of units: no levels.
  clusterKind: text('cluster_kind').references((): AnyPgColumn => clusterKinds.code, { onUpdate: 'cascade' }),
  // null: no fixed number of seats (a booth committee)
  seats: integer('seats'),
  // Counted by coverage and vacancies: a unit is fully staffed when these are filled.
  required: boolean('required').notNull().default(false),
  sortOrder: integer('sort_order').notNull().default(100),
  version: integer('version').notNull().default(1),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
}, (t) => [
  primaryKey({ name: 'roles_pkey', columns: [t.wingCode, t.code] }),
  check('roles_code_check', sql`${t.code} ~ '^[a-z][a-z0-9_]{1,49}$'`),
  check('roles_seats_check', sql`${t.seats} IS NULL OR ${t.seats} >= 1`),
  check('roles_levels_check', sql`(${t.clusterKind} IS NULL AND cardinality(${t.levels}) >= 1) OR (${t.clusterKind} IS NOT NULL AND cardinality(${t.levels}) = 0)`)
])

/**
 * Terms of office. A term covers [start_date, end_date): it is current from its start
 * date until the day before its end date; end_date NULL means it has not ended.
 */
export const appointments = pgTable('appointments', {
  id: uuid('id').primaryKey().defaultRandom(),
  personId: uuid('person_id').notNull().references(() => people.id),
  unitId: uuid('unit_id').notNull().references(() => units.id),
  // A post is (unit, wing, role): the role is looked up in its wing's catalogue.
  wingCode: text('wing_code').notNull().default('main'),
  roleCode: text('role_code').notNull(),
  // A post of a booth cluster: unit_id is the cluster's unit (its scope and its counters).
  clusterId: uuid('cluster_id'),
  startDate: date('start_date', { mode: 'string' }).notNull(),
  endDate: date('end_date', { mode: 'string' }),
  endReason: text('end_reason'),
  version: integer('version').notNull().default(1),
  importId: uuid('import_id'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
}, (t) => [
  foreignKey({ name: 'appointments_role_fkey', columns: [t.wingCode, t.roleCode], foreignColumns: [roles.wingCode, roles.code] }).onUpdate('cascade'),
  check('appointments_dates_check', sql`${t.endDate} IS NULL OR ${t.endDate} >= ${t.startDate}`),
  check('appointments_end_reason_check', sql`${t.endReason} IS NULL OR ${t.endDate} IS NOT NULL`),
  index('appointments_post_idx').on(t.unitId, t.wingCode, t.roleCode, t.startDate),
  index('appointments_person_idx').on(t.personId),
  index('appointments_open_idx').on(t.unitId, t.wingCode, t.roleCode).where(sql`${t.endDate} IS NULL`),
  foreignKey({ name: 'appointments_cluster_fkey', columns: [t.clusterId, t.unitId], foreignColumns: [clusters.id, clusters.unitId] }),
  index('appointments_cluster_idx').on(t.clusterId, t.wingCode, t.roleCode).where(sql`${t.clusterId} IS NOT NULL`)
])

/**
 * Kinds of booth cluster: groups of a few booths under one unit, between the ward and
 * the booth ("sector", "shakti kendra"), and kinds that group clusters ("zone": sectors).
 * Admins add more. `levels`: the units a cluster of the kind may belong to.
 */
export const clusterKinds = pgTable('cluster_kinds', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  localName: text('local_name'),
  // A kind that groups clusters of another kind (a zone, sectors) holds no booths itself.
  groupsKind: text('groups_kind').references((): AnyPgColumn => clusterKinds.code, { onUpdate: 'cascade' }),
  levels: unitLevel('levels').array().notNull(),
  sortOrder: integer('sort_order').notNull().default(100),
  version: integer('version').notNull().default(1),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
}, (t) => [
  check('cluster_kinds_code_check', sql`${t.code} ~ '^[a-z][a-z0-9_]{1,29}$'`),
  check('cluster_kinds_name_check', sql`length(btrim(${t.name})) BETWEEN 1 AND 100`),
  check('cluster_kinds_levels_check', sql`cardinality(${t.levels}) >= 1 AND NOT ('booth' = ANY (${t.levels}))`),
  check('cluster_kinds_groups_check', sql`${t.groupsKind} IS DISTINCT FROM ${t.code}`)
])

/**
 * Booth clusters: a kind, a code unique within its unit (a ward or a block), a name. A
 * zone-like cluster (its kind groups another) has clusters of that kind as members
 * (parent_id on them); any other has booths (cluster_booths). Rules in
 * src/db/routines/46_clusters.sql.
 */
export const clusters = pgTable('clusters', {
  id: uuid('id').primaryKey().defaultRandom(),
  unitId: uuid('unit_id').notNull().references(() => units.id),
  kindCode: text('kind_code').notNull().references(() => clusterKinds.code, { onUpdate: 'cascade' }),
  code: text('code').notNull(),
  name: text('name').notNull(),
  localName: text('local_name'),
  // The cluster that groups this one (a sector's zone): same unit, the kind that groups this kind.
  parentId: uuid('parent_id').references((): AnyPgColumn => clusters.id, { onDelete: 'set null' }),
  version: integer('version').notNull().default(1),
  importId: uuid('import_id'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
}, (t) => [
  unique('clusters_unit_code_key').on(t.unitId, t.code),
  unique('clusters_id_unit_key').on(t.id, t.unitId),
  unique('clusters_id_kind_key').on(t.id, t.kindCode),
  index('clusters_parent_idx').on(t.parentId).where(sql`${t.parentId} IS NOT NULL`),
  check('clusters_code_check', sql`${t.code} ~ '^[A-Z0-9][A-Z0-9_-]{0,31}$'`),
  check('clusters_name_check', sql`length(btrim(${t.name})) BETWEEN 1 AND 200`)
])

/** A booth's membership of a cluster: at most one cluster of each kind per booth. */
export const clusterBooths = pgTable('cluster_booths', {
  boothId: uuid('booth_id').notNull().references(() => units.id, { onDelete: 'cascade' }),
  kindCode: text('kind_code').notNull(),
  clusterId: uuid('cluster_id').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
}, (t) => [
  primaryKey({ name: 'cluster_booths_pkey', columns: [t.boothId, t.kindCode] }),
  foreignKey({ name: 'cluster_booths_cluster_fkey', columns: [t.clusterId, t.kindCode], foreignColumns: [clusters.id, clusters.kindCode] }).onDelete('cascade').onUpdate('cascade'),
  index('cluster_booths_cluster_idx').on(t.clusterId)
])

/**
 * Coverage counters, kept exact by triggers in the same transaction as every change
 * (src/db/routines/30_counters.sql). Each row aggregates a unit's whole
 * subtree, so "coverage of the state by district" reads one row per district. Only the
 * units above booths have counters: a booth's figures are read from its own terms and
 * memberships (booth_figures), so a bulk write at 100,000 booths moves ~1,100 counter
 * rows instead of ~100,000.
 */
export const unitStats = pgTable('unit_stats', {
  unitId: uuid('unit_id').primaryKey().references(() => units.id, { onDelete: 'cascade' }),
  totalBooths: integer('total_booths').notNull().default(0),
  // Current memberships of grade active at booths in the subtree.
  activeMembers: integer('active_members').notNull().default(0),
})

/**
 * Per unit above booths and wing: unended terms of office in the subtree, those whose
 * holder has a social handle, and booths by committee size (the wing's unended terms at
 * the booth): index i holds committees of i-1 members, 33 holds 32 or more; index 1 is
 * always 0 (a booth without terms is every booth not counted elsewhere: total_booths
 * less the rest). A row appears with a wing's first term in the subtree.
 */
export const officeStats = pgTable('office_stats', {
  unitId: uuid('unit_id').notNull().references(() => units.id, { onDelete: 'cascade' }),
  wingCode: text('wing_code').notNull(),
  officeBearers: integer('office_bearers').notNull().default(0),
  officeBearersWithHandle: integer('office_bearers_with_handle').notNull().default(0),
  committeeHistogram: integer('committee_histogram').array().notNull().default(sql`array_fill(0, ARRAY[33])`)
}, (t) => [primaryKey({ name: 'office_stats_pkey', columns: [t.unitId, t.wingCode] })])

/**
 * The social media platforms office-bearers may be asked to run. A handle is stored in
 * its canonical form (canonical_handle in 22_handles.sql): lower case, no '@', no URL,
 * matching handle_pattern; a profile URL on one of url_hosts is read for its handle.
 */
export const socialPlatforms = pgTable('social_platforms', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  localName: text('local_name'),
  // A POSIX regular expression the whole canonical handle must match.
  handlePattern: text('handle_pattern').notNull(),
  urlHosts: text('url_hosts').array().notNull().default(sql`'{}'::text[]`),
  // The profile address, with {handle} where the handle goes.
  profileUrl: text('profile_url').notNull(),
  sortOrder: integer('sort_order').notNull().default(100),
  version: integer('version').notNull().default(1),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
}, (t) => [
  check('social_platforms_code_check', sql`${t.code} ~ '^[a-z][a-z0-9_]{1,29}$'`),
  check('social_platforms_name_check', sql`length(btrim(${t.name})) BETWEEN 1 AND 100`),
  check('social_platforms_profile_url_check', sql`${t.profileUrl} ~ '^https://[^ ]*[{]handle[}]'`)
])

/** A person's handle on a platform: one per platform, and a handle belongs to one person. */
export const personHandles = pgTable('person_handles', {
  personId: uuid('person_id').notNull().references(() => people.id, { onDelete: 'cascade' }),
  platformCode: text('platform_code').notNull().references(() => socialPlatforms.code),
  handle: text('handle').notNull(),
  importId: uuid('import_id'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
}, (t) => [
  primaryKey({ name: 'person_handles_pkey', columns: [t.personId, t.platformCode] }),
  unique('person_handles_platform_handle_key').on(t.platformCode, t.handle)
])

/**
 * The social media duty, as data: holders of (wing, role) posts at units of `level` must
 * run `platform`. Counted by duty_stats and duty_platform_stats (32_duties.sql).
 */
export const handleDuties = pgTable('handle_duties', {
  wingCode: text('wing_code').notNull(),
  roleCode: text('role_code').notNull(),
  level: unitLevel('level').notNull(),
  platformCode: text('platform_code').notNull().references(() => socialPlatforms.code),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
}, (t) => [
  primaryKey({ name: 'handle_duties_pkey', columns: [t.wingCode, t.roleCode, t.level, t.platformCode] }),
  foreignKey({ name: 'handle_duties_role_fkey', columns: [t.wingCode, t.roleCode], foreignColumns: [roles.wingCode, roles.code] }).onUpdate('cascade').onDelete('cascade')
])

export const HANDLE_ISSUE_REASONS = ['invalid_handle', 'handle_taken'] as const

/**
 * Handles that could not be kept as given (when the four people columns were migrated to
 * person_handles): an admin reviews and dismisses them. Nothing is lost: raw_value is
 * what the person had.
 */
export const handleIssues = pgTable('handle_issues', {
  id: uuid('id').primaryKey().defaultRandom(),
  personId: uuid('person_id').notNull().references(() => people.id, { onDelete: 'cascade' }),
  platformCode: text('platform_code').notNull().references(() => socialPlatforms.code),
  rawValue: text('raw_value').notNull(),
  reason: text('reason', { enum: HANDLE_ISSUE_REASONS }).notNull(),
  // handle_taken: the person who kept the handle.
  takenBy: uuid('taken_by').references(() => people.id, { onDelete: 'set null' }),
  source: text('source').notNull().default('migration'),
  dismissedAt: timestamp('dismissed_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
}, (t) => [
  check('handle_issues_reason_check', sql`${t.reason} IN ('invalid_handle', 'handle_taken')`),
  index('handle_issues_person_idx').on(t.personId)
])

/**
 * Per unit above booths and bound post kind (wing, role, level of the post's unit): the
 * unended terms the duty binds in the subtree, and those whose holder runs every platform
 * it requires. Kept exact by 32_duties.sql.
 */
export const dutyStats = pgTable('duty_stats', {
  unitId: uuid('unit_id').notNull().references(() => units.id, { onDelete: 'cascade' }),
  wingCode: text('wing_code').notNull(),
  roleCode: text('role_code').notNull(),
  level: unitLevel('level').notNull(),
  bound: integer('bound').notNull().default(0),
  compliant: integer('compliant').notNull().default(0)
}, (t) => [primaryKey({ name: 'duty_stats_pkey', columns: [t.unitId, t.wingCode, t.roleCode, t.level] })])

/** The same per required platform: terms bound to run it, and those whose holder does. */
export const dutyPlatformStats = pgTable('duty_platform_stats', {
  unitId: uuid('unit_id').notNull().references(() => units.id, { onDelete: 'cascade' }),
  wingCode: text('wing_code').notNull(),
  roleCode: text('role_code').notNull(),
  level: unitLevel('level').notNull(),
  platformCode: text('platform_code').notNull(),
  bound: integer('bound').notNull().default(0),
  held: integer('held').notNull().default(0)
}, (t) => [primaryKey({ name: 'duty_platform_stats_pkey', columns: [t.unitId, t.wingCode, t.roleCode, t.level, t.platformCode] })])

/** Per unit above booths, wing and booth-level role: booths in the subtree whose post is filled. */
export const postStats = pgTable('post_stats', {
  unitId: uuid('unit_id').notNull().references(() => units.id, { onDelete: 'cascade' }),
  wingCode: text('wing_code').notNull(),
  roleCode: text('role_code').notNull(),
  filledBooths: integer('filled_booths').notNull().default(0)
}, (t) => [primaryKey({ name: 'post_stats_pkey', columns: [t.unitId, t.wingCode, t.roleCode] })])

/**
 * Per unit above booths, wing, required booth-level role and day: how the number of its
 * booths whose post was filled (as many terms in force as seats) changed on that day.
 * Filled on day D is the sum up to D; the trend of coverage reads it (30_counters.sql).
 */
export const postDays = pgTable('post_days', {
  unitId: uuid('unit_id').notNull().references(() => units.id, { onDelete: 'cascade' }),
  wingCode: text('wing_code').notNull(),
  roleCode: text('role_code').notNull(),
  day: date('day', { mode: 'string' }).notNull(),
  delta: integer('delta').notNull()
}, (t) => [primaryKey({ name: 'post_days_pkey', columns: [t.unitId, t.wingCode, t.roleCode, t.day] })])

/** Per unit above booths and join date: current memberships in the subtree, for "new members in the last N days". */
export const memberJoins = pgTable('member_joins', {
  unitId: uuid('unit_id').notNull().references(() => units.id, { onDelete: 'cascade' }),
  joinedOn: date('joined_on', { mode: 'string' }).notNull(),
  members: integer('members').notNull().default(0)
}, (t) => [primaryKey({ name: 'member_joins_pkey', columns: [t.unitId, t.joinedOn] })])

/**
 * The same counters per assembly constituency, kept per (constituency, district) pair: a
 * constituency's booths usually lie in one district, sometimes a few, and a key scoped
 * to a district counts only its own. A state's coverage by constituency sums its pairs
 * (a few hundred rows at the largest state); a district's reads its own. Kept exact in
 * the same statements as the unit counters (src/db/routines/33_assembly_stats.sql).
 * district_node is the district's node (units.node), the key every booth's path carries.
 */
export const assemblyStats = pgTable('assembly_stats', {
  assemblyId: uuid('assembly_id').notNull().references(() => assemblies.id, { onDelete: 'cascade' }),
  districtNode: bigint('district_node', { mode: 'number' }).notNull().references(() => units.node, { onDelete: 'cascade' }),
  totalBooths: integer('total_booths').notNull().default(0),
  activeMembers: integer('active_members').notNull().default(0)
}, (t) => [
  primaryKey({ name: 'assembly_stats_pkey', columns: [t.assemblyId, t.districtNode] }),
  index('assembly_stats_district_idx').on(t.districtNode)
])

const assemblyPair = (t: { assemblyId: AnyPgColumn, districtNode: AnyPgColumn }, name: string) =>
  foreignKey({ name, columns: [t.assemblyId, t.districtNode], foreignColumns: [assemblyStats.assemblyId, assemblyStats.districtNode] }).onDelete('cascade')

/** office_stats of a (constituency, district) pair: the wing's terms at its booths. */
export const assemblyOfficeStats = pgTable('assembly_office_stats', {
  assemblyId: uuid('assembly_id').notNull(),
  districtNode: bigint('district_node', { mode: 'number' }).notNull(),
  wingCode: text('wing_code').notNull(),
  officeBearers: integer('office_bearers').notNull().default(0),
  officeBearersWithHandle: integer('office_bearers_with_handle').notNull().default(0),
  committeeHistogram: integer('committee_histogram').array().notNull().default(sql`array_fill(0, ARRAY[33])`)
}, (t) => [
  primaryKey({ name: 'assembly_office_stats_pkey', columns: [t.assemblyId, t.districtNode, t.wingCode] }),
  assemblyPair(t, 'assembly_office_stats_pair_fkey')
])

/** post_stats of a (constituency, district) pair. */
export const assemblyPostStats = pgTable('assembly_post_stats', {
  assemblyId: uuid('assembly_id').notNull(),
  districtNode: bigint('district_node', { mode: 'number' }).notNull(),
  wingCode: text('wing_code').notNull(),
  roleCode: text('role_code').notNull(),
  filledBooths: integer('filled_booths').notNull().default(0)
}, (t) => [
  primaryKey({ name: 'assembly_post_stats_pkey', columns: [t.assemblyId, t.districtNode, t.wingCode, t.roleCode] }),
  assemblyPair(t, 'assembly_post_stats_pair_fkey')
])

/** member_joins of a (constituency, district) pair. */
export const assemblyMemberJoins = pgTable('assembly_member_joins', {
  assemblyId: uuid('assembly_id').notNull(),
  districtNode: bigint('district_node', { mode: 'number' }).notNull(),
  joinedOn: date('joined_on', { mode: 'string' }).notNull(),
  members: integer('members').notNull().default(0)
}, (t) => [
  primaryKey({ name: 'assembly_member_joins_pkey', columns: [t.assemblyId, t.districtNode, t.joinedOn] }),
  assemblyPair(t, 'assembly_member_joins_pair_fkey')
])

/**
 * Training camps (src/camps): a camp is organised by a unit (its scope), teaches topics
 * from a catalogue, declares its audience (levels, roles, wings, cluster kinds, an
 * assembly constituency under the camp's unit), and invites people: from the audience
 * rule (set-based, src/db/routines/47_camps.sql), one by one, or as walk-ins at check-in.
 * Attendance is kept per day; "attended" means at least one day.
 */
export const topics = pgTable('topics', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  localName: text('local_name'),
  sortOrder: integer('sort_order').notNull().default(100),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
}, (t) => [
  check('topics_code_check', sql`${t.code} ~ '^[a-z][a-z0-9_]{1,49}$'`),
  check('topics_name_check', sql`length(btrim(${t.name})) BETWEEN 1 AND 100`)
])

export const CAMP_STATUSES = ['planned', 'held', 'cancelled'] as const
export const campStatus = pgEnum('camp_status', CAMP_STATUSES)

export const camps = pgTable('camps', {
  id: uuid('id').primaryKey().defaultRandom(),
  unitId: uuid('unit_id').notNull().references(() => units.id),
  title: text('title').notNull(),
  localTitle: text('local_title'),
  venue: text('venue'),
  startDate: date('start_date', { mode: 'string' }).notNull(),
  endDate: date('end_date', { mode: 'string' }).notNull(),
  capacity: integer('capacity'),
  status: campStatus('status').notNull().default('planned'),
  notes: text('notes'),
  // The audience rule: clauses, any of which makes a current office-bearer under the
  // camp's unit part of the audience ([{levels, roles, wings, clusterKinds, assemblyId,
  // committee}]; an empty list in a clause means any). Read by camp_audience().
  audience: jsonb('audience').notNull().default(sql`'[]'::jsonb`),
  version: integer('version').notNull().default(1),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
}, (t) => [
  index('camps_unit_idx').on(t.unitId),
  index('camps_start_idx').on(t.startDate, t.id),
  check('camps_dates_check', sql`${t.endDate} >= ${t.startDate} AND ${t.endDate} <= ${t.startDate} + 30`),
  check('camps_capacity_check', sql`${t.capacity} IS NULL OR ${t.capacity} >= 1`),
  check('camps_title_check', sql`length(btrim(${t.title})) BETWEEN 1 AND 200`)
])

export const campTopics = pgTable('camp_topics', {
  campId: uuid('camp_id').notNull().references(() => camps.id, { onDelete: 'cascade' }),
  topicCode: text('topic_code').notNull().references(() => topics.code, { onUpdate: 'cascade' })
}, (t) => [primaryKey({ name: 'camp_topics_pkey', columns: [t.campId, t.topicCode] })])

/** A camp's trainers: people in the service, or visitors by name. */
export const campTrainers = pgTable('camp_trainers', {
  campId: uuid('camp_id').notNull().references(() => camps.id, { onDelete: 'cascade' }),
  position: integer('position').notNull(),
  personId: uuid('person_id').references(() => people.id),
  name: text('name')
}, (t) => [
  primaryKey({ name: 'camp_trainers_pkey', columns: [t.campId, t.position] }),
  index('camp_trainers_person_idx').on(t.personId).where(sql`${t.personId} IS NOT NULL`),
  check('camp_trainers_who_check', sql`(${t.personId} IS NULL) <> (${t.name} IS NULL)`)
])

export const INVITATION_STATUSES = ['invited', 'confirmed', 'declined', 'attended', 'no_show', 'cancelled'] as const
export const invitationStatus = pgEnum('invitation_status', INVITATION_STATUSES)
export const INVITATION_SOURCES = ['rule', 'manual', 'walk_in'] as const
export const invitationSource = pgEnum('invitation_source', INVITATION_SOURCES)

/**
 * One person's place at a camp. qualified_by: the current posts that made them part of
 * the audience when they were invited ([{appointmentId, unitId, level, wing, role,
 * clusterId}]); post_level, post_wing, post_role: the first of them, for the camp report.
 */
export const invitations = pgTable('invitations', {
  id: uuid('id').primaryKey().defaultRandom(),
  campId: uuid('camp_id').notNull().references(() => camps.id, { onDelete: 'cascade' }),
  personId: uuid('person_id').notNull().references(() => people.id),
  status: invitationStatus('status').notNull().default('invited'),
  source: invitationSource('source').notNull(),
  qualifiedBy: jsonb('qualified_by').notNull().default(sql`'[]'::jsonb`),
  postLevel: unitLevel('post_level'),
  postWing: text('post_wing'),
  postRole: text('post_role'),
  importId: uuid('import_id'),
  version: integer('version').notNull().default(1),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
}, (t) => [
  unique('invitations_camp_person_key').on(t.campId, t.personId),
  index('invitations_person_idx').on(t.personId)
])

/** A day an invited person (or walk-in) was at the camp. */
export const attendance = pgTable('attendance', {
  invitationId: uuid('invitation_id').notNull().references(() => invitations.id, { onDelete: 'cascade' }),
  day: date('day', { mode: 'string' }).notNull(),
  checkedInAt: timestamp('checked_in_at', { withTimezone: true }).notNull().defaultNow(),
  importId: uuid('import_id')
}, (t) => [primaryKey({ name: 'attendance_pkey', columns: [t.invitationId, t.day] })])

/**
 * Training counters (src/db/routines/47_camps.sql), by the office-bearer's home booth: a
 * person counts once at every unit above booths on their home booth's lineage, whatever
 * posts they hold. training_people is each counted person's summary (the wings of their
 * current posts other than booth committee member; per topic, '' for any, the last day
 * they attended); training_stats the people per unit, wing ('' any), topic ('' any) and
 * last day attended ('-infinity': never), so "trained in the last N days" sums a tail;
 * training_rates the invitations of held camps (walk-ins aside) and those attended, and
 * the held camps organised at the unit or below it (so a state's report does not read the
 * country's camps).
 */
export const trainingPeople = pgTable('training_people', {
  personId: uuid('person_id').primaryKey(),
  boothId: uuid('booth_id').notNull(),
  wings: text('wings').array().notNull(),
  topics: text('topics').array().notNull(),
  lastDays: date('last_days', { mode: 'string' }).array().notNull()
}, (t) => [index('training_people_booth_idx').on(t.boothId)])

export const trainingStats = pgTable('training_stats', {
  unitId: uuid('unit_id').notNull().references(() => units.id, { onDelete: 'cascade' }),
  wingKey: text('wing_key').notNull(),
  topicKey: text('topic_key').notNull(),
  lastDay: date('last_day', { mode: 'string' }).notNull(),
  people: integer('people').notNull()
}, (t) => [primaryKey({ name: 'training_stats_pkey', columns: [t.unitId, t.wingKey, t.topicKey, t.lastDay] })])

export const trainingRates = pgTable('training_rates', {
  unitId: uuid('unit_id').primaryKey().references(() => units.id, { onDelete: 'cascade' }),
  invited: integer('invited').notNull().default(0),
  attended: integer('attended').notNull().default(0),
  campsHeld: integer('camps_held').notNull().default(0)
})

export const IMPORT_KINDS = ['units', 'booth_presidents', 'clusters', 'sign_in_sheet'] as const
export const importKind = pgEnum('import_kind', IMPORT_KINDS)
export const IMPORT_STATUSES = ['running', 'succeeded', 'failed', 'partial', 'dry_run'] as const
export const importStatus = pgEnum('import_status', IMPORT_STATUSES)

/** One bulk import: its options, progress and report. Rows it touched carry its id. */
export const imports = pgTable('imports', {
  id: uuid('id').primaryKey().defaultRandom(),
  kind: importKind('kind').notNull(),
  status: importStatus('status').notNull().default('running'),
  mode: text('mode').notNull().default('all_or_nothing'),
  dryRun: boolean('dry_run').notNull().default(false),
  keyId: uuid('key_id'),
  scopeUnitId: uuid('scope_unit_id'),
  requestId: text('request_id'),
  counts: jsonb('counts').notNull().default(sql`'{"rows":0,"created":0,"updated":0,"unchanged":0,"failed":0}'::jsonb`),
  errors: jsonb('errors').notNull().default(sql`'[]'::jsonb`),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  finishedAt: timestamp('finished_at', { withTimezone: true })
}, (t) => [
  index('imports_created_idx').on(t.createdAt, t.id)
])

/**
 * Which version of each canonical routine file (src/db/routines/*.sql) the database runs:
 * src/db/routines.ts re-applies a file when its checksum changes.
 */
export const schemaRoutines = pgTable('schema_routines', {
  name: text('name').primaryKey(),
  checksum: text('checksum').notNull(),
  appliedAt: timestamp('applied_at', { withTimezone: true }).notNull().defaultNow()
})

export const WEBHOOK_STATUSES = ['active', 'paused', 'disabled'] as const
export type WebhookStatus = typeof WEBHOOK_STATUSES[number]
export const webhookStatus = pgEnum('webhook_status', WEBHOOK_STATUSES)

/**
 * Webhooks: endpoints told of the feed's changes (src/webhooks). Delivery is derived from
 * the feed: each webhook keeps its own cursor (the last feed position delivered or passed
 * over), and a worker holding the row's lease sends what follows it, in order. No row per
 * change and endpoint is written in the change's transaction.
 */
export const webhooks = pgTable('webhooks', {
  id: uuid('id').primaryKey().defaultRandom(),
  url: text('url').notNull(),
  // Feed types (appointment.created), per entity (appointment.*) or everything (*).
  types: text('types').array().notNull(),
  // The subtree whose changes it receives; null (global keys only): every change.
  unitId: uuid('unit_id').references(() => units.id),
  createdBy: uuid('created_by').notNull().references(() => apiKeys.id),
  status: webhookStatus('status').notNull().default('active'),
  // Why it is paused or disabled: paused, key_revoked, gone, retries_exhausted, cursor_expired.
  statusReason: text('status_reason'),
  // AES-256-GCM under WEBHOOK_KEY; the secret itself is shown once, at creation or rotation.
  secret: text('secret').notNull(),
  previousSecret: text('previous_secret'),
  previousSecretUntil: timestamp('previous_secret_until', { withTimezone: true }),
  // Delivery state, written by the worker (not versioned: the ETag is the configuration's).
  cursor: bigint('cursor', { mode: 'number' }).notNull().default(0),
  lockedBy: text('locked_by'),
  lockedUntil: timestamp('locked_until', { withTimezone: true }),
  nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
  failingSince: timestamp('failing_since', { withTimezone: true }),
  attempts: integer('attempts').notNull().default(0),
  version: integer('version').notNull().default(1),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
}, (t) => [
  index('webhooks_unit_idx').on(t.unitId),
  index('webhooks_created_by_idx').on(t.createdBy),
  index('webhooks_due_idx').on(t.nextAttemptAt).where(sql`${t.status} = 'active'`),
  check('webhooks_url_check', sql`${t.url} ~ '^https?://' AND length(${t.url}) <= 2000`),
  check('webhooks_types_check', sql`cardinality(${t.types}) BETWEEN 1 AND 100`),
  check('webhooks_previous_secret_check', sql`(${t.previousSecret} IS NULL) = (${t.previousSecretUntil} IS NULL)`)
])

/** Every delivery attempt (and ping), newest last; what GET /v1/webhooks/{id}/deliveries pages. */
export const webhookDeliveries = pgTable('webhook_deliveries', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  webhookId: uuid('webhook_id').notNull().references(() => webhooks.id, { onDelete: 'cascade' }),
  // The webhook-id header: the same for every attempt at the same change.
  messageId: text('message_id').notNull(),
  // change, retry (asked for through the API) or ping.
  kind: text('kind').notNull(),
  type: text('type').notNull(),
  position: bigint('position', { mode: 'number' }),
  attempt: integer('attempt').notNull(),
  at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  statusCode: integer('status_code'),
  durationMs: integer('duration_ms').notNull(),
  ok: boolean('ok').notNull(),
  error: text('error')
}, (t) => [
  index('webhook_deliveries_webhook_idx').on(t.webhookId, t.id),
  index('webhook_deliveries_at_idx').on(t.at),
  check('webhook_deliveries_kind_check', sql`${t.kind} IN ('change', 'retry', 'ping')`)
])
