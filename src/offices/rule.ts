import { sql } from 'drizzle-orm'
import type { Database } from '../db/client.js'
import { rows } from '../db/client.js'
import { DomainError } from '../errors.js'
import type { OfficeRef } from './queries.js'

/**
 * The own-booth rule, as the domain states it: every office-bearer holds a current,
 * active membership at their own home booth. PostgreSQL guarantees it (constraint
 * triggers in migrations/0007_own_booth_rule.sql); these checks run first, under the
 * same person lock, so a refusal names its precise reason and the offices involved.
 */

/** Serialises every rule-relevant change to one person (the triggers take the same lock). */
export async function lockPerson (tx: Database, personId: string): Promise<void> {
  await tx.execute(sql`SELECT 1 FROM people WHERE id = ${personId} FOR NO KEY UPDATE`)
}

export interface Standing {
  homeBoothId: string
  membership: { id: string, boothId: string, grade: 'primary' | 'active' } | null
}

/** The person's home booth and current membership, as the rule reads them. */
export async function standingOf (tx: Database, personId: string): Promise<Standing | undefined> {
  const [row] = await rows<{ home_booth_id: string, membership_id: string | null, booth_id: string | null, grade: 'primary' | 'active' | null }>(tx, sql`
    SELECT p.home_booth_id, m.id AS membership_id, m.booth_id, m.grade
      FROM people p
      LEFT JOIN memberships m ON m.person_id = p.id AND m.status = 'current'
     WHERE p.id = ${personId}`)
  if (!row) return undefined
  return {
    homeBoothId: row.home_booth_id,
    membership: row.membership_id ? { id: row.membership_id, boothId: row.booth_id!, grade: row.grade! } : null
  }
}

export function mayHoldOffice (s: Standing): boolean {
  return s.membership !== null && s.membership.grade === 'active' && s.membership.boothId === s.homeBoothId
}

export function ruleRefusal (code: string, message: string, offices: Array<Partial<OfficeRef>>) {
  return new DomainError('conflict', code, message, { appointments: offices })
}
