import { sql, type SQL } from 'drizzle-orm'
import type { Actor } from '../access/actor.js'
import { rows, type Database } from '../db/client.js'
import { DomainError, notFound } from '../errors.js'

export interface ChangeRow {
  position: number
  type: string
  entityType: string
  entityId: string
  unitId: string | null
  unitCodePath: string | null
  at: Date | string
  payload: unknown
}

export interface ChangeQuery {
  /** Read changes after this position; undefined: from the oldest kept. */
  after?: number
  types?: string[]
  /** And of every type of these entities (appointment: appointment.created, .ended...). */
  entityTypes?: string[]
  /** Changes whose unit was, at the time, this unit or below it. */
  unitId?: string
  limit: number
}

export interface ChangeRead {
  /** Changes up to this position have been deleted (retention). */
  floor: number
  /**
   * The highest position visible when the rows were read, in the same snapshot: every
   * change at or below it that the caller may see and asked for is in this read or an
   * earlier one, so a caller given fewer rows than its limit may resume from here.
   */
  head: number
  rows: ChangeRow[]
}

/**
 * SQL: the change's unit path (as it was at the time) lies under the unit `unitId`, by
 * that unit's node number anywhere in the path, so a change made in a district's subtree
 * stays in it even after the district itself moved, and one made before a unit was moved
 * out stays too. A unit that no longer exists matches nothing.
 */
function underUnitAtTheTime (unitId: SQL): SQL {
  return sql`c.unit_path ~ (SELECT ('*.' || s.node::text || '.*')::lquery FROM units s WHERE s.id = ${unitId})`
}

/** One page of the feed in position order, limited to what the actor may see. */
export async function readChanges (db: Database, actor: Actor, q: ChangeQuery): Promise<ChangeRead> {
  if (q.unitId !== undefined) await assertUnitVisible(db, actor, q.unitId)
  const where: SQL[] = [sql`c.position > greatest(${q.after ?? 0}::bigint, f.expired_through)`]
  // Changes without a unit (the catalogues: wings, roles, platforms) are for global keys only.
  if (actor.scopeUnitId !== null) where.push(sql`c.unit_path IS NOT NULL AND ${underUnitAtTheTime(sql`${actor.scopeUnitId}::uuid`)}`)
  if (q.unitId !== undefined) where.push(underUnitAtTheTime(sql`${q.unitId}::uuid`))
  const typed: SQL[] = []
  if (q.types && q.types.length > 0) typed.push(sql`c.type = ANY (${sql.param(q.types)}::text[])`)
  if (q.entityTypes && q.entityTypes.length > 0) typed.push(sql`c.entity_type = ANY (${sql.param(q.entityTypes)}::text[])`)
  if (typed.length > 0) where.push(sql`(${sql.join(typed, sql` OR `)})`)
  const found = await rows<{ floor: number, head: number | null } & { [K in keyof ChangeRow]: ChangeRow[K] | null }>(db, sql`
    SELECT f.expired_through AS floor, (SELECT max(h.position) FROM changes h) AS head,
           p.position, p.type, p.entity_type AS "entityType", p.entity_id AS "entityId", p.unit_id AS "unitId",
           p.unit_code_path AS "unitCodePath", p.at, p.payload
      FROM change_feed_floor f
      LEFT JOIN LATERAL (
        SELECT c.position, c.type, c.entity_type, c.entity_id, c.unit_id, c.unit_code_path, c.at, c.payload
          FROM changes c
         WHERE ${sql.join(where, sql` AND `)}
         ORDER BY c.position
         LIMIT ${q.limit}
      ) p ON true
     ORDER BY p.position`)
  const floor = Number(found[0]?.floor ?? 0)
  const head = Math.max(floor, Number(found[0]?.head ?? 0))
  if (q.after !== undefined && q.after < floor) throw cursorExpired(head)
  return {
    floor,
    head,
    // Object.assign, not a spread in a literal (a slow path in V8, ~2 µs a row of 500).
    rows: found.filter(r => r.position !== null).map(r => Object.assign(r, { position: Number(r.position) }) as ChangeRow)
  }
}

/** A change as the API shows it: in the feed's pages, its event stream and webhook deliveries. */
export function publicChange (r: ChangeRow) {
  return {
    cursor: encodeChangeCursor(r.position),
    position: r.position,
    type: r.type,
    entityType: r.entityType,
    entityId: r.entityId,
    unitId: r.unitId,
    unitCodePath: r.unitCodePath,
    at: new Date(r.at).toISOString(),
    payload: r.payload as { ids: Record<string, unknown>, changed: string[], values: Record<string, unknown> }
  }
}

/** The highest position visible now (for ?after=latest). */
export async function headOfChanges (db: Database): Promise<number> {
  const [row] = await rows<{ head: number | null, floor: number }>(db, sql`
    SELECT (SELECT max(position) FROM changes) AS head, expired_through AS floor FROM change_feed_floor`)
  return Math.max(Number(row?.floor ?? 0), Number(row?.head ?? 0))
}

async function assertUnitVisible (db: Database, actor: Actor, unitId: string) {
  const [row] = await rows<{ id: string }>(db, sql`
    SELECT u.id FROM units u WHERE u.id = ${unitId}::uuid
       AND (${actor.scopeUnitId}::uuid IS NULL OR u.path <@ (SELECT s.path FROM units s WHERE s.id = ${actor.scopeUnitId}::uuid))`)
  if (!row) throw notFound('unit')
}

export const encodeChangeCursor = (position: number) => Buffer.from(String(position), 'utf8').toString('base64url')

/** A cursor this API issued, as its position; anything else is a 400. */
export function decodeChangeCursor (cursor: string): number {
  const text = Buffer.from(cursor, 'base64url').toString('utf8')
  if (/^(0|[1-9]\d{0,17})$/.test(text) && encodeChangeCursor(Number(text)) === cursor) return Number(text)
  throw new DomainError('invalid', 'invalid_cursor', 'The cursor is not one this API issued. Start again without a cursor, or with after=latest.')
}

export function cursorExpired (head: number) {
  return new DomainError('gone', 'cursor_expired',
    'This cursor points before the oldest change still kept (see CHANGES_RETENTION_DAYS), so changes may have been missed. ' +
    'Resynchronise: take latestCursor (or GET /v1/changes?after=latest) first, then read the lists you mirror again, then follow the feed from that cursor.',
    { latestCursor: encodeChangeCursor(head) })
}
