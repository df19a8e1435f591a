import type { FastifyInstance } from 'fastify'
import { sql } from 'drizzle-orm'
import { rows } from '../../src/db/client.js'
import { call } from './app.js'

export type ImportPath = 'units' | 'booth-presidents' | 'clusters'

/** POSTs a file to /v1/imports/<path>; CSV unless another content type is given. */
export async function postImport (app: FastifyInstance, path: ImportPath, body: string, options: { query?: string, key?: string, contentType?: string, headers?: Record<string, string> } = {}) {
  return call(app, {
    method: 'POST',
    url: `/v1/imports/${path}${options.query ? `?${options.query}` : ''}`,
    payload: body,
    headers: { 'content-type': options.contentType ?? 'text/csv', ...options.headers }
  }, options.key)
}

/** A CSV file from a header and rows; cells are written as given (quote them yourself). */
export const csv = (header: string, ...lines: string[]) => [header, ...lines].join('\n') + '\n'

export const ndjson = (...records: Array<Record<string, unknown>>) => records.map(r => JSON.stringify(r)).join('\n') + '\n'

/** Rows of a table, straight from the database (for what the API does not show, such as import_id). */
export async function count (app: FastifyInstance, table: 'people' | 'memberships' | 'appointments' | 'units', where = sql`true`): Promise<number> {
  const [row] = await rows<{ n: number }>(app.db, sql`SELECT count(*)::int AS n FROM ${sql.raw(table)} WHERE ${where}`)
  return row.n
}

export async function personByVoterId (app: FastifyInstance, voterId: string) {
  const [person] = await rows<{ id: string, name: string, phone: string | null, home_booth_id: string, import_id: string | null, twitter: string | null }>(app.db,
    sql`SELECT id, name, phone, home_booth_id, import_id, (SELECT h.handle FROM person_handles h WHERE h.person_id = people.id AND h.platform_code = 'twitter') AS twitter FROM people WHERE voter_id = ${voterId}`)
  return person
}

/** The person's current membership and open terms, as the rule sees them. */
export async function standing (app: FastifyInstance, personId: string) {
  const [membership] = await rows<{ id: string, booth_id: string, grade: string, import_id: string | null }>(app.db,
    sql`SELECT id, booth_id, grade, import_id FROM memberships WHERE person_id = ${personId} AND status = 'current'`)
  const terms = await rows<{ id: string, unit_id: string, role_code: string, start_date: string, import_id: string | null }>(app.db,
    sql`SELECT id, unit_id, role_code, start_date, import_id FROM appointments WHERE person_id = ${personId} AND end_date IS NULL ORDER BY role_code`)
  return { membership, terms }
}
