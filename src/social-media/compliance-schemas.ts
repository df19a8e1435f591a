import { z } from 'zod'
import { UNIT_LEVELS } from '../db/schema.js'
import { FormatQuery } from '../http/csv.js'
import { PageQuery, pageOf } from '../http/pagination.js'
import { RoleCode } from '../roles/schemas.js'
import { ALL_WINGS, WingCode } from '../wings/schemas.js'

/** `?wing=` on a duty question: every wing the policy binds unless one is named. */
const DutyWing = z.union([z.literal(ALL_WINGS), WingCode]).default(ALL_WINGS)
  .describe(`One wing, or ${ALL_WINGS} (the default): every post the policy binds`)

const dutyFilter = {
  wing: DutyWing,
  role: RoleCode.optional().describe('Only posts of this role (e.g. president)'),
  postLevel: z.enum(UNIT_LEVELS).optional().describe('Only posts at units of this level: role=president&postLevel=ward are the ward presidents')
}

export const ComplianceQuery = z.object({
  ...dutyFilter,
  level: z.enum(UNIT_LEVELS).optional().describe('Rows for every descendant at this level instead of the children'),
  limit: z.coerce.number().int().min(1).max(500).default(500).describe('Rows per page (default 500, as coverage: every district of a state fits)'),
  cursor: PageQuery.cursor,
  ...FormatQuery
})

export const ComplianceRowSchema = z.object({
  unitId: z.uuid(),
  code: z.string(),
  codePath: z.string(),
  name: z.string(),
  level: z.enum(UNIT_LEVELS),
  bound: z.number().int().describe('Current terms in the subtree the policy binds (a person holding two bound posts counts in each)'),
  compliant: z.number().int().describe('Of those, terms whose holder has a handle on every platform the post requires'),
  share: z.number().describe('compliant / bound, 0 when none are bound'),
  platforms: z.array(z.object({
    platform: z.string(),
    bound: z.number().int().describe('Bound terms whose post requires this platform'),
    held: z.number().int().describe('Of those, terms whose holder has a handle on it')
  })).describe('Per platform the policy requires of these posts, in the catalogue\'s order')
}).meta({ id: 'ComplianceRow' })

export const ComplianceReport = z.object({
  wing: z.string(),
  role: z.string().nullable(),
  postLevel: z.enum(UNIT_LEVELS).nullable(),
  unit: ComplianceRowSchema,
  children: z.array(ComplianceRowSchema),
  nextCursor: z.string().nullable()
}).meta({ id: 'ComplianceReport' })

export const NonCompliantQuery = z.object({
  ...dutyFilter,
  platform: z.string().regex(/^[a-z][a-z0-9_]{1,29}$/).optional().describe('Only those missing this platform'),
  ...FormatQuery,
  ...PageQuery
})

export const NonCompliantItem = z.object({
  appointmentId: z.uuid(),
  unitId: z.uuid(),
  unitCodePath: z.string(),
  wing: z.string(),
  role: z.string(),
  postLevel: z.enum(UNIT_LEVELS),
  startDate: z.iso.date(),
  missing: z.array(z.string()).describe('Platforms the post requires that the holder has no handle on'),
  person: z.object({
    id: z.uuid(),
    name: z.string(),
    phone: z.string().nullable().describe('Masked for reader keys with maskPersonalData'),
    twitter: z.string().nullable(),
    facebook: z.string().nullable(),
    instagram: z.string().nullable(),
    youtube: z.string().nullable(),
    handles: z.record(z.string(), z.string())
  })
}).meta({ id: 'NonCompliant' })

export const NonCompliantPage = pageOf(NonCompliantItem).meta({ id: 'NonCompliantPage' })
