import { sql, type SQL } from 'drizzle-orm'
import { rows, type Database } from '../db/client.js'
import { isoDate } from './calendar.js'
import { newFamily, personName } from './names.js'
import type { Region } from './plan.js'
import { derivedId, type Random } from './random.js'
import type { DistrictNode, StateTree, UnitRow } from './tree.js'

/**
 * Training camps, uneven across districts as real ones are: per district a district camp
 * for block and ward office-bearers, some block camps for ward and booth office-bearers,
 * constituency camps for sector in-charges; a state camp for district office-bearers and
 * above; a few planned camps ahead. JS decides the camps and, per camp, how its invitees
 * answer (rates drawn per district); the invitations themselves are made in SQL after the
 * terms are loaded, by camp_audience() (47_camps.sql), the one owner of the audience rule
 * (inviteSeededCamps below). From random streams of their own, with ids derived from the
 * unit and a name: the rest of the seed is the same with or without them.
 */

/** A camp as the seed writes it, with how its invitees answer (the plan, not a column). */
export interface SeedCamp {
  id: string
  unitId: string
  title: string
  localTitle: string | null
  venue: string
  startDate: string
  endDate: string
  status: 'planned' | 'held' | 'cancelled'
  audience: AudienceClause[]
  topics: string[]
  trainers: string[]
  plan: CampPlan
  /** Booth committee members (not in the audience unless they hold another post) who walked in. */
  walkIns: string[]
}

/** Shares of a camp's rule invitations by answer; the rest stay invited (or, held, no-shows). */
export interface CampPlan {
  /** Held: attended; planned: confirmed. */
  came: number
  declined: number
  /** Whether the camp had a capacity (fitted to its confirmations after the invitations). */
  capped: boolean
}

interface AudienceClause { levels: string[], roles: string[], wings: string[], clusterKinds: string[], assemblyId: string | null, committee: boolean }

const clause = (c: Partial<AudienceClause>): AudienceClause =>
  ({ levels: [], roles: [], wings: [], clusterKinds: [], assemblyId: null, committee: false, ...c })

export interface CampsContext { today: number, region: Region }

const TOPICS = ['booth_committee', 'member_enrolment', 'social_media', 'electoral_roll'] as const

/**
 * A district's camps. How active it is decides how many it held; its attendance rate is
 * drawn from 20-90%, each camp near it. A fifth of the districts plan a camp for their
 * booth presidents in the weeks ahead; a few cancelled one.
 */
export function districtCamps (rng: Random, district: DistrictNode, committees: Map<string, string[]>, context: CampsContext): SeedCamp[] {
  const today = context.today
  const camps: SeedCamp[] = []
  const activity = rng.real(0, 1)
  const attendance = rng.real(0.2, 0.9)
  const answers = (capped = rng.chance(0.5)): CampPlan => ({
    came: clamp(rng.gaussian(attendance, 0.06), 0.05, 0.97),
    declined: rng.real(0.03, 0.12) * (1 - attendance),
    capped
  })
  // A few of the booth committee members at home under the camp's unit, by this share.
  const walkIns = (booths: UnitRow[], share: number) => booths.flatMap(b => (committees.get(b.id) ?? []).filter(() => rng.chance(share)))
  const d = district.unit
  const id = (name: string) => derivedId(`camp:${d.id}:${name}`)
  const trainers = () => Array.from({ length: rng.int(1, 2) }, () => personName(rng, newFamily(rng, context.region), rng.chance(0.25) ? 'female' : 'male'))

  // The district camp: two days some 1-5 months ago, in most districts.
  if (rng.chance(0.6 + activity * 0.4)) {
    const start = today - rng.int(30, 150)
    camps.push({
      id: id('district'),
      unitId: d.id,
      title: `${d.name} district training camp`,
      localTitle: d.localName === null ? null : `${d.localName} जिला प्रशिक्षण शिविर`,
      venue: `District party office, ${d.name}`,
      startDate: isoDate(start),
      endDate: isoDate(start + rng.int(1, 2)),
      status: 'held',
      audience: [clause({ levels: ['block', 'ward'] })],
      topics: ['booth_committee', 'member_enrolment', ...(rng.chance(0.5) ? ['social_media'] : [])],
      trainers: trainers(),
      plan: answers(),
      walkIns: walkIns(district.booths, rng.real(0.001, 0.006))
    })
  }

  // Block camps, one day each, in the last six months: none in a sleepy district, most blocks in a busy one.
  district.blocks.forEach((block, b) => {
    if (!rng.chance(activity * 0.7)) return
    const start = today - rng.int(3, 180)
    const cancelled = rng.chance(0.04)
    const b0 = block.unit
    const share = b === 0 ? 0.01 : rng.real(0.002, 0.01)
    camps.push({
      id: id(`block:${b0.code}`),
      unitId: b0.id,
      title: `${b0.name} block training camp`,
      localTitle: b0.localName === null ? null : `${b0.localName} प्रशिक्षण शिविर`,
      venue: `Block office, ${b0.name}`,
      startDate: isoDate(start),
      endDate: isoDate(start + (rng.chance(0.2) ? 1 : 0)),
      status: cancelled ? 'cancelled' : 'held',
      audience: [clause({ levels: ['ward', 'booth'] })],
      topics: rng.shuffle([...TOPICS]).slice(0, rng.int(1, 3)).sort(),
      trainers: trainers(),
      plan: answers(rng.chance(0.3)),
      walkIns: cancelled ? [] : walkIns(block.wards.flatMap(w => w.booths), share)
    })
  })

  // Constituency camps for the sector in-charges whose homes are in it (held by the district).
  const assemblies = [...new Map(district.booths.map(b => [b.assemblyId!, b])).values()]
  for (const booth of assemblies) {
    if (!rng.chance(0.2 + activity * 0.6)) continue
    const start = today - rng.int(7, 170)
    camps.push({
      id: id(`assembly:${booth.acNumber}`),
      unitId: d.id,
      title: `${booth.acName} constituency: sector in-charges' camp`,
      localTitle: null,
      venue: `${booth.acName} community hall`,
      startDate: isoDate(start),
      endDate: isoDate(start),
      status: 'held',
      audience: [clause({ roles: ['sector_incharge'], clusterKinds: ['sector'], assemblyId: booth.assemblyId })],
      topics: ['booth_committee', 'electoral_roll'],
      trainers: trainers(),
      plan: answers(false),
      walkIns: []
    })
  }

  // Ahead: a camp for the booth presidents, invitations out, some confirmed.
  if (rng.chance(0.2)) {
    const start = today + rng.int(10, 45)
    camps.push({
      id: id('booth-presidents'),
      unitId: d.id,
      title: `${d.name} booth presidents' camp`,
      localTitle: d.localName === null ? null : `${d.localName} बूथ अध्यक्ष प्रशिक्षण शिविर`,
      venue: `District party office, ${d.name}`,
      startDate: isoDate(start),
      endDate: isoDate(start + 1),
      status: 'planned',
      audience: [clause({ levels: ['booth'], roles: ['president'] })],
      topics: ['booth_committee', 'social_media'],
      trainers: trainers(),
      plan: { came: rng.real(0.15, 0.5), declined: rng.real(0.02, 0.08), capped: true },
      walkIns: []
    })
  }
  return camps
}

/**
 * The state's camps: a three-day camp for district office-bearers and above some three
 * months ago, and one planned for the IT cell and the social media coordinators of
 * districts and blocks.
 */
export function stateCamps (rng: Random, tree: StateTree, context: CampsContext): SeedCamp[] {
  const s = tree.unit
  const start = context.today - rng.int(60, 120)
  const ahead = context.today + rng.int(20, 60)
  const trainers = () => Array.from({ length: rng.int(2, 3) }, () => personName(rng, newFamily(rng, context.region), 'male'))
  return [{
    id: derivedId(`camp:${s.id}:state`),
    unitId: s.id,
    title: `${s.name} state training camp`,
    localTitle: s.localName === null ? null : `${s.localName} प्रदेश प्रशिक्षण शिविर`,
    venue: 'State party headquarters',
    startDate: isoDate(start),
    endDate: isoDate(start + 2),
    status: 'held',
    audience: [clause({ levels: ['state', 'district'] })],
    topics: [...TOPICS],
    trainers: trainers(),
    plan: { came: rng.real(0.55, 0.8), declined: rng.real(0.03, 0.08), capped: true },
    walkIns: []
  }, {
    id: derivedId(`camp:${s.id}:social-media`),
    unitId: s.id,
    title: `${s.name}: social media workshop`,
    localTitle: s.localName === null ? null : `${s.localName} सोशल मीडिया कार्यशाला`,
    venue: 'State party headquarters',
    startDate: isoDate(ahead),
    endDate: isoDate(ahead),
    status: 'planned',
    audience: [clause({ levels: ['state', 'district', 'block'], wings: ['it_cell'] }), clause({ levels: ['district', 'block'], roles: ['social_media_coordinator'] })],
    topics: ['social_media'],
    trainers: trainers(),
    plan: { came: rng.real(0.2, 0.4), declined: rng.real(0.02, 0.06), capped: false },
    walkIns: []
  }]
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x))

export const CAMP_COLUMNS = ['id', 'unit_id', 'title', 'local_title', 'venue', 'start_date', 'end_date', 'status', 'audience']
export const campValues = (c: SeedCamp) => [c.id, c.unitId, c.title, c.localTitle, c.venue, c.startDate, c.endDate, c.status, JSON.stringify(c.audience)]
export const CAMP_PLAN_COLUMNS = ['camp_id', 'came', 'declined', 'capped']
export const campPlanValues = (c: SeedCamp) => [c.id, c.plan.came, c.plan.declined, c.plan.capped]
export const walkInValues = (c: SeedCamp) => c.walkIns.map(person => [c.id, person])

/** The temporary tables the plans and walk-ins are COPied into, for inviteSeededCamps. */
export const CREATE_CAMP_PLANS = [
  sql`CREATE TEMP TABLE seed_camp_plans (camp_id uuid PRIMARY KEY, came float8 NOT NULL, declined float8 NOT NULL, capped boolean NOT NULL) ON COMMIT DROP`,
  sql`CREATE TEMP TABLE seed_walk_ins (camp_id uuid NOT NULL, person_id uuid NOT NULL) ON COMMIT DROP`
]

/**
 * Invites every seeded camp's audience as camp_audience() defines it, with the triggers
 * off: one statement per camp (planned for that camp, as invite_audience() is), then one
 * set-based statement per later step. Each invitee's answer and days come from a hash of
 * the seed, camp and person (the same on every load, whatever order the rows arrive in);
 * ids are derived from camp and person. Then the walk-ins, attendance within the camp's
 * dates for exactly the attended, and capacities fitted above the confirmations.
 */
export async function inviteSeededCamps (tx: Database, seed: number): Promise<void> {
  // A uniform draw in [0, 1) from a key.
  const draw = (key: SQL) => sql`(('x' || left(md5(${String(seed)} || ':' || ${key}), 8))::bit(32)::bigint / 4294967296.0)`
  // An invitation's id: its camp's first eight bytes (the camp's time and version, as the
  // seed's ids have the UUIDv7 layout), then a hash of camp and person. A camp's
  // invitations are then neighbours in the primary key, and camps written in id order
  // append at its right edge: a hash alone put every invitation on a random page of a
  // key of 19 lakh, read and written back through a small buffer cache.
  const invitationId = (camp: SQL, person: SQL) => sql`(SELECT overlay(overlay(h placing left(replace(${camp}::text, '-', ''), 16) from 1 for 16)
                                    placing substr('89ab', (('x' || substr(h, 17, 1))::bit(4)::int & 3) + 1, 1) from 17 for 1)::uuid
                                    FROM md5('invitation:' || ${camp} || ':' || ${person}) AS h)`
  const camps = await rows<{ id: string }>(tx, sql`SELECT camp_id AS id FROM seed_camp_plans ORDER BY camp_id`)
  for (const { id } of camps) {
    await tx.execute(sql`
      INSERT INTO invitations (id, camp_id, person_id, status, source, qualified_by, post_level, post_wing, post_role)
      SELECT ${invitationId(sql`s.camp_id`, sql`a.person_id`)}, s.camp_id, a.person_id,
             (CASE WHEN c.status = 'cancelled' THEN 'cancelled'
                   WHEN u < s.came THEN CASE WHEN c.status = 'held' THEN 'attended' ELSE 'confirmed' END
                   WHEN u < s.came + s.declined THEN 'declined'
                   WHEN c.status = 'planned' THEN 'invited'
                   WHEN u < s.came + s.declined + 0.01 THEN 'cancelled'
                   WHEN ${draw(sql`'no-show:' || s.camp_id || ':' || a.person_id`)} < 0.7 THEN 'no_show'
                   ELSE 'invited' END)::invitation_status,
             'rule', a.qualified_by, a.post_level, a.post_wing, a.post_role
        FROM camp_audience(${id}) a
        JOIN seed_camp_plans s ON s.camp_id = ${id}
        JOIN camps c ON c.id = s.camp_id
        CROSS JOIN LATERAL (SELECT ${draw(sql`'answer:' || s.camp_id || ':' || a.person_id`)} AS u) d
       ORDER BY 1`)
  }
  // Walk-ins, attended; one who is in the audience after all keeps the rule's invitation.
  await tx.execute(sql`
    INSERT INTO invitations (id, camp_id, person_id, status, source, qualified_by, post_level, post_wing, post_role)
    SELECT ${invitationId(sql`w.camp_id`, sql`w.person_id`)}, w.camp_id, w.person_id, 'attended', 'walk_in', pp.qualified_by, pp.post_level, pp.post_wing, pp.post_role
      FROM seed_walk_ins w CROSS JOIN LATERAL person_posts(w.person_id) pp
     ORDER BY 1
    ON CONFLICT (camp_id, person_id) DO NOTHING`)
  // Attendance: each day of the camp most likely, and one sure day (an attended invitation has one at least).
  await tx.execute(sql`
    INSERT INTO attendance (invitation_id, day, checked_in_at)
    SELECT i.id, g.day, (g.day + time '09:30' + make_interval(mins => (${draw(sql`'in:' || i.id || ':' || g.day`)} * 90)::int)) AT TIME ZONE 'Asia/Kolkata'
      FROM seed_camp_plans s
      JOIN camps c ON c.id = s.camp_id
      JOIN invitations i ON i.camp_id = c.id AND i.status = 'attended'
      CROSS JOIN LATERAL (SELECT c.start_date + floor(${draw(sql`'day:' || i.id`)} * (c.end_date - c.start_date + 1))::int AS sure) k
      CROSS JOIN LATERAL (SELECT d::date AS day FROM generate_series(c.start_date, c.end_date, interval '1 day') AS d) g
     WHERE g.day = k.sure OR ${draw(sql`'present:' || i.id || ':' || g.day`)} < 0.85
     ORDER BY 1, 2`)
  // Capacities: a round number above the confirmations (and attendance) the camp took.
  await tx.execute(sql`
    UPDATE camps c SET capacity = greatest(25, ceil((n.taken * 1.15 + 5) / 25.0) * 25)::int
      FROM seed_camp_plans s,
           LATERAL (SELECT count(*) AS taken FROM invitations i
                     WHERE i.camp_id = s.camp_id AND invitation_holds_seat(i.source, i.status)) n
     WHERE c.id = s.camp_id AND s.capped`)
}
