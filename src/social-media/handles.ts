import { sql } from 'drizzle-orm'
import type { Actor } from '../access/actor.js'
import { rows, type Database } from '../db/client.js'
import { DomainError } from '../errors.js'
import { findPerson } from '../people/queries.js'

export { LEGACY_PLATFORMS } from './fields.js'

/**
 * A person's social media handles (person_handles). What a handle is, and that one handle
 * belongs to one person per platform, the database owns (canonical_handle and the
 * triggers in src/db/routines/22_handles.sql); this module reads them and writes them,
 * turning a refusal into a problem that names the platform (and the holder of a taken
 * handle only when the caller may see them).
 */

/** Platform code to a handle to set (any form the platform's checks accept), or null to remove it. */
export type HandleChanges = Record<string, string | null>

interface Checked { platform: string, known: boolean, handle: string | null, holder: string | null, pattern: string | null }

/**
 * Sets and removes a person's handles, inside the caller's transaction: each handle is
 * checked first (canonical_handle, the database's own rule) so a refusal can say which
 * platform and, for a taken handle, who holds it when the caller may see them. Writes
 * only what changes.
 */
export async function writeHandles (tx: Database, actor: Actor, personId: string, changes: HandleChanges): Promise<void> {
  const entries = Object.entries(changes)
  if (entries.length === 0) return
  const setting = entries.filter(([, v]) => v !== null) as Array<[string, string]>
  const removing = entries.filter(([, v]) => v === null).map(([k]) => k)
  if (setting.length > 0) {
    const checked = await rows<Checked>(tx, sql`
      SELECT c.platform, p.code IS NOT NULL AS known, c.handle, h.person_id AS holder, p.handle_pattern AS pattern
        FROM (SELECT platform, canonical_handle(platform, raw) AS handle
                FROM unnest(${sql.param(setting.map(([k]) => k))}::text[], ${sql.param(setting.map(([, v]) => v))}::text[]) AS t(platform, raw)) c
        LEFT JOIN social_platforms p ON p.code = c.platform
        LEFT JOIN person_handles h ON h.platform_code = c.platform AND h.handle = c.handle AND h.person_id <> ${personId}`)
    for (const c of checked) {
      if (!c.known) throw unknownPlatform(c.platform)
      if (c.handle === null) {
        throw new DomainError('unprocessable', 'invalid_handle', `That is not a valid ${c.platform} handle: give @name, name or the profile address, where the name matches ${c.pattern} (lower case; GET /v1/platforms lists each platform's rule).`)
      }
      if (c.holder !== null) throw await handleTaken(tx, actor, c.platform, c.holder)
    }
    await tx.execute(sql`
      INSERT INTO person_handles (person_id, platform_code, handle)
      SELECT ${personId}, t.platform, t.handle
        FROM unnest(${sql.param(checked.map(c => c.platform))}::text[], ${sql.param(checked.map(c => c.handle))}::text[]) AS t(platform, handle)
      ON CONFLICT (person_id, platform_code) DO UPDATE SET handle = EXCLUDED.handle
       WHERE person_handles.handle IS DISTINCT FROM EXCLUDED.handle`)
  }
  if (removing.length > 0) {
    const known = await rows<{ code: string }>(tx, sql`SELECT code FROM social_platforms WHERE code = ANY (${sql.param(removing)}::text[])`)
    const unknown = removing.find(r => !known.some(k => k.code === r))
    if (unknown !== undefined) throw unknownPlatform(unknown)
    await tx.execute(sql`DELETE FROM person_handles WHERE person_id = ${personId} AND platform_code = ANY (${sql.param(removing)}::text[])`)
  }
}

export function unknownPlatform (platform: string) {
  return new DomainError('unprocessable', 'unknown_platform', `There is no platform ${platform} in the platforms catalogue (GET /v1/platforms).`)
}

/** A 409 that names the holder only when the caller may see them. */
export async function handleTaken (db: Database, actor: Actor, platform: string, holderId: string) {
  const holder = await findPerson(db, actor, holderId)
  return holder
    ? new DomainError('conflict', 'handle_taken', `This ${platform} handle belongs to ${holder.name} (${holder.id}): a handle is one person's.`, { takenBy: { id: holder.id, name: holder.name } })
    : new DomainError('conflict', 'handle_taken', `This ${platform} handle belongs to someone outside your scope: an admin of a wider scope must resolve it.`)
}
