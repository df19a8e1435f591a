import { sql } from 'drizzle-orm'
import type { Actor } from '../access/actor.js'
import { rows, type Database } from '../db/client.js'
import type { UnitLevel } from '../db/schema.js'
import { DomainError, notFound } from '../errors.js'
import { sumOfRows, type CoverageParams, type CoverageSqlRow } from '../coverage/queries.js'
import { roleOrRefuse } from '../roles/catalogue.js'
import { findAssembly, inScope, type AssemblyRow } from './queries.js'

/** The units a constituency's booths are grouped by, with their depth on a booth's path. */
export const ASSEMBLY_GROUPS = { district: 2, block: 3, ward: 4 } as const satisfies Partial<Record<UnitLevel, number>>
export type AssemblyGroup = keyof typeof ASSEMBLY_GROUPS

/**
 * A constituency's coverage: its booths (those in the key's subtree) grouped by the
 * district, block or ward they lie in, each group with the same figures as a unit's
 * coverage row, counted over the constituency's booths only. Read from the booths' own
 * rows (booth_figures, a few index probes each: a constituency has a few hundred booths),
 * so it is exact after every write with no counters of its own.
 */
export async function assemblyCoverage (db: Database, actor: Actor, id: string, p: CoverageParams & { by: AssemblyGroup }) {
  const assembly = await findAssembly(db, actor, id)
  if (!assembly) throw notFound('assembly')
  const role = await roleOrRefuse(db, p.wing, p.role)
  if (!role.levels.includes('booth')) throw new DomainError('unprocessable', 'role_not_at_level', `${role.name} is not a post at booth level.`)
  const groups = await rows<CoverageSqlRow>(db, sql`
    WITH b AS (
      SELECT u.path, f.committee, f.with_handle, f.holders, f.active_members, f.new_members
        FROM units u
       CROSS JOIN LATERAL booth_figures(u.id, ${role.wing}, ${role.code}, india_today() - ${p.newMemberDays}::int) f
       WHERE u.assembly_id = ${assembly.id} AND u.level = 'booth' AND ${inScope(actor, sql`u.path`)})
    SELECT g.id AS unit_id, g.code, g.code_path, g.name, g.level,
           count(*)::int AS total_booths,
           count(*) FILTER (WHERE b.holders >= ${role.seats ?? 1})::int AS covered_booths,
           count(*) FILTER (WHERE b.committee >= ${p.minCommittee})::int AS booths_with_committee,
           sum(b.active_members)::int AS active_members,
           sum(b.new_members)::int AS new_members,
           sum(b.committee)::int AS office_bearers,
           sum(b.with_handle)::int AS office_bearers_with_handle
      FROM b JOIN units g ON g.node = (path_nodes(b.path))[${ASSEMBLY_GROUPS[p.by]}]
     GROUP BY g.id, g.code, g.code_path, g.name, g.level
     ORDER BY g.code_path`)
  return { assembly, role, groups, totals: totalsOf(assembly, groups) }
}

/** The constituency's own row: the sums of its groups. */
function totalsOf (assembly: AssemblyRow, groups: CoverageSqlRow[]) {
  return { assemblyId: assembly.id, number: assembly.number, name: assembly.name, ...sumOfRows(groups) }
}
