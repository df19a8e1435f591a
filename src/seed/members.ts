import type { UnitLevel } from '../db/schema.js'
import { isoDate } from './calendar.js'
import { handleFor, newFamily, personName, type Family, type Gender } from './names.js'
import type { Region } from './plan.js'
import type { IdSequence, Random } from './random.js'
import type { DistrictNode, StateTree, UnitRow } from './tree.js'
import type { MembershipRow as StoredMembership } from '../memberships/queries.js'

/**
 * The organisation on top of the tree: people at their home booths, their memberships,
 * and terms of office from booth committees up to the state. Every current
 * office-bearer is made an active member at their own home booth (the own-booth rule);
 * the loader checks that again in SQL before committing.
 */

export interface PersonRow {
  id: string
  name: string
  homeBoothId: string
  phone: string | null
  voterId: string | null
  gender: Gender | null
  twitter: string | null
  facebook: string | null
  instagram: string | null
  youtube: string | null
}

/** A membership as the seed writes it: the API's row without what the database stamps. */
export type MembershipRow = Omit<StoredMembership, 'version' | 'createdAt' | 'updatedAt'>

export interface AppointmentRow {
  id: string
  personId: string
  unitId: string
  wingCode: string
  roleCode: string
  startDate: string
  endDate: string | null
  endReason: string | null
}

export interface Organisation {
  people: PersonRow[]
  memberships: MembershipRow[]
  appointments: AppointmentRow[]
}

/** A post as the roles catalogue defines it (read from the database, which admins may change). */
export interface RoleSpec { wing: string, code: string, levels: UnitLevel[], seats: number | null }

export interface OrganisingContext {
  /** Day number of "today": every date is relative to it, so a load is reproducible on another day. */
  today: number
  region: Region
  voters: VoterRoll
  ids: IdSequence
  /** Every wing's roles; each organiser takes its own wing's. */
  roles: RoleSpec[]
}

/**
 * Presidents filled per district, deliberately uneven: a fifth of the districts lag far
 * behind (30-40%), a third are nearly done (about 90%), the rest in between; about 70%
 * overall, which is what coverage reports exist to expose.
 */
export function districtPresidentRates (rng: Random, districts: number): number[] {
  const order = rng.shuffle([...Array(districts).keys()])
  const lagging = districts >= 2 ? Math.max(1, Math.round(districts * 0.2)) : 0
  const leading = districts >= 2 ? Math.max(1, Math.round(districts * 0.3)) : 0
  const rates = new Array<number>(districts)
  order.forEach((district, i) => {
    rates[district] = i < lagging ? rng.real(0.28, 0.42) : i >= districts - leading ? rng.real(0.86, 0.95) : rng.real(0.6, 0.8)
  })
  return rates
}

/**
 * The social media drive, per district: the training camps order presidents to run every
 * platform, and some districts have followed through. A third of the districts (at least
 * one) ran a drive, where most presidents of blocks, wards and booths run each platform;
 * elsewhere only what people had anyway. From a random stream of its own: every other
 * figure of the load stays the same.
 */
export function districtHandleDrives (rng: Random, districts: number): boolean[] {
  const order = rng.shuffle([...Array(districts).keys()])
  const driven = new Set(order.slice(0, Math.max(1, Math.round(districts / 3))))
  return [...Array(districts).keys()].map(i => driven.has(i))
}

/**
 * In a drive district, the main body's presidents take up each platform they lack, mostly.
 * `serialOf` gives the serial their first handles were made unique with (see person()).
 */
export function driveHandles (rng: Random, organisation: Organisation, serialOf: (personId: string) => number): void {
  const presidents = new Set(organisation.appointments
    .filter(a => a.wingCode === 'main' && a.roleCode === 'president' && a.endDate === null)
    .map(a => a.personId))
  for (const person of organisation.people) {
    if (!presidents.has(person.id)) continue
    const serial = serialOf(person.id).toString(36)
    for (const platform of SEED_PLATFORMS) {
      if (person[platform] === null && rng.chance(0.85)) person[platform] = uniqueHandle(platform, handleFor(rng, person.name), serial)
    }
  }
}

/**
 * EPIC numbers, unique by construction: the state code, a letter for the constituency,
 * and seven digits from a bijection of a per-state counter (so no set of issued numbers
 * has to be kept). Some people carry an older card format with slashes.
 */
export class VoterRoll {
  private issued = 0
  private readonly offset: number

  constructor (private readonly stateCode: string, rng: Random) {
    this.offset = rng.int(0, 9_999_999)
  }

  next (rng: Random, booth: UnitRow): string {
    if (this.issued >= 10_000_000) throw new Error(`more than 10 million EPIC numbers in ${this.stateCode}`)
    // 7,368,787 is coprime with 10^7, so the map from counter to digits never repeats.
    const digits = String((this.issued++ * 7_368_787 + this.offset) % 10_000_000).padStart(7, '0')
    const ac = booth.acNumber ?? 0
    // An older card: state / constituency / part / serial, the part without an auxiliary
    // booth's letter (the card format has digits only: see src/people/identity.ts).
    if (rng.chance(0.01)) return `${this.stateCode}/${String(ac).padStart(3, '0')}/${(booth.psNumber ?? '0').replace(/\D/g, '')}/${digits}`
    return `${this.stateCode}${LETTERS[(ac * 7) % 26]}${digits}`
  }
}

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'

export function populateDistrict (rng: Random, context: OrganisingContext, district: DistrictNode, presidentRate: number): Organisation {
  const organiser = new Organiser(rng, context)
  for (const block of district.blocks) {
    // Blocks differ within a district too: some block presidents get their booths staffed.
    const blockRate = Math.min(0.98, Math.max(0.05, rng.gaussian(presidentRate, 0.06)))
    const blockBooths: UnitRow[] = []
    for (const ward of block.wards) {
      for (const booth of ward.booths) organiser.booth(booth, blockRate)
      organiser.posts(ward.unit, ward.booths, { president: Math.min(0.97, presidentRate + 0.15), seat: 0.3 })
      blockBooths.push(...ward.booths)
    }
    organiser.posts(block.unit, blockBooths, { president: 0.97, seat: 0.55 })
  }
  organiser.posts(district.unit, district.booths, { president: 1, seat: 0.8 })
  return organiser.rows
}

/** State office-bearers, each living at some booth of the state. */
export function populateStateOffice (rng: Random, context: OrganisingContext, tree: StateTree): Organisation {
  const organiser = new Organiser(rng, context)
  organiser.posts(tree.unit, tree.byLevel.booth, { president: 1, seat: 0.95 })
  return organiser.rows
}

/**
 * How far each frontal organisation reaches: the chance of a president at each level, and
 * of booth presidents as a range a district's rate is drawn from (uneven, like the main
 * body's: what "youth wing presidents per district" exists to show).
 */
const WING_REACH: Record<string, { state: number, district: number, block: number, ward: number, booth: readonly [number, number], seat: number }> = {
  youth: { state: 1, district: 0.95, block: 0.8, ward: 0.5, booth: [0.08, 0.55], seat: 0.4 },
  women: { state: 1, district: 0.9, block: 0.7, ward: 0.35, booth: [0.04, 0.35], seat: 0.3 },
  students: { state: 1, district: 0.8, block: 0.4, ward: 0.1, booth: [0, 0.02], seat: 0.2 },
  seva_dal: { state: 1, district: 0.7, block: 0.3, ward: 0.05, booth: [0, 0.01], seat: 0.15 },
  it_cell: { state: 1, district: 0.95, block: 0.6, ward: 0.2, booth: [0.01, 0.08], seat: 0.3 }
}

/**
 * The frontal organisations' office-bearers in a district (from a random stream of their
 * own, so the main body's figures are the same with or without them): thinner than
 * the main body, and uneven between districts.
 */
export function populateWings (rng: Random, context: OrganisingContext, district: DistrictNode): Organisation {
  const rows: Organisation = { people: [], memberships: [], appointments: [] }
  for (const [wing, reach] of Object.entries(WING_REACH)) {
    const organiser = new Organiser(rng, context, wing, rows)
    if (!organiser.hasRoles) continue
    const boothRate = rng.real(reach.booth[0], reach.booth[1])
    for (const block of district.blocks) {
      const blockBooths: UnitRow[] = []
      for (const ward of block.wards) {
        for (const booth of ward.booths) organiser.wingBooth(booth, boothRate)
        organiser.posts(ward.unit, ward.booths, { president: reach.ward, seat: reach.seat / 4 })
        blockBooths.push(...ward.booths)
      }
      organiser.posts(block.unit, blockBooths, { president: reach.block, seat: reach.seat / 2 })
    }
    organiser.posts(district.unit, district.booths, { president: reach.district, seat: reach.seat })
  }
  return rows
}

/** The frontal organisations' state office-bearers. */
export function populateWingsStateOffice (rng: Random, context: OrganisingContext, tree: StateTree): Organisation {
  const rows: Organisation = { people: [], memberships: [], appointments: [] }
  for (const [wing, reach] of Object.entries(WING_REACH)) {
    const organiser = new Organiser(rng, context, wing, rows)
    if (organiser.hasRoles) organiser.posts(tree.unit, tree.byLevel.booth, { president: reach.state, seat: reach.seat * 2 })
  }
  return rows
}

interface Household { family: Family, phone: string | null }

const SEED_PLATFORMS = ['twitter', 'facebook', 'instagram', 'youtube'] as const

/** Handle rules of the seeded platforms (migrations/0020_social_handles.sql): separator and longest. */
const HANDLE_SHAPE: Record<typeof SEED_PLATFORMS[number], { separator: string, longest: number, allowed: RegExp }> = {
  twitter: { separator: '_', longest: 15, allowed: /[^a-z0-9_]/g },
  facebook: { separator: '.', longest: 50, allowed: /[^a-z0-9.]/g },
  instagram: { separator: '_', longest: 30, allowed: /[^a-z0-9._]/g },
  youtube: { separator: '_', longest: 30, allowed: /[^a-z0-9._-]/g }
}

/** A canonical handle, unique by the serial it ends with: name part cut to fit. */
export function uniqueHandle (platform: typeof SEED_PLATFORMS[number], raw: string, serial: string): string {
  const shape = HANDLE_SHAPE[platform]
  const base = raw.replace(/^@/, '').toLowerCase().replace(shape.allowed, '')
  const room = shape.longest - serial.length - 1
  return `${base.slice(0, Math.max(room, 0)) || 'p'}${shape.separator}${serial}`.padEnd(5, '0')
}

/** How a person of some standing looks: office-bearers are more often men and more often online. */
interface Profile { femaleShare: number, handleShare: number, voterIdShare: number }

const PLAIN_MEMBER: Profile = { femaleShare: 0.45, handleShare: 0.1, voterIdShare: 0.9 }
const HANDLE_SHARE: Record<string, number> = { social_media_coordinator: 0.97, president: 0.8, bla: 0.45, committee_member: 0.3 }
const officeProfile = (roleCode: string): Profile =>
  ({ femaleShare: 0.3, handleShare: HANDLE_SHARE[roleCode] ?? 0.6, voterIdShare: 0.98 })

// Committee sizes (committee_member terms at a booth), as [smallest, largest] with a weight.
const COMMITTEE_WITH_PRESIDENT: ReadonlyArray<readonly [readonly [number, number], number]> =
  [[[0, 0], 0.06], [[1, 4], 0.16], [[5, 9], 0.3], [[10, 15], 0.32], [[16, 21], 0.16]]
const COMMITTEE_WITHOUT_PRESIDENT: ReadonlyArray<readonly [readonly [number, number], number]> =
  [[[0, 0], 0.55], [[1, 3], 0.33], [[4, 8], 0.12]]

const END_REASONS = ['term completed', 'resigned', 'reorganisation', 'moved away']
const THREE_YEARS = 1095

class Organiser {
  /** This wing's roles. */
  private readonly roles: RoleSpec[]
  /** Roles the catalogue has at booth level: a booth gets only posts that exist there. */
  private readonly boothRole: Map<string, RoleSpec>
  private readonly extraBoothPosts: RoleSpec[]

  constructor (private readonly rng: Random, private readonly context: OrganisingContext, private readonly wing = 'main',
    readonly rows: Organisation = { people: [], memberships: [], appointments: [] }) {
    this.roles = context.roles.filter(r => r.wing === wing)
    const boothRoles = this.roles.filter(r => r.levels.includes('booth'))
    this.boothRole = new Map(boothRoles.map(r => [r.code, r]))
    this.extraBoothPosts = boothRoles.filter(r => r.seats !== null && !['president', 'bla', 'committee_member'].includes(r.code))
  }

  /** A booth: maybe a president and a BLA, a committee, a few plain members, some history. */
  booth (booth: UnitRow, presidentRate: number): void {
    const rng = this.rng
    const households: Household[] = []
    const residents: PersonRow[] = []
    const hasPresident = this.boothRole.has('president') && rng.chance(presidentRate)
    let presidentStart: number | undefined
    if (hasPresident) presidentStart = this.officeBearer(booth, 'president', booth, households).start

    if (this.boothRole.has('bla') && rng.chance(hasPresident ? 0.65 : 0.15)) residents.push(this.officeBearer(booth, 'bla', booth, households).person)
    const committee = this.boothRole.get('committee_member')
    if (committee) {
      const [min, max] = rng.weighted(hasPresident ? COMMITTEE_WITH_PRESIDENT : COMMITTEE_WITHOUT_PRESIDENT)
      for (let n = Math.min(rng.int(min, max), committee.seats ?? Infinity); n > 0; n--) {
        residents.push(this.officeBearer(booth, committee.code, booth, households).person)
      }
    }
    if (hasPresident) {
      for (const role of this.extraBoothPosts) {
        for (let seat = 0; seat < role.seats!; seat++) {
          if (rng.chance(role.code === 'social_media_coordinator' ? 0.2 : 0.03)) residents.push(this.officeBearer(booth, role.code, booth, households).person)
        }
      }
    }
    for (let n = rng.int(0, 1) + (hasPresident ? rng.int(0, 1) : 0); n > 0; n--) residents.push(this.plainMember(booth, households))

    // "Who was president of this booth in 2023?": a former president, often still around.
    if (presidentStart !== undefined && rng.chance(0.2)) {
      const former = residents.length > 0 ? rng.pick(residents) : this.plainMember(booth, households)
      this.formerTerm(former, booth, 'president', presidentStart)
    }
  }

  get hasRoles (): boolean { return this.roles.length > 0 }

  /** A frontal organisation's booth: at most a president, who lives there. */
  wingBooth (booth: UnitRow, presidentRate: number): void {
    if (this.boothRole.has('president') && this.rng.chance(presidentRate)) this.officeBearer(booth, 'president', booth)
  }

  /** The posts of a ward, block, district or state, held by people living at its booths. */
  posts (unit: UnitRow, homes: UnitRow[], fill: { president: number, seat: number }): void {
    const rng = this.rng
    for (const role of this.roles) {
      if (role.seats === null || !role.levels.includes(unit.level)) continue
      if (role.code === 'president') {
        if (!rng.chance(fill.president)) continue
        const { start } = this.officeBearer(unit, role.code, rng.pick(homes))
        if (rng.chance(0.35)) this.formerTerm(this.plainMember(rng.pick(homes)), unit, role.code, start)
        continue
      }
      for (let seat = 0; seat < role.seats; seat++) {
        if (rng.chance(fill.seat)) this.officeBearer(unit, role.code, rng.pick(homes))
      }
    }
  }

  /** A current term, held by an active member at their own home booth. */
  private officeBearer (unit: UnitRow, roleCode: string, home: UnitRow, households?: Household[]): { person: PersonRow, start: number } {
    const rng = this.rng
    const person = this.person(home, officeProfile(roleCode), households)
    const joined = this.joinDay()
    this.membership(person, home, 'active', joined, null)
    const start = rng.int(joined, this.context.today)
    this.rows.appointments.push({ id: this.context.ids.next(rng), personId: person.id, unitId: unit.id, wingCode: this.wing, roleCode, startDate: isoDate(start), endDate: null, endReason: null })
    return { person, start }
  }

  /** An ended term, finishing the day its successor's began. */
  private formerTerm (person: PersonRow, unit: UnitRow, roleCode: string, end: number): void {
    const rng = this.rng
    this.rows.appointments.push({
      id: this.context.ids.next(rng),
      personId: person.id,
      unitId: unit.id,
      wingCode: this.wing,
      roleCode,
      startDate: isoDate(end - rng.int(365, 1460)),
      endDate: isoDate(end),
      endReason: rng.pick(END_REASONS)
    })
  }

  /** A member without office: mostly primary grade; some lapsed, some lapsed and back. */
  private plainMember (home: UnitRow, households?: Household[]): PersonRow {
    const rng = this.rng
    const today = this.context.today
    const person = this.person(home, PLAIN_MEMBER, households)
    const history = rng.next()
    if (history < 0.07) {
      const joined = today - rng.int(400, 1400)
      const lapsed = rng.int(joined + 60, today - 30)
      this.membership(person, home, rng.chance(0.3) ? 'active' : 'primary', joined, lapsed)
      if (history < 0.03) this.membership(person, home, 'primary', rng.int(lapsed + 1, today), null)
    } else {
      this.membership(person, home, rng.chance(0.3) ? 'active' : 'primary', this.joinDay(), null)
    }
    return person
  }

  private membership (person: PersonRow, booth: UnitRow, grade: 'primary' | 'active', joined: number, lapsed: number | null): void {
    this.rows.memberships.push({
      id: this.context.ids.next(this.rng),
      personId: person.id,
      boothId: booth.id,
      grade,
      status: lapsed === null ? 'current' : 'lapsed',
      joinedOn: isoDate(joined),
      lapsedOn: lapsed === null ? null : isoDate(lapsed)
    })
  }

  /** Enrolment is spread over three years, with a recent drive: about 8% in the last 30 days. */
  private joinDay (): number {
    const rng = this.rng
    return this.context.today - (rng.chance(0.08) ? rng.int(0, 29) : rng.int(30, THREE_YEARS))
  }

  private person (home: UnitRow, profile: Profile, households?: Household[]): PersonRow {
    const rng = this.rng
    const household = this.household(households)
    const gender = this.gender(profile.femaleShare)
    const name = personName(rng, household.family, gender ?? 'other')
    const online = rng.chance(profile.handleShare)
    const person: PersonRow = {
      id: this.context.ids.next(rng),
      name,
      homeBoothId: home.id,
      // Families often share one phone: the first member's number, or one of their own.
      phone: household.phone !== null && rng.chance(0.7) ? household.phone : this.mobile(),
      voterId: rng.chance(profile.voterIdShare) ? this.context.voters.next(rng, home) : null,
      gender,
      twitter: online && rng.chance(0.6) ? `@${handleFor(rng, name)}` : null,
      facebook: online && rng.chance(0.8) ? handleFor(rng, name).replace('_', '.') : null,
      instagram: online && rng.chance(0.4) ? `@${handleFor(rng, name)}` : null,
      youtube: online && rng.chance(0.15) ? `@${handleFor(rng, name)}` : null
    }
    if (online && !person.twitter && !person.facebook && !person.instagram && !person.youtube) person.facebook = handleFor(rng, name)
    // A handle is one person's: each gets the person's serial number, within the
    // platform's length (the same draws as before, so every other figure stays).
    const serial = this.context.ids.count.toString(36)
    for (const platform of SEED_PLATFORMS) {
      const raw = person[platform]
      if (raw !== null) person[platform] = uniqueHandle(platform, raw, serial)
    }
    if (household.phone === null) household.phone = person.phone
    this.rows.people.push(person)
    return person
  }

  /** A quarter of a booth's people belong to a household already seen there. */
  private household (households?: Household[]): Household {
    const rng = this.rng
    if (households && households.length > 0 && rng.chance(0.25)) return rng.pick(households)
    const household = { family: newFamily(rng, this.context.region), phone: null }
    households?.push(household)
    return household
  }

  private gender (femaleShare: number): Gender | null {
    const rng = this.rng
    const r = rng.next()
    if (r < 0.01) return null
    if (r < 0.013) return 'other'
    return rng.chance(femaleShare) ? 'female' : 'male'
  }

  /** Indian mobile, E.164: +91 and ten digits starting 6-9 (a few people gave none). */
  private mobile (): string | null {
    const rng = this.rng
    if (rng.chance(0.05)) return null
    return `+91${rng.weighted(FIRST_DIGITS)}${String(rng.int(0, 999_999_999)).padStart(9, '0')}`
  }
}

const FIRST_DIGITS: ReadonlyArray<readonly [string, number]> = [['9', 4], ['8', 3], ['7', 2], ['6', 1]]
