import { z } from 'zod'
import { UNIT_LEVELS } from '../db/schema.js'
import { FormatQuery } from '../http/csv.js'
import { PageQuery, pageOf } from '../http/pagination.js'
import { RoleCode } from '../roles/schemas.js'
import { WingFilter, WingQuery } from '../wings/schemas.js'

export const DEFAULT_MIN_COMMITTEE = 10
export const DEFAULT_NEW_MEMBER_DAYS = 30

export const CoverageQuery = z.object({
  wing: WingQuery,
  role: RoleCode.default('president').describe('A booth-level role of the wing (default president)'),
  level: z.enum(UNIT_LEVELS).optional().describe('Rows for every descendant at this level instead of the children'),
  by: z.enum(['assembly']).optional()
    .describe('assembly: a row per assembly constituency instead of per child, counted over its booths in the unit (CoverageByAssemblyReport; not with level)'),
  minCommittee: z.coerce.number().int().min(0).max(32).default(DEFAULT_MIN_COMMITTEE)
    .describe(`K: count booths whose committee (every current term at the booth) has at least K members (default ${DEFAULT_MIN_COMMITTEE})`),
  newMemberDays: z.coerce.number().int().min(1).max(3650).default(DEFAULT_NEW_MEMBER_DAYS)
    .describe(`N: new members are current members who joined in the last N days (default ${DEFAULT_NEW_MEMBER_DAYS})`),
  limit: z.coerce.number().int().min(1).max(500).default(500).describe('Rows per page (default 500: every district of a state fits)'),
  cursor: PageQuery.cursor,
  ...FormatQuery
})

export const CoverageRow = z.object({
  unitId: z.uuid(),
  code: z.string(),
  codePath: z.string(),
  name: z.string(),
  level: z.enum(UNIT_LEVELS),
  totalBooths: z.number().int(),
  coveredBooths: z.number().int().describe('Booths whose post for the role is filled'),
  coverage: z.number().describe('coveredBooths / totalBooths, 0 to 1 (0 when there are no booths)'),
  boothsWithCommittee: z.number().int().describe('Booths whose committee (the wing\'s current terms there) has at least minCommittee members'),
  activeMembers: z.number().int(),
  newMembers: z.number().int(),
  officeBearers: z.number().int().describe('Current terms of office of the wing at units in the subtree'),
  officeBearersWithHandle: z.number().int().describe('Of those, held by someone with at least one social media handle')
}).meta({ id: 'CoverageRow' })

export const CoverageReport = z.object({
  wing: z.string().describe('The wing counted'),
  role: z.string().describe('The booth-level role whose coverage is counted'),
  by: z.literal('unit').describe('Rows per unit: each child, or each descendant at `level` (with by=assembly the report is a CoverageByAssemblyReport)'),
  unit: CoverageRow,
  children: z.array(CoverageRow),
  nextCursor: z.string().nullable()
}).meta({ id: 'CoverageReport' })

export const NationalCoverageQuery = CoverageQuery.omit({ level: true, by: true })

/** A coverage row's figures without a unit: the sums over a set of rows (sumOfRows). */
export const CoverageFigures = {
  totalBooths: z.number().int(),
  coveredBooths: z.number().int(),
  coverage: z.number(),
  boothsWithCommittee: z.number().int(),
  activeMembers: z.number().int(),
  newMembers: z.number().int(),
  officeBearers: z.number().int(),
  officeBearersWithHandle: z.number().int()
}

export const CountryRow = z.object({
  states: z.number().int(),
  ...CoverageFigures
}).describe('The whole country: the sums over every state').meta({ id: 'CountryCoverage' })

export const NationalCoverageReport = z.object({
  wing: z.string(),
  role: z.string(),
  country: CountryRow,
  children: z.array(CoverageRow).describe('A row per state, in code order'),
  nextCursor: z.string().nullable()
}).meta({ id: 'NationalCoverageReport' })

export const GapsQuery = z.object({
  wing: WingQuery,
  role: RoleCode.default('president'),
  level: z.enum(UNIT_LEVELS).default('booth').describe('Which units to list (default booth)'),
  assemblyId: z.uuid().optional().describe('Only the booths of this assembly constituency (GET /v1/assemblies); level must be booth'),
  sort: z.literal('code').default('code').describe('Code-path order (the only order; kept explicit for clients)'),
  ...FormatQuery,
  ...PageQuery
})

export const NationalGapsQuery = GapsQuery.omit({ assemblyId: true })

export const GapItem = z.object({
  id: z.uuid(),
  code: z.string(),
  name: z.string(),
  codePath: z.string(),
  level: z.enum(UNIT_LEVELS),
  acNumber: z.number().int().nullable(),
  psNumber: z.string().nullable(),
  holders: z.number().int(),
  seats: z.number().int()
}).meta({ id: 'Gap' })

export const GapPage = pageOf(GapItem).meta({ id: 'GapPage' })

export const VacanciesQuery = z.object({
  wing: WingQuery,
  perGroup: z.coerce.number().int().min(0).max(500).default(20).describe('Units listed per group; the count covers them all. The CSV lists every one'),
  assemblyId: z.uuid().optional().describe('Only the booths of this assembly constituency (GET /v1/assemblies): its booth posts left empty'),
  ...FormatQuery
})

export const VacancyGroup = z.object({
  level: z.enum(UNIT_LEVELS),
  role: z.string(),
  roleName: z.string(),
  vacant: z.number().int().describe('Units at this level in the subtree where the required post is not filled'),
  units: z.array(GapItem),
  more: z.string().nullable().describe('The gaps list with every vacant unit, when units is cut short')
}).meta({ id: 'VacancyGroup' })

export const VacancyReport = z.object({
  items: z.array(VacancyGroup),
  nextCursor: z.null()
}).meta({ id: 'VacancyReport' })

export const WithoutHandlesQuery = z.object({
  wing: WingFilter,
  role: RoleCode.optional(),
  level: z.enum(UNIT_LEVELS).optional(),
  ...FormatQuery,
  ...PageQuery
})

export const TrendQuery = z.object({
  wing: WingQuery,
  role: RoleCode.default('president').describe('A required booth-level role of the wing (default president; also bla)'),
  weeks: z.coerce.number().int().min(1).max(104).default(12).describe('How many weekly points, the last one today (default 12)'),
  limit: z.coerce.number().int().min(1).max(500).default(500).describe('Children per page (default 500)'),
  cursor: PageQuery.cursor
})

export const TrendRow = z.object({
  unitId: z.uuid(),
  code: z.string(),
  codePath: z.string(),
  name: z.string(),
  level: z.enum(UNIT_LEVELS),
  totalBooths: z.number().int().describe('Booths in the subtree today: the trend is over today\'s tree'),
  filled: z.array(z.number().int()).describe('Booths whose post was filled on each day of `days`'),
  coverage: z.array(z.number()).describe('filled / totalBooths on each day, 0 to 1')
}).meta({ id: 'TrendRow' })

export const CoverageTrend = z.object({
  wing: z.string(),
  role: z.string(),
  days: z.array(z.string()).describe('One day a week, oldest first; the last is today (India)'),
  unit: TrendRow,
  children: z.array(TrendRow),
  nextCursor: z.string().nullable()
}).meta({ id: 'CoverageTrend' })
