import { z } from 'zod'
import { text } from '../http/fields.js'

/** The main body: the wing every call without a `wing` means. */
export const MAIN_WING = 'main'
/** The filter value meaning every wing (a wing may never be called this). */
export const ALL_WINGS = 'all'

export const WingCode = z.string().trim().toLowerCase()
  .regex(/^[a-z][a-z0-9_]{1,29}$/, 'a wing code: lower-case letters, digits and _')
  .refine(c => c !== ALL_WINGS, `'${ALL_WINGS}' is not a wing`)

/** `?wing=` on a question about one wing's posts: the main body unless named. */
export const WingQuery = WingCode.default(MAIN_WING)
  .describe('The wing (main body or frontal organisation) whose posts are meant; default main, the main body')

/** `?wing=` on a list: one wing (default the main body) or `all`. */
export const WingFilter = z.union([z.literal(ALL_WINGS), WingCode]).default(MAIN_WING)
  .describe(`One wing (default main, the main body), or ${ALL_WINGS} for every wing`)

export const WingSchema = z.object({
  code: z.string(),
  name: z.string(),
  localName: z.string().nullable().describe('The name in the local language, e.g. युवा मोर्चा'),
  sortOrder: z.number().int()
}).meta({ id: 'Wing' })

export const CreateWingBody = z.strictObject({
  code: WingCode,
  name: text(100),
  localName: text(100).nullable().optional(),
  sortOrder: z.number().int().min(0).max(10000).optional()
}).meta({ id: 'CreateWing' })

export const UpdateWingBody = z.strictObject({
  name: text(100).optional(),
  localName: text(100).nullable().optional(),
  sortOrder: z.number().int().min(0).max(10000).optional()
}).refine(b => Object.keys(b).length > 0, 'send at least one field to change').meta({ id: 'UpdateWing' })

export const WingList = z.object({ items: z.array(WingSchema), nextCursor: z.null() }).meta({ id: 'WingList' })
