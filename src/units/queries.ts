import { and, asc, eq, fillPlaceholders, gt, gte, ilike, lt, ne, or, sql, type SQL } from 'drizzle-orm'
import pg from 'pg'
import type { Actor } from '../access/actor.js'
import { withinScope, withinScopeParam } from '../access/scope.js'
import { behindPooler, type Database } from '../db/client.js'
import { containing } from '../db/like.js'
import { units, type UnitLevel } from '../db/schema.js'
import { descendantRange } from './levels.js'
import type { Unit } from './schemas.js'

/** Columns read for a unit: explicit, so adding a column never leaks it by accident. */
export const unitColumns = {
  id: units.id,
  level: units.level,
  parentId: units.parentId,
  path: units.path,
  code: units.code,
  codePath: units.codePath,
  name: units.name,
  localName: units.localName,
  displayLabel: units.displayLabel,
  acNumber: units.acNumber,
  acName: units.acName,
  psNumber: units.psNumber,
  assemblyId: units.assemblyId,
  version: units.version,
  createdAt: units.createdAt,
  updatedAt: units.updatedAt
}

export interface UnitRow {
  id: string
  level: UnitLevel
  parentId: string | null
  path: string
  code: string
  codePath: string
  name: string
  localName: string | null
  displayLabel: string | null
  acNumber: number | null
  acName: string | null
  psNumber: string | null
  assemblyId: string | null
  version: number
  createdAt: Date
  updatedAt: Date
}

export function toUnit (r: UnitRow): Unit {
  return {
    id: r.id,
    level: r.level,
    parentId: r.parentId,
    code: r.code,
    codePath: r.codePath,
    name: r.name,
    localName: r.localName,
    displayLabel: r.displayLabel,
    acNumber: r.acNumber,
    acName: r.acName,
    psNumber: r.psNumber,
    assemblyId: r.assemblyId,
    createdAt: new Date(r.createdAt).toISOString(),
    updatedAt: new Date(r.updatedAt).toISOString()
  }
}

/** A unit by id, or undefined when it does not exist or lies outside the actor's subtree. */
/** A report row's unit, as every per-unit report (coverage, trend, social media) reads it in SQL. */
export interface ReportUnitSql { unit_id: string, code: string, code_path: string, name: string, level: UnitLevel }

/** The unit fields that open every per-unit report row in the API. */
export function toReportUnit (r: ReportUnitSql) {
  return { unitId: r.unit_id, code: r.code, codePath: r.code_path, name: r.name, level: r.level }
}

export async function findUnit (db: Database, actor: Actor, id: string, opts: { forUpdate?: boolean } = {}): Promise<UnitRow | undefined> {
  if (opts.forUpdate) {
    const [row] = await db.select(unitColumns).from(units).where(and(eq(units.id, id), withinScope(actor, units.path))).for('update')
    return row as UnitRow | undefined
  }
  let find = findUnitStatements.get(db)
  if (!find) findUnitStatements.set(db, find = prepareFindUnit(db))
  return find({ id, scope: actor.scopeUnitId })
}

type FindUnit = (values: { id: string, scope: string | null }) => Promise<UnitRow | undefined>

// Reading a unit by id is the most frequent request: its query is built once per database
// handle and prepared (a named statement on PostgreSQL, planned once per connection), not
// assembled by the query builder on every call, which cost a third of the request's CPU.
// On PostgreSQL the statement drizzle wrote is then run on the pool directly: drizzle's
// execute (tracing spans, a type-parser closure per column per query, mapping each row
// from an array) was a tenth of what the request spent outside pg and Fastify. The row is
// the same: the pool parses timestamptz into a Date, as drizzle's mapping did, and no
// other column of unitColumns has a driver mapping. Behind a transaction-mode pooler the
// statement goes unnamed (parsed and planned each time): the server connection that
// prepared a name is not the one the next query gets.
const findUnitStatements = new WeakMap<Database, FindUnit>()
function prepareFindUnit (db: Database): FindUnit {
  const query = db.select(unitColumns).from(units)
    .where(and(eq(units.id, sql.placeholder('id')), withinScopeParam(units.path, sql`${sql.placeholder('scope')}`)))
  const pool = (db as unknown as { $client?: unknown }).$client
  if (!(pool instanceof pg.Pool)) {
    if (behindPooler(db)) return async (values) => (await query.execute(values))[0] as UnitRow | undefined
    const prepared = query.prepare('find_unit')
    return async (values) => (await prepared.execute(values))[0] as UnitRow | undefined
  }
  const { sql: text, params } = query.toSQL()
  const keys = Object.keys(unitColumns)
  const name = behindPooler(db) ? undefined : 'find_unit'
  return async (values) => {
    const { rows } = await pool.query<unknown[]>({ name, text, values: fillPlaceholders(params, values), rowMode: 'array' })
    const raw = rows[0]
    if (!raw) return undefined
    const row: Record<string, unknown> = {}
    for (let i = 0; i < keys.length; i++) row[keys[i]] = raw[i]
    return row as unknown as UnitRow
  }
}

export async function findUnitByCodePath (db: Database, actor: Actor, codePath: string): Promise<UnitRow | undefined> {
  const [row] = await db.select(unitColumns).from(units).where(and(eq(units.codePath, codePath), withinScope(actor, units.path)))
  return row as UnitRow | undefined
}

/** Normalises a user-typed code path: tolerant of case, spaces and stray slashes. */
export function normaliseCodePath (path: string): string {
  return path.split('/').map(s => s.trim().toUpperCase()).filter(Boolean).join('/')
}

export interface ListUnitsFilter {
  parentId?: string
  /** Only descendants of this unit (code path of the ancestor). */
  under?: string
  level?: UnitLevel
  assemblyId?: string
  q?: string
  /** Keyset: code path of the last unit of the previous page. */
  after?: string
  limit: number
}

/**
 * One keyset-paginated query in code-path order. A subtree is a contiguous range of
 * code paths, so "descendants of X at level L" is a single range scan of the
 * (level, code_path) index.
 */
export async function listUnits (db: Database, actor: Actor, f: ListUnitsFilter): Promise<UnitRow[]> {
  const where: SQL[] = []
  const scope = withinScope(actor, units.path)
  if (scope) where.push(scope)
  if (f.parentId) where.push(eq(units.parentId, f.parentId))
  if (f.under !== undefined) {
    const [from, to] = descendantRange(f.under)
    where.push(gte(units.codePath, from), lt(units.codePath, to))
  }
  if (f.level) where.push(eq(units.level, f.level))
  if (f.assemblyId) where.push(eq(units.assemblyId, f.assemblyId))
  if (f.q) {
    const pattern = containing(f.q)
    // The code path covers the code and a typed path (LKO/B03); the local name, Hindi searches.
    where.push(or(ilike(units.name, pattern), ilike(units.codePath, pattern), ilike(units.localName, pattern))!)
  }
  if (f.after !== undefined) where.push(gt(units.codePath, f.after))
  const rows = await db.select(unitColumns).from(units)
    .where(where.length ? and(...where) : undefined)
    .orderBy(asc(units.codePath))
    .limit(f.limit + 1)
  return rows as UnitRow[]
}

/** The breadcrumb, state first: every prefix of the code path is an ancestor. */
export async function listAncestors (db: Database, actor: Actor, unit: UnitRow, includeSelf: boolean): Promise<UnitRow[]> {
  const segments = unit.codePath.split('/')
  const prefixes = segments.map((_, i) => segments.slice(0, i + 1).join('/'))
  if (!includeSelf) prefixes.pop()
  if (prefixes.length === 0) return []
  const rows = await db.select(unitColumns).from(units)
    .where(and(sql`${units.codePath} IN (${sql.join(prefixes.map(p => sql`${p}`), sql`, `)})`, withinScope(actor, units.path)))
    .orderBy(asc(sql`nlevel(${units.path})`))
  return rows as UnitRow[]
}

export async function countChildren (db: Database, id: string): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(units).where(eq(units.parentId, id))
  return row.n
}

export async function hasSiblingWithCode (db: Database, parentId: string | null, code: string, exceptId?: string): Promise<boolean> {
  const rows = await db.select({ id: units.id }).from(units).where(and(
    parentId === null ? sql`${units.parentId} IS NULL` : eq(units.parentId, parentId),
    eq(units.code, code),
    exceptId ? ne(units.id, exceptId) : undefined
  )).limit(1)
  return rows.length > 0
}
