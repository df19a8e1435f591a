import { sql, type SQL } from 'drizzle-orm'
import type { Actor } from '../access/actor.js'
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
function inScope (actor: Actor, column: SQL): SQL {
  return actor.scopeUnitId === null
    ? sql`true`
    : sql`${column} <@ (SELECT sp.path FROM units sp WHERE sp.id = ${actor.scopeUnitId})`
}

export async function listAssemblies (db: Database, actor: Actor, f: AssemblyFilter): Promise<AssemblyRow[]> {
  const where: SQL[] = [sql`(${inScope(actor, sql`s.path`)} OR EXISTS (
    SELECT 1 FROM units b WHERE b.assembly_id = a.id AND ${inScope(actor, sql`b.path`)}))`]
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
  if (f.after) where.push(sql`(s.code COLLATE "C", a.number) > (${f.after[0]} COLLATE "C", ${f.after[1]}::int)`)
  return rows<AssemblyRow>(db, sql`
    SELECT a.id, a.state_id, s.code AS state_code, a.number, a.name, a.local_name, a.reserved,
           a.version, a.created_at, a.updated_at, own.booth_count,
           coalesce((SELECT json_agg(json_build_object('id', d.id, 'code', d.code, 'codePath', d.code_path, 'name', d.name) ORDER BY d.code_path)
                       FROM units d WHERE d.node = ANY (own.district_nodes)), '[]'::json) AS districts
      FROM assemblies a
      JOIN units s ON s.id = a.state_id
     CROSS JOIN LATERAL (
       SELECT count(*)::int AS booth_count, array_agg(DISTINCT (path_nodes(b.path))[2]) AS district_nodes
         FROM units b WHERE b.assembly_id = a.id AND ${inScope(actor, sql`b.path`)}) own
     WHERE ${sql.join(where, sql` AND `)}
     ORDER BY s.code COLLATE "C", a.number
     LIMIT ${f.limit + 1}`)
}

export async function findAssembly (db: Database, actor: Actor, id: string): Promise<AssemblyRow | undefined> {
  const [row] = await listAssemblies(db, actor, { id, limit: 1 })
  return row
}
