import { sql } from 'drizzle-orm'
import {
  bigint, check, customType, foreignKey, index, integer, pgEnum, pgTable, primaryKey, text, timestamp, unique, uuid
} from 'drizzle-orm/pg-core'

/**
 * The one schema module. drizzle-kit generates migrations from it; the parts it
 * cannot express (extensions, triggers) live in hand-written migrations beside them.
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
  version: integer('version').notNull().default(1),
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
  index('units_code_trgm').using('gin', sql`${t.code} gin_trgm_ops`)
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
