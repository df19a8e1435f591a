import { sql, type SQL } from 'drizzle-orm'
import { UNIT_LEVELS, type UnitLevel } from '../db/schema.js'

/** The fixed shape of the tree: each level hangs under exactly the level above it. */
export function parentLevelOf (level: UnitLevel): UnitLevel | null {
  const i = UNIT_LEVELS.indexOf(level)
  return i === 0 ? null : UNIT_LEVELS[i - 1]
}

export function childLevelOf (level: UnitLevel): UnitLevel | null {
  const i = UNIT_LEVELS.indexOf(level)
  return i === UNIT_LEVELS.length - 1 ? null : UNIT_LEVELS[i + 1]
}

/** True when `path` (an ltree text) lies in the subtree rooted at `root` (itself included). */
export function isWithin (path: string, root: string): boolean {
  return path === root || path.startsWith(root + '.')
}

/** The half-open code_path range holding every descendant of a unit ('/' < '0' in byte order). */
export function descendantRange (codePath: string): [string, string] {
  return [codePath + '/', codePath + '0']
}

/**
 * SQL: the unit `u` is at `level` and lies in the subtree of `unit` (itself included), as
 * conditions the (level, code_path) index takes whole: at the unit's own level only the
 * unit itself is there (P, the one code path in [P, P || chr(1)): no character sorts
 * below chr(1)), at a level below it the descendants' range [P/, P0), above it nothing. Written as one `u.code_path = P OR u.code_path in [P/, P0)`, the range became a
 * filter: the scan walked every unit of the level before the subtree in code-path order
 * (on the whole country, ~800,000 booths of the states before Uttar Pradesh for the first
 * page of its gaps). `level` may be a column of an outer row (a level per group): the
 * bounds are then computed per row, still as index conditions.
 */
export function atLevelInSubtree (unit: { level: UnitLevel, codePath: string }, level: UnitLevel | SQL): SQL {
  if (typeof level === 'string') {
    if (level === unit.level) return sql`u.level = ${level}::unit_level AND u.code_path = ${unit.codePath}`
    if (UNIT_LEVELS.indexOf(level) < UNIT_LEVELS.indexOf(unit.level)) return sql`false`
    const [from, to] = descendantRange(unit.codePath)
    return sql`u.level = ${level}::unit_level AND u.code_path >= ${from} AND u.code_path < ${to}`
  }
  const [from, to] = descendantRange(unit.codePath)
  const own = sql`${level} = ${unit.level}::unit_level`
  return sql`u.level = ${level}
    AND u.code_path >= (CASE WHEN ${own} THEN ${unit.codePath} ELSE ${from} END)
    AND u.code_path < (CASE WHEN ${own} THEN ${unit.codePath + '\u0001'} ELSE ${to} END)`
}
