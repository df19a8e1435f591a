import { z } from 'zod'
import { UNIT_LEVELS } from '../db/schema.js'
import { text } from '../http/fields.js'
import { PageQuery, pageOf } from '../http/pagination.js'

export const UnitLevelSchema = z.enum(UNIT_LEVELS).describe('state > district > block > ward > booth')

export const CodeSchema = z.string().trim().toUpperCase()
  .regex(/^[A-Z0-9][A-Z0-9_-]{0,31}$/, 'a code is 1 to 32 upper-case letters, digits, - or _ (no /), starting with a letter or digit')
  .describe('The unit\'s own short code, unique among its siblings, e.g. UP, LKO, AC072-PS0145A')

const Name = text(200)
const OptionalText = (max: number) => text(max).nullable().optional()

export const UnitSchema = z.object({
  id: z.uuid(),
  level: UnitLevelSchema,
  parentId: z.uuid().nullable(),
  code: z.string(),
  codePath: z.string().describe('Codes from the state down to this unit, joined by /, e.g. UP/LKO/B03/W12/AC072-PS0145'),
  name: z.string(),
  localName: z.string().nullable().describe('Name in the local language, e.g. Hindi'),
  displayLabel: z.string().nullable().describe('What this level is called here: city, nagar, panchayat, sector...'),
  acNumber: z.number().int().nullable().describe('Booths: assembly constituency number'),
  acName: z.string().nullable().describe('Booths: assembly constituency name'),
  psNumber: z.string().nullable().describe('Booths: polling station (part) number; text because auxiliary booths carry a suffix, e.g. 145A'),
  assemblyId: z.uuid().nullable().describe('Booths with an acNumber: their assembly constituency (GET /v1/assemblies/{id})'),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime()
}).meta({ id: 'Unit' })

export type Unit = z.infer<typeof UnitSchema>

const boothFields = {
  acNumber: z.number().int().min(1).max(9999).nullable().optional(),
  acName: OptionalText(200),
  psNumber: z.string().trim().toUpperCase().regex(/^[0-9]{1,4}[A-Z]{0,2}$/, 'a polling station number is digits with an optional letter suffix, e.g. 145 or 145A').nullable().optional()
}

export const CreateUnitBody = z.strictObject({
  level: UnitLevelSchema,
  parentId: z.uuid().nullable().optional().describe('Required for every level but state'),
  code: CodeSchema,
  name: Name,
  localName: OptionalText(200),
  displayLabel: OptionalText(50),
  ...boothFields
}).meta({ id: 'CreateUnit' })

export const UpdateUnitBody = z.strictObject({
  code: CodeSchema.optional(),
  name: Name.optional(),
  localName: OptionalText(200),
  displayLabel: OptionalText(50),
  ...boothFields
}).refine(b => Object.keys(b).length > 0, 'send at least one field to change')
  .meta({ id: 'UpdateUnit', description: 'Fields to change; null clears an optional field. The level and parent change only by a move.' })

export const MoveUnitBody = z.strictObject({
  parentId: z.uuid().describe('The new parent: a unit of the level directly above'),
  leaveClusters: z.boolean().optional().describe('Booths the move takes out of their cluster\'s unit leave those clusters (without it, such a move is 409 booth_outside_cluster_unit)')
}).meta({ id: 'MoveUnit' })

export const MovedUnitSchema = UnitSchema.extend({
  leftClusters: z.array(z.object({ clusterId: z.uuid(), code: z.string(), boothId: z.uuid() }))
    .describe('Booth cluster memberships the move ended (leaveClusters)')
}).meta({ id: 'MovedUnit' })

export const UnitIdParams = z.object({ id: z.uuid() })

export const ListUnitsQuery = z.object({
  parentId: z.uuid().optional().describe('Only the children of this unit'),
  ancestorId: z.uuid().optional().describe('Only units in the subtree below this unit (itself excluded)'),
  level: UnitLevelSchema.optional(),
  assemblyId: z.uuid().optional().describe('Only the booths of this assembly constituency (GET /v1/assemblies)'),
  q: text(100).optional().describe('Case-insensitive substring of the name, the local name, or the code path (so a code, or a part of a path such as LKO/B03)'),
  ...PageQuery
})

export const ChildrenQuery = z.object({ ...PageQuery })

export const AncestorsQuery = z.object({
  includeSelf: z.stringbool().default(false).describe('Append the unit itself, for a full breadcrumb')
})

export const LookupQuery = z.object({
  path: text(300).describe('Codes from the state down, joined by /, e.g. UP/LKO/B03/W12/AC072-PS0145')
})

export const UnitPage = pageOf(UnitSchema).meta({ id: 'UnitPage' })
export const UnitList = z.object({ items: z.array(UnitSchema), nextCursor: z.null() }).meta({ id: 'UnitList' })
