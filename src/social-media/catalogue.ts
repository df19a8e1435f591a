import { and, asc, eq, sql, type SQL } from 'drizzle-orm'
import type { Actor } from '../access/actor.js'
import { withinScope } from '../access/scope.js'
import { recordAudit } from '../audit/record.js'
import { rows, type Database } from '../db/client.js'
import { pgError } from '../db/errors.js'
import { inBatches } from '../db/keyset.js'
import { handleDuties, handleIssues, socialPlatforms, type UnitLevel } from '../db/schema.js'
import { inTransaction } from '../db/transaction.js'
import { DomainError, notFound, preconditionFailed } from '../errors.js'
import { roleOrRefuse } from '../roles/catalogue.js'
import { unknownPlatform } from './handles.js'

/**
 * The social media catalogue: the platforms a handle may be on (social_platforms), the
 * duty that says which posts must run which platforms (handle_duties), and the handles
 * that could not be kept as given (handle_issues), for an admin to review. Platforms and
 * duties are global, like the wings and roles catalogues: only a global admin changes
 * them (checked by the routes' permission). What a handle is stays the database's
 * (canonical_handle, src/db/routines/22_handles.sql); a change of the duty recounts its
 * counters in the same transaction (handle_duties_changed, 32_duties.sql).
 */

// --- platforms -------------------------------------------------------------------

const platformColumns = {
  code: socialPlatforms.code,
  name: socialPlatforms.name,
  localName: socialPlatforms.localName,
  handlePattern: socialPlatforms.handlePattern,
  urlHosts: socialPlatforms.urlHosts,
  profileUrl: socialPlatforms.profileUrl,
  sortOrder: socialPlatforms.sortOrder,
  version: socialPlatforms.version
}

export type PlatformRow = {
  code: string
  name: string
  localName: string | null
  handlePattern: string
  urlHosts: string[]
  profileUrl: string
  sortOrder: number
  version: number
}

export function toPlatform (p: PlatformRow) {
  return {
    code: p.code,
    name: p.name,
    localName: p.localName,
    handlePattern: p.handlePattern,
    urlHosts: p.urlHosts,
    profileUrl: p.profileUrl,
    sortOrder: p.sortOrder
  }
}

export async function listPlatforms (db: Database): Promise<PlatformRow[]> {
  return db.select(platformColumns).from(socialPlatforms).orderBy(asc(socialPlatforms.sortOrder), asc(socialPlatforms.code))
}

export async function findPlatform (db: Database, code: string): Promise<PlatformRow | undefined> {
  const [row] = await db.select(platformColumns).from(socialPlatforms).where(eq(socialPlatforms.code, code))
  return row
}

/**
 * Refuses a handle pattern PostgreSQL cannot compile, alone or as canonical_handle uses
 * it (anchored: '^(' || pattern || ')$'; a pattern such as `a)|(b` compiles only
 * there, and would mean something else). Asked of the database itself, outside any
 * transaction, so a refusal aborts nothing.
 */
export async function checkHandlePattern (db: Database, pattern: string): Promise<void> {
  try {
    await db.execute(sql`SELECT '' ~ ${pattern} AS bare, '' ~ ('^(' || ${pattern} || ')$') AS anchored`)
  } catch (err) {
    // 2201B: invalid_regular_expression (also "too complex")
    if (pgError(err)?.code === '2201B') {
      throw new DomainError('unprocessable', 'invalid_handle_pattern', 'The handle pattern is not a regular expression PostgreSQL can use: give a POSIX regular expression such as [a-z0-9._]{1,30}, without ^ and $.')
    }
    throw err
  }
}

/**
 * A change of a platform's rule must not leave a stored handle that its own rule would
 * now refuse. Each handle is read back through canonical_handle ('@' first, so it is
 * read as a handle, never as an address).
 */
async function refuseStrandedHandles (tx: Database, code: string): Promise<void> {
  const [stranded] = await rows<{ n: number }>(tx, sql`
    SELECT count(*)::int AS n FROM person_handles
     WHERE platform_code = ${code} AND canonical_handle(platform_code, '@' || handle) IS DISTINCT FROM handle`)
  if (stranded.n > 0) {
    throw new DomainError('conflict', 'pattern_rejects_handles', `${stranded.n} stored ${code} handle${stranded.n > 1 ? 's do' : ' does'} not match the new pattern: correct or remove them first, or widen the pattern.`)
  }
}

export interface PlatformInput {
  code: string
  name: string
  localName?: string | null
  handlePattern: string
  urlHosts?: string[]
  profileUrl: string
  sortOrder?: number
}

export async function createPlatform (db: Database, actor: Actor, input: PlatformInput): Promise<PlatformRow> {
  await checkHandlePattern(db, input.handlePattern)
  return inTransaction(db, actor, async (tx) => {
    if (await findPlatform(tx, input.code)) throw new DomainError('conflict', 'platform_exists', `A platform ${input.code} already exists.`)
    const [row] = await tx.insert(socialPlatforms).values({
      code: input.code,
      name: input.name,
      localName: input.localName ?? null,
      handlePattern: input.handlePattern,
      urlHosts: [...new Set(input.urlHosts ?? [])],
      profileUrl: input.profileUrl,
      sortOrder: input.sortOrder ?? 100
    }).returning(platformColumns)
    await recordAudit(tx, actor, { action: 'create', entityType: 'platform', entityId: row.code, after: toPlatform(row) })
    return row
  })
}

export async function updatePlatform (db: Database, actor: Actor, code: string, change: Partial<Omit<PlatformInput, 'code'>>, matches?: (v: number) => boolean): Promise<PlatformRow> {
  if (change.handlePattern !== undefined) await checkHandlePattern(db, change.handlePattern)
  return inTransaction(db, actor, async (tx) => {
    const [before] = await tx.select(platformColumns).from(socialPlatforms).where(eq(socialPlatforms.code, code)).for('update')
    if (!before) throw notFound('platform')
    if (matches && !matches(before.version)) throw preconditionFailed()
    const [row] = await tx.update(socialPlatforms).set({
      ...(change.name !== undefined ? { name: change.name } : {}),
      ...(change.localName !== undefined ? { localName: change.localName } : {}),
      ...(change.handlePattern !== undefined ? { handlePattern: change.handlePattern } : {}),
      ...(change.urlHosts !== undefined ? { urlHosts: [...new Set(change.urlHosts)] } : {}),
      ...(change.profileUrl !== undefined ? { profileUrl: change.profileUrl } : {}),
      ...(change.sortOrder !== undefined ? { sortOrder: change.sortOrder } : {})
    }).where(eq(socialPlatforms.code, code)).returning(platformColumns)
    if (row.handlePattern !== before.handlePattern) await refuseStrandedHandles(tx, code)
    await recordAudit(tx, actor, { action: 'update', entityType: 'platform', entityId: code, before: toPlatform(before), after: toPlatform(row) })
    return row
  })
}

/** Only a platform nobody's handle, no duty and no handle issue names goes. */
export async function deletePlatform (db: Database, actor: Actor, code: string, matches?: (v: number) => boolean): Promise<void> {
  await inTransaction(db, actor, async (tx) => {
    // The row lock makes a concurrent handle or duty on it wait (its foreign key check),
    // then fail as an unknown platform; what committed before is counted below.
    const [before] = await tx.select(platformColumns).from(socialPlatforms).where(eq(socialPlatforms.code, code)).for('update')
    if (!before) throw notFound('platform')
    if (matches && !matches(before.version)) throw preconditionFailed()
    const [used] = await rows<{ handles: number, duties: number, issues: number }>(tx, sql`
      SELECT (SELECT count(*)::int FROM person_handles WHERE platform_code = ${code}) AS handles,
             (SELECT count(*)::int FROM handle_duties WHERE platform_code = ${code}) AS duties,
             (SELECT count(*)::int FROM handle_issues WHERE platform_code = ${code}) AS issues`)
    const uses = [
      used.handles > 0 ? `${used.handles} person${used.handles > 1 ? 's\'' : '\'s'} handle${used.handles > 1 ? 's' : ''}` : null,
      used.duties > 0 ? `${used.duties} dut${used.duties > 1 ? 'ies' : 'y'} (GET /v1/handle-duties?platform=${code})` : null,
      used.issues > 0 ? `${used.issues} handle issue${used.issues > 1 ? 's' : ''}` : null
    ].filter(u => u !== null)
    if (uses.length > 0) throw new DomainError('conflict', 'platform_in_use', `The platform is in use: ${uses.join(', ')}. Remove them first.`)
    await recordAudit(tx, actor, { action: 'delete', entityType: 'platform', entityId: code, before: toPlatform(before) })
    await tx.delete(socialPlatforms).where(eq(socialPlatforms.code, code))
  })
}

// --- the duty --------------------------------------------------------------------

const dutyColumns = { wing: handleDuties.wingCode, role: handleDuties.roleCode, level: handleDuties.level, platform: handleDuties.platformCode }

export type HandleDutyRow = { wing: string, role: string, level: UnitLevel, platform: string }

/** A duty in the audit trail: wing/role/level/platform, as its address. */
const dutyEntityId = (d: HandleDutyRow) => `${d.wing}/${d.role}/${d.level}/${d.platform}`

export interface DutyFilter { wing?: string, role?: string, level?: UnitLevel, platform?: string }

/** The duty, in the wings', the roles' and the platforms' order. */
export async function listDuties (db: Database, f: DutyFilter): Promise<HandleDutyRow[]> {
  return db.select(dutyColumns).from(handleDuties)
    .where(and(
      f.wing !== undefined ? eq(handleDuties.wingCode, f.wing) : undefined,
      f.role !== undefined ? eq(handleDuties.roleCode, f.role) : undefined,
      f.level !== undefined ? eq(handleDuties.level, f.level) : undefined,
      f.platform !== undefined ? eq(handleDuties.platformCode, f.platform) : undefined))
    .orderBy(
      sql`(SELECT w.sort_order FROM wings w WHERE w.code = ${handleDuties.wingCode})`, asc(handleDuties.wingCode),
      sql`(SELECT r.sort_order FROM roles r WHERE r.wing_code = ${handleDuties.wingCode} AND r.code = ${handleDuties.roleCode})`, asc(handleDuties.roleCode),
      handleDuties.level,
      sql`(SELECT p.sort_order FROM social_platforms p WHERE p.code = ${handleDuties.platformCode})`, asc(handleDuties.platformCode))
}

const dutyIs = (d: HandleDutyRow) => and(eq(handleDuties.wingCode, d.wing), eq(handleDuties.roleCode, d.role), eq(handleDuties.level, d.level), eq(handleDuties.platformCode, d.platform))

/** Holders of (wing, role) posts at units of `level` must run `platform`; the counters follow in the same transaction. */
export async function createDuty (db: Database, actor: Actor, duty: HandleDutyRow): Promise<HandleDutyRow> {
  return inTransaction(db, actor, async (tx) => {
    const role = await roleOrRefuse(tx, duty.wing, duty.role)
    if (!role.levels.includes(duty.level)) {
      throw new DomainError('unprocessable', 'unknown_role', `The ${duty.wing} wing's role ${duty.role} does not exist at ${duty.level} level (it exists at ${role.levels.join(', ')}).`)
    }
    if (!await findPlatform(tx, duty.platform)) throw unknownPlatform(duty.platform)
    const [existing] = await tx.select(dutyColumns).from(handleDuties).where(dutyIs(duty))
    if (existing) throw new DomainError('conflict', 'duty_exists', `${duty.level} ${duty.role}s of the ${duty.wing} wing must already run ${duty.platform}.`)
    const [row] = await tx.insert(handleDuties).values({
      wingCode: duty.wing, roleCode: duty.role, level: duty.level, platformCode: duty.platform
    }).returning(dutyColumns)
    await recordAudit(tx, actor, { action: 'create', entityType: 'handle_duty', entityId: dutyEntityId(row), after: row })
    return row
  })
}

export async function deleteDuty (db: Database, actor: Actor, duty: HandleDutyRow): Promise<void> {
  await inTransaction(db, actor, async (tx) => {
    const [row] = await tx.delete(handleDuties).where(dutyIs(duty)).returning(dutyColumns)
    if (!row) throw notFound('handle_duty', 'No such duty: GET /v1/handle-duties lists them.')
    await recordAudit(tx, actor, { action: 'delete', entityType: 'handle_duty', entityId: dutyEntityId(row), before: row })
  })
}

// --- handle issues ---------------------------------------------------------------

export type HandleIssueRow = {
  id: string
  person_id: string
  person_name: string
  home_booth_id: string
  platform_code: string
  raw_value: string
  reason: 'invalid_handle' | 'handle_taken'
  taken_by_id: string | null
  taken_by_name: string | null
  created_at: string
  dismissed_at: string | null
  /** created_at to the microsecond, for the keyset (a JS Date keeps milliseconds only). */
  cursor_at: string
}

export function toHandleIssue (r: HandleIssueRow) {
  return {
    id: r.id,
    personId: r.person_id,
    personName: r.person_name,
    platform: r.platform_code,
    rawValue: r.raw_value,
    reason: r.reason,
    takenBy: r.taken_by_id !== null && r.taken_by_name !== null ? { id: r.taken_by_id, name: r.taken_by_name } : null,
    createdAt: r.created_at,
    dismissedAt: r.dismissed_at
  }
}

export const handleIssueKey = (r: HandleIssueRow): [string, string] => [r.cursor_at, r.id]

const ISO_MS = 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'
const ISO_US = 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'

/**
 * Handle issues of people in the actor's subtree (a person is where their home booth is).
 * The holder of a taken handle is named only when they are in the subtree too: a key
 * never learns who someone outside it is.
 */
async function issueRows (db: Database, actor: Actor, where: Array<SQL | undefined>, limit: number, lock = false): Promise<HandleIssueRow[]> {
  const conditions = [withinScope(actor, sql`u.path`), ...where].filter((c): c is SQL => c !== undefined)
  const holderInScope = withinScope(actor, sql`tu.path`) ?? sql`true`
  return rows<HandleIssueRow>(db, sql`
    SELECT hi.id, hi.person_id, p.name AS person_name, p.home_booth_id, hi.platform_code, hi.raw_value, hi.reason,
           tp.id AS taken_by_id, tp.name AS taken_by_name,
           to_char(hi.created_at AT TIME ZONE 'UTC', ${ISO_MS}) AS created_at,
           to_char(hi.dismissed_at AT TIME ZONE 'UTC', ${ISO_MS}) AS dismissed_at,
           to_char(hi.created_at AT TIME ZONE 'UTC', ${ISO_US}) AS cursor_at
      FROM handle_issues hi
      JOIN people p ON p.id = hi.person_id
      JOIN units u ON u.id = p.home_booth_id
      LEFT JOIN (people tp JOIN units tu ON tu.id = tp.home_booth_id AND ${holderInScope}) ON tp.id = hi.taken_by
     WHERE ${sql.join(conditions, sql` AND `)}
     ORDER BY hi.created_at, hi.id
     LIMIT ${limit}
     ${lock ? sql`FOR UPDATE OF hi` : sql``}`)
}

export interface HandleIssueFilter {
  platform?: string
  reason?: 'invalid_handle' | 'handle_taken'
  dismissed: boolean
  /** Keyset: [created_at to the microsecond, id] of the last row. */
  after?: [string, string]
  limit: number
}

/** A page (limit + 1 rows: the extra one says another page follows), oldest first. */
export async function listHandleIssues (db: Database, actor: Actor, f: HandleIssueFilter): Promise<HandleIssueRow[]> {
  return issueRows(db, actor, [
    f.platform !== undefined ? sql`hi.platform_code = ${f.platform}` : undefined,
    f.reason !== undefined ? sql`hi.reason = ${f.reason}` : undefined,
    f.dismissed ? sql`hi.dismissed_at IS NOT NULL` : sql`hi.dismissed_at IS NULL`,
    f.after ? sql`(hi.created_at, hi.id) > (${f.after[0]}::timestamptz, ${f.after[1]}::uuid)` : undefined
  ], f.limit + 1)
}

/** Every issue the filter finds, batch after batch, for a streamed download. */
export function allHandleIssues (db: Database, actor: Actor, f: Omit<HandleIssueFilter, 'after' | 'limit'>, batch = 2000): AsyncIterable<HandleIssueRow> {
  return inBatches((after, limit) => listHandleIssues(db, actor, { ...f, after, limit }), handleIssueKey, batch)
}

/** An admin has seen to it: it leaves the list of those to review (dismissed=true shows it). Dismissing twice changes nothing. */
export async function dismissHandleIssue (db: Database, actor: Actor, id: string): Promise<HandleIssueRow> {
  return inTransaction(db, actor, async (tx) => {
    const [before] = await issueRows(tx, actor, [sql`hi.id = ${id}`], 1, true)
    if (!before) throw notFound('handle_issue')
    if (before.dismissed_at !== null) return before
    await tx.update(handleIssues).set({ dismissedAt: sql`now()` }).where(eq(handleIssues.id, id))
    const [row] = await issueRows(tx, actor, [sql`hi.id = ${id}`], 1)
    await recordAudit(tx, actor, {
      action: 'dismiss',
      entityType: 'handle_issue',
      entityId: id,
      unitId: row.home_booth_id,
      before: { personId: row.person_id, platform: row.platform_code, reason: row.reason, dismissedAt: null },
      after: { personId: row.person_id, platform: row.platform_code, reason: row.reason, dismissedAt: row.dismissed_at }
    })
    return row
  })
}
