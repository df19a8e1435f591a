import { UNIT_LEVELS, type UnitLevel } from '../db/schema.js'
import { districtHandleDrives, districtPresidentRates, driveHandles, populateDistrict, populateStateOffice, populateWings, populateWingsStateOffice, VoterRoll, type Organisation, type RoleSpec } from './members.js'
import { sectorsOf, type DistrictClusters } from './clusters.js'
import { districtCamps, stateCamps, type SeedCamp } from './camps.js'
import type { Preset } from './plan.js'
import { IdSequence, Random } from './random.js'
import { buildStateTree, type AssemblyRow, type UnitRow } from './tree.js'

/**
 * The whole organisation of a preset as a sequence of batches, produced lazily: one
 * state's tree at a time, then its people district by district, so memory holds one
 * state's units and one district's people, not 10 lakh booths' worth of rows.
 */
export type SeedBatch =
  | { kind: 'units', state: string, level: UnitLevel, rows: UnitRow[] }
  | { kind: 'assemblies', state: string, rows: AssemblyRow[] }
  | ({ kind: 'organisation', state: string, label: string, booths: number } & Organisation)
  | ({ kind: 'clusters', state: string, label: string } & DistrictClusters)
  | { kind: 'camps', state: string, label: string, camps: SeedCamp[] }

export interface GenerateOptions {
  seed: number
  /** Day number of the load's "today". */
  today: number
  roles: RoleSpec[]
}

export function * generate (preset: Preset, options: GenerateOptions): Generator<SeedBatch> {
  const root = new Random(String(options.seed))
  // Ids count up from the load's day in generation order: every COPY sends its rows' ids ascending.
  const ids = new IdSequence(options.today * 86_400_000)
  // An id's serial as IdSequence.count gave it just after issuing it (members.ts person()).
  const serialOf = (id: string) => parseInt(id.slice(0, 8) + id.slice(9, 13), 16) - options.today * 86_400_000 + 1
  for (const plan of preset.states) {
    // Keyed by state code only: CG in the india preset has the same places and people as
    // in the cg preset (not the same ids, which count up across the whole load).
    const rng = root.fork(plan.code)
    const tree = buildStateTree(rng.fork('tree'), ids, plan, preset.shape)
    for (const level of UNIT_LEVELS) {
      // The constituencies before the booths that are in them.
      if (level === 'booth') yield { kind: 'assemblies', state: plan.code, rows: tree.assemblies }
      yield { kind: 'units', state: plan.code, level, rows: tree.byLevel[level] }
    }

    const context = { today: options.today, region: plan.region, voters: new VoterRoll(plan.code, rng.fork('epic')), ids, roles: options.roles }
    const rates = districtPresidentRates(rng.fork('coverage'), tree.districts.length)
    const drives = districtHandleDrives(rng.fork('social-media'), tree.districts.length)
    for (const district of tree.districts) {
      const organisation = populateDistrict(rng.fork(`organisation-${district.index}`), context, district, rates[district.index])
      if (drives[district.index]) driveHandles(rng.fork(`social-media-${district.index}`), organisation, serialOf)
      yield { kind: 'organisation', state: plan.code, label: district.unit.code, booths: district.booths.length, ...organisation }
      // Its sectors, after the people who run them.
      yield { kind: 'clusters', state: plan.code, label: `${district.unit.code} sectors`, ...sectorsOf(rng.fork(`sectors-${district.index}`), district, organisation, options.today) }
      // The frontal organisations, from random streams of their own: the main body's figures are the same without them.
      yield { kind: 'organisation', state: plan.code, label: `${district.unit.code} wings`, booths: 0, ...populateWings(rng.fork(`wings-${district.index}`), context, district) }
      // Its training camps (invited after the load, from the terms: see camps.ts).
      yield { kind: 'camps', state: plan.code, label: `${district.unit.code} camps`, camps: districtCamps(rng.fork(`camps-${district.index}`), district, committeesOf(organisation), context) }
    }
    yield { kind: 'organisation', state: plan.code, label: 'state office', booths: 0, ...populateStateOffice(rng.fork('state-office'), context, tree) }
    yield { kind: 'organisation', state: plan.code, label: 'state office wings', booths: 0, ...populateWingsStateOffice(rng.fork('wings-state-office'), context, tree) }
    yield { kind: 'camps', state: plan.code, label: 'state camps', camps: stateCamps(rng.fork('camps-state'), tree, context) }
  }
}

/** Each booth's current committee members (who live there): the camps' walk-ins come from them. */
function committeesOf (organisation: Organisation): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const a of organisation.appointments) {
    if (a.roleCode !== 'committee_member' || a.endDate !== null) continue
    const list = out.get(a.unitId) ?? []
    list.push(a.personId)
    out.set(a.unitId, list)
  }
  return out
}

export function totalBooths (preset: Preset): number {
  return preset.states.reduce((sum, s) => sum + s.booths, 0)
}
