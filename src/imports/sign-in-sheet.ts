import { sql } from 'drizzle-orm'
import { rows, type Database } from '../db/client.js'
import { GENDERS } from '../db/schema.js'
import { DomainError, notFound } from '../errors.js'
import { boothReference, optionalDate, optionalPhone, optionalText, optionalVoterId, refuse } from './fields.js'
import type { ImportContext, ImportKind } from './kind.js'

/**
 * A camp's sign-in sheet (POST /v1/camps/{id}/sign-in-sheet), one row per person and day
 * attended: what src/camps/changes.ts checkIn does for one person, for a whole file,
 * set-based. The person is found, at home under the camp's unit, by voter ID, else by
 * person id, else by a phone exactly one person there has (families share phones); a
 * person not found is created (a new worker) when the row gives a name and home booth and
 * the import asks for it (createPeople). Each day becomes a row of attendance on the
 * person's invitation, or on a walk-in invitation made for them; a day already recorded
 * is unchanged. PostgreSQL holds the rules (src/db/routines/47_camps.sql); the import
 * names each failing row first.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
/** Sheets write F, M or O as often as the word. */
const GENDER_INITIALS: Record<string, (typeof GENDERS)[number]> = { f: 'female', m: 'male', o: 'other' }

export const signInSheet: ImportKind = {
  columns: ['day', 'voter_id', 'phone', 'person_id', 'name', 'home_booth', 'gender'],
  // Any of voter_id, phone or person_id identifies the person: none is required by itself.
  required: [],
  stagedColumns: [
    ['day', 'date'],
    ['voter_id', 'text'],
    ['phone', 'text'],
    ['person_ref', 'uuid'],
    ['name', 'text'],
    ['booth_code_path', 'text COLLATE "C"'],
    ['booth_ref_id', 'uuid'],
    ['gender', 'text']
  ],
  resolvedColumns: [
    ['person_id', 'uuid'],
    ['person_is_new', 'boolean'],
    /** The first row of a new person's rows: the one whose name and booth create them. */
    ['creates_person', 'boolean'],
    ['booth_id', 'uuid']
  ],

  stage (v) {
    const day = optionalDate(v.day, 'day')
    const voterId = optionalVoterId(v.voter_id, 'voter_id')
    const phone = optionalPhone(v.phone, 'phone')
    const personRef = optionalText(v.person_id, 'person_id', 40)
    if (personRef !== null && !UUID.test(personRef)) refuse('invalid_person_id', 'person_id', 'person_id must be a person\'s id (a UUID).')
    if (voterId === null && phone === null && personRef === null) {
      refuse('identity_required', 'voter_id', 'Give the voter ID, the person id or the phone, so the person can be found.')
    }
    const name = optionalText(v.name, 'name')
    const booth = optionalText(v.home_booth, 'home_booth', 300) === null ? null : boothReference(v.home_booth, 'home_booth')
    const given = optionalText(v.gender, 'gender', 20)?.toLowerCase() ?? null
    const gender = given === null ? null : (GENDERS as readonly string[]).includes(given) ? given : GENDER_INITIALS[given]
    if (gender === undefined) refuse('invalid_gender', 'gender', `gender must be ${GENDERS.join(', ')} (or F, M, O).`)
    return [day, voterId, phone, personRef?.toLowerCase() ?? null, name, booth?.codePath ?? null, booth?.id ?? null, gender]
  },

  messages: {
    day_required: { column: 'day', message: 'The camp runs over several days: give the day attended (YYYY-MM-DD).' },
    day_outside_camp: { column: 'day', message: 'The day is not one of the camp\'s days, or it is after today.' },
    identity_conflict: { column: 'person_id', message: 'The voter ID and the person id belong to two different people.' },
    person_outside_camp: { column: 'voter_id', message: 'The person is at home outside the camp\'s unit: a camp takes people at home under its unit.' },
    person_not_found: { column: 'voter_id', message: 'No person at home under the camp\'s unit has this voter ID, person id or phone. To record a new worker, give name and home_booth and send createPeople=true.' },
    ambiguous_phone: { column: 'phone', message: 'Several people at home under the camp\'s unit have this phone: add the voter ID or the person id to say which one.' },
    booth_not_found: { column: 'home_booth', message: 'No booth has this code path or id.' },
    not_a_booth: { column: 'home_booth', message: 'This unit is not a booth.' },
    new_person_conflict: { column: 'name', message: 'An earlier row creates the person with this voter ID or phone under another name or home booth.' },
    phone_repeated: { column: 'phone', message: 'This row names its person by phone alone, and another row creates a person with the same phone: add the voter ID.' },
    duplicate_row: { column: 'day', message: 'An earlier row already records this person on this day.' }
  },

  async resolve (tx, context) {
    const campId = campOf(context)
    // The camp's dates and status stay as read until the import commits (the API's
    // changes to a camp lock its row too).
    const [camp] = await rows<{ status: string }>(tx, sql`SELECT status FROM camps WHERE id = ${campId} FOR NO KEY UPDATE`)
    if (!camp) throw notFound('camp', 'No camp with this id in your scope.')
    if (camp.status === 'cancelled') throw new DomainError('conflict', 'camp_cancelled', 'The camp is cancelled: no attendance is recorded at it.')
    await resolveDays(tx, campId)
    await resolvePeople(tx, campId, context.createPeople ?? false)
    await groupNewPeople(tx)
    await refuseRepeats(tx)
    await decideOutcomes(tx, campId)
  },

  async apply (tx, context) {
    const campId = campOf(context)
    const { importId } = context
    await tx.execute(sql`
      INSERT INTO people (id, name, home_booth_id, phone, voter_id, gender, import_id)
      SELECT person_id, name, booth_id, phone, voter_id, gender::gender, ${importId}
        FROM import_rows
       WHERE error_code IS NULL AND creates_person`)
    // Walk-ins: people the camp did not invite. What they hold is recorded as an
    // invitation records it (person_posts). A concurrent check-in may have made one.
    await tx.execute(sql`
      INSERT INTO invitations (camp_id, person_id, source, qualified_by, post_level, post_wing, post_role, import_id)
      SELECT ${campId}, x.person_id, 'walk_in', pp.qualified_by, pp.post_level, pp.post_wing, pp.post_role, ${importId}
        FROM (SELECT DISTINCT s.person_id FROM import_rows s
               WHERE s.error_code IS NULL AND s.outcome = 'created'
                 AND NOT EXISTS (SELECT 1 FROM invitations i WHERE i.camp_id = ${campId} AND i.person_id = s.person_id)) x
        CROSS JOIN LATERAL person_posts(x.person_id) pp
       ORDER BY x.person_id
      ON CONFLICT (camp_id, person_id) DO NOTHING`)
    // One statement: the database marks the invitations attended and moves the counters.
    await tx.execute(sql`
      INSERT INTO attendance (invitation_id, day, import_id)
      SELECT i.id, s.day, ${importId}
        FROM import_rows s JOIN invitations i ON i.camp_id = ${campId} AND i.person_id = s.person_id
       WHERE s.error_code IS NULL AND s.outcome = 'created'
       ORDER BY i.id, s.day
      ON CONFLICT (invitation_id, day) DO NOTHING`)
    await audit(tx, context, campId)
  }
}

function campOf ({ campId }: ImportContext): string {
  if (!campId) throw new Error('a sign-in sheet import needs its camp')
  return campId
}

/** The day: the row's, or the camp's only day; within the camp's dates and not after today. */
async function resolveDays (tx: Database, campId: string) {
  await tx.execute(sql`
    UPDATE import_rows s
       SET day = c.day,
           error_code = CASE
             WHEN c.day IS NULL THEN 'day_required'
             WHEN c.day NOT BETWEEN c.start_date AND c.end_date OR c.day > india_today() THEN 'day_outside_camp'
           END
      FROM (
        SELECT x.line, coalesce(x.day, CASE WHEN k.start_date = k.end_date THEN k.start_date END) AS day, k.start_date, k.end_date
          FROM import_rows x CROSS JOIN camps k
         WHERE k.id = ${campId} AND x.error_code IS NULL
      ) c
     WHERE s.line = c.line`)
}

/**
 * Matching, as checkIn does: by voter ID, else person id, else a phone exactly one person
 * at home under the camp's unit has (people elsewhere are not counted: the key learns
 * nothing of them). A phone whose one owner has another voter ID is a relative, not this
 * person. A person not found is new when the import creates people and the row says who
 * and where; their home booth must lie under the camp's unit.
 */
async function resolvePeople (tx: Database, campId: string, createPeople: boolean) {
  await tx.execute(sql`
    WITH camp AS (SELECT cu.path FROM camps c JOIN units cu ON cu.id = c.unit_id WHERE c.id = ${campId})
    UPDATE import_rows s
       SET person_id = c.person_id,
           person_is_new = c.person_id IS NULL,
           booth_id = c.booth_id,
           error_code = c.error_code,
           error_column = CASE c.error_code
             WHEN 'person_outside_camp' THEN CASE WHEN c.person_id IS NULL THEN 'home_booth' WHEN c.by_voter IS NOT NULL THEN 'voter_id' ELSE 'person_id' END
             WHEN 'person_not_found' THEN CASE WHEN s.person_ref IS NOT NULL THEN 'person_id' WHEN s.voter_id IS NOT NULL THEN 'voter_id' ELSE 'phone' END
           END
      FROM (
        SELECT m.line, m.person_id, m.by_voter, b.id AS booth_id,
               CASE
                 WHEN m.by_voter IS NOT NULL AND m.by_id IS NOT NULL AND m.by_voter <> m.by_id THEN 'identity_conflict'
                 WHEN m.person_id IS NOT NULL AND NOT m.home_under_camp THEN 'person_outside_camp'
                 WHEN m.person_id IS NOT NULL THEN NULL
                 WHEN m.person_ref IS NOT NULL THEN 'person_not_found'
                 WHEN m.voter_id IS NULL AND m.phone_people > 1 THEN 'ambiguous_phone'
                 WHEN NOT ${createPeople}::boolean OR m.name IS NULL OR (m.booth_code_path IS NULL AND m.booth_ref_id IS NULL) THEN 'person_not_found'
                 WHEN b.id IS NULL THEN 'booth_not_found'
                 WHEN b.level <> 'booth' THEN 'not_a_booth'
                 WHEN NOT b.path <@ (SELECT path FROM camp) THEN 'person_outside_camp'
               END AS error_code
          FROM (
            SELECT x.line, x.voter_id, x.person_ref, x.name, x.booth_code_path, x.booth_ref_id,
                   v.id AS by_voter, r.id AS by_id, ph.people AS phone_people,
                   coalesce(v.id, r.id, CASE WHEN ph.people = 1 AND (x.voter_id IS NULL OR ph.voter_id IS NULL) THEN ph.id END) AS person_id,
                   coalesce(v.under_camp, r.under_camp, true) AS home_under_camp
              FROM import_rows x
              -- Per row, through the voter-ID, primary key and phone indexes.
              LEFT JOIN LATERAL (
                SELECT p.id, h.path <@ (SELECT path FROM camp) AS under_camp
                  FROM people p JOIN units h ON h.id = p.home_booth_id WHERE p.voter_id = x.voter_id LIMIT 1) v ON true
              LEFT JOIN LATERAL (
                SELECT p.id, h.path <@ (SELECT path FROM camp) AS under_camp
                  FROM people p JOIN units h ON h.id = p.home_booth_id WHERE p.id = x.person_ref LIMIT 1) r ON true
              CROSS JOIN LATERAL (
                SELECT count(*)::int AS people, (array_agg(p.id))[1] AS id, (array_agg(p.voter_id))[1] AS voter_id
                  FROM people p JOIN units h ON h.id = p.home_booth_id
                 WHERE p.phone = x.phone AND h.path <@ (SELECT path FROM camp)
              ) ph
             WHERE x.error_code IS NULL
          ) m
          LEFT JOIN units by_path ON by_path.code_path = m.booth_code_path
          LEFT JOIN units b ON b.id = coalesce(by_path.id, m.booth_ref_id)
      ) c
     WHERE s.line = c.line`)
}

/**
 * The rows of one new person (the same voter ID, else the same phone) share one new id;
 * the first names them and their booth, and a later row that says otherwise fails.
 */
async function groupNewPeople (tx: Database) {
  await tx.execute(sql`
    WITH grouped AS (
      SELECT line, coalesce('voter:' || voter_id, 'phone:' || phone) AS key
        FROM import_rows WHERE error_code IS NULL AND person_is_new
    ), firsts AS (
      SELECT DISTINCT ON (g.key) g.key, g.line AS first_line, x.name, x.booth_id, gen_random_uuid() AS person_id
        FROM grouped g JOIN import_rows x ON x.line = g.line
       ORDER BY g.key, g.line
    )
    UPDATE import_rows s
       SET person_id = f.person_id,
           creates_person = s.line = f.first_line,
           error_code = CASE WHEN s.name IS DISTINCT FROM f.name OR s.booth_id IS DISTINCT FROM f.booth_id THEN 'new_person_conflict' END
      FROM grouped g JOIN firsts f ON f.key = g.key
     WHERE s.line = g.line`)
}

/**
 * Rows of one file that contradict each other: a person named by phone alone whose phone
 * another row gives a new person (a second run could not tell them apart by phone), and
 * the same person on the same day twice.
 */
async function refuseRepeats (tx: Database) {
  await tx.execute(sql`
    UPDATE import_rows s
       SET error_code = 'phone_repeated'
     WHERE s.error_code IS NULL AND s.voter_id IS NULL AND s.person_ref IS NULL
       AND EXISTS (SELECT 1 FROM import_rows n
                    WHERE n.error_code IS NULL AND n.creates_person AND n.phone = s.phone AND n.person_id <> s.person_id)`)
  await tx.execute(sql`
    UPDATE import_rows s
       SET error_code = 'duplicate_row'
      FROM (SELECT line, row_number() OVER (PARTITION BY person_id, day ORDER BY line) AS n
              FROM import_rows WHERE error_code IS NULL) d
     WHERE s.line = d.line AND d.n > 1`)
}

/** A day not yet recorded on the person's invitation at the camp is created; one recorded, unchanged. */
async function decideOutcomes (tx: Database, campId: string) {
  await tx.execute(sql`
    UPDATE import_rows s
       SET outcome = CASE WHEN a.invitation_id IS NULL THEN 'created' ELSE 'unchanged' END
      FROM import_rows x
      LEFT JOIN invitations i ON i.camp_id = ${campId} AND i.person_id = x.person_id
      LEFT JOIN attendance a ON a.invitation_id = i.id AND a.day = x.day
     WHERE s.line = x.line AND x.error_code IS NULL`)
}

/**
 * One audit record per person created (as the presidents import writes them) and one per
 * day checked in (as checkIn writes it: the invitation, at the camp's unit), with the
 * import and the row. Set-based, in the import's transaction.
 */
async function audit (tx: Database, { importId, actor }: ImportContext, campId: string) {
  await tx.execute(sql`
    INSERT INTO audit_log (key_id, request_id, action, entity_type, entity_id, unit_id, unit_path, after)
    SELECT ${actor.keyId}::uuid, ${actor.requestId}, 'import', 'person', s.person_id::text, s.booth_id, u.path,
           jsonb_build_object('importId', ${importId}::uuid, 'line', s.line, 'person', 'created', 'campId', ${campId}::uuid)
      FROM import_rows s JOIN units u ON u.id = s.booth_id
     WHERE s.error_code IS NULL AND s.creates_person`)
  await tx.execute(sql`
    INSERT INTO audit_log (key_id, request_id, action, entity_type, entity_id, unit_id, unit_path, after)
    SELECT ${actor.keyId}::uuid, ${actor.requestId}, 'check_in', 'invitation', i.id::text, c.unit_id, cu.path,
           jsonb_build_object('importId', ${importId}::uuid, 'line', s.line, 'campId', c.id, 'personId', i.person_id, 'day', a.day,
                              'walkIn', i.source = 'walk_in' AND i.import_id IS NOT DISTINCT FROM ${importId}::uuid)
      FROM attendance a
      JOIN invitations i ON i.id = a.invitation_id
      JOIN camps c ON c.id = i.camp_id JOIN units cu ON cu.id = c.unit_id
      JOIN import_rows s ON s.person_id = i.person_id AND s.day = a.day AND s.error_code IS NULL
     WHERE a.import_id = ${importId}::uuid AND i.camp_id = ${campId}`)
}
