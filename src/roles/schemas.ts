import { z } from 'zod'
import { UNIT_LEVELS } from '../db/schema.js'
import { text } from '../http/fields.js'
import { WingCode } from '../wings/schemas.js'

export const RoleCode = z.string().trim().toLowerCase().regex(/^[a-z][a-z0-9_]{1,49}$/, 'a role code: lower-case letters, digits and _')

export const RoleSchema = z.object({
  wing: z.string().describe('The wing whose post this is (main: the main body)'),
  code: z.string(),
  name: z.string(),
  levels: z.array(z.enum(UNIT_LEVELS)).describe('The unit levels where the post exists (none for a cluster\'s post)'),
  clusterKind: z.string().nullable().describe('A post of booth clusters of this kind (GET /v1/cluster-kinds) instead of units; null for a unit\'s post'),
  seats: z.number().int().nullable().describe('How many may hold the post at once; null means no fixed number'),
  required: z.boolean().describe('Counted by coverage and vacancies: a unit is fully staffed when its required posts are filled'),
  sortOrder: z.number().int()
}).meta({ id: 'Role' })

export const CreateRoleBody = z.strictObject({
  wing: WingCode.optional().describe('The wing the role belongs to; default main, the main body'),
  code: RoleCode,
  name: text(100),
  levels: z.array(z.enum(UNIT_LEVELS)).min(1).optional().describe('The unit levels where the post exists; leave out for a cluster\'s post'),
  clusterKind: z.string().regex(/^[a-z][a-z0-9_]{1,29}$/).optional().describe('A post of booth clusters of this kind instead of units (GET /v1/cluster-kinds)'),
  seats: z.number().int().min(1).max(1000).nullable().optional(),
  required: z.boolean().optional(),
  sortOrder: z.number().int().min(0).max(10000).optional()
}).refine(b => (b.levels === undefined) !== (b.clusterKind === undefined), 'give levels (a unit\'s post) or clusterKind (a cluster\'s post), not both').meta({ id: 'CreateRole' })

export const UpdateRoleBody = z.strictObject({
  name: text(100).optional(),
  levels: z.array(z.enum(UNIT_LEVELS)).min(1).optional(),
  seats: z.number().int().min(1).max(1000).nullable().optional(),
  required: z.boolean().optional(),
  sortOrder: z.number().int().min(0).max(10000).optional()
}).refine(b => Object.keys(b).length > 0, 'send at least one field to change').meta({ id: 'UpdateRole' })

export const RoleList = z.object({ items: z.array(RoleSchema), nextCursor: z.null() }).meta({ id: 'RoleList' })
