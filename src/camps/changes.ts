import { sql } from 'drizzle-orm'
import type { Actor } from '../access/actor.js'
import { recordAudit } from '../audit/record.js'
import { rows, type Database } from '../db/client.js'
import { inTransaction } from '../db/transaction.js'
import { DomainError, notFound, preconditionFailed } from '../errors.js'
import { createPerson } from '../people/changes.js'
import { findUnit } from '../units/queries.js'
import { indiaToday } from '../time.js'
import { campToChange, findCamp, findInvitation, findTopic, toCamp, toTopic, type CampRow, type InvitationRow, type TopicRow } from './queries.js'

/**
 * Changes to training camps. PostgreSQL holds the rules (src/db/routines/47_camps.sql:
 * scope, invitees under the camp's unit, attendance within the camp's days, capacity, the
 * training counters); these find what is asked for within the key's reach, refuse what
 * can be named first, write, and audit.
 */

export async function createTopic (db: Database, actor: Actor, input: { code: string, name: string, localName?: string, sortOrder?: number }): Promise<TopicRow> {
  return inTransaction(db, actor, async (tx) => {
    await tx.execute(sql`INSERT INTO topics (code, name, local_name, sort_order) VALUES (${input.code}, ${input.name}, ${input.localName ?? null}, ${input.sortOrder ?? 100})`)
    const row = (await findTopic(tx, input.code))!
    await recordAudit(tx, actor, { action: 'create', entityType: 'topic', entityId: row.code, after: toTopic(row) })
    return row
  })
}

type Trainer = { personId: string } | { name: string }
export interface AudienceInput { levels: string[], roles: string[], wings: string[], clusterKinds: string[], assemblyId: string | null, committee: boolean }

export interface CampInput {
  unitId: string
  title: string
  localTitle?: string
  venue?: string
  startDate: string
  endDate?: string
  capacity?: number
  status: 'planned' | 'held' | 'cancelled'
  notes?: string
  topics: string[]
  trainers: Trainer[]
  audience: AudienceInput[]
}

async function topicsKnown (tx: Database, codes: string[]) {
  if (codes.length === 0) return
  const found = new Set((await rows<{ code: string }>(tx, sql`SELECT code FROM topics WHERE code = ANY (${sql.param(codes)}::text[])`)).map(r => r.code))
  const missing = codes.filter(c => !found.has(c))
  if (missing.length > 0) throw new DomainError('unprocessable', 'unknown_topic', `There is no topic ${missing.join(', ')} (GET /v1/topics).`)
}

/** Trainers who are people: people the key may see (at home in its scope, or anyone for a global key). */
async function trainersKnown (tx: Database, actor: Actor, trainers: Trainer[]) {
  const ids = trainers.flatMap(t => 'personId' in t ? [t.personId] : [])
  if (ids.length === 0) return
  const found = new Set((await rows<{ id: string }>(tx, sql`
    SELECT p.id FROM people p JOIN units h ON h.id = p.home_booth_id
     WHERE p.id = ANY (${sql.param(ids)}::uuid[])
       ${actor.scopeUnitId === null ? sql`` : sql`AND h.path <@ (SELECT s.path FROM units s WHERE s.id = ${actor.scopeUnitId})`}`)).map(r => r.id))
  const missing = ids.filter(i => !found.has(i))
  if (missing.length > 0) throw new DomainError('unprocessable', 'trainer_not_found', `No person with ${missing.length > 1 ? 'these ids' : 'this id'} in your scope: ${missing.join(', ')} (give a visitor's name instead).`)
}

async function writeTopicsAndTrainers (tx: Database, campId: string, topics: string[] | undefined, trainers: Trainer[] | undefined) {
  if (topics !== undefined) {
    await tx.execute(sql`DELETE FROM camp_topics WHERE camp_id = ${campId} AND NOT (topic_code = ANY (${sql.param(topics)}::text[]))`)
    if (topics.length > 0) {
      await tx.execute(sql`INSERT INTO camp_topics (camp_id, topic_code) SELECT ${campId}, t FROM unnest(${sql.param([...new Set(topics)])}::text[]) AS t ON CONFLICT DO NOTHING`)
    }
  }
  if (trainers !== undefined) {
    await tx.execute(sql`DELETE FROM camp_trainers WHERE camp_id = ${campId}`)
    if (trainers.length > 0) {
      await tx.execute(sql`
        INSERT INTO camp_trainers (camp_id, position, person_id, name)
        SELECT ${campId}, t.n, t.person_id, t.name
          FROM unnest(${sql.param(trainers.map(t => 'personId' in t ? t.personId : null))}::uuid[],
                      ${sql.param(trainers.map(t => 'name' in t ? t.name : null))}::text[]) WITH ORDINALITY AS t(person_id, name, n)`)
    }
  }
}

async function audienceKnown (tx: Database, audience: AudienceInput[] | undefined) {
  const kinds = [...new Set((audience ?? []).flatMap(c => c.clusterKinds))]
  if (kinds.length > 0) {
    const found = new Set((await rows<{ code: string }>(tx, sql`SELECT code FROM cluster_kinds WHERE code = ANY (${sql.param(kinds)}::text[])`)).map(r => r.code))
    const missing = kinds.filter(k => !found.has(k))
    if (missing.length > 0) throw new DomainError('unprocessable', 'unknown_cluster_kind', `There is no cluster kind ${missing.join(', ')} (GET /v1/cluster-kinds).`)
  }
  const wings = [...new Set((audience ?? []).flatMap(c => c.wings))]
  if (wings.length > 0) {
    const found = new Set((await rows<{ code: string }>(tx, sql`SELECT code FROM wings WHERE code = ANY (${sql.param(wings)}::text[])`)).map(r => r.code))
    const missing = wings.filter(k => !found.has(k))
    if (missing.length > 0) throw new DomainError('unprocessable', 'unknown_wing', `There is no wing ${missing.join(', ')} (GET /v1/wings).`)
  }
}

export async function createCamp (db: Database, actor: Actor, input: CampInput): Promise<CampRow> {
  return inTransaction(db, actor, async (tx) => {
    const unit = await findUnit(tx, actor, input.unitId)
    if (!unit) throw new DomainError('unprocessable', 'unit_not_found', 'The unit does not exist.')
    await topicsKnown(tx, input.topics)
    await trainersKnown(tx, actor, input.trainers)
    await audienceKnown(tx, input.audience)
    const [created] = await rows<{ id: string }>(tx, sql`
      INSERT INTO camps (unit_id, title, local_title, venue, start_date, end_date, capacity, status, notes, audience)
      VALUES (${unit.id}, ${input.title}, ${input.localTitle ?? null}, ${input.venue ?? null}, ${input.startDate}::date,
              ${input.endDate ?? input.startDate}::date, ${input.capacity ?? null}, ${input.status}, ${input.notes ?? null},
              ${JSON.stringify(input.audience)}::jsonb)
      RETURNING id`)
    await writeTopicsAndTrainers(tx, created.id, input.topics, input.trainers)
    const row = (await findCamp(tx, actor, created.id))!
    await recordAudit(tx, actor, { action: 'create', entityType: 'camp', entityId: row.id, unitId: row.unit_id, after: auditShape(row) })
    return row
  })
}

const auditShape = (r: CampRow) => {
  const { invited: _i, confirmed: _c, attended: _a, walkIns: _w, organiser: _o, ...camp } = toCamp(r)
  return camp
}

/** The camp (locked), organised within the key's scope; 404/403 otherwise; 412 when If-Match does not match. */
async function lockCamp (tx: Database, actor: Actor, id: string, matches?: (v: number) => boolean): Promise<CampRow> {
  await tx.execute(sql`SELECT 1 FROM camps WHERE id = ${id} FOR NO KEY UPDATE`)
  const row = await campToChange(tx, actor, id)
  if (matches && !matches(row.version)) throw preconditionFailed()
  return row
}

export type CampChange = Partial<Omit<CampInput, 'unitId' | 'localTitle' | 'venue' | 'capacity' | 'notes'>> & {
  localTitle?: string | null
  venue?: string | null
  capacity?: number | null
  notes?: string | null
}

export async function updateCamp (db: Database, actor: Actor, id: string, change: CampChange, matches?: (v: number) => boolean): Promise<CampRow> {
  return inTransaction(db, actor, async (tx) => {
    const before = await lockCamp(tx, actor, id, matches)
    if (change.topics) await topicsKnown(tx, change.topics)
    if (change.trainers) await trainersKnown(tx, actor, change.trainers)
    await audienceKnown(tx, change.audience)
    const keep = (v: unknown, column: string, cast = '') => v !== undefined ? sql`${v}${sql.raw(cast)}` : sql.raw(column)
    await tx.execute(sql`
      UPDATE camps SET
        title = ${keep(change.title, 'title')},
        local_title = ${keep(change.localTitle, 'local_title')},
        venue = ${keep(change.venue, 'venue')},
        start_date = ${keep(change.startDate, 'start_date', '::date')},
        end_date = ${keep(change.endDate, 'end_date', '::date')},
        capacity = ${keep(change.capacity, 'capacity', '::int')},
        status = ${keep(change.status, 'status', '::camp_status')},
        notes = ${keep(change.notes, 'notes')},
        audience = ${change.audience !== undefined ? sql`${JSON.stringify(change.audience)}::jsonb` : sql`audience`}
      WHERE id = ${id}`)
    await writeTopicsAndTrainers(tx, id, change.topics, change.trainers)
    const after = (await findCamp(tx, actor, id))!
    await recordAudit(tx, actor, { action: 'update', entityType: 'camp', entityId: id, unitId: after.unit_id, before: auditShape(before), after: auditShape(after) })
    return after
  })
}

/** Deletes a camp that was not held and has no attendance (the database keeps the others); its invitations go with it. */
export async function deleteCamp (db: Database, actor: Actor, id: string, matches?: (v: number) => boolean): Promise<void> {
  await inTransaction(db, actor, async (tx) => {
    const before = await lockCamp(tx, actor, id, matches)
    await tx.execute(sql`DELETE FROM camps WHERE id = ${id}`)
    await recordAudit(tx, actor, { action: 'delete', entityType: 'camp', entityId: id, unitId: before.unit_id, before: auditShape(before) })
  })
}

async function invitedCount (tx: Database, campId: string): Promise<number> {
  const [row] = await rows<{ n: number }>(tx, sql`SELECT count(*)::int AS n FROM invitations WHERE camp_id = ${campId} AND invitation_counted(source, status)`)
  return row.n
}

/**
 * Invites the camp's audience from its rule (set-based, in PostgreSQL: invite_audience),
 * or these people one by one. People already invited are left as they are.
 */
export async function invite (db: Database, actor: Actor, campId: string, personIds?: string[]): Promise<{ added: number, invited: number }> {
  return inTransaction(db, actor, async (tx) => {
    const camp = await lockCamp(tx, actor, campId)
    if (camp.status === 'cancelled') throw new DomainError('conflict', 'camp_cancelled', 'The camp is cancelled.')
    let added: number
    if (personIds === undefined) {
      if (camp.audience.length === 0) throw new DomainError('unprocessable', 'camp_has_no_audience', 'The camp declares no audience: set its audience, or invite people by id (personIds).')
      const [row] = await rows<{ added: number }>(tx, sql`SELECT invite_audience(${campId}) AS added`)
      added = row.added
    } else {
      const ids = [...new Set(personIds)]
      const found = await rows<{ id: string }>(tx, sql`
        SELECT p.id FROM people p JOIN units h ON h.id = p.home_booth_id
         WHERE p.id = ANY (${sql.param(ids)}::uuid[]) AND h.path <@ ${camp.unit_path}::ltree`)
      const missing = ids.filter(i => !found.some(f => f.id === i))
      if (missing.length > 0) throw new DomainError('unprocessable', 'person_not_found', `No person at home under ${camp.unit_code_path} with ${missing.length > 1 ? 'these ids' : 'this id'}: ${missing.join(', ')}.`)
      const inserted = await rows<{ id: string }>(tx, sql`
        INSERT INTO invitations (camp_id, person_id, source, qualified_by, post_level, post_wing, post_role)
        SELECT ${campId}, x.id, 'manual', pp.qualified_by, pp.post_level, pp.post_wing, pp.post_role
          FROM unnest(${sql.param(ids)}::uuid[]) AS x(id) CROSS JOIN LATERAL person_posts(x.id) pp
         ORDER BY x.id
        ON CONFLICT (camp_id, person_id) DO NOTHING
        RETURNING id`)
      added = inserted.length
    }
    const invited = await invitedCount(tx, campId)
    await recordAudit(tx, actor, {
      action: 'invite',
      entityType: 'camp',
      entityId: campId,
      unitId: camp.unit_id,
      after: { added, invited, from: personIds === undefined ? 'rule' : 'people', ...(personIds ? { personIds: [...new Set(personIds)] } : {}) }
    })
    return { added, invited }
  })
}

export async function updateInvitation (db: Database, actor: Actor, campId: string, invitationId: string, status: string, matches?: (v: number) => boolean): Promise<InvitationRow> {
  return inTransaction(db, actor, async (tx) => {
    const camp = await campToChange(tx, actor, campId)
    await tx.execute(sql`SELECT 1 FROM invitations WHERE id = ${invitationId} AND camp_id = ${campId} FOR UPDATE`)
    const before = await findInvitation(tx, actor, camp, { id: invitationId })
    if (!before) throw notFound('invitation')
    if (matches && !matches(before.version)) throw preconditionFailed()
    if (before.status === 'attended') {
      throw new DomainError('conflict', 'invitation_attendance', 'The person attended: an attended invitation keeps its status.')
    }
    await tx.execute(sql`UPDATE invitations SET status = ${status}::invitation_status WHERE id = ${invitationId}`)
    const after = (await findInvitation(tx, actor, camp, { id: invitationId }))!
    await recordAudit(tx, actor, { action: 'update', entityType: 'invitation', entityId: invitationId, unitId: camp.unit_id, before: { status: before.status }, after: { status: after.status, campId, personId: after.person_id } })
    return after
  })
}

export interface CheckIn {
  personId?: string
  phone?: string
  voterId?: string
  newPerson?: { name: string, homeBoothId: string, phone?: string, voterId?: string, gender?: 'female' | 'male' | 'other' }
  day?: string
}

/**
 * Finds the person a check-in names, at home under the camp's unit: by id, by voter ID,
 * or by phone when exactly one person there has it (families share phones). Nothing is
 * said of people elsewhere.
 */
async function personToCheckIn (tx: Database, actor: Actor, camp: CampRow, c: CheckIn): Promise<string> {
  if (c.newPerson) {
    const person = await createPerson(tx, actor, c.newPerson)
    return person.id
  }
  const by = c.personId !== undefined ? sql`p.id = ${c.personId}` : c.voterId !== undefined ? sql`p.voter_id = ${c.voterId}` : sql`p.phone = ${c.phone!}`
  const found = await rows<{ id: string }>(tx, sql`
    SELECT p.id FROM people p JOIN units h ON h.id = p.home_booth_id
     WHERE ${by} AND h.path <@ ${camp.unit_path}::ltree
     LIMIT 2`)
  if (found.length > 1) throw new DomainError('conflict', 'ambiguous_phone', 'Several people have this phone: check in by voter ID or person id instead.')
  if (found.length === 0) {
    throw new DomainError('unprocessable', 'person_not_found', `No person at home under ${camp.unit_code_path} with this ${c.personId !== undefined ? 'id' : c.voterId !== undefined ? 'voter ID' : 'phone'}: a new worker can be recorded with newPerson.`)
  }
  return found[0].id
}

/**
 * Records a day of attendance: the person's invitation, or a walk-in invitation when they
 * were not invited (a new person first, for a new worker). A day already recorded is
 * left as it is (recorded: false).
 */
export async function checkIn (db: Database, actor: Actor, campId: string, c: CheckIn): Promise<{ invitation: InvitationRow, recorded: boolean, walkIn: boolean }> {
  return inTransaction(db, actor, async (tx) => {
    // Check-ins share the camp; materialising its audience (invite_audience) waits for them.
    await tx.execute(sql`SELECT 1 FROM camps WHERE id = ${campId} FOR SHARE`)
    const camp = await campToChange(tx, actor, campId)
    if (camp.status === 'cancelled') throw new DomainError('conflict', 'camp_cancelled', 'The camp is cancelled.')
    const day = c.day ?? indiaToday()
    if (day < camp.start_date || day > camp.end_date) {
      throw new DomainError('unprocessable', 'day_outside_camp', `The camp runs from ${camp.start_date} to ${camp.end_date}; ${day} is not one of its days.`)
    }
    const personId = await personToCheckIn(tx, actor, camp, c)
    const [walkIn] = await rows<{ id: string }>(tx, sql`
      INSERT INTO invitations (camp_id, person_id, source, qualified_by, post_level, post_wing, post_role)
      SELECT ${campId}, ${personId}, 'walk_in', pp.qualified_by, pp.post_level, pp.post_wing, pp.post_role FROM person_posts(${personId}) pp
      ON CONFLICT (camp_id, person_id) DO NOTHING
      RETURNING id`)
    const [{ id: invitationId }] = await rows<{ id: string }>(tx, sql`SELECT id FROM invitations WHERE camp_id = ${campId} AND person_id = ${personId}`)
    const recorded = await rows<{ day: string }>(tx, sql`
      INSERT INTO attendance (invitation_id, day) VALUES (${invitationId}, ${day}::date) ON CONFLICT DO NOTHING RETURNING day`)
    const invitation = (await findInvitation(tx, actor, camp, { id: invitationId }))!
    if (recorded.length > 0) {
      await recordAudit(tx, actor, {
        action: 'check_in',
        entityType: 'invitation',
        entityId: invitationId,
        unitId: camp.unit_id,
        after: { campId, personId, day, walkIn: walkIn !== undefined }
      })
    }
    return { invitation, recorded: recorded.length > 0, walkIn: invitation.source === 'walk_in' }
  })
}
