import { and, asc, eq, gt, gte, ilike, lt, or, sql, type SQL } from 'drizzle-orm'
import type { Actor } from '../access/actor.js'
import { withinScope } from '../access/scope.js'
import { rows, type Database } from '../db/client.js'
import { listInBatches, type KeysetList } from '../db/cursor.js'
import { selectList } from '../db/select.js'
import { containing } from '../db/like.js'
import { DomainError } from '../errors.js'
import { appointments, people, units } from '../db/schema.js'
import { appointmentColumns, isCurrent, type AppointmentRow } from '../appointments/queries.js'
import { currentMembershipOf } from '../memberships/queries.js'
import { phoneCell, type CsvColumn } from '../http/csv.js'
import { listWings } from '../wings/catalogue.js'
import { handlesOf, legacyFields, type Handles } from '../social-media/fields.js'
import { maskPhone, maskVoterId } from './identity.js'

export const personColumns = {
  id: people.id,
  name: people.name,
  homeBoothId: people.homeBoothId,
  phone: people.phone,
  voterId: people.voterId,
  gender: people.gender,
  handles: handlesOf(people.id),
  version: people.version,
  createdAt: people.createdAt,
  updatedAt: people.updatedAt
}

export type PersonRow = {
  id: string
  name: string
  homeBoothId: string
  phone: string | null
  voterId: string | null
  gender: 'female' | 'male' | 'other' | null
  handles: Handles
  version: number
  createdAt: Date
  updatedAt: Date
}

/** The API shape; reader keys with maskPersonalData see masked phone and voter ID. */
export function toPerson (r: PersonRow, actor: Actor) {
  const mask = actor.maskPersonalData
  return {
    id: r.id,
    name: r.name,
    homeBoothId: r.homeBoothId,
    phone: mask ? maskPhone(r.phone) : r.phone,
    voterId: mask ? maskVoterId(r.voterId) : r.voterId,
    gender: r.gender,
    ...legacyFields(r.handles),
    handles: r.handles ?? {},
    createdAt: new Date(r.createdAt).toISOString(),
    updatedAt: new Date(r.updatedAt).toISOString()
  }
}

/** A person is in a key's scope when their home booth is. */
export async function findPerson (db: Database, actor: Actor, id: string, forUpdate = false): Promise<PersonRow | undefined> {
  const q = db.select(personColumns).from(people)
    .innerJoin(units, eq(units.id, people.homeBoothId))
    .where(and(eq(people.id, id), withinScope(actor, units.path)))
  const [row] = forUpdate ? await q.for('no key update', { of: people }) : await q
  return row as PersonRow | undefined
}

export interface ListPeopleFilter {
  homeBoothId?: string
  /** Code path of a unit: people whose home booth lies in its subtree. */
  under?: string
  /** The key's scope unit's code path, for the planner: the same people as the scope condition, or fewer while it moves. */
  within?: string
  /** The unit's (or the scope's) people are few (fewPeopleUnder): found first, then sorted. */
  few?: boolean
  q?: string
  phone?: string
  voterId?: string
  /** Keyset: [name, id] of the last row. */
  after?: [string, string]
  limit: number
}

/**
 * A key that sees phone numbers and voter IDs masked may not look people up by them:
 * the masked value leaves few candidates (a voter ID shows its last four characters),
 * and trying each one as a search would reveal the whole number.
 */
export function refuseMaskedIdentitySearch (actor: Actor, f: Pick<ListPeopleFilter, 'phone' | 'voterId'>) {
  if (actor.maskPersonalData && (f.phone !== undefined || f.voterId !== undefined)) {
    throw new DomainError('forbidden', 'masked_key_cannot_search',
      'This key sees phone numbers and voter IDs masked, so it may not search or filter people by them. Search by name (q), or use a key without maskPersonalData.')
  }
}

/** A listed person also carries their home booth's code path (the list joins it anyway). */
export type ListedPersonRow = PersonRow & { homeBoothCodePath: string }

export async function listPeople (db: Database, actor: Actor, f: ListPeopleFilter): Promise<ListedPersonRow[]> {
  return rows<ListedPersonRow>(db, peopleList(actor, f).query(f.after, f.limit + 1))
}

export const personKey = (r: PersonRow): [string, string] => [r.name, r.id]

/** listPeople's rows as a list to page through or download (src/db/cursor.ts), in name order. */
export function peopleList (actor: Actor, f: Omit<ListPeopleFilter, 'after' | 'limit'>): KeysetList<ListedPersonRow, [string, string]> {
  refuseMaskedIdentitySearch(actor, f)
  const where: Array<SQL | undefined> = [withinScope(actor, units.path)]
  if (f.homeBoothId) where.push(eq(people.homeBoothId, f.homeBoothId))
  if (f.under !== undefined) where.push(gte(units.codePath, f.under + '/'), lt(units.codePath, f.under + '0'))
  // The key's own unit included (a booth's key): the scope condition above stays exact.
  if (f.within !== undefined) where.push(gte(units.codePath, f.within), lt(units.codePath, f.within + '0'))
  if (f.q) where.push(ilike(people.name, containing(f.q)))
  if (f.phone) where.push(eq(people.phone, f.phone))
  if (f.voterId) where.push(eq(people.voterId, f.voterId))
  const columns = selectList({ ...personColumns, homeBoothCodePath: units.codePath })
  const matching = (after: [string, string] | undefined) =>
    and(...where, after && or(gt(people.name, after[0]), and(eq(people.name, after[0]), gt(people.id, after[1])))) ?? sql`true`
  const limited = (limit: number | undefined) => limit !== undefined ? sql`LIMIT ${limit}` : sql``
  return {
    keyOf: personKey,
    // A small subtree's people, or those a name search finds, are found first and their
    // names sorted (OFFSET 0 keeps the planner from reading the name index until it has a
    // page: 246 ms for a district's first page on india, 17 s for q=Rekha, against 11 ms
    // and 7 ms); then the page's rows are read whole. A large subtree's are read in name
    // order from the index.
    query: (after, limit) => f.few || f.q !== undefined
      ? sql`
        SELECT ${columns}
          FROM (SELECT k.id, k.name
                  FROM (SELECT ${people.id} AS id, ${people.name} AS name
                          FROM ${people} JOIN ${units} ON ${units.id} = ${people.homeBoothId}
                         WHERE ${matching(after)} OFFSET 0) k
                 ORDER BY k.name, k.id ${limited(limit)}) k
          JOIN ${people} ON ${people.id} = k.id JOIN ${units} ON ${units.id} = ${people.homeBoothId}
         ORDER BY ${people.name}, ${people.id}`
      : sql`
        SELECT ${columns}
          FROM ${people} JOIN ${units} ON ${units.id} = ${people.homeBoothId}
         WHERE ${matching(after)}
         ORDER BY ${people.name}, ${people.id} ${limited(limit)}`
  }
}

/** Booths under a unit past which its people are read in name order rather than sorted: about 2,00,000 people. */
const FEW_BOOTHS = 20_000

/**
 * A unit in the actor's scope as the area of a people list, in one read: its code path,
 * and whether its people are few enough to be found and sorted (ListPeopleFilter.few),
 * from its counters. Undefined when it is unknown or outside the scope.
 */
export async function peopleArea (db: Database, actor: Actor, unitId: string): Promise<{ id: string, codePath: string, few: boolean } | undefined> {
  const [found] = await rows<{ id: string, code_path: string, booths: number }>(db, sql`
    SELECT u.id, u.code_path, coalesce(s.total_booths, 0) AS booths
      FROM units u LEFT JOIN unit_stats s ON s.unit_id = u.id
     WHERE u.id = ${unitId} AND ${withinScope(actor, sql`u.path`) ?? sql`true`}`)
  return found && { id: found.id, codePath: found.code_path, few: found.booths < FEW_BOOTHS }
}

/** Every person the filter finds, batch after batch in name order, for a streamed download. */
export function allPeople (db: Database, actor: Actor, f: Omit<ListPeopleFilter, 'after' | 'limit'>, batch = 2000): AsyncIterable<ListedPersonRow[]> {
  return listInBatches(db, peopleList(actor, f), batch)
}

/**
 * The people CSV: the API shape (masked per key as in JSON, as toPerson masks it), with
 * the home booth's code path. Columns the presidents import also reads carry its names
 * (booth, name, phone, voter_id, handles), so rows of the sheet can go back in as they
 * are. The cells read the database's rows: a download builds no API object per row.
 */
export function personCsv (actor: Actor): ReadonlyArray<CsvColumn<ListedPersonRow>> {
  const mask = actor.maskPersonalData
  return [
    ['name', p => p.name],
    ['booth', p => p.homeBoothCodePath],
    ['phone', p => phoneCell(mask ? maskPhone(p.phone) : p.phone)],
    ['voter_id', p => mask ? maskVoterId(p.voterId) : p.voterId],
    ['gender', p => p.gender],
    ['twitter', p => p.handles?.twitter],
    ['facebook', p => p.handles?.facebook],
    ['instagram', p => p.handles?.instagram],
    ['youtube', p => p.handles?.youtube],
    ['id', p => p.id],
    ['home_booth_id', p => p.homeBoothId]
  ]
}

/**
 * A person's page: the person, their home booth, current membership and current terms;
 * terms at units outside the actor's scope are only counted.
 */
export async function personPage (db: Database, actor: Actor, id: string) {
  const person = await findPerson(db, actor, id)
  if (!person) return undefined
  const [[homeBooth], membership, terms, wingList] = await Promise.all([
    db.select({ id: units.id, code: units.code, codePath: units.codePath, name: units.name }).from(units).where(eq(units.id, person.homeBoothId)),
    currentMembershipOf(db, person.id),
    db.select({ ...appointmentColumns, visible: sql<boolean>`${withinScope(actor, units.path) ?? sql`true`}` }).from(appointments)
      .innerJoin(units, eq(units.id, appointments.unitId))
      .where(and(eq(appointments.personId, person.id), isCurrent))
      .orderBy(asc(appointments.startDate), asc(appointments.id)),
    listWings(db)
  ])
  const offices = terms.filter(t => t.visible) as AppointmentRow[]
  // The same terms grouped by wing, in the wings' order; wings without one left out.
  const officesByWing = wingList
    .map(w => ({ wing: w.code, wingName: w.name, offices: offices.filter(o => o.wing === w.code) }))
    .filter(g => g.offices.length > 0)
  return { person, homeBooth, membership, offices, officesByWing, officesOutsideScope: terms.length - offices.length }
}
