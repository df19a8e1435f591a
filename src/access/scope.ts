import { sql, type SQL } from 'drizzle-orm'
import type { AnyPgColumn } from 'drizzle-orm/pg-core'
import type { Actor } from './actor.js'

/**
 * SQL predicate: the ltree column lies within the actor's subtree. The scope unit's
 * path is read in the same statement, so a move of the scope unit is seen at once.
 * Undefined for a global key (no filter).
 */
export function withinScope (actor: Actor, pathColumn: AnyPgColumn | SQL): SQL | undefined {
  if (actor.scopeUnitId === null) return undefined
  return inSubtreeOf(pathColumn, sql`${actor.scopeUnitId}`)
}

/**
 * The same predicate for a prepared statement: `scopeUnitId` is a parameter (SQL
 * placeholder), NULL for a global key.
 */
export function withinScopeParam (pathColumn: AnyPgColumn | SQL, scopeUnitId: SQL): SQL {
  return sql`(${scopeUnitId}::uuid IS NULL OR ${inSubtreeOf(pathColumn, sql`${scopeUnitId}::uuid`)})`
}

function inSubtreeOf (pathColumn: AnyPgColumn | SQL, unitId: SQL): SQL {
  return sql`${pathColumn} <@ (SELECT s.path FROM units s WHERE s.id = ${unitId})`
}

/** Predicate over a unit id column: the unit is inside the actor's subtree. */
export function unitWithinScope (actor: Actor, unitIdColumn: AnyPgColumn | SQL): SQL | undefined {
  if (actor.scopeUnitId === null) return undefined
  return sql`EXISTS (SELECT 1 FROM units su WHERE su.id = ${unitIdColumn}
    AND su.path <@ (SELECT s.path FROM units s WHERE s.id = ${actor.scopeUnitId}))`
}
