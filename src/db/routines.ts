import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * Routines (trigger functions, their triggers, views and the functions that own the
 * rules) are not migrations: each has ONE current definition, in a canonical file under
 * src/db/routines, applied idempotently after the ordered migrations (the repeatable
 * migrations of Flyway and graphile-migrate). A file is applied again when its checksum
 * changes, and every file when a migration ran (a migration may have replaced what a
 * routine hangs on). Files run in name order, all in one transaction.
 *
 * Resolved from the package root, so the same folder serves src/ (tsx) and dist/.
 */
export const ROUTINES_FOLDER = fileURLToPath(new URL('../../src/db/routines', import.meta.url))

export interface Routine {
  name: string
  sql: string
  checksum: string
}

export function readRoutines (folder = ROUTINES_FOLDER): Routine[] {
  return readdirSync(folder)
    .filter(name => name.endsWith('.sql'))
    .sort()
    .map(name => {
      const sql = readFileSync(join(folder, name), 'utf8')
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') }
    })
}

/** The two calls a driver needs: a query with rows, and a script of several statements. */
export interface RoutineRunner {
  query<T> (text: string, params?: unknown[]): Promise<T[]>
  script (text: string): Promise<void>
}

/**
 * Applies the routines whose checksum differs from the one recorded (all of them when
 * `all`), in one transaction. Returns the names applied.
 */
export async function applyRoutines (runner: RoutineRunner, options: { all: boolean }): Promise<string[]> {
  const routines = readRoutines()
  await runner.script('BEGIN')
  try {
    const applied = new Map((await runner.query<{ name: string, checksum: string }>('SELECT name, checksum FROM schema_routines'))
      .map(r => [r.name, r.checksum]))
    const due = routines.filter(r => options.all || applied.get(r.name) !== r.checksum)
    for (const routine of due) {
      await runner.script(routine.sql)
      await runner.query(
        `INSERT INTO schema_routines (name, checksum) VALUES ($1, $2)
         ON CONFLICT (name) DO UPDATE SET checksum = EXCLUDED.checksum, applied_at = now()`,
        [routine.name, routine.checksum])
    }
    // A file that was removed leaves its routines behind; dropping them is a migration's job.
    await runner.query('DELETE FROM schema_routines WHERE NOT (name = ANY ($1::text[]))', [routines.map(r => r.name)])
    await runner.script('COMMIT')
    return due.map(r => r.name)
  } catch (err) {
    await runner.script('ROLLBACK').catch(() => {})
    throw err
  }
}
