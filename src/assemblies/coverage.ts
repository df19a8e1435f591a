import { sql } from 'drizzle-orm'
import type { Actor } from '../access/actor.js'
import { rows, type Database } from '../db/client.js'
import type { UnitLevel } from '../db/schema.js'
import { DomainError, notFound } from '../errors.js'
import { boothFigures, figuresOf, sumOfRows, sumsOfBooths, type CoverageParams, type CoverageSqlRow } from '../coverage/queries.js'
import { roleOrRefuse, type RoleRow } from '../roles/catalogue.js'
import type { UnitRow } from '../units/queries.js'
import { atLevelInSubtree } from '../units/levels.js'
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
    WITH b AS (${boothFigures(role, p, sql`u.assembly_id = ${assembly.id} AND u.level = 'booth' AND ${inScope(actor, sql`u.path`)}`, sql`u.path`)})
    SELECT g.id AS unit_id, g.code, g.code_path, g.name, g.level, ${sumsOfBooths(role, p)}
      FROM b JOIN units g ON g.node = (path_nodes(b.path))[${ASSEMBLY_GROUPS[p.by]}]
     GROUP BY g.id, g.code, g.code_path, g.name, g.level
     ORDER BY g.code_path`)
  return { assembly, role, groups, totals: totalsOf(assembly, groups) }
}

/** The constituency's own row: the sums of its groups. */
function totalsOf (assembly: AssemblyRow, groups: CoverageSqlRow[]) {
  return { assemblyId: assembly.id, number: assembly.number, name: assembly.name, ...sumOfRows(groups) }
}

export type AssemblyCoverageSqlRow = Omit<CoverageSqlRow, 'unit_id' | 'code' | 'code_path' | 'level'> & {
  assembly_id: string
  number: number
  local_name: string | null
  reserved: 'SC' | 'ST' | null
}

/**
 * A unit's booths grouped by the constituency they lie in (those with an AC number), in
 * number order from `after`. A state's and a district's from the counters of the
 * constituencies' (constituency, district) pairs (33_assembly_stats.sql): a state sums
 * its few hundred pairs, a district reads its own, so a district's figures are over its
 * own booths only. A block's, ward's or booth's from its booths' own rows.
 */
export async function coverageByAssembly (db: Database, unit: UnitRow, role: RoleRow, p: CoverageParams, page: { after?: number, limit: number }) {
  const after = page.after === undefined ? sql`true` : sql`a.number > ${page.after}`
  const columns = sql`a.id AS assembly_id, a.number, a.name, a.local_name, a.reserved`
  if (unit.level === 'state' || unit.level === 'district') {
    const pairs = unit.level === 'state' ? sql`a.state_id = ${unit.id}` : sql`s.district_node = ${Number(unit.path.split('.')[1])}`
    return rows<AssemblyCoverageSqlRow>(db, sql`
      SELECT ${columns},
             sum(s.total_booths)::int AS total_booths,
             coalesce(sum(ps.filled_booths), 0)::int AS covered_booths,
             ${p.minCommittee === 0
               ? sql`sum(s.total_booths)::int`
               : sql`coalesce(sum((SELECT sum(x) FROM unnest(os.committee_histogram[${p.minCommittee + 1}:33]) AS x)), 0)::int`} AS booths_with_committee,
             sum(s.active_members)::int AS active_members,
             coalesce(sum((SELECT sum(mj.members) FROM assembly_member_joins mj
                            WHERE mj.assembly_id = s.assembly_id AND mj.district_node = s.district_node
                              AND mj.joined_on > india_today() - ${p.newMemberDays}::int)), 0)::int AS new_members,
             coalesce(sum(os.office_bearers), 0)::int AS office_bearers,
             coalesce(sum(os.office_bearers_with_handle), 0)::int AS office_bearers_with_handle
        FROM assembly_stats s
        JOIN assemblies a ON a.id = s.assembly_id
        LEFT JOIN assembly_office_stats os ON os.assembly_id = s.assembly_id AND os.district_node = s.district_node AND os.wing_code = ${role.wing}
        LEFT JOIN assembly_post_stats ps ON ps.assembly_id = s.assembly_id AND ps.district_node = s.district_node
                                        AND ps.wing_code = ${role.wing} AND ps.role_code = ${role.code}
       WHERE ${pairs} AND ${after}
       GROUP BY a.id
       ORDER BY a.number
       LIMIT ${page.limit}`)
  }
  const booths = sql`${atLevelInSubtree(unit, 'booth')} AND u.assembly_id IS NOT NULL`
  return rows<AssemblyCoverageSqlRow>(db, sql`
    WITH b AS (${boothFigures(role, p, booths, sql`u.assembly_id`)})
    SELECT ${columns}, ${sumsOfBooths(role, p)}
      FROM b JOIN assemblies a ON a.id = b.assembly_id
     WHERE ${after}
     GROUP BY a.id
     ORDER BY a.number
     LIMIT ${page.limit}`)
}

export function toAssemblyCoverageRow (r: AssemblyCoverageSqlRow) {
  // Object.assign, not rest and spread: ~0.15 µs a row against ~0.4 (a state has 403).
  return Object.assign({ assemblyId: r.assembly_id, number: r.number, name: r.name, localName: r.local_name, reserved: r.reserved }, figuresOf(r))
}
