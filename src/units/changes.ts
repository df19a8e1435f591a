import { eq, sql } from 'drizzle-orm'
import type { Actor } from '../access/actor.js'
import { withinScope } from '../access/scope.js'
import { recordAudit } from '../audit/record.js'
import { rows, type Database } from '../db/client.js'
import { inTransaction } from '../db/transaction.js'
import { units, type UnitLevel } from '../db/schema.js'
import { DomainError, notFound, preconditionFailed } from '../errors.js'
import { isWithin, parentLevelOf } from './levels.js'
import { countChildren, findUnit, hasSiblingWithCode, toUnit, unitColumns, type UnitRow } from './queries.js'

/**
 * Changes to the tree. The database guarantees the shape (the constraints on units in
 * src/db/schema.ts, the triggers in src/db/routines/10_tree.sql); these functions check
 * first so that the caller gets a precise reason, and run each change in one transaction.
 */

export interface UnitFields {
  code: string
  name: string
  localName?: string | null
  displayLabel?: string | null
  /** Booths only: assembly constituency number and name, polling station number. */
  acNumber?: number | null
  acName?: string | null
  psNumber?: string | null
}

export interface CreateUnitInput extends UnitFields {
  level: UnitLevel
  parentId?: string | null
}

/** Fields to change; null clears an optional one. Level and parent change only by a move. */
export type UpdateUnitInput = Partial<UnitFields>

export type VersionCheck = ((version: number) => boolean) | undefined

const codeTaken = (code: string) =>
  new DomainError('conflict', 'unit_code_taken', `Another unit under the same parent already has the code ${code}.`)

export async function createUnit (db: Database, actor: Actor, input: CreateUnitInput): Promise<UnitRow> {
  return inTransaction(db, actor, async (tx) => {
    const expectedParentLevel = parentLevelOf(input.level)
    const parentId = input.parentId ?? null
    if (parentId === null && actor.scopeUnitId !== null) {
      throw new DomainError('forbidden', 'outside_scope', 'A key scoped to a unit cannot create a state: it would lie outside its subtree.')
    }
    if (expectedParentLevel === null && parentId !== null) {
      throw new DomainError('unprocessable', 'state_has_no_parent', 'A state is the root of its tree: omit parentId.')
    }
    if (expectedParentLevel !== null) {
      if (parentId === null) {
        throw new DomainError('unprocessable', 'parent_required', `A ${input.level} needs a parentId: the ${expectedParentLevel} it belongs to.`)
      }
      // Outside the caller's subtree looks exactly like not existing.
      const parent = await findUnit(tx, actor, parentId)
      if (!parent) throw new DomainError('unprocessable', 'parent_not_found', 'The parent unit does not exist.')
      if (parent.level !== expectedParentLevel) {
        throw new DomainError('unprocessable', 'invalid_parent_level',
          `A ${input.level} must hang under a ${expectedParentLevel}; ${parent.codePath} is a ${parent.level}.`)
      }
    }
    if (input.level !== 'booth' && (input.acNumber != null || input.acName != null || input.psNumber != null)) {
      throw new DomainError('unprocessable', 'booth_fields_on_non_booth', 'acNumber, acName and psNumber belong to booths only.')
    }
    if (await hasSiblingWithCode(tx, parentId, input.code)) throw codeTaken(input.code)

    const [row] = await tx.insert(units).values({
      level: input.level,
      parentId,
      code: input.code,
      name: input.name,
      localName: input.localName ?? null,
      displayLabel: input.displayLabel ?? null,
      acNumber: input.acNumber ?? null,
      acName: input.acName ?? null,
      psNumber: input.psNumber ?? null,
      // Derived by the units_derive_tree_columns trigger; placeholders satisfy NOT NULL typing.
      path: '0',
      codePath: ''
    }).returning(unitColumns)
    await recordAudit(tx, actor, { action: 'create', entityType: 'unit', entityId: row.id, unitId: row.id, after: toUnit(row as UnitRow) })
    return row as UnitRow
  })
}

async function lockForChange (tx: Database, actor: Actor, id: string, matches: VersionCheck): Promise<UnitRow> {
  const unit = await findUnit(tx, actor, id, { forUpdate: true })
  if (!unit) throw notFound('unit')
  if (matches && !matches(unit.version)) throw preconditionFailed()
  return unit
}

export async function updateUnit (db: Database, actor: Actor, id: string, patch: UpdateUnitInput, matches: VersionCheck): Promise<UnitRow> {
  return inTransaction(db, actor, async (tx) => {
    // A re-code rewrites every descendant's code path: same lock order as a move.
    if (patch.code !== undefined) await tx.execute(sql`LOCK TABLE units IN SHARE ROW EXCLUSIVE MODE`)
    const unit = await lockForChange(tx, actor, id, matches)
    // The scope's own unit has siblings outside the scope: a re-code would tell the caller
    // which codes they hold. Its code is for a wider key to change.
    if (patch.code !== undefined && patch.code !== unit.code && unit.id === actor.scopeUnitId) {
      throw new DomainError('forbidden', 'outside_scope', 'The code of the unit your key is scoped to places it among units outside your scope: a key with a wider scope must change it.')
    }
    const touchesBooth = patch.acNumber != null || patch.acName != null || patch.psNumber != null
    if (unit.level !== 'booth' && touchesBooth) {
      throw new DomainError('unprocessable', 'booth_fields_on_non_booth', 'acNumber, acName and psNumber belong to booths only.')
    }
    if (patch.code !== undefined && patch.code !== unit.code && await hasSiblingWithCode(tx, unit.parentId, patch.code, unit.id)) {
      throw codeTaken(patch.code)
    }
    const set: Partial<typeof units.$inferInsert> = {}
    if (patch.code !== undefined) set.code = patch.code
    if (patch.name !== undefined) set.name = patch.name
    if (patch.localName !== undefined) set.localName = patch.localName
    if (patch.displayLabel !== undefined) set.displayLabel = patch.displayLabel
    if (patch.acNumber !== undefined) set.acNumber = patch.acNumber
    if (patch.acName !== undefined) set.acName = patch.acName
    if (patch.psNumber !== undefined) set.psNumber = patch.psNumber
    const [row] = await tx.update(units).set(set).where(eq(units.id, id)).returning(unitColumns)
    await recordAudit(tx, actor, { action: 'update', entityType: 'unit', entityId: id, unitId: id, before: toUnit(unit), after: toUnit(row as UnitRow) })
    return row as UnitRow
  })
}

export interface LeftCluster { clusterId: string, code: string, boothId: string }

export async function moveUnit (db: Database, actor: Actor, id: string, newParentId: string, matches: VersionCheck, leaveClusters = false): Promise<UnitRow & { leftClusters: LeftCluster[] }> {
  return inTransaction(db, actor, async (tx) => {
    // Taken first, so the trigger's own lock is a no-op and concurrent inserts under the
    // subtree wait instead of copying a path that is about to change.
    await tx.execute(sql`LOCK TABLE units IN SHARE ROW EXCLUSIVE MODE`)
    const unit = await lockForChange(tx, actor, id, matches)
    const expectedParentLevel = parentLevelOf(unit.level)
    if (expectedParentLevel === null) {
      throw new DomainError('unprocessable', 'state_cannot_move', 'A state is a root and cannot be moved under another unit.')
    }
    const target = await findUnit(tx, actor, newParentId)
    if (!target) throw new DomainError('unprocessable', 'parent_not_found', 'The new parent unit does not exist.')
    if (isWithin(target.path, unit.path)) {
      throw new DomainError('unprocessable', 'move_into_own_subtree', `${target.codePath} lies inside ${unit.codePath}: a unit cannot move under itself or its own descendant.`)
    }
    if (target.level !== expectedParentLevel) {
      throw new DomainError('unprocessable', 'invalid_parent_level',
        `A ${unit.level} must hang under a ${expectedParentLevel}; ${target.codePath} is a ${target.level}.`)
    }
    if (target.id === unit.parentId) return { ...unit, leftClusters: [] }
    if (await hasSiblingWithCode(tx, target.id, unit.code)) {
      throw new DomainError('conflict', 'unit_code_taken', `${target.codePath} already has a child with the code ${unit.code}.`)
    }
    // Booths of the subtree in a cluster of a unit above it that will not be above it any more.
    const leaving = await rows<LeftCluster>(tx, sql`
      SELECT cb.cluster_id AS "clusterId", c.code, cb.booth_id AS "boothId"
        FROM cluster_booths cb JOIN clusters c ON c.id = cb.cluster_id JOIN units cu ON cu.id = c.unit_id JOIN units b ON b.id = cb.booth_id
       WHERE b.path <@ ${unit.path}::ltree AND NOT (cu.path <@ ${unit.path}::ltree) AND NOT (${target.path}::ltree <@ cu.path)
       ORDER BY c.code, cb.booth_id`)
    if (leaving.length > 0 && !leaveClusters) {
      throw new DomainError('conflict', 'booth_outside_cluster_unit',
        `The move takes ${leaving.length} booth${leaving.length > 1 ? 's' : ''} out of the unit of ${[...new Set(leaving.map(l => l.code))].join(', ')}: say leaveClusters to move them out of those clusters.`,
        { leftClusters: leaving })
    }
    if (leaving.length > 0) await tx.execute(sql`SELECT set_config('sangathan.leave_clusters', 'on', true)`)
    const [row] = await tx.update(units).set({ parentId: target.id }).where(eq(units.id, id)).returning(unitColumns)
    await recordAudit(tx, actor, { action: 'move', entityType: 'unit', entityId: id, unitId: id, before: toUnit(unit), after: { ...toUnit(row as UnitRow), leftClusters: leaving } })
    return { ...(row as UnitRow), leftClusters: leaving }
  })
}

export async function deleteUnit (db: Database, actor: Actor, id: string, matches: VersionCheck): Promise<UnitRow> {
  return inTransaction(db, actor, async (tx) => {
    const unit = await lockForChange(tx, actor, id, matches)
    if (unit.level === 'booth') {
      const [homes] = await rows<{ n: number }>(tx, sql`SELECT count(*)::int AS n FROM people WHERE home_booth_id = ${id}`)
      if (homes.n > 0) {
        // The offices they hold, as far as the caller may see them (the rest only counted).
        const offices = await rows<{ id: string, unitId: string, unitCodePath: string, wing: string, role: string, startDate: string, endDate: string | null, visible: boolean }>(tx, sql`
          SELECT a.id, a.unit_id AS "unitId", u.code_path AS "unitCodePath", a.wing_code AS wing, a.role_code AS role, a.start_date AS "startDate", a.end_date AS "endDate",
                 ${withinScope(actor, sql`u.path`) ?? sql`true`} AS visible
            FROM appointments a JOIN people p ON p.id = a.person_id JOIN units u ON u.id = a.unit_id
           WHERE p.home_booth_id = ${id} AND term_is_open(a.end_date)
           ORDER BY a.start_date LIMIT 100`)
        const outside = offices.filter(o => !o.visible).length
        throw new DomainError('conflict', 'booth_is_home', `${homes.n} people have ${unit.codePath} as their home booth: move them to another booth first.`,
          { people: homes.n, appointments: offices.filter(o => o.visible).map(({ visible: _v, ...o }) => o), ...(outside > 0 ? { appointmentsOutsideScope: outside } : {}) })
      }
    }
    const children = await countChildren(tx, id)
    if (children > 0) {
      throw new DomainError('conflict', 'unit_has_children', `${unit.codePath} still has ${children} child unit(s): move or delete them first.`, { children })
    }
    // Recorded before the row goes, so the record still carries the unit's tree path.
    await recordAudit(tx, actor, { action: 'delete', entityType: 'unit', entityId: id, unitId: id, before: toUnit(unit) })
    await tx.delete(units).where(eq(units.id, id))
    return unit
  })
}
