import { sql, type SQL } from 'drizzle-orm'

/**
 * How a person's handles (person_handles) are read alongside them: one JSON object per
 * person, and the four fields the people API has always had. Writes: ./handles.ts.
 */

/** The four platforms the people API has always had a field for: they keep their fields. */
export const LEGACY_PLATFORMS = ['twitter', 'facebook', 'instagram', 'youtube'] as const
export type LegacyPlatform = typeof LEGACY_PLATFORMS[number]

/** Platform code to handle: every handle of a person. */
export type Handles = Record<string, string>

/** SQL: the handles of the person whose id is `personId`, as one JSON object. */
export const handlesOf = (personId: SQL | unknown): SQL<Handles> =>
  sql<Handles>`(SELECT coalesce(json_object_agg(h.platform_code, h.handle ORDER BY h.platform_code), '{}'::json) FROM person_handles h WHERE h.person_id = ${personId})`

/** The four legacy fields from a person's handles. */
export function legacyFields (handles: Handles | null | undefined): Record<LegacyPlatform, string | null> {
  const h = handles ?? {}
  return { twitter: h.twitter ?? null, facebook: h.facebook ?? null, instagram: h.instagram ?? null, youtube: h.youtube ?? null }
}
