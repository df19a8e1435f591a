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
