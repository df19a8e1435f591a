import { sql, type SQL } from 'drizzle-orm'
import type { Actor } from '../access/actor.js'
import { rows, type Database } from '../db/client.js'
import { batchesOf, inBatches } from '../db/keyset.js'
import { UNIT_LEVELS, type UnitLevel } from '../db/schema.js'
import { levelBelow, unitInScope } from '../coverage/service.js'
import { maskPhone } from '../people/identity.js'
import { DomainError } from '../errors.js'
import type { UnitRow } from '../units/queries.js'
import { findTopic } from './queries.js'

/**
 * Who was trained, and who still must be. Office-bearers are people holding a current
 * post (booth committee members aside unless asked), counted once each at home: a unit's
 * figures are its people's, wherever their posts are. Without a role filter or the
 * committee, the figures are the counters of 47_camps.sql (a few rows per unit); with
 * them, they are counted on the fly from the terms (exact, slower on a large subtree).
 */

export interface TrainingParams {
  wing?: string
  role?: string
  committee: boolean
  topic?: string
  days?: number
}

export interface TrainingSqlRow {
  unit_id: string
  code: string
  code_path: string
  name: string
  level: UnitLevel
  office_bearers: number
  trained: number
  camps_held: number
  invitations: number
  invitations_attended: number
}

const share = (part: number, whole: number) => whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 10_000

export function toTrainingRow (r: TrainingSqlRow) {
  return {
    unitId: r.unit_id,
    code: r.code,
    codePath: r.code_path,
    name: r.name,
    level: r.level,
    officeBearers: r.office_bearers,
    trained: r.trained,
    share: share(r.trained, r.office_bearers),
    campsHeld: r.camps_held,
    invitations: r.invitations,
    invitationsAttended: r.invitations_attended,
    attendanceRate: share(r.invitations_attended, r.invitations)
  }
}

/** The last day attended counts from this day on (exclusive): ever, or the last N days. */
const cutoff = (p: TrainingParams): SQL => p.days === undefined ? sql`'-infinity'::date` : sql`(india_today() - ${p.days}::int)`

const live = (p: TrainingParams) => p.role !== undefined || p.committee

/** SQL boolean over an appointment `a`: a post the question counts. */
function postCounts (p: TrainingParams): SQL {
  const parts: SQL[] = [sql`a.end_date IS NULL`]
  if (p.wing !== undefined) parts.push(sql`a.wing_code = ${p.wing}`)
  if (p.role !== undefined) parts.push(sql`a.role_code = ${p.role}`)
  else if (!p.committee) parts.push(sql`training_counts_role(a.role_code)`)
  return sql.join(parts, sql` AND `)
}

/** The last day the person `pid` attended a camp (on the topic, when asked), or NULL. */
const lastDay = (p: TrainingParams, pid: SQL): SQL => p.topic === undefined
  ? sql`(SELECT max(d.day) FROM invitations i JOIN attendance d ON d.invitation_id = i.id WHERE i.person_id = ${pid})`
  : sql`(SELECT max(d.day) FROM invitations i JOIN attendance d ON d.invitation_id = i.id
          JOIN camp_topics ct ON ct.camp_id = i.camp_id AND ct.topic_code = ${p.topic} WHERE i.person_id = ${pid})`

async function question (db: Database, actor: Actor, unitId: string, p: TrainingParams, level?: UnitLevel) {
  const [unit, topic] = await Promise.all([unitInScope(db, actor, unitId), p.topic === undefined ? undefined : findTopic(db, p.topic)])
  if (p.topic !== undefined && !topic) throw new DomainError('unprocessable', 'unknown_topic', `There is no topic ${p.topic} (GET /v1/topics).`)
  levelBelow(unit, level, false)
  return unit
}

/**
 * The unit's row and its children's (or its descendants' at a level) after `after`, up
 * to limit + 1 of them, in code-path order.
 */
async function trainingRows (db: Database, unit: UnitRow, p: TrainingParams, f: { level?: UnitLevel, after?: string, limit: number }): Promise<{ self: TrainingSqlRow, children: TrainingSqlRow[] }> {
  const below = f.level
    ? sql`u.level = ${f.level} AND u.code_path >= ${unit.codePath + '/'} AND u.code_path < ${unit.codePath + '0'}`
    : sql`u.parent_id = ${unit.id}`
  const after = f.after !== undefined ? sql` AND u.code_path > ${f.after}` : sql``
  const wingKey = p.wing ?? ''
  const topicKey = p.topic ?? ''
  const rowLevel = f.level ?? UNIT_LEVELS[Math.min(UNIT_LEVELS.indexOf(unit.level) + 1, UNIT_LEVELS.length - 1)]
  // The rows' paths have this many labels: a path prefix this long says which row a unit is under.
  const depth = UNIT_LEVELS.indexOf(rowLevel) + 1
  // Live: every counted office-bearer at home under the unit, with their last day, grouped
  // by the row their home booth lies under (the path prefix at the rows' depth).
  const liveFigures = live(p)
    ? sql`,
      holders AS (
        SELECT a.person_id, min(b.path::text)::ltree AS booth_path
          FROM appointments a JOIN people hp ON hp.id = a.person_id JOIN units b ON b.id = hp.home_booth_id
         WHERE ${postCounts(p)} AND b.path <@ ${unit.path}::ltree
         GROUP BY a.person_id),
      placed AS (
        SELECT subpath(h.booth_path, 0, ${depth}) AS key,
               (${lastDay(p, sql`h.person_id`)} > ${cutoff(p)}) AS trained
          FROM holders h),
      grouped AS (
        SELECT key, count(*)::int AS office_bearers, count(*) FILTER (WHERE trained)::int AS trained FROM placed GROUP BY key)`
    : sql``
  const officeBearers = live(p)
    ? sql`CASE WHEN r.id = ${unit.id} THEN (SELECT coalesce(sum(g.office_bearers), 0)::int FROM grouped g)
               ELSE coalesce((SELECT g.office_bearers FROM grouped g WHERE g.key = r.path), 0) END`
    : sql`CASE WHEN r.level = 'booth'
               THEN (SELECT count(*)::int FROM training_people tp WHERE tp.booth_id = r.id AND (${wingKey} = '' OR ${wingKey} = ANY (tp.wings)))
               ELSE coalesce((SELECT sum(ts.people)::int FROM training_stats ts WHERE ts.unit_id = r.id AND ts.wing_key = ${wingKey} AND ts.topic_key = ''), 0) END`
  const trained = live(p)
    ? sql`CASE WHEN r.id = ${unit.id} THEN (SELECT coalesce(sum(g.trained), 0)::int FROM grouped g)
               ELSE coalesce((SELECT g.trained FROM grouped g WHERE g.key = r.path), 0) END`
    : sql`CASE WHEN r.level = 'booth'
               THEN (SELECT count(*)::int FROM training_people tp CROSS JOIN LATERAL unnest(tp.topics, tp.last_days) AS x(topic, day)
                      WHERE tp.booth_id = r.id AND (${wingKey} = '' OR ${wingKey} = ANY (tp.wings)) AND x.topic = ${topicKey} AND x.day > ${cutoff(p)})
               ELSE coalesce((SELECT sum(ts.people)::int FROM training_stats ts
                               WHERE ts.unit_id = r.id AND ts.wing_key = ${wingKey} AND ts.topic_key = ${topicKey} AND ts.last_day > ${cutoff(p)}), 0) END`
  const found = await rows<TrainingSqlRow>(db, sql`
    WITH r AS (
      SELECT u.id, u.code, u.code_path, u.name, u.level, u.path FROM units u
       WHERE u.id = ${unit.id} OR (${below}${after})
       ORDER BY u.code_path LIMIT ${f.limit + 2})
    ${liveFigures}
    SELECT r.id AS unit_id, r.code, r.code_path, r.name, r.level,
           ${officeBearers} AS office_bearers,
           ${trained} AS trained,
           rates.camps_held,
           rates.invited AS invitations, rates.attended AS invitations_attended
      FROM r
      -- A unit above booths: its counters (held camps at it or below, invitations of its
      -- people). A booth: counted from its own camps and its people's invitations.
      CROSS JOIN LATERAL (
        SELECT tr.invited, tr.attended, tr.camps_held FROM training_rates tr WHERE tr.unit_id = r.id AND r.level <> 'booth'
        UNION ALL
        SELECT count(*)::int, count(*) FILTER (WHERE i.status = 'attended')::int,
               (SELECT count(*)::int FROM camps bc WHERE bc.unit_id = r.id AND bc.status = 'held')
          FROM people bp JOIN invitations i ON i.person_id = bp.id JOIN camps c ON c.id = i.camp_id AND c.status = 'held'
         WHERE r.level = 'booth' AND bp.home_booth_id = r.id AND i.source <> 'walk_in' AND i.status <> 'cancelled'
        UNION ALL
        SELECT 0, 0, 0
        LIMIT 1) rates
     ORDER BY r.code_path`)
  const self = found.find(r => r.unit_id === unit.id)!
  return { self, children: found.filter(r => r.unit_id !== unit.id) }
}

export interface TrainingQuestion extends TrainingParams {
  level?: UnitLevel
  after?: string
  limit: number
}

export async function trainingReport (db: Database, actor: Actor, unitId: string, q: TrainingQuestion) {
  const unit = await question(db, actor, unitId, q, q.level)
  return trainingRows(db, unit, q, q)
}

/** The whole report for a download: the unit's row, then its children's (or descendants' at a level), batch after batch. */
export async function allTraining (db: Database, actor: Actor, unitId: string, q: Omit<TrainingQuestion, 'after' | 'limit'>, batch = 2000) {
  const unit = await question(db, actor, unitId, q, q.level)
  const first = await trainingRows(db, unit, q, { level: q.level, limit: batch })
  async function * all (): AsyncGenerator<TrainingSqlRow> {
    yield first.self
    yield * inBatches(async (after: string | undefined, limit) => after === undefined
      ? first.children
      : (await trainingRows(db, unit, q, { level: q.level, after, limit })).children, r => r.code_path, batch)
  }
  return { unit, rows: all() }
}

export interface UntrainedSqlRow {
  person_id: string
  name: string
  phone: string | null
  home_booth_id: string
  home_booth_code_path: string
  posts: Array<{ unitCodePath: string, wing: string, role: string }>
  last_trained: string | null
}

/** A row of the CSV download: the posts already written out as the CSV cell (see postsCell). */
export type UntrainedCsvSqlRow = Omit<UntrainedSqlRow, 'posts'> & { posts: string | null }

export function toUntrained (r: UntrainedSqlRow, actor: Actor) {
  return {
    personId: r.person_id,
    name: r.name,
    phone: actor.maskPersonalData ? maskPhone(r.phone) : r.phone,
    homeBoothId: r.home_booth_id,
    homeBoothCodePath: r.home_booth_code_path,
    posts: r.posts,
    lastTrained: r.last_trained
  }
}

export const untrainedKey = (r: { home_booth_code_path: string, person_id: string }): [string, string] => [r.home_booth_code_path, r.person_id]

/** The booths under the unit as one range of the (level, code_path) index (the unit itself when it is a booth). */
const boothsUnder = (unit: UnitRow): SQL => unit.level === 'booth'
  ? sql`b.id = ${unit.id}`
  : sql`b.code_path >= ${unit.codePath + '/'} AND b.code_path < ${unit.codePath + '0'}`

/**
 * A post's unit, over a term `a` and `au`, the term's unit unless it is the person's home
 * booth `b` (most posts are): then it is `b`, already at hand, and `au` is not looked up.
 */
const POST_UNIT = sql`coalesce(au.code_path, b.code_path COLLATE "C")`
const POST_UNIT_JOIN = sql`LEFT JOIN units au ON au.id = CASE WHEN a.unit_id <> b.id THEN a.unit_id END`

/** The person's counted posts, in the order the report lists them. */
const POSTS_ORDER = sql`ORDER BY coalesce(au.level, 'booth'), ${POST_UNIT}, a.role_code`

/**
 * How a page carries the posts: JSON objects for the API's pages, or the CSV cell itself
 * (`wing:role@unit` each, the main wing's without `main:`, space-separated, in the same
 * order), built by the database so that a download parses and joins no JSON per row.
 */
const postsCell: Record<'json' | 'text', SQL> = {
  json: sql`coalesce(jsonb_agg(jsonb_build_object('unitCodePath', ${POST_UNIT}, 'wing', a.wing_code, 'role', a.role_code) ${POSTS_ORDER}), '[]')`,
  text: sql`string_agg(CASE WHEN a.wing_code = 'main' THEN '' ELSE a.wing_code || ':' END || a.role_code || '@' || ${POST_UNIT}, ' ' ${POSTS_ORDER})`
}

/**
 * How many booths a page's first read takes, carried from page to page of a download: it
 * starts small (a page of the API may need a few booths) and learns from each page how
 * many booths its rows took, so that a download's page is usually one read of booths and
 * one of their people, not a ramp of small reads restarted at every page.
 */
export interface BoothPace {
  booths: number
  /** The fewest booths a read takes (the tests take fewer, to cross batches of booths). */
  min: number
}

const MIN_BOOTHS = 200
const MAX_BOOTHS = 20_000

/**
 * Office-bearers at home under the unit who have not attended a camp (on the topic,
 * within the days, when asked), in (home booth code path, person id) order from `after`.
 * Booths are read in code-path order a batch at a time (one range of the (level,
 * code_path) index), and their people through training_people's booth index, until the
 * page is full: a page costs what it returns, wherever it starts, where one query over
 * the whole subtree would join and sort every untrained person of a state for each page.
 */
async function untrainedPage<R extends UntrainedSqlRow | UntrainedCsvSqlRow> (db: Database, unit: UnitRow, p: TrainingParams, f: { after?: [string, string], limit: number, posts: 'json' | 'text', pace?: BoothPace }): Promise<R[]> {
  const wingKey = p.wing ?? ''
  const candidates = live(p)
    ? sql`SELECT cp.id AS person_id, cp.name, cp.phone, ${lastDay(p, sql`cp.id`)} AS last_day
            FROM people cp
           WHERE cp.home_booth_id = b.id AND EXISTS (SELECT 1 FROM appointments a WHERE a.person_id = ANY (ARRAY[cp.id]) AND ${postCounts(p)})
          OFFSET 0`
    : sql`SELECT tp.person_id, pe.name, pe.phone, tp.last_days[array_position(tp.topics, ${p.topic ?? ''}::text)] AS last_day
            FROM training_people tp JOIN people pe ON pe.id = tp.person_id
           WHERE tp.booth_id = b.id AND (${wingKey} = '' OR ${wingKey} = ANY (tp.wings))
          OFFSET 0`
  const found: R[] = []
  let from = f.after ? sql`AND b.code_path >= ${f.after[0]}` : sql``
  let batch = f.pace?.booths ?? MIN_BOOTHS
  // Booths read before the last batch, for the pace.
  let before = 0
  let last: Array<{ id: string, code_path: string }> = []
  for (;;) {
    const booths = await rows<{ id: string, code_path: string }>(db, sql`
      SELECT b.id, b.code_path FROM units b
       WHERE b.level = 'booth' AND ${boothsUnder(unit)} ${from}
       ORDER BY b.code_path LIMIT ${batch}`)
    if (booths.length === 0) break
    before += last.length
    last = booths
    const people = await rows<R>(db, sql`
      SELECT c.person_id, c.name, c.phone, b.id AS home_booth_id, b.code_path AS home_booth_code_path,
             (SELECT ${postsCell[f.posts]}
                FROM appointments a ${POST_UNIT_JOIN} WHERE a.person_id = ANY (ARRAY[c.person_id]) AND ${postCounts(p)}) AS posts,
             CASE WHEN c.last_day > '-infinity'::date THEN c.last_day::text END AS last_trained
        FROM unnest(${sql.param(booths.map(x => x.id))}::uuid[], ${sql.param(booths.map(x => x.code_path))}::text[]) AS b(id, code_path)
        -- OFFSET 0 keeps each booth's people a probe of its own (through the booth index and
        -- people's key), never a hash of every counted person or everyone in the state.
        CROSS JOIN LATERAL (${candidates}) c
       WHERE NOT coalesce(c.last_day > ${cutoff(p)}, false)
         ${f.after ? sql`AND (b.code_path COLLATE "C", c.person_id) > (${f.after[0]} COLLATE "C", ${f.after[1]}::uuid)` : sql``}
       ORDER BY b.code_path COLLATE "C", c.person_id
       LIMIT ${f.limit + 1 - found.length}`)
    found.push(...people)
    if (found.length > f.limit || booths.length < batch) break
    from = sql`AND b.code_path > ${booths[booths.length - 1].code_path}`
    batch = Math.min(batch * 2, MAX_BOOTHS)
  }
  if (f.pace && found.length > f.limit) {
    // The booths the page's rows took (to its last row's booth), and as many again in
    // proportion for the next page's limit + 1 rows, with a little to spare.
    const lastBooth = found[found.length - 1].home_booth_code_path
    const took = before + last.findIndex(b => b.code_path === lastBooth) + 1
    f.pace.booths = Math.max(f.pace.min, Math.min(MAX_BOOTHS, Math.ceil(took * 1.1)))
  }
  return found
}

export async function untrainedReport (db: Database, actor: Actor, unitId: string, q: TrainingParams & { after?: [string, string], limit: number }) {
  const unit = await question(db, actor, unitId, q)
  return { unit, rows: await untrainedPage<UntrainedSqlRow>(db, unit, q, { after: q.after, limit: q.limit, posts: 'json' }) }
}

/**
 * The whole list for a download, with the posts as the CSV cell: batch after batch
 * (keyset), the next read while the current one is written out, each batch one array. The first batch is read
 * before returning, so a refusal comes before any output.
 */
export async function allUntrained (db: Database, actor: Actor, unitId: string, q: TrainingParams, batch = 5000, booths = MIN_BOOTHS) {
  const unit = await question(db, actor, unitId, q)
  const pace: BoothPace = { booths, min: booths }
  const page = (after: [string, string] | undefined, limit: number) => untrainedPage<UntrainedCsvSqlRow>(db, unit, q, { after, limit, posts: 'text', pace })
  const first = await page(undefined, batch)
  return {
    unit,
    batches: batchesOf(async (after: [string, string] | undefined, limit) => after === undefined ? first : page(after, limit), untrainedKey, batch, { ahead: true })
  }
}
