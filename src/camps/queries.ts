import { sql, type SQL } from 'drizzle-orm'
import type { Actor } from '../access/actor.js'
import { rows, type Database } from '../db/client.js'
import type { KeysetList } from '../db/cursor.js'
import type { UnitLevel } from '../db/schema.js'
import { DomainError, notFound } from '../errors.js'
import { maskPhone } from '../people/identity.js'

/**
 * Training camps as a key sees them. A key organises the camps of units in its subtree
 * (it sees all of them, and all their invitations); a camp above its scope (a state camp,
 * for a district's key) it sees only when it invited the key's people, and then only as
 * it concerns them: their invitations, their attendance, their counts.
 */

export interface TopicRow { code: string, name: string, local_name: string | null, sort_order: number }

export const toTopic = (r: TopicRow) => ({ code: r.code, name: r.name, localName: r.local_name, sortOrder: r.sort_order })

export async function listTopics (db: Database): Promise<TopicRow[]> {
  return rows<TopicRow>(db, sql`SELECT code, name, local_name, sort_order FROM topics ORDER BY sort_order, code`)
}

export async function findTopic (db: Database, code: string): Promise<TopicRow | undefined> {
  const [row] = await rows<TopicRow>(db, sql`SELECT code, name, local_name, sort_order FROM topics WHERE code = ${code}`)
  return row
}

/** The key's scope unit's path, as SQL (NULL for a global key). */
const scopePath = (actor: Actor): SQL =>
  actor.scopeUnitId === null ? sql`NULL::ltree` : sql`(SELECT s.path FROM units s WHERE s.id = ${actor.scopeUnitId})`

/** SQL boolean: the key organises camps of the unit at `path` (it lies in the key's subtree). */
const organises = (actor: Actor, path: SQL): SQL =>
  actor.scopeUnitId === null ? sql`true` : sql`coalesce(${path} <@ ${scopePath(actor)}, false)`

/** SQL boolean: the person's home booth (`home` path) is the key's (true for a global key). */
export const ownPerson = (actor: Actor, home: SQL): SQL =>
  actor.scopeUnitId === null ? sql`true` : sql`coalesce(${home} <@ ${scopePath(actor)}, false)`

export interface CampRow {
  id: string
  unit_id: string
  unit_code_path: string
  unit_path: string
  title: string
  local_title: string | null
  venue: string | null
  start_date: string
  end_date: string
  capacity: number | null
  status: 'planned' | 'held' | 'cancelled'
  notes: string | null
  audience: Array<Record<string, unknown>>
  topics: string[]
  trainers: Array<{ personId: string | null, name: string }>
  organiser: boolean
  invited: number
  confirmed: number
  attended: number
  walk_ins: number
  version: number
  created_at: string | Date
  updated_at: string | Date
}

export function toCamp (r: CampRow) {
  return {
    id: r.id,
    unitId: r.unit_id,
    unitCodePath: r.unit_code_path,
    title: r.title,
    localTitle: r.local_title,
    venue: r.venue,
    startDate: r.start_date,
    endDate: r.end_date,
    capacity: r.capacity,
    status: r.status,
    notes: r.notes,
    topics: r.topics,
    trainers: r.trainers,
    audience: r.audience.map(c => ({ levels: [], roles: [], wings: [], clusterKinds: [], assemblyId: null, committee: false, ...c })) as never,
    organiser: r.organiser,
    invited: r.invited,
    confirmed: r.confirmed,
    attended: r.attended,
    walkIns: r.walk_ins,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString()
  }
}

export interface CampFilter {
  id?: string
  /** Camps of units under this code path (the unit's own included). */
  under?: string
  from?: string
  to?: string
  topic?: string
  status?: string
  after?: [string, string]
  limit: number
}

/**
 * Camps the key may see, in (start date, id) order. A camp above the key's scope is seen
 * when one of its invitations is of the key's people; its counts are theirs only.
 */
export async function listCamps (db: Database, actor: Actor, f: CampFilter): Promise<CampRow[]> {
  const where: SQL[] = []
  if (actor.scopeUnitId !== null) {
    where.push(sql`(cu.path <@ ${scopePath(actor)} OR (cu.path @> ${scopePath(actor)} AND EXISTS (
      SELECT 1 FROM invitations i JOIN people p ON p.id = i.person_id JOIN units h ON h.id = p.home_booth_id
       WHERE i.camp_id = c.id AND h.path <@ ${scopePath(actor)})))`)
  }
  if (f.id) where.push(sql`c.id = ${f.id}`)
  if (f.under !== undefined) where.push(sql`(cu.code_path = ${f.under} OR (cu.code_path >= ${f.under + '/'} AND cu.code_path < ${f.under + '0'}))`)
  if (f.from) where.push(sql`c.end_date >= ${f.from}::date`)
  if (f.to) where.push(sql`c.start_date <= ${f.to}::date`)
  if (f.topic) where.push(sql`EXISTS (SELECT 1 FROM camp_topics t WHERE t.camp_id = c.id AND t.topic_code = ${f.topic})`)
  if (f.status) where.push(sql`c.status = ${f.status}`)
  if (f.after) where.push(sql`(c.start_date, c.id) > (${f.after[0]}::date, ${f.after[1]}::uuid)`)
  return rows<CampRow>(db, sql`
    SELECT c.id, c.unit_id, cu.code_path AS unit_code_path, cu.path::text AS unit_path, c.title, c.local_title, c.venue,
           c.start_date::text, c.end_date::text, c.capacity, c.status, c.notes, c.audience,
           ARRAY(SELECT t.topic_code FROM camp_topics t JOIN topics tp ON tp.code = t.topic_code WHERE t.camp_id = c.id ORDER BY tp.sort_order, t.topic_code) AS topics,
           coalesce((SELECT jsonb_agg(jsonb_build_object('personId', tr.person_id, 'name', coalesce(tp.name, tr.name)) ORDER BY tr.position)
                       FROM camp_trainers tr LEFT JOIN people tp ON tp.id = tr.person_id WHERE tr.camp_id = c.id), '[]') AS trainers,
           ${organises(actor, sql`cu.path`)} AS organiser,
           n.invited, n.confirmed, n.attended, n.walk_ins,
           c.version, c.created_at, c.updated_at
      FROM camps c JOIN units cu ON cu.id = c.unit_id
      CROSS JOIN LATERAL (
        SELECT count(*) FILTER (WHERE invitation_counted(i.source, i.status))::int AS invited,
               count(*) FILTER (WHERE i.status = 'confirmed')::int AS confirmed,
               count(*) FILTER (WHERE i.status = 'attended' AND i.source <> 'walk_in')::int AS attended,
               count(*) FILTER (WHERE i.source = 'walk_in')::int AS walk_ins
          FROM invitations i
          ${actor.scopeUnitId === null
            ? sql``
            : sql`JOIN people p ON p.id = i.person_id JOIN units h ON h.id = p.home_booth_id`}
         WHERE i.camp_id = c.id
           ${actor.scopeUnitId === null ? sql`` : sql`AND (${organises(actor, sql`cu.path`)} OR h.path <@ ${scopePath(actor)})`}) n
     WHERE ${where.length > 0 ? sql.join(where, sql` AND `) : sql`true`}
     ORDER BY c.start_date, c.id
     LIMIT ${f.limit + 1}`)
}

export async function findCamp (db: Database, actor: Actor, id: string): Promise<CampRow | undefined> {
  const [row] = await listCamps(db, actor, { id, limit: 1 })
  return row
}

/** The camp as the key sees it (organised in its scope, or concerning its people); 404 otherwise. */
export async function campInScope (db: Database, actor: Actor, id: string): Promise<CampRow> {
  const camp = await findCamp(db, actor, id)
  if (!camp) throw notFound('camp', 'No camp with this id in your scope.')
  return camp
}

/** The camp, organised within the key's scope: what a change to it, its invitations or attendance needs. 404 otherwise; 403 for a camp the key sees from below. */
export async function campToChange (db: Database, actor: Actor, id: string): Promise<CampRow> {
  const camp = await campInScope(db, actor, id)
  if (!camp.organiser) {
    throw new DomainError('forbidden', 'outside_scope', `The camp is organised by ${camp.unit_code_path}, above your key's scope: a key of that scope changes it.`)
  }
  return camp
}

export interface InvitationRow {
  id: string
  camp_id: string
  person_id: string
  name: string
  phone: string | null
  home_booth_id: string
  home_booth_code_path: string
  status: 'invited' | 'confirmed' | 'declined' | 'attended' | 'no_show' | 'cancelled'
  source: 'rule' | 'manual' | 'walk_in'
  qualified_by: Array<{ appointmentId: string, unitId: string, level: UnitLevel, wing: string, role: string, clusterId: string | null }>
  days: string[]
  version: number
  created_at: string | Date
  updated_at: string | Date
}

export function toInvitation (r: InvitationRow, actor: Actor) {
  return {
    id: r.id,
    campId: r.camp_id,
    personId: r.person_id,
    name: r.name,
    phone: actor.maskPersonalData ? maskPhone(r.phone) : r.phone,
    homeBoothId: r.home_booth_id,
    homeBoothCodePath: r.home_booth_code_path,
    status: r.status,
    source: r.source,
    qualifiedBy: r.qualified_by,
    days: r.days,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString()
  }
}

export interface InvitationFilter {
  id?: string
  personId?: string
  status?: string
  source?: string
  after?: [string, string]
  limit: number
}

/** A camp's invitations the key may see (all, for its organiser; its people's otherwise), in (home booth code path, id) order. */
export async function listInvitations (db: Database, actor: Actor, camp: CampRow, f: InvitationFilter): Promise<InvitationRow[]> {
  return rows<InvitationRow>(db, invitationsList(actor, camp, f).query(f.after, f.limit + 1))
}

/** listInvitations' rows as a list to page through or download (src/db/cursor.ts), by home booth. */
export function invitationsList (actor: Actor, camp: CampRow, f: Omit<InvitationFilter, 'after' | 'limit'>): KeysetList<InvitationRow, [string, string]> {
  const where: SQL[] = [sql`i.camp_id = ${camp.id}`]
  if (!camp.organiser) where.push(ownPerson(actor, sql`h.path`))
  if (f.id) where.push(sql`i.id = ${f.id}`)
  if (f.personId) where.push(sql`i.person_id = ${f.personId}`)
  if (f.status) where.push(sql`i.status = ${f.status}`)
  if (f.source) where.push(sql`i.source = ${f.source}`)
  return {
    keyOf: r => [r.home_booth_code_path, r.id],
    query: (after, limit) => sql`
      SELECT i.id, i.camp_id, i.person_id, p.name, p.phone, p.home_booth_id, h.code_path AS home_booth_code_path,
             i.status, i.source, i.qualified_by,
             ARRAY(SELECT d.day::text FROM attendance d WHERE d.invitation_id = i.id ORDER BY d.day) AS days,
             i.version, i.created_at, i.updated_at
        FROM invitations i JOIN people p ON p.id = i.person_id JOIN units h ON h.id = p.home_booth_id
       WHERE ${sql.join(after ? [...where, sql`(h.code_path, i.id) > (${after[0]}, ${after[1]}::uuid)`] : where, sql` AND `)}
       ORDER BY h.code_path, i.id
       ${limit !== undefined ? sql`LIMIT ${limit}` : sql``}`
  }
}

export async function findInvitation (db: Database, actor: Actor, camp: CampRow, filter: { id?: string, personId?: string }): Promise<InvitationRow | undefined> {
  const [row] = await listInvitations(db, actor, camp, { ...filter, limit: 1 })
  return row
}

export interface CampReportSqlRow {
  level: UnitLevel | null
  wing: string | null
  role: string | null
  invited: number
  confirmed: number
  declined: number
  attended: number
  walk_ins: number
}

/** Invited and attended by level, wing and role of the first qualifying post (the key's people only, for a camp above its scope). */
export async function campReport (db: Database, actor: Actor, camp: CampRow) {
  const mine = camp.organiser ? sql`true` : ownPerson(actor, sql`h.path`)
  const from = camp.organiser
    ? sql`FROM invitations i`
    : sql`FROM invitations i JOIN people p ON p.id = i.person_id JOIN units h ON h.id = p.home_booth_id`
  const [groups, days] = await Promise.all([
    rows<CampReportSqlRow>(db, sql`
      SELECT i.post_level AS level, i.post_wing AS wing, i.post_role AS role,
             count(*) FILTER (WHERE invitation_counted(i.source, i.status))::int AS invited,
             count(*) FILTER (WHERE i.status = 'confirmed')::int AS confirmed,
             count(*) FILTER (WHERE i.status = 'declined')::int AS declined,
             count(*) FILTER (WHERE i.status = 'attended' AND i.source <> 'walk_in')::int AS attended,
             count(*) FILTER (WHERE i.source = 'walk_in')::int AS walk_ins
        ${from}
       WHERE i.camp_id = ${camp.id} AND ${mine}
       GROUP BY 1, 2, 3
       ORDER BY 1 NULLS LAST, 2 NULLS LAST, 3 NULLS LAST`),
    rows<{ day: string, attended: number }>(db, sql`
      SELECT d.day::text, count(*)::int AS attended
        ${from} JOIN attendance d ON d.invitation_id = i.id
       WHERE i.camp_id = ${camp.id} AND ${mine}
       GROUP BY d.day ORDER BY d.day`)
  ])
  return { groups, days }
}
