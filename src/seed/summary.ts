import { sql } from 'drizzle-orm'
import { rows, type Database } from '../db/client.js'
import { UNIT_LEVELS } from '../db/schema.js'
import type { SeedCounts, SeedOptions } from './load.js'

interface StateCoverage { code: string, booths: number, presidents: number, lowest: number, highest: number }

/** President coverage per seeded state, and its spread over districts, read from the coverage counters. */
export async function presidentCoverage (db: Database, codes: string[]): Promise<StateCoverage[]> {
  return rows<StateCoverage>(db, sql`
    SELECT s.code, st.total_booths AS booths, coalesce(sp.filled_booths, 0) AS presidents,
           min(coalesce(dp.filled_booths, 0)::float / nullif(ds.total_booths, 0)) AS lowest,
           max(coalesce(dp.filled_booths, 0)::float / nullif(ds.total_booths, 0)) AS highest
      FROM units s
      JOIN unit_stats st ON st.unit_id = s.id
      LEFT JOIN post_stats sp ON sp.unit_id = s.id AND sp.wing_code = 'main' AND sp.role_code = 'president'
      JOIN units d ON d.parent_id = s.id
      JOIN unit_stats ds ON ds.unit_id = d.id
      LEFT JOIN post_stats dp ON dp.unit_id = d.id AND dp.wing_code = 'main' AND dp.role_code = 'president'
     WHERE s.level = 'state' AND s.code = ANY (string_to_array(${codes.join(',')}, ','))
     GROUP BY s.code, st.total_booths, sp.filled_booths
     ORDER BY s.code`)
}

interface StateTraining { code: string, office_bearers: number, trained: number, lowest: number | null, highest: number | null }

/** Office-bearers trained per seeded state (ever, any topic) and the spread over districts, from the training counters. */
export async function trainingSpread (db: Database, codes: string[]): Promise<StateTraining[]> {
  return rows<StateTraining>(db, sql`
    WITH figures AS (
      SELECT u.id, u.parent_id, u.level, u.code,
             coalesce(sum(ts.people), 0)::int AS office_bearers,
             coalesce(sum(ts.people) FILTER (WHERE ts.last_day > '-infinity'::date), 0)::int AS trained
        FROM units u LEFT JOIN training_stats ts ON ts.unit_id = u.id AND ts.wing_key = '' AND ts.topic_key = ''
       WHERE u.level IN ('state', 'district') AND path_state(u.path) IN (SELECT id FROM units WHERE level = 'state' AND code = ANY (string_to_array(${codes.join(',')}, ',')))
       GROUP BY u.id)
    SELECT s.code, s.office_bearers, s.trained,
           min(d.trained::float / nullif(d.office_bearers, 0)) AS lowest, max(d.trained::float / nullif(d.office_bearers, 0)) AS highest
      FROM figures s LEFT JOIN figures d ON d.parent_id = s.id
     WHERE s.level = 'state'
     GROUP BY s.code, s.office_bearers, s.trained
     ORDER BY s.code`)
}

const number = (n: number) => n.toLocaleString('en-IN')
const percent = (share: number) => `${(share * 100).toFixed(1)}%`
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`

export function formatSummary (options: SeedOptions, backend: string, counts: SeedCounts, coverage: StateCoverage[], training: StateTraining[], timings: Map<string, number>, totalMs: number): string {
  const lines = [
    `Seeded preset ${options.preset.name} (seed ${options.seed}, today ${options.today}) into ${backend} in ${seconds(totalMs)}`,
    `  units         ${UNIT_LEVELS.map(level => `${level} ${number(counts.units[level])}`).join(' · ')}`,
    `  assemblies    ${number(counts.assemblies)} constituencies`,
    `  sectors       ${number(counts.sectors)} (${number(counts.sectorsWithIncharge)} with an in-charge)`,
    `  people        ${number(counts.people)}`,
    `  memberships   ${number(counts.memberships)} (${number(counts.currentMemberships)} current, ${number(counts.activeMembers)} of them active)`,
    `  appointments  ${number(counts.appointments)} (${number(counts.currentAppointments)} current, the rest ended terms)`
  ]
  lines.push(`  camps         ${number(counts.camps)} (${number(counts.campsHeld)} held, ${number(counts.campsPlanned)} planned): ` +
    `${number(counts.invitations)} invitations, ${number(counts.attended)} attended (${number(counts.walkIns)} walk-ins), ${number(counts.attendanceDays)} days of attendance`)
  for (const c of coverage) {
    lines.push(`  presidents    ${c.code}: ${number(c.presidents)} of ${number(c.booths)} booths, ${percent(c.presidents / c.booths)} ` +
      `(districts from ${percent(c.lowest)} to ${percent(c.highest)})`)
  }
  for (const t of training) {
    lines.push(`  trained       ${t.code}: ${number(t.trained)} of ${number(t.office_bearers)} office-bearers, ${percent(t.office_bearers === 0 ? 0 : t.trained / t.office_bearers)} ` +
      `(districts from ${percent(t.lowest ?? 0)} to ${percent(t.highest ?? 0)})`)
  }
  lines.push(`  time          ${[...timings].map(([phase, ms]) => `${phase} ${seconds(ms)}`).join(' · ')}`)
  return lines.join('\n')
}
