import { and, desc, eq, sql, type SQL } from 'drizzle-orm'
import type { Actor } from '../access/actor.js'
import { unitWithinScope } from '../access/scope.js'
import type { Database, DatabaseKind } from '../db/client.js'
import { imports } from '../db/schema.js'

/**
 * The import record: what was asked, how it is going, and its report. It is written
 * outside the import's transaction (so a failed import still leaves its report) except
 * on success, when it is finished in the same transaction as the rows it wrote.
 */

export type ImportKindName = 'units' | 'booth_presidents' | 'clusters' | 'sign_in_sheet'
export type ImportMode = 'all_or_nothing' | 'partial'
export type ImportStatus = 'running' | 'succeeded' | 'failed' | 'partial' | 'dry_run'

export interface ImportCounts {
  rows: number
  created: number
  updated: number
  unchanged: number
  failed: number
}

export interface ImportError {
  /** Where the record starts in the file; null for a failure of the whole import. */
  line: number | null
  column: string | null
  code: string
  message: string
}

export interface ImportReport {
  id: string
  kind: ImportKindName
  status: ImportStatus
  mode: ImportMode
  dryRun: boolean
  counts: ImportCounts
  errors: ImportError[]
  /** Failed rows beyond the first ERRORS_KEPT, counted but not listed. */
  errorsDropped: number
  createdAt: string
  finishedAt: string | null
}

/** Row errors kept in a report; the count of the others is errorsDropped. */
export const ERRORS_KEPT = 1000

export const NO_COUNTS: ImportCounts = { rows: 0, created: 0, updated: 0, unchanged: 0, failed: 0 }

const columns = {
  id: imports.id,
  kind: imports.kind,
  status: imports.status,
  mode: imports.mode,
  dryRun: imports.dryRun,
  counts: imports.counts,
  errors: imports.errors,
  createdAt: imports.createdAt,
  finishedAt: imports.finishedAt
}

type ImportRow = {
  id: string
  kind: ImportKindName
  status: ImportStatus
  mode: string
  dryRun: boolean
  counts: unknown
  errors: unknown
  createdAt: Date
  finishedAt: Date | null
}

export function toReport (r: ImportRow): ImportReport {
  const counts = { ...NO_COUNTS, ...(r.counts as Partial<ImportCounts>) }
  const errors = r.errors as ImportError[]
  const rowErrors = errors.filter(e => e.line !== null).length
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    mode: r.mode as ImportMode,
    dryRun: r.dryRun,
    counts,
    errors,
    errorsDropped: Math.max(0, counts.failed - rowErrors),
    createdAt: new Date(r.createdAt).toISOString(),
    finishedAt: r.finishedAt === null ? null : new Date(r.finishedAt).toISOString()
  }
}

export async function createImportRecord (db: Database, actor: Actor, record: { id: string, kind: ImportKindName, mode: ImportMode, dryRun: boolean }): Promise<ImportReport> {
  const [row] = await db.insert(imports).values({
    ...record,
    keyId: actor.keyId,
    scopeUnitId: actor.scopeUnitId,
    requestId: actor.requestId
  }).returning(columns)
  return toReport(row as ImportRow)
}

export async function finishImportRecord (db: Database, id: string, status: ImportStatus, counts: ImportCounts, errors: ImportError[]): Promise<ImportReport> {
  const [row] = await db.update(imports)
    .set({ status, counts, errors, finishedAt: sql`clock_timestamp()` as unknown as Date })
    .where(eq(imports.id, id))
    .returning(columns)
  return toReport(row as ImportRow)
}

/** A key sees the imports made within its subtree; only global keys see global ones. */
const visibleTo = (actor: Actor): SQL | undefined => unitWithinScope(actor, imports.scopeUnitId)

export async function findImport (db: Database, actor: Actor, id: string): Promise<ImportReport | undefined> {
  const [row] = await db.select(columns).from(imports).where(and(eq(imports.id, id), visibleTo(actor)))
  return row ? toReport(row as ImportRow) : undefined
}

export async function listImports (db: Database, actor: Actor, filter: { kind?: ImportKindName, status?: ImportStatus, after?: string, limit: number }) {
  const rows = await db.select(columns).from(imports).where(and(
    visibleTo(actor),
    filter.kind ? eq(imports.kind, filter.kind) : undefined,
    filter.status ? eq(imports.status, filter.status) : undefined,
    // Keyset on (created_at, id), read from the cursor's own row so no precision is lost.
    filter.after ? sql`(${imports.createdAt}, ${imports.id}) < (SELECT c.created_at, c.id FROM imports c WHERE c.id = ${filter.after})` : undefined
  )).orderBy(desc(imports.createdAt), desc(imports.id)).limit(filter.limit + 1)
  return (rows as ImportRow[]).map(toReport)
}

/** Advisory lock key for an import's liveness: held by its session while it runs. */
export const livenessKey = (importIdSql: SQL) =>
  sql`hashtextextended('sangathan.import:' || (${importIdSql})::text, 0)`

const INTERRUPTED: ImportError = {
  line: null,
  column: null,
  code: 'import_interrupted',
  message: 'The server stopped before this import finished; nothing was written. Send the file again.'
}

/**
 * Marks as failed the imports left 'running' by a process that died. On PostgreSQL an
 * import holds a session advisory lock while it runs (livenessKey above); a lock
 * we can take belongs to nobody alive. A PGlite folder has one owner, so at start-up
 * every running import is a dead one.
 */
export async function failAbandonedImports (db: Database, kind: DatabaseKind): Promise<number> {
  const abandoned = kind === 'postgres' ? sql`pg_try_advisory_xact_lock(${livenessKey(sql`${imports.id}`)})` : sql`true`
  const failed = await db.update(imports)
    .set({ status: 'failed', errors: [INTERRUPTED], finishedAt: sql`clock_timestamp()` as unknown as Date })
    .where(and(eq(imports.status, 'running'), abandoned))
    .returning({ id: imports.id })
  return failed.length
}
