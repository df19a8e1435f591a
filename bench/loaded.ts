import { sql } from 'drizzle-orm'
import type { Actor } from '../src/access/actor.js'
import { rows, type Database } from '../src/db/client.js'
import { findUnit, findUnitByCodePath, type UnitRow } from '../src/units/queries.js'

/**
 * The state a benchmark on a loaded database asks about (npm run seed -- --preset up; the
 * code from the command line, UP by default), its districts by booth count, and the
 * district of typical size (the median) and the largest.
 */
export async function loadedState (db: Database, actor: Actor) {
  const code = process.argv[3] ?? 'UP'
  const state = await findUnitByCodePath(db, actor, code)
  if (!state) throw new Error(`no state ${code}: load it with npm run seed`)
  const districts = await rows<{ id: string, total_booths: number }>(db, sql`
    SELECT u.id, s.total_booths FROM units u JOIN unit_stats s ON s.unit_id = u.id WHERE u.parent_id = ${state.id} ORDER BY s.total_booths`)
  const median = districts[Math.floor(districts.length / 2)]
  const district = (await findUnit(db, actor, median.id)) as UnitRow
  const largest = (await findUnit(db, actor, districts[districts.length - 1].id)) as UnitRow
  return { state, districts, district, districtBooths: median.total_booths, largest }
}
