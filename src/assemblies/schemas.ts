import { z } from 'zod'
import { CoverageFigures, CoverageQuery, CoverageRow } from '../coverage/schemas.js'
import { text } from '../http/fields.js'
import { PageQuery, pageOf } from '../http/pagination.js'

export const ReservedSchema = z.enum(['SC', 'ST']).nullable()
  .describe('Seats reserved for scheduled castes (SC) or scheduled tribes (ST); null when unreserved')

export const AssemblySchema = z.object({
  id: z.uuid(),
  stateId: z.uuid(),
  stateCode: z.string(),
  number: z.number().int().describe('The constituency number within its state, as the Election Commission numbers it'),
  name: z.string(),
  localName: z.string().nullable().describe('The name in the local language'),
  reserved: ReservedSchema,
  districts: z.array(z.object({ id: z.uuid(), code: z.string(), codePath: z.string(), name: z.string() }))
    .describe('The districts its booths lie in (those within your key\'s scope), in code order'),
  boothCount: z.number().int().describe('Its booths (those within your key\'s scope)'),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime()
}).meta({ id: 'Assembly' })

export type Assembly = z.infer<typeof AssemblySchema>

export const AssemblyPage = pageOf(AssemblySchema).meta({ id: 'AssemblyPage' })

export const AssemblyIdParams = z.object({ id: z.uuid() })

export const ListAssembliesQuery = z.object({
  stateId: z.uuid().optional().describe('Only this state\'s constituencies'),
  districtId: z.uuid().optional().describe('Only the constituencies with booths in this district'),
  number: z.coerce.number().int().min(1).max(9999).optional().describe('Only the constituency with this number'),
  q: text(100).optional().describe('Part of the name or the local name'),
  ...PageQuery
})

export const UpdateAssemblyBody = z.strictObject({
  name: text(200).optional().describe('A new name: the booths\' acName follows'),
  localName: text(200).nullable().optional(),
  reserved: ReservedSchema.optional()
}).refine(b => Object.keys(b).length > 0, 'send at least one field to change').meta({ id: 'UpdateAssembly' })

export const AssemblyCoverageQuery = CoverageQuery.omit({ level: true, by: true, limit: true, cursor: true }).extend({
  by: z.enum(['district', 'block', 'ward']).default('block').describe('Group the constituency\'s booths by the district, block (default) or ward they lie in')
})

export const AssemblyCoverageTotals = z.object({
  assemblyId: z.uuid(),
  number: z.number().int(),
  name: z.string(),
  ...CoverageFigures
}).describe('The constituency\'s booths (within your scope): the sums of its groups').meta({ id: 'AssemblyCoverageTotals' })

export const AssemblyCoverageReport = z.object({
  wing: z.string(),
  role: z.string(),
  by: z.enum(['district', 'block', 'ward']),
  assembly: AssemblyCoverageTotals,
  children: z.array(CoverageRow).describe('A row per group (district, block or ward), counted over the constituency\'s booths in it, in code-path order'),
  nextCursor: z.null()
}).meta({ id: 'AssemblyCoverageReport' })

export const AssemblyCoverageRow = z.object({
  assemblyId: z.uuid(),
  number: z.number().int(),
  name: z.string(),
  localName: z.string().nullable(),
  reserved: ReservedSchema,
  ...CoverageFigures
}).describe('A constituency\'s booths in the unit (within your scope)').meta({ id: 'AssemblyCoverageRow' })

export const CoverageByAssemblyReport = z.object({
  wing: z.string(),
  role: z.string(),
  by: z.literal('assembly'),
  unit: CoverageRow,
  children: z.array(AssemblyCoverageRow).describe('A row per constituency with booths in the unit, in number order; booths without an AC number are in the unit\'s row only'),
  nextCursor: z.string().nullable()
}).meta({ id: 'CoverageByAssemblyReport' })
