import { dayNumber, isoDate } from './calendar.js'
import type { AppointmentRow, Organisation } from './members.js'
import { derivedId, type Random } from './random.js'
import { split, type DistrictNode } from './tree.js'

/** A booth cluster as the seed writes it. */
export interface SeedCluster { id: string, unitId: string, kindCode: string, code: string, name: string, localName: string | null }
export interface SeedClusterBooth { boothId: string, kindCode: string, clusterId: string }
export interface SeedClusterTerm extends AppointmentRow { clusterId: string }

export interface DistrictClusters { clusters: SeedCluster[], booths: SeedClusterBooth[], appointments: SeedClusterTerm[] }

const BOOTHS_PER_SECTOR = 5

/**
 * The district's sectors: each ward's booths in runs of about five, and an in-charge for
 * most of them (an active member at home in one of its booths), unevenly across
 * districts as in the field. From a random stream of its own, with ids derived from the
 * ward and the code, so the rest of the seed is the same with or without them.
 */
export function sectorsOf (rng: Random, district: DistrictNode, organisation: Organisation, today: number): DistrictClusters {
  const out: DistrictClusters = { clusters: [], booths: [], appointments: [] }
  // Who may hold office at each booth: current active members whose home it is.
  const homes = new Map(organisation.people.map(p => [p.id, p.homeBoothId]))
  const eligible = new Map<string, Array<{ personId: string, joined: number }>>()
  for (const m of organisation.memberships) {
    if (m.status !== 'current' || m.grade !== 'active' || homes.get(m.personId) !== m.boothId) continue
    const list = eligible.get(m.boothId) ?? []
    list.push({ personId: m.personId, joined: dayNumber(m.joinedOn) })
    eligible.set(m.boothId, list)
  }
  const staffed = rng.real(0.45, 0.95)
  for (const block of district.blocks) {
    for (const ward of block.wards) {
      const sizes = split(rng, ward.booths.length, Math.max(1, Math.round(ward.booths.length / BOOTHS_PER_SECTOR)))
      let next = 0
      sizes.forEach((size, i) => {
        const code = `S${String(i + 1).padStart(2, '0')}`
        const id = derivedId(`sector:${ward.unit.id}:${code}`)
        out.clusters.push({ id, unitId: ward.unit.id, kindCode: 'sector', code, name: `${ward.unit.name} Sector ${i + 1}`, localName: ward.unit.localName === null ? null : `${ward.unit.localName} सेक्टर ${i + 1}` })
        const booths = ward.booths.slice(next, next += size)
        for (const b of booths) out.booths.push({ boothId: b.id, kindCode: 'sector', clusterId: id })
        const candidates = booths.flatMap(b => eligible.get(b.id) ?? [])
        if (candidates.length === 0 || !rng.chance(staffed)) return
        const chosen = rng.pick(candidates)
        out.appointments.push({
          id: derivedId(`sector_incharge:${id}`),
          personId: chosen.personId,
          unitId: ward.unit.id,
          clusterId: id,
          wingCode: 'main',
          roleCode: 'sector_incharge',
          startDate: isoDate(Math.max(chosen.joined, today - rng.int(7, 400))),
          endDate: null,
          endReason: null
        })
      })
    }
  }
  return out
}
