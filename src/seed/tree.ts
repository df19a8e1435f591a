import type { UnitLevel } from '../db/schema.js'
import { boothName, placeName, uniquePlaceName, urbanWardName, type LocalisedName } from './names.js'
import type { Region, StatePlan, TreeShape } from './plan.js'
import { derivedId, type IdSequence, type Random } from './random.js'
import type { UnitRow as StoredUnit } from '../units/queries.js'

/** A row of `units` as the seed writes it; the tree trigger derives path, code_path and parent_level. */
export type UnitRow = Omit<StoredUnit, 'path' | 'codePath' | 'version' | 'createdAt' | 'updatedAt'>

export interface WardNode { unit: UnitRow, booths: UnitRow[] }
export interface BlockNode { unit: UnitRow, wards: WardNode[] }
export interface DistrictNode { unit: UnitRow, index: number, blocks: BlockNode[], booths: UnitRow[] }

/** A row of `assemblies` as the seed writes it. */
export interface AssemblyRow { id: string, stateId: string, number: number, name: string }

export interface StateTree {
  plan: StatePlan
  unit: UnitRow
  /** The state's assembly constituencies, numbered from 1 across its districts. */
  assemblies: AssemblyRow[]
  districts: DistrictNode[]
  /** Every unit of the state by level, parents before children: the order they are loaded in. */
  byLevel: Record<UnitLevel, UnitRow[]>
}

// Share of units given a Devanagari local name: nearly all in the Hindi belt, some elsewhere.
const LOCAL_NAME_SHARE: Record<Region, number> = { north: 0.9, central: 0.9, west: 0.3, east: 0.25, south: 0.15, northeast: 0.2 }
// Polling stations sharing a building get an auxiliary booth (suffix A) when a part grows too large.
const AUXILIARY_SHARE = 0.03

/** The state's whole unit tree: districts split into blocks, wards and booths numbered by constituency. */
export function buildStateTree (rng: Random, ids: IdSequence, plan: StatePlan, shape: TreeShape): StateTree {
  const byLevel: Record<UnitLevel, UnitRow[]> = { state: [], district: [], block: [], ward: [], booth: [] }
  const add = (row: UnitRow) => { byLevel[row.level].push(row); return row }
  const unit = (r: Random, level: UnitLevel, parentId: string | null, code: string, name: { name: string, localName: string | null }, displayLabel: string | null = null): UnitRow =>
    ({ id: ids.next(r), level, parentId, code, name: name.name, localName: name.localName, displayLabel, acNumber: null, acName: null, psNumber: null, assemblyId: null })
  const localShare = LOCAL_NAME_SHARE[plan.region]

  const state = add(unit(rng, 'state', null, plan.code, { name: plan.name, localName: plan.localName }))
  const districtBooths = split(rng, plan.booths, plan.districts)
  const districtNames = new Set<string>()
  const districtCodes = new Set<string>()
  const constituencyNames = new Set<string>()
  let nextConstituency = 1
  const assemblies: AssemblyRow[] = []

  const districts = districtBooths.map((booths, index): DistrictNode => {
    const r = rng.fork(`district-${index}`)
    const districtPlace = uniquePlaceName(r, plan.region, districtNames)
    const district = add(unit(r, 'district', state.id, abbreviation(districtPlace.name, districtCodes), localised(r, districtPlace, localShare + 0.1)))

    // Constituencies lie inside a district; booths are numbered 1, 2, ... within each.
    const constituencyCount = Math.max(1, Math.round(plan.constituencies * booths / plan.booths))
    const constituencies = split(r, booths, Math.min(constituencyCount, booths)).map((size) => {
      const number = nextConstituency++
      const assembly = { id: assemblyId(state.id, number), stateId: state.id, number, name: uniquePlaceName(r, plan.region, constituencyNames).name }
      assemblies.push(assembly)
      return { number, name: assembly.name, assemblyId: assembly.id, size, used: 0, ps: 0 }
    })
    let current = 0
    const nextBooth = () => {
      while (constituencies[current].used === constituencies[current].size) current++
      const c = constituencies[current]
      c.used++
      return c
    }

    const blockNames = new Set<string>()
    const blockBooths = split(r, booths, Math.min(booths, Math.max(2, Math.round(booths / shape.boothsPerBlock))))
    const districtBoothRows: UnitRow[] = []
    const blocks = blockBooths.map((boothsInBlock, b): BlockNode => {
      // The first block is the district headquarters' city committee; a few others are towns too.
      const urban = b === 0 || r.chance(0.08)
      const label = urban ? (r.chance(0.6) ? 'nagar' : 'city') : null
      let place: LocalisedName
      if (b === 0) place = withSuffix(districtPlace, label === 'city' ? 'City' : 'Nagar', label === 'city' ? 'शहर' : 'नगर')
      else if (urban) place = withSuffix(uniquePlaceName(r, plan.region, blockNames), 'Nagar', 'नगर')
      else place = uniquePlaceName(r, plan.region, blockNames)
      const block = add(unit(r, 'block', district.id, `B${pad(b + 1, 2)}`, localised(r, place, localShare), label))

      const wardBooths = split(r, boothsInBlock, Math.min(boothsInBlock, Math.max(2, Math.round(boothsInBlock / shape.boothsPerWard))))
      const wards = wardBooths.map((boothsInWard, w): WardNode => {
        const wardPlace = urban ? urbanWardName(r, w + 1) : placeName(r, plan.region)
        const wardLabel = urban ? null : (r.chance(0.7) ? 'panchayat' : 'sector')
        const ward = add(unit(r, 'ward', block.id, `W${pad(w + 1, 2)}`, localised(r, wardPlace, localShare), wardLabel))
        // Polling stations sit in the ward's villages or localities.
        const places = urban ? [wardPlace] : [wardPlace, ...Array.from({ length: r.int(0, 2) }, () => placeName(r, plan.region))]

        const booths: UnitRow[] = []
        for (let i = 0; i < boothsInWard; i++) {
          const c = nextBooth()
          const previous = booths[booths.length - 1]
          const auxiliary = previous !== undefined && previous.acNumber === c.number && !previous.psNumber!.endsWith('A') && r.chance(AUXILIARY_SHARE)
          const ps = auxiliary ? `${previous.psNumber}A` : String(++c.ps)
          const name = auxiliary
            ? { name: `${previous.name} (Auxiliary)`, localName: previous.localName === null ? null : `${previous.localName} (सहायक)` }
            : localised(r, boothName(r, r.pick(places), r.chance(0.3) ? r.int(1, 4) : null), localShare * 0.5)
          const booth = add({
            ...unit(r, 'booth', ward.id, `AC${pad(c.number, 3)}-PS${pad(parseInt(ps, 10), 4)}${auxiliary ? 'A' : ''}`, name),
            acNumber: c.number,
            acName: c.name,
            psNumber: ps,
            assemblyId: c.assemblyId
          })
          booths.push(booth)
          districtBoothRows.push(booth)
        }
        return { unit: ward, booths }
      })
      return { unit: block, wards }
    })
    return { unit: district, index, blocks, booths: districtBoothRows }
  })
  return { plan, unit: state, assemblies, districts, byLevel }
}

/** A constituency's id from its state's id and its number (derivedId: no random stream moves). */
const assemblyId = (stateId: string, number: number): string => derivedId(`assembly:${stateId}:${number}`)

function localised (rng: Random, place: LocalisedName, share: number): { name: string, localName: string | null } {
  return { name: place.name, localName: rng.chance(share) ? place.localName : null }
}

function withSuffix (place: LocalisedName, suffix: string, localSuffix: string): LocalisedName {
  return { name: `${place.name} ${suffix}`, localName: `${place.localName} ${localSuffix}` }
}

const pad = (n: number, width: number) => String(n).padStart(width, '0')

/**
 * Splits `total` into `parts` positive integers of random, roughly similar size
 * (districts, blocks and wards are never equal in the real world either).
 */
export function split (rng: Random, total: number, parts: number): number[] {
  const weights = Array.from({ length: parts }, () => rng.real(0.6, 1.4))
  const sum = weights.reduce((a, b) => a + b, 0)
  const free = total - parts
  const sizes = weights.map(w => 1 + Math.floor(free * w / sum))
  let rest = total - sizes.reduce((a, b) => a + b, 0)
  for (let i = 0; rest > 0; i = (i + 1) % parts, rest--) sizes[i]++
  return sizes
}

/** District codes as people write them: three letters from the name (Fatehabad → FTH), unique in the state. */
export function abbreviation (name: string, taken: Set<string>): string {
  const letters = name.toUpperCase().replace(/[^A-Z]/g, '')
  const [first, ...rest] = letters
  const consonants = rest.filter(ch => !'AEIOU'.includes(ch))
  const candidates = [...pairs(first, consonants), ...pairs(first, rest)]
  const code = candidates.find(c => !taken.has(c)) ?? firstFree(first, taken)
  taken.add(code)
  return code
}

function * pairs (first: string, letters: string[]): Generator<string> {
  for (let i = 0; i < letters.length; i++) {
    for (let j = i + 1; j < letters.length; j++) yield first + letters[i] + letters[j]
  }
}

function firstFree (first: string, taken: Set<string>): string {
  for (let n = 1; ; n++) {
    const code = `${first}${pad(n, 2)}`
    if (!taken.has(code)) return code
  }
}
