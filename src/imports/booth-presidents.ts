import { sql } from 'drizzle-orm'
import type { Database } from '../db/client.js'
import { indiaToday } from '../time.js'
import { boothReference, optionalDate, optionalPhone, optionalText, optionalVoterId, refuse, requiredText } from './fields.js'
import { pathInScope, type ImportContext, type ImportKind } from './kind.js'

/**
 * Booth presidents (and other single-seat booth posts such as the BLA, of any wing: the
 * row's `wing`, else the import's, else the main body): per row, find
 * or create the person, make the booth their home, make sure they are a current active
 * member there, and appoint them. Four UPDATEs over the staging table decide every row;
 * three statements write them.
 */

/** The handle columns: each names its platform in the platforms catalogue. */
const HANDLE_COLUMNS = ['twitter', 'facebook', 'instagram', 'youtube'] as const
const ROLE = /^[a-z][a-z0-9_]{1,49}$/
const WING = /^[a-z][a-z0-9_]{1,29}$/

export const boothPresidents: ImportKind = {
  columns: ['booth', 'name', 'phone', 'voter_id', 'role', 'start_date', 'twitter', 'facebook', 'instagram', 'youtube', 'wing'],
  required: ['booth', 'name'],
  stagedColumns: [
    ['booth_code_path', 'text COLLATE "C"'],
    ['booth_ref_id', 'uuid'],
    ['name', 'text'],
    ['phone', 'text'],
    ['voter_id', 'text'],
    ['role', 'text'],
    ['start_date', 'date'],
    ['twitter', 'text'],
    ['facebook', 'text'],
    ['instagram', 'text'],
    ['youtube', 'text'],
    ['wing', 'text']
  ],
  resolvedColumns: [
    ['booth_id', 'uuid'],
    ['person_id', 'uuid'],
    ['person_is_new', 'boolean'],
    ['membership_id', 'uuid'],
    ['person_changed', 'boolean'],
    ['membership_changed', 'boolean'],
    ['replaces', 'boolean']
  ],

  stage (v) {
    const booth = boothReference(v.booth, 'booth')
    const name = requiredText(v.name, 'name')
    const phone = optionalPhone(v.phone, 'phone')
    const voterId = optionalVoterId(v.voter_id, 'voter_id')
    // Without either, a second run could not find the person again and would add them twice.
    if (phone === null && voterId === null) refuse('identity_required', 'voter_id', 'Give the voter ID or the phone (or both), so the person can be found again.')
    const role = (optionalText(v.role, 'role', 50) ?? 'president').toLowerCase()
    if (!ROLE.test(role)) refuse('unknown_role', 'role', 'role must be a role code such as president or bla.')
    const wing = optionalText(v.wing, 'wing', 30)?.toLowerCase() ?? null
    if (wing !== null && !WING.test(wing)) refuse('unknown_wing', 'wing', 'wing must be a wing code such as main or youth.')
    const startDate = optionalDate(v.start_date, 'start_date') ?? indiaToday()
    return [
      booth.codePath, booth.id, name, phone, voterId, role, startDate,
      optionalText(v.twitter, 'twitter'), optionalText(v.facebook, 'facebook'),
      optionalText(v.instagram, 'instagram'), optionalText(v.youtube, 'youtube'), wing
    ]
  },

  messages: {
    booth_not_found: { column: 'booth', message: 'No booth has this code path or id.' },
    not_a_booth: { column: 'booth', message: 'This unit is not a booth.' },
    outside_scope: { column: 'booth', message: 'This booth is outside the subtree your key may change.' },
    person_outside_scope: { column: 'voter_id', message: 'A person with this voter ID is outside the subtree your key may change: an admin of a wider scope must import this row.' },
    unknown_wing: { column: 'wing', message: 'There is no such wing in the wings catalogue.' },
    unknown_role: { column: 'role', message: 'There is no such role in the wing\'s roles catalogue.' },
    role_not_importable: { column: 'role', message: 'Only single-seat booth posts (president, bla, ...) can be imported here.' },
    identity_conflict: { column: 'phone', message: 'The voter ID and the phone belong to two different people.' },
    ambiguous_phone: { column: 'phone', message: 'Several people have this phone; add the voter ID to say which one.' },
    duplicate_post: { column: 'booth', message: 'An earlier row already fills this post at this booth.' },
    duplicate_person: { column: 'voter_id', message: 'An earlier row is about the same person.' },
    phone_repeated: { column: 'phone', message: 'This phone is on several rows and this row has no voter ID: add the voter ID.' },
    overlaps_earlier_term: { column: 'start_date', message: 'This person held this post until after the start date; the new term would overlap it.' },
    post_held: { column: 'booth', message: 'Someone else holds this post; send replace=true to end their term on this row\'s start date.' },
    replace_not_possible: { column: 'start_date', message: 'Another term at this post starts after this start date, or ended after it: it cannot be replaced from this date.' },
    replace_in_future: { column: 'start_date', message: 'A term is ended today or earlier: a replacement cannot start after today.' },
    ...handleMessages()
  },

  async resolve (tx, context) {
    // Other writers of terms wait until this import commits, so the posts read here are
    // still the posts when the new terms are written. Taken before this import's own
    // INSERT, so two imports queue instead of deadlocking on the upgrade.
    await tx.execute(sql`LOCK TABLE appointments IN SHARE ROW EXCLUSIVE MODE`)
    await resolveBoothsAndRoles(tx, context)
    await resolvePeople(tx, context)
    await resolveHandles(tx)
    await refuseRepeats(tx)
    await decideOutcomes(tx, context)
  },

  async apply (tx, context) {
    const importId = context.importId
    // Terms being replaced end first, so the post has a free seat for the new term.
    await tx.execute(sql`
      UPDATE appointments a
         SET end_date = s.start_date, end_reason = 'replaced by import', import_id = ${importId}
        FROM import_rows s
       WHERE s.error_code IS NULL AND s.outcome = 'created' AND s.replaces
         AND a.unit_id = s.booth_id AND a.wing_code = s.wing AND a.role_code = s.role AND a.end_date IS NULL AND a.person_id <> s.person_id`)
    // New people have no membership or office yet, so they cannot break the rule alone.
    const added = await tx.execute(sql`
      INSERT INTO people (id, name, home_booth_id, phone, voter_id, import_id)
      SELECT person_id, name, booth_id, phone, voter_id, ${importId}
        FROM import_rows
       WHERE error_code IS NULL AND outcome <> 'unchanged' AND person_is_new`)
    await refreshStatistics(tx, 'people', added)
    // Existing people and memberships in one statement: a home booth and its membership
    // move together, and the own-booth rule is checked at the end of each statement.
    const enrolled = await tx.execute(sql`
      WITH changed_people AS (
        UPDATE people p
           SET name = s.name, home_booth_id = s.booth_id,
               phone = coalesce(s.phone, p.phone), voter_id = coalesce(p.voter_id, s.voter_id),
               import_id = ${importId}
          FROM import_rows s
         WHERE s.error_code IS NULL AND s.person_changed AND p.id = s.person_id
      ), moved_memberships AS (
        UPDATE memberships m
           SET booth_id = s.booth_id, grade = 'active', import_id = ${importId}
          FROM import_rows s
         WHERE s.error_code IS NULL AND s.membership_changed AND m.id = s.membership_id
      )
      INSERT INTO memberships (person_id, booth_id, grade, joined_on, import_id)
      SELECT person_id, booth_id, 'active', least(start_date, india_today()), ${importId}
        FROM import_rows
       WHERE error_code IS NULL AND outcome <> 'unchanged' AND membership_id IS NULL`)
    await refreshStatistics(tx, 'memberships', enrolled)
    // Handles before terms: the new terms then count their holders' platforms as they
    // begin, and the platforms' refresh finds no terms of new people to move.
    await tx.execute(sql`
      INSERT INTO person_handles (person_id, platform_code, handle, import_id)
      SELECT s.person_id, v.platform, v.handle, ${importId}
        FROM import_rows s
       CROSS JOIN LATERAL (VALUES ${sql.raw(HANDLE_COLUMNS.map(c => `('${c}', s.${c})`).join(', '))}) AS v(platform, handle)
       WHERE s.error_code IS NULL AND s.outcome <> 'unchanged' AND v.handle IS NOT NULL
      ON CONFLICT (person_id, platform_code) DO UPDATE SET handle = EXCLUDED.handle, import_id = EXCLUDED.import_id
       WHERE person_handles.handle IS DISTINCT FROM EXCLUDED.handle`)
    await tx.execute(sql`
      INSERT INTO appointments (person_id, unit_id, wing_code, role_code, start_date, import_id)
      SELECT person_id, booth_id, wing, role, start_date, ${importId}
        FROM import_rows
       WHERE error_code IS NULL AND outcome = 'created'`)
    await auditPeople(tx, context)
  }
}

/**
 * One audit record per person the import changed (the design issue 11 allows: per entity
 * tripled the cost of the audit against COPY): what happened to them, their membership and
 * their term, and, for a sitting holder replaced, the term that ended. Set-based, in the
 * import's transaction, beside its summary record: GET /v1/audit?entityId=<person> answers
 * "who changed this person?".
 */
async function auditPeople (tx: Database, { importId, actor }: ImportContext) {
  await tx.execute(sql`
    INSERT INTO audit_log (key_id, request_id, action, entity_type, entity_id, unit_id, unit_path, after)
    SELECT ${actor.keyId}::uuid, ${actor.requestId}, 'import', 'person', x.person_id::text, x.unit_id, u.path, jsonb_strip_nulls(x.after)
      FROM (
        SELECT s.person_id, s.booth_id AS unit_id,
               jsonb_build_object('importId', ${importId}::uuid, 'line', s.line,
                 'person', CASE WHEN s.person_is_new THEN 'created' WHEN s.person_changed THEN 'updated' END,
                 'membership', CASE WHEN s.membership_id IS NULL THEN 'created' WHEN s.membership_changed THEN 'updated' END,
                 'appointment', CASE WHEN s.outcome = 'created' THEN 'created' END) AS after
          FROM import_rows s
         WHERE s.error_code IS NULL AND s.outcome <> 'unchanged'
        UNION ALL
        SELECT a.person_id, a.unit_id,
               jsonb_build_object('importId', ${importId}::uuid, 'line', s.line, 'endedTerm', a.id, 'endReason', a.end_reason)
          FROM import_rows s
          JOIN appointments a ON a.unit_id = s.booth_id AND a.wing_code = s.wing AND a.role_code = s.role AND a.person_id <> s.person_id
         WHERE s.error_code IS NULL AND s.outcome = 'created' AND s.replaces
           AND a.import_id = ${importId} AND a.end_reason = 'replaced by import'
      ) x
      JOIN units u ON u.id = x.unit_id`)
}

/**
 * After a large insert, the planner's row counts are stale until autovacuum catches up,
 * and the rule and counter triggers that run next would be planned for a near-empty
 * table (nested loops over 100,000 rows). Small imports leave the statistics alone.
 */
async function refreshStatistics (tx: Database, table: 'people' | 'memberships', result: unknown) {
  const written = (result as { rowCount?: number | null, affectedRows?: number }).rowCount ?? (result as { affectedRows?: number }).affectedRows ?? 0
  if (written >= 10_000) await tx.execute(sql.raw(`ANALYZE ${table}`))
}

/**
 * The booth (by code path or id) must exist, be a booth and lie in the key's scope; the
 * wing (the row's, else the import's) must exist, and the role must be its single-seat
 * booth post.
 */
async function resolveBoothsAndRoles (tx: Database, { actor, wing }: ImportContext) {
  await tx.execute(sql`
    UPDATE import_rows s
       SET booth_id = c.booth_id, wing = c.wing, error_code = c.error_code
      FROM (
        SELECT x.line, u.id AS booth_id, coalesce(x.wing, ${wing}) AS wing,
               CASE
                 WHEN u.id IS NULL THEN 'booth_not_found'
                 WHEN u.level <> 'booth' THEN 'not_a_booth'
                 WHEN NOT ${pathInScope(actor, sql`u.path`)} THEN 'outside_scope'
                 WHEN NOT EXISTS (SELECT 1 FROM wings w WHERE w.code = coalesce(x.wing, ${wing})) THEN 'unknown_wing'
                 WHEN r.code IS NULL THEN 'unknown_role'
                 WHEN NOT ('booth' = ANY (r.levels)) OR r.seats IS DISTINCT FROM 1 THEN 'role_not_importable'
               END AS error_code
          FROM import_rows x
          LEFT JOIN units by_path ON by_path.code_path = x.booth_code_path
          LEFT JOIN units u ON u.id = coalesce(by_path.id, x.booth_ref_id)
          LEFT JOIN roles r ON r.wing_code = coalesce(x.wing, ${wing}) AND r.code = x.role
         WHERE x.error_code IS NULL
      ) c
     WHERE s.line = c.line`)
}

/**
 * Matching: by voter ID, else by phone when exactly one person has it (families share
 * phones). A phone owned by someone who has another voter ID is a family member, not
 * this person. A voter ID and a phone that point at two different people is an error.
 */
async function resolvePeople (tx: Database, { actor }: ImportContext) {
  await tx.execute(sql`
    UPDATE import_rows s
       SET person_id = c.person_id,
           error_code = CASE
             WHEN c.by_voter IS NOT NULL AND c.phone_people = 1 AND c.by_phone <> c.by_voter THEN 'identity_conflict'
             WHEN c.by_voter IS NULL AND s.voter_id IS NULL AND c.phone_people > 1 THEN 'ambiguous_phone'
             WHEN c.person_id IS NOT NULL AND NOT c.home_in_scope THEN 'person_outside_scope'
           END
      FROM (
        SELECT m.line, m.by_voter, m.by_phone, m.phone_people, m.person_id, ${pathInScope(actor, sql`home.path`)} AS home_in_scope
          FROM (
            SELECT x.line, v.id AS by_voter, ph.id AS by_phone, ph.people AS phone_people,
                   coalesce(v.id, CASE WHEN ph.people = 1 AND (x.voter_id IS NULL OR ph.voter_id IS NULL) THEN ph.id END) AS person_id
              FROM import_rows x
              -- Per row, through the voter-ID and phone indexes (LIMIT keeps the planner from
              -- turning these into hashes of the whole people table).
              LEFT JOIN LATERAL (SELECT p.id FROM people p WHERE p.voter_id = x.voter_id LIMIT 1) v ON true
              -- Phones are shared and not unique: someone outside the key's scope with the
              -- same phone is another person, and is not even counted (no existence oracle).
              CROSS JOIN LATERAL (
                SELECT count(*)::int AS people, (array_agg(p.id))[1] AS id, (array_agg(p.voter_id))[1] AS voter_id
                  FROM people p JOIN units hb ON hb.id = p.home_booth_id
                 WHERE p.phone = x.phone AND ${pathInScope(actor, sql`hb.path`)}
              ) ph
             WHERE x.error_code IS NULL
          ) m
          LEFT JOIN LATERAL (
            SELECT home.path FROM people pe JOIN units home ON home.id = pe.home_booth_id WHERE pe.id = m.person_id LIMIT 1
          ) home ON true
      ) c
     WHERE s.line = c.line`)
}

function handleMessages () {
  return Object.fromEntries(HANDLE_COLUMNS.flatMap(c => [
    [`invalid_${c}`, { column: c, message: `Not a valid ${c} handle: give @name, name or the profile address (GET /v1/platforms gives each platform's rule).` }],
    [`${c}_taken`, { column: c, message: `This ${c} handle belongs to another person (or to another row of this file): a handle is one person's.` }]
  ]))
}

/**
 * Handles, checked as the database checks them (canonical_handle, in
 * src/db/routines/22_handles.sql): each made canonical in place, or the row refused; a
 * handle someone else holds, or an earlier row gives, is refused too. The first failing
 * column names the error.
 */
async function resolveHandles (tx: Database) {
  for (const c of HANDLE_COLUMNS) {
    const column = sql.raw(c)
    await tx.execute(sql`
      UPDATE import_rows s
         SET ${column} = c.handle,
             error_code = CASE
               WHEN c.handle IS NULL THEN ${`invalid_${c}`}
               WHEN c.holder IS NOT NULL OR c.earlier THEN ${`${c}_taken`}
             END
        FROM (
          SELECT x.line, x.handle,
                 (SELECT h.person_id FROM person_handles h
                   WHERE h.platform_code = ${c} AND h.handle = x.handle AND h.person_id IS DISTINCT FROM x.person_id LIMIT 1) AS holder,
                 row_number() OVER (PARTITION BY x.handle ORDER BY x.line) > 1 AS earlier
            FROM (SELECT line, person_id, canonical_handle(${c}, ${column}) AS handle
                    FROM import_rows WHERE error_code IS NULL AND ${column} IS NOT NULL) x
        ) c
       WHERE s.line = c.line`)
  }
}

/**
 * Rows of one file that contradict each other: the same post twice, the same person
 * twice (they have one home booth), or a phone-only row whose phone another row also
 * has (a second run could no longer tell those people apart by phone).
 */
async function refuseRepeats (tx: Database) {
  await tx.execute(sql`
    UPDATE import_rows s
       SET error_code = c.error_code
      FROM (
        SELECT line,
               CASE
                 WHEN row_number() OVER (PARTITION BY booth_id, wing, role ORDER BY line) > 1 THEN 'duplicate_post'
                 WHEN row_number() OVER (PARTITION BY coalesce(person_id::text, 'voter:' || voter_id, 'phone:' || phone) ORDER BY line) > 1 THEN 'duplicate_person'
                 WHEN voter_id IS NULL AND count(*) OVER (PARTITION BY phone) > 1 THEN 'phone_repeated'
               END AS error_code
          FROM import_rows
         WHERE error_code IS NULL
      ) c
     WHERE s.line = c.line AND c.error_code IS NOT NULL`)
}

/**
 * The post at the booth, compared with the person's current standing, decides each
 * row: a new term (created), the term already held but the person or membership
 * brought in line (updated), or nothing to do (unchanged). New people get their id here.
 */
async function decideOutcomes (tx: Database, { replace }: ImportContext) {
  await tx.execute(sql`
    UPDATE import_rows s
       SET person_is_new = c.person_id IS NULL,
           person_id = coalesce(c.person_id, gen_random_uuid()),
           membership_id = c.membership_id,
           person_changed = c.person_changed,
           membership_changed = c.membership_changed,
           replaces = c.others > 0,
           error_code = CASE
             WHEN c.holds THEN NULL
             WHEN c.own_overlap THEN 'overlaps_earlier_term'
             WHEN c.others > 0 AND NOT ${replace} THEN 'post_held'
             WHEN c.others > c.replaceable THEN 'replace_not_possible'
             -- A term is ended today or earlier (the API's rule too), so a replacement cannot wait.
             WHEN c.others > 0 AND c.start_date > india_today() THEN 'replace_in_future'
           END,
           outcome = CASE
             WHEN NOT c.holds THEN 'created'
             WHEN c.person_changed OR c.membership_changed THEN 'updated'
             ELSE 'unchanged'
           END
      FROM (
        SELECT x.line, x.person_id, x.start_date, m.id AS membership_id,
               coalesce(t.holds, false) AS holds, coalesce(t.own_overlap, false) AS own_overlap,
               coalesce(t.others, 0) AS others, coalesce(t.replaceable, 0) AS replaceable,
               p.id IS NOT NULL AND (
                 p.name <> x.name OR p.home_booth_id <> x.booth_id
                 OR (x.phone IS NOT NULL AND p.phone IS DISTINCT FROM x.phone)
                 OR (x.voter_id IS NOT NULL AND p.voter_id IS NULL)
                 OR EXISTS (SELECT 1 FROM (VALUES ${sql.raw(HANDLE_COLUMNS.map(c => `('${c}', x.${c})`).join(', '))}) AS v(platform, handle)
                             WHERE v.handle IS NOT NULL AND NOT EXISTS (
                               SELECT 1 FROM person_handles h WHERE h.person_id = p.id AND h.platform_code = v.platform AND h.handle = v.handle))) AS person_changed,
               -- The row's booth becomes the person's home: the own-booth rule
               -- (src/db/routines/20_own_booth_rule.sql) says whether their membership must change.
               m.id IS NOT NULL AND office_ineligibility(x.booth_id, m.booth_id, m.grade) IS NOT NULL AS membership_changed
          FROM import_rows x
          -- Per row, through the indexes: a file's rows are few beside a state's tables,
          -- and hashing 1.6 million people or terms cost more than probing for 100,000.
          LEFT JOIN LATERAL (SELECT * FROM people p WHERE p.id = x.person_id LIMIT 1) p ON true
          LEFT JOIN LATERAL (SELECT * FROM memberships m WHERE m.person_id = x.person_id AND m.status = 'current' LIMIT 1) m ON true
          -- Terms at the row's post that are open or run past its start date.
          CROSS JOIN LATERAL (
            SELECT bool_or(a.person_id = x.person_id AND a.end_date IS NULL) AS holds,
                   bool_or(a.person_id = x.person_id AND a.end_date IS NOT NULL) AS own_overlap,
                   count(*) FILTER (WHERE a.person_id IS DISTINCT FROM x.person_id) AS others,
                   count(*) FILTER (WHERE a.person_id IS DISTINCT FROM x.person_id AND a.end_date IS NULL AND a.start_date <= x.start_date) AS replaceable
              FROM appointments a
             WHERE a.unit_id = x.booth_id AND a.wing_code = x.wing AND a.role_code = x.role
               AND (a.end_date IS NULL OR a.end_date > x.start_date)
          ) t
         WHERE x.error_code IS NULL
      ) c
     WHERE s.line = c.line`)
}
