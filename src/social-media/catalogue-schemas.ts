import { z } from 'zod'
import { HANDLE_ISSUE_REASONS, UNIT_LEVELS } from '../db/schema.js'
import { FormatQuery } from '../http/csv.js'
import { text } from '../http/fields.js'
import { pageOf, PageQuery } from '../http/pagination.js'
import { RoleCode } from '../roles/schemas.js'
import { WingCode } from '../wings/schemas.js'

/** A platform's code, as social_platforms_code_check has it. */
export const PlatformCode = z.string().trim().toLowerCase()
  .regex(/^[a-z][a-z0-9_]{1,29}$/, 'a platform code: lower-case letters, digits and _')

const HandlePattern = text(200)
  .describe('A POSIX regular expression (PostgreSQL\'s) the whole canonical handle must match, lower case, without ^ and $: e.g. [a-z0-9._]{1,30}. One PostgreSQL cannot compile is 422 invalid_handle_pattern')
const UrlHost = z.string().trim().toLowerCase()
  .regex(/^([a-z0-9-]+[.])+[a-z]{2,}$/, 'a host name such as x.com (without www.)')
  .max(100)
const UrlHosts = z.array(UrlHost).max(10)
  .describe('Hosts whose profile addresses are read for the handle (https://x.com/name gives name); without www., m. or mobile., which are ignored')
const ProfileUrl = text(300).regex(/^https:\/\/[^ ]*\{handle\}/, 'an https:// address with {handle} where the handle goes')
  .describe('The profile address, with {handle} where the handle goes: e.g. https://x.com/{handle}')
const SortOrder = z.number().int().min(0).max(10000)

export const PlatformSchema = z.object({
  code: z.string(),
  name: z.string(),
  localName: z.string().nullable().describe('The name in the local language, e.g. यूट्यूब'),
  handlePattern: z.string().describe('The POSIX regular expression the whole canonical handle (lower case, no @) matches'),
  urlHosts: z.array(z.string()).describe('Hosts whose profile addresses are read for the handle'),
  profileUrl: z.string().describe('The profile address, {handle} standing for the handle'),
  sortOrder: z.number().int()
}).meta({ id: 'Platform' })

export const CreatePlatformBody = z.strictObject({
  code: PlatformCode,
  name: text(100),
  localName: text(100).nullable().optional(),
  handlePattern: HandlePattern,
  urlHosts: UrlHosts.optional(),
  profileUrl: ProfileUrl,
  sortOrder: SortOrder.optional()
}).meta({ id: 'CreatePlatform' })

export const UpdatePlatformBody = z.strictObject({
  name: text(100).optional(),
  localName: text(100).nullable().optional(),
  handlePattern: HandlePattern.optional(),
  urlHosts: UrlHosts.optional(),
  profileUrl: ProfileUrl.optional(),
  sortOrder: SortOrder.optional()
}).refine(b => Object.keys(b).length > 0, 'send at least one field to change').meta({ id: 'UpdatePlatform' })

export const PlatformList = z.object({ items: z.array(PlatformSchema), nextCursor: z.null() }).meta({ id: 'PlatformList' })

const UnitLevel = z.enum(UNIT_LEVELS)

export const HandleDutySchema = z.object({
  wing: z.string().describe('The wing whose post it is (main: the main body)'),
  role: z.string(),
  level: UnitLevel.describe('The level of the post\'s unit'),
  platform: z.string().describe('The platform its holders must run')
}).meta({ id: 'HandleDuty' })

export const HandleDutyBody = z.strictObject({
  wing: WingCode,
  role: RoleCode,
  level: UnitLevel,
  platform: PlatformCode
}).meta({ id: 'CreateHandleDuty' })

export const HandleDutyParams = z.object({ wing: WingCode, role: RoleCode, level: UnitLevel, platform: PlatformCode })

export const HandleDutyQuery = z.object({
  wing: WingCode.optional().describe('Only this wing\'s posts; every wing when absent'),
  role: RoleCode.optional(),
  level: UnitLevel.optional(),
  platform: PlatformCode.optional()
})

export const HandleDutyList = z.object({ items: z.array(HandleDutySchema), nextCursor: z.null() }).meta({ id: 'HandleDutyList' })

const PersonRef = z.object({ id: z.uuid(), name: z.string() }).meta({ id: 'PersonRef' })

export const HandleIssueSchema = z.object({
  id: z.uuid(),
  personId: z.uuid(),
  personName: z.string(),
  platform: z.string(),
  rawValue: z.string().describe('What the person had, as it was given'),
  reason: z.enum(HANDLE_ISSUE_REASONS).describe('invalid_handle: not a valid handle of the platform; handle_taken: another person keeps it'),
  takenBy: PersonRef.nullable().describe('handle_taken: the person who keeps the handle, when your key may see them; otherwise null'),
  createdAt: z.iso.datetime(),
  dismissedAt: z.iso.datetime().nullable()
}).meta({ id: 'HandleIssue' })

export const HandleIssueQuery = z.object({
  platform: PlatformCode.optional(),
  reason: z.enum(HANDLE_ISSUE_REASONS).optional(),
  dismissed: z.stringbool().default(false)
    .describe('true: only the dismissed; false (the default): only those still to review'),
  ...PageQuery,
  ...FormatQuery
})

export const HandleIssuePage = pageOf(HandleIssueSchema).meta({ id: 'HandleIssuePage' })
