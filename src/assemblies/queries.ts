import { sql, type SQL } from 'drizzle-orm'
import type { Actor } from '../access/actor.js'
import { withinScope } from '../access/scope.js'
import { rows, type Database } from '../db/client.js'
import { containing } from '../db/like.js'
import type { Assembly } from './schemas.js'

/**
 * Assembly constituencies as a key sees them: those with a booth in its subtree (all of
 * a state's for a key scoped to the state or wider), each with the districts and the
 * number of its booths that lie within the subtree. A constituency is a grouping over
 * booths, so a district's key sees one that spans two districts counted over its own.
 */

export interface AssemblyRow {
  id: string
  state_id: string
  state_code: string
  number: number
  name: string
  local_name: string | null
  reserved: 'SC' | 'ST' | null
  districts: Array<{ id: string, code: string, codePath: string, name: string }>
  booth_count: number
  version: number
  created_at: string | Date
  updated_at: string | Date
}

export function toAssembly (r: AssemblyRow): Assembly {
  return {
    id: r.id,
    stateId: r.state_id,
    stateCode: r.state_code,
    number: r.number,
    name: r.name,
    localName: r.local_name,
    reserved: r.reserved,
    districts: r.districts,
    boothCount: r.booth_count,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString()
  }
}

export interface AssemblyFilter {
  id?: string
  stateId?: string
  districtId?: string
  number?: number
  q?: string
  /** Keyset: (state code, number) of the last constituency of the previous page. */
  after?: [string, number]
  limit: number
}

/** The key's subtree as a path predicate over `column` (true for a global key). */
export const inScope = (actor: Actor, column: SQL): SQL => withinScope(actor, column) ?? sql`true`

export async function listAssemblies (db: Database, actor: Actor, f: AssemblyFilter): Promise<AssemblyRow[]> {
  const where: SQL[] = []
  if (actor.scopeUnitId !== null) {
    // Only its own state's constituencies can have a booth in a key's subtree; among
    // those, the ones that do (all of them for a key scoped to the state).
    where.push(sql`a.state_id = (SELECT path_state(sp.path) FROM units sp WHERE sp.id = ${actor.scopeUnitId})`)
    where.push(sql`(${inScope(actor, sql`s.path`)} OR EXISTS (
      SELECT 1 FROM units b WHERE b.assembly_id = a.id AND ${inScope(actor, sql`b.path`)}))`)
  }
  if (f.id) where.push(sql`a.id = ${f.id}`)
  if (f.stateId) where.push(sql`a.state_id = ${f.stateId}`)
  if (f.number !== undefined) where.push(sql`a.number = ${f.number}`)
  if (f.districtId) {
    where.push(sql`EXISTS (SELECT 1 FROM units b JOIN units d ON d.id = ${f.districtId} AND d.level = 'district'
                            WHERE b.assembly_id = a.id AND b.path <@ d.path AND ${inScope(actor, sql`b.path`)})`)
  }
  if (f.q) {
    const pattern = containing(f.q)
    where.push(sql`(a.name ILIKE ${pattern} OR a.local_name ILIKE ${pattern})`)
  }
  if (f.after) where.push(sql`(s.code_path, a.number) > (${f.after[0]}, ${f.after[1]}::int)`)
  // The page first (states by their code, through the (level, code_path) index), then
  // the booths of its constituencies only.
  return rows<AssemblyRow>(db, sql`
    WITH page AS (
      SELECT a.id, a.state_id, s.code AS state_code, s.code_path, a.number, a.name, a.local_name, a.reserved,
             a.version, a.created_at, a.updated_at
        FROM assemblies a
        JOIN units s ON s.id = a.state_id AND s.level = 'state'
       WHERE ${where.length ? sql.join(where, sql` AND `) : sql`true`}
       ORDER BY s.code_path, a.number
       LIMIT ${f.limit + 1})
    SELECT p.*, own.booth_count,
           coalesce((SELECT json_agg(json_build_object('id', d.id, 'code', d.code, 'codePath', d.code_path, 'name', d.name) ORDER BY d.code_path)
                       FROM units d WHERE d.path = ANY (own.district_paths)), '[]'::json) AS districts
      FROM page p
     CROSS JOIN LATERAL (
       SELECT count(*)::int AS booth_count, array_agg(DISTINCT subpath(b.path, 0, 2)) AS district_paths
         FROM units b WHERE b.assembly_id = p.id AND ${inScope(actor, sql`b.path`)}) own
     ORDER BY p.code_path, p.number`)
}

export async function findAssembly (db: Database, actor: Actor, id: string): Promise<AssemblyRow | undefined> {
  const [row] = await listAssemblies(db, actor, { id, limit: 1 })
  return row
}
