import { sql, type SQL } from 'drizzle-orm'
import type { Actor } from '../access/actor.js'
import { withinScope } from '../access/scope.js'
import type { Database } from '../db/client.js'
import type { CopyValue } from '../db/copy-text.js'

/**
 * What each kind of import supplies to the common run (src/imports/run.ts): its
 * columns, how one record becomes a staged row (in JS), and the set-based SQL that
 * checks staged rows against the database and then writes them.
 *
 * Every kind stages into the temporary table `import_rows`, which starts with the
 * common columns below. resolve() leaves each row either with an error_code (failed)
 * or with an outcome (created, updated or unchanged); apply() writes the rows that are
 * valid and not unchanged, tagging everything it creates or changes with the import id.
 */

export const STAGING_TABLE = 'import_rows'

export const COMMON_COLUMNS = [
  ['line', 'integer NOT NULL'],
  ['error_code', 'text'],
  ['error_column', 'text'],
  ['error_message', 'text'],
  ['outcome', 'text']
] as const

export interface ImportContext {
  importId: string
  actor: Actor
  /** Booth presidents: end another holder's term instead of refusing the row. */
  replace: boolean
  /** Booth presidents: the wing of rows that name none (default the main body). */
  wing: string
  /** Sign-in sheets: the camp whose attendance the file records (checked by the route before the import starts). */
  campId?: string
  /** Sign-in sheets: a row whose person is not found, with a name and home booth, creates them. */
  createPeople?: boolean
}

export interface ImportKind {
  columns: readonly string[]
  /** Columns a CSV header must have. */
  required: readonly string[]
  /** Staged by stage(), in order, after line and the error columns. */
  stagedColumns: ReadonlyArray<readonly [string, string]>
  /** Filled in by resolve(). */
  resolvedColumns: ReadonlyArray<readonly [string, string]>
  /** One record's cells, validated and normalised; throws RowRefusal. */
  stage (values: Record<string, string>): CopyValue[]
  /**
   * Column and message for each error code resolve() may set (its rows carry only the code,
   * or a message of their own that names what in the row failed, never a database value).
   */
  messages: Record<string, { column: string | null, message: string }>
  resolve (tx: Database, context: ImportContext): Promise<void>
  apply (tx: Database, context: ImportContext): Promise<void>
}

/** SQL boolean: the ltree path lies in the actor's subtree (true for a global key). */
export function pathInScope (actor: Actor, path: SQL): SQL {
  return withinScope(actor, path) ?? sql`true`
}

/**
 * SQL boolean: a code path lies in the actor's subtree. Used for units an import is
 * about to create, which have no ltree path yet; code paths mirror the tree exactly.
 */
export function codePathInScope (actor: Actor, codePath: SQL): SQL {
  if (actor.scopeUnitId === null) return sql`true`
  return sql`EXISTS (SELECT 1 FROM units sc WHERE sc.id = ${actor.scopeUnitId}
    AND (${codePath} = sc.code_path OR left(${codePath}, length(sc.code_path) + 1) = sc.code_path || '/'))`
}

/**
 * An INSERT of audit records, one per unit an import created or changed, from a query of
 * (action, id, path) (the statement's RETURNING: a unit it created is not yet visible to
 * the rest of the statement). Set-based, in the import's transaction, beside its summary.
 */
export function auditUnits ({ importId, actor }: ImportContext) {
  return (changed: SQL) => sql`
    INSERT INTO audit_log (key_id, request_id, action, entity_type, entity_id, unit_id, unit_path, after)
    SELECT ${actor.keyId}::uuid, ${actor.requestId}, c.action, 'unit', c.id::text, c.id, c.path,
           jsonb_build_object('importId', ${importId}::uuid)
      FROM (${changed}) AS c(action, id, path)`
}

/**
 * The same for booth clusters, from a query of (action, id, unit id, line): the record's
 * unit is the cluster's (its scope), and it names the import and the row.
 */
export function auditClusters ({ importId, actor }: ImportContext) {
  return (changed: SQL) => sql`
    INSERT INTO audit_log (key_id, request_id, action, entity_type, entity_id, unit_id, unit_path, after)
    SELECT ${actor.keyId}::uuid, ${actor.requestId}, c.action, 'cluster', c.id::text, c.unit_id, u.path,
           jsonb_build_object('importId', ${importId}::uuid, 'line', c.line)
      FROM (${changed}) AS c(action, id, unit_id, line)
      JOIN units u ON u.id = c.unit_id`
}
