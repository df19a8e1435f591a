import { randomUUID } from 'node:crypto'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { sql } from 'drizzle-orm'
import type { Actor } from '../access/actor.js'
import { recordAudit } from '../audit/record.js'
import { rows, type Database, type DatabaseHandle } from '../db/client.js'
import { domainErrorFromDatabase } from '../db/constraints.js'
import { isDatabaseUnavailable } from '../db/errors.js'
import type { CopyValue } from '../db/copy-text.js'
import { openSession, type SessionTransaction } from '../db/session.js'
import { spoolUpload, type Spool } from './spool.js'
import { beginWork, limitsOf } from '../db/transaction.js'
import { DomainError } from '../errors.js'
import { boothPresidents } from './booth-presidents.js'
import { clusters } from './clusters.js'
import { signInSheet } from './sign-in-sheet.js'
import { RowRefusal } from './fields.js'
import { COMMON_COLUMNS, STAGING_TABLE, type ImportContext, type ImportKind } from './kind.js'
import { byteLimit, recordReader, type ImportFormat, type PipelineStage, type SourceRecord } from './reader.js'
import {
  createImportRecord, ERRORS_KEPT, finishImportRecord, livenessKey, NO_COUNTS,
  type ImportCounts, type ImportError, type ImportKindName, type ImportMode, type ImportReport, type ImportStatus
} from './record.js'
import { units } from './units.js'

/**
 * One import, start to finish, in one transaction: stream the body through the reader
 * into the staging table, resolve every row against the database in a few set-based
 * statements, then either write (and finish the import record in the same commit) or
 * roll back and record the report. Whatever stops it half way (the client going away,
 * the server dying, the database restarting) leaves no row written: the transaction
 * never commits, and running the same file again completes it.
 */

const KINDS: Record<ImportKindName, ImportKind> = {
  units,
  booth_presidents: boothPresidents,
  clusters,
  sign_in_sheet: signInSheet
}

export interface ImportOptions {
  kind: ImportKindName
  format: ImportFormat
  mode: ImportMode
  dryRun: boolean
  replace: boolean
  /** Booth presidents: the wing of rows that name none (default the main body). */
  wing?: string
  /** Sign-in sheets: the camp (the route has found it organised by the key and not cancelled). */
  campId?: string
  /** Sign-in sheets: create the people a row names with a name and home booth when they are not found. */
  createPeople?: boolean
  /** Largest body accepted, in bytes. */
  bodyLimit: number
  /** Where PGlite's uploads are written before their transaction begins (src/imports/spool.ts). */
  spoolDir: string
}

interface Outcome {
  status: ImportStatus
  counts: ImportCounts
  errors: ImportError[]
  /** Set when the import committed: its record was finished inside the transaction. */
  report?: ImportReport
}

export interface StartedImport {
  /** The import record as it stands when the upload begins (status running). */
  record: ImportReport
  /** Settles once the whole body is read and staged: a respond-async caller may answer then. */
  staged: Promise<void>
  finished: Promise<ImportReport>
}

export async function startImport (database: DatabaseHandle, actor: Actor, body: Readable, options: ImportOptions): Promise<StartedImport> {
  const kind = KINDS[options.kind]
  const context: ImportContext = {
    importId: randomUUID(), actor, replace: options.replace, wing: options.wing ?? 'main', campId: options.campId, createPeople: options.createPeople ?? false
  }
  const connection = await openSession(database)
  let record: ImportReport
  try {
    // Marks the import alive: a crashed process drops the lock with its connection, and
    // the sweep of abandoned imports can tell (failAbandonedImports).
    await connection.holdLock(livenessKey(sql`${context.importId}`))
    record = await createImportRecord(connection.db, actor, { id: context.importId, kind: options.kind, mode: options.mode, dryRun: options.dryRun })
  } catch (err) {
    await connection.release(true)
    throw err
  }

  let markStaged = () => {}
  let failStaged: (err: unknown) => void = () => {}
  const staged = new Promise<void>((resolve, reject) => { markStaged = resolve; failStaged = reject })
  // A synchronous caller waits on `finished` alone.
  staged.catch(() => {})

  const finished = (async () => {
    let spool: Spool | undefined
    try {
      // PGlite's transaction would block every other request while the upload trickles in.
      spool = database.kind === 'pglite' ? await spoolUpload(body, options.bodyLimit, options.spoolDir) : undefined
      const source = spool ? spool.open() : body
      const result = await connection.transaction<Outcome>(async (session) => {
        await beginWork(session.tx, actor, limitsOf(database.db).bulk)
        await stage(session, kind, source, options)
        markStaged()
        await kind.resolve(session.tx, context)
        const { counts, errors } = await summarise(session.tx, kind)
        const status = statusOf(options, counts)
        if (status !== 'succeeded' && status !== 'partial') return { commit: false, value: { status, counts, errors } }
        if (counts.created + counts.updated > 0) await kind.apply(session.tx, context)
        await recordAudit(session.tx, actor, {
          action: 'import',
          entityType: 'import',
          entityId: context.importId,
          unitId: actor.scopeUnitId,
          after: { kind: options.kind, mode: options.mode, replace: options.replace, ...(options.wing ? { wing: options.wing } : {}), ...(options.campId ? { campId: options.campId, createPeople: options.createPeople ?? false } : {}), counts }
        })
        const report = await finishImportRecord(session.tx, context.importId, status, counts, errors)
        return { commit: true, value: { status, counts, errors, report } }
      })
      const report = result.report ?? await finishImportRecord(connection.db, context.importId, result.status, result.counts, result.errors)
      await connection.release()
      await spool?.remove()
      return report
    } catch (err) {
      await spool?.remove()
      failStaged(err)
      if (err instanceof DomainError && err.code === 'payload_too_large') body.destroy()
      else await discardRest(body, options.bodyLimit)
      await connection.release(true)
      // The connection is gone with its transaction; the record is failed from the pool
      // (if the database is down too, the sweep of abandoned imports does it later).
      await finishImportRecord(database.db, context.importId, 'failed', NO_COUNTS, [failureOf(err)]).catch(() => {})
      // A refused file (unknown column, broken CSV) names the import record it left behind.
      throw err instanceof DomainError ? new DomainError(err.kind, err.code, err.message, { ...err.extra, importId: context.importId }) : err
    }
  })()
  return { record, staged, finished }
}

async function stage (session: SessionTransaction, kind: ImportKind, body: Readable, options: ImportOptions) {
  // A few statements over the whole file: sorts and hashes of 100,000 rows should stay in
  // memory, and compiling them to machine code (JIT) costs more than it saves.
  await session.tx.execute(sql`SET LOCAL work_mem = '64MB'`)
  await session.tx.execute(sql`SET LOCAL jit = off`)
  const columns = [...COMMON_COLUMNS, ...kind.stagedColumns, ...kind.resolvedColumns]
  await session.tx.execute(sql.raw(`CREATE TEMP TABLE ${STAGING_TABLE} (${columns.map(([name, type]) => `${name} ${type}`).join(', ')}) ON COMMIT DROP`))
  const staged = [...COMMON_COLUMNS, ...kind.stagedColumns].map(([name]) => name)
  const blank: CopyValue[] = kind.stagedColumns.map(() => null)
  const reader = recordReader(options.format, kind)
  // pipeline's typings cover fixed shapes only; the stages vary with the format.
  await (pipeline as (...stages: PipelineStage[]) => Promise<void>)(
    // Not the stream itself: a failed pipeline destroys its source, and with the request
    // the socket, so the caller would never see why its file was refused.
    body.iterator({ destroyOnReturn: false }) as AsyncIterableIterator<Buffer>,
    byteLimit(options.bodyLimit),
    ...reader.stages,
    async function * (records: AsyncIterable<SourceRecord>) {
      for await (const record of records) {
        const refused = record.error
        if (refused) {
          yield [record.line, refused.code, refused.column, refused.message, null, ...blank]
          continue
        }
        try {
          yield [record.line, null, null, null, null, ...kind.stage(record.values)]
        } catch (err) {
          if (!(err instanceof RowRefusal)) throw err
          yield [record.line, err.error.code, err.error.column, err.error.message, null, ...blank]
        }
      }
    },
    session.copyIn(STAGING_TABLE, staged)
  ).catch((err) => { throw reader.explain(err) })
  // The planner knows nothing of a table filled a moment ago.
  await session.tx.execute(sql.raw(`ANALYZE ${STAGING_TABLE}`))
}

/**
 * Reads and drops what is left of a refused upload (up to the body limit), so that the
 * HTTP exchange ends normally and the caller receives the problem.
 */
async function discardRest (body: Readable, limit: number) {
  if (body.readableEnded || body.destroyed) return
  let bytes = 0
  try {
    for await (const chunk of body) {
      bytes += (chunk as Buffer).length
      if (bytes > limit) break
    }
  } catch { /* the caller went away: nobody to answer */ }
}

async function summarise (tx: Database, kind: ImportKind): Promise<{ counts: ImportCounts, errors: ImportError[] }> {
  const [counts] = await rows<ImportCounts>(tx, sql`
    SELECT count(*)::int AS rows,
           count(*) FILTER (WHERE error_code IS NULL AND outcome = 'created')::int AS created,
           count(*) FILTER (WHERE error_code IS NULL AND outcome = 'updated')::int AS updated,
           count(*) FILTER (WHERE error_code IS NULL AND outcome = 'unchanged')::int AS unchanged,
           count(*) FILTER (WHERE error_code IS NOT NULL)::int AS failed
      FROM import_rows`)
  const failed = await rows<{ line: number, error_code: string, error_column: string | null, error_message: string | null }>(tx, sql`
    SELECT line, error_code, error_column, error_message
      FROM import_rows WHERE error_code IS NOT NULL
     ORDER BY line LIMIT ${ERRORS_KEPT}`)
  const errors = failed.map(r => {
    const known = kind.messages[r.error_code]
    return { line: r.line, column: r.error_column ?? known?.column ?? null, code: r.error_code, message: r.error_message ?? known?.message ?? r.error_code }
  })
  return { counts, errors }
}

function statusOf (options: ImportOptions, counts: ImportCounts): ImportStatus {
  if (options.dryRun) return 'dry_run'
  if (counts.failed === 0) return 'succeeded'
  return options.mode === 'partial' ? 'partial' : 'failed'
}

/** What to tell about an import that stopped as a whole. Never a database detail. */
function failureOf (err: unknown): ImportError {
  const whole = (code: string, message: string, line: number | null = null, column: string | null = null) => ({ line, column, code, message })
  if (err instanceof DomainError) {
    const at = err.extra as { line?: number, column?: string }
    return whole(err.code, err.message, at.line ?? null, at.column ?? null)
  }
  const code = (err as { code?: string }).code
  if (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE') {
    return whole('upload_aborted', 'The upload stopped before the end of the file; nothing was written. Send the file again.')
  }
  if (isDatabaseUnavailable(err)) return whole('database_unavailable', 'The database became unreachable during the import; nothing was written. Send the file again.')
  const refusal = domainErrorFromDatabase(err)
  if (refusal) return whole(refusal.code, `${refusal.message} A concurrent change probably got there first; nothing was written. Send the file again.`)
  return whole('import_error', 'The import stopped on an unexpected error; nothing was written.')
}
