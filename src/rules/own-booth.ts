import { sql } from 'drizzle-orm'
import type { Actor } from '../access/actor.js'
import { withinScope } from '../access/scope.js'
import { rows, type Database } from '../db/client.js'
import { constraintOf } from '../db/errors.js'
import { DomainError } from '../errors.js'

/**
 * The own-booth rule as the API asks it. The rule itself is SQL, in one file:
 * src/db/routines/20_own_booth_rule.sql (office_ineligibility, own_booth_violations,
 * assert_own_booth_rule), enforced by PostgreSQL after every statement that could break
 * it. This module takes the same person lock, asks that SQL why someone may not hold
 * office, and turns a refusal into a precise problem code naming the offices involved.
 */

export type Ineligibility = 'no_current_membership' | 'not_active_member' | 'member_away_from_home'

/** An office named in a refusal. */
export interface OfficeRef {
  id: string
  unitId: string
  unitCodePath: string
  wing: string
  role: string
  startDate: string
  endDate: string | null
}

/** Serialises every rule-relevant change to these people (the triggers take the same lock). */
export async function lockPeople (tx: Database, personIds: string[]): Promise<void> {
  await tx.execute(sql`SELECT lock_people(${sql.param(personIds)}::uuid[])`)
}

/** Why the person may not hold office, as the rule says; null when they may. */
export async function ineligibilityOf (tx: Database, personId: string): Promise<Ineligibility | null> {
  const [row] = await rows<{ ineligibility: Ineligibility | null }>(tx, sql`SELECT ineligibility FROM office_standing(${sql.param([personId])}::uuid[])`)
  return row?.ineligibility ?? null
}

export const INELIGIBILITY_EXPLAINED: Record<Ineligibility, string> = {
  no_current_membership: 'has no current membership',
  not_active_member: 'is a primary member, not an active one',
  member_away_from_home: 'is a member at a booth other than their home booth'
}

/**
 * The person's open terms (what the rule covers, and what a refusal names), split by the
 * actor's scope: those inside it in full, those outside only counted.
 */
export interface OpenTerms {
  inScope: OfficeRef[]
  outsideScope: number
}

export async function openTermsOf (db: Database, actor: Actor, personId: string): Promise<OpenTerms> {
  const found = await rows<OfficeRef & { visible: boolean }>(db, sql`
    SELECT a.id, a.unit_id AS "unitId", u.code_path AS "unitCodePath", a.wing_code AS wing, a.role_code AS role,
           a.start_date AS "startDate", a.end_date AS "endDate", ${withinScope(actor, sql`u.path`) ?? sql`true`} AS visible
      FROM appointments a JOIN units u ON u.id = a.unit_id
     WHERE a.person_id = ${personId} AND term_is_open(a.end_date)
     ORDER BY a.start_date, a.id`)
  return {
    inScope: found.filter(o => o.visible).map(({ visible: _visible, ...office }) => office),
    outsideScope: found.filter(o => !o.visible).length
  }
}

/**
 * A refusal for the rule, naming the offices involved: in full inside the caller's scope,
 * outside it only as a count (their unit, role and dates are not the caller's to see).
 */
export function ruleRefusal (code: string, message: string, offices: Array<Partial<OfficeRef>> | OpenTerms) {
  if (Array.isArray(offices)) return new DomainError('conflict', code, message, { appointments: offices })
  const { inScope, outsideScope } = offices
  if (outsideScope === 0) return new DomainError('conflict', code, message, { appointments: inScope })
  const more = ` The person also holds ${outsideScope} office${outsideScope > 1 ? 's' : ''} outside your scope.`
  return new DomainError('conflict', code, message + more, { appointments: inScope, appointmentsOutsideScope: outsideScope })
}

/**
 * Runs a write the own-booth rule may refuse, in a savepoint: if PostgreSQL refuses it
 * for the rule, the write is undone and `explain` names the refusal (the transaction
 * goes on, so it may read what it needs to).
 */
export async function unlessRuleRefuses<T> (tx: Database, write: (tx: Database) => Promise<T>, explain: () => Promise<DomainError>): Promise<T> {
  try {
    return await tx.transaction(async (savepoint) => write(savepoint as unknown as Database))
  } catch (err) {
    if (constraintOf(err) === 'own_booth_rule') throw await explain()
    throw err
  }
}
