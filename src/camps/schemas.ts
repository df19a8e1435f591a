import { z } from 'zod'
import { CAMP_STATUSES, INVITATION_SOURCES, INVITATION_STATUSES, UNIT_LEVELS } from '../db/schema.js'
import { FormatQuery } from '../http/csv.js'
import { IsoDate, text } from '../http/fields.js'
import { PageQuery, pageOf } from '../http/pagination.js'
import { PhoneInput, VoterIdInput } from '../people/schemas.js'
import { RoleCode } from '../roles/schemas.js'
import { WingCode } from '../wings/schemas.js'

export const TopicCode = z.string().trim().toLowerCase().regex(/^[a-z][a-z0-9_]{1,49}$/, 'a topic code: lower-case letters, digits and _')

export const TopicSchema = z.object({
  code: z.string(),
  name: z.string(),
  localName: z.string().nullable(),
  sortOrder: z.number().int()
}).meta({ id: 'Topic' })

export const TopicList = z.object({ items: z.array(TopicSchema), nextCursor: z.null() }).meta({ id: 'TopicList' })

export const CreateTopicBody = z.strictObject({
  code: TopicCode,
  name: text(100),
  localName: text(100).optional(),
  sortOrder: z.number().int().min(0).max(10000).optional()
}).meta({ id: 'CreateTopic' })

const ClusterKindCode = z.string().trim().toLowerCase().regex(/^[a-z][a-z0-9_]{1,29}$/)

export const AudienceClause = z.strictObject({
  levels: z.array(z.enum(UNIT_LEVELS)).max(5).default([]).describe('Posts at units of these levels (none: any level)'),
  roles: z.array(RoleCode).max(50).default([]).describe('Posts in these roles (none: any role)'),
  wings: z.array(WingCode).max(20).default([]).describe('Posts of these wings (none: any wing, the main body included)'),
  clusterKinds: z.array(ClusterKindCode).max(10).default([]).describe('Posts of booth clusters of these kinds, e.g. sector (none: any post)'),
  assemblyId: z.uuid().nullable().default(null).describe('A booth post at a booth of this assembly constituency, any other post held by someone at home in it'),
  committee: z.boolean().default(false).describe('Booth committee members too (left out unless asked, or named in roles)')
}).describe('Current office-bearers under the camp\'s unit, at home under it, whose post matches every field given').meta({ id: 'AudienceClause' })

export const Trainer = z.union([
  z.strictObject({ personId: z.uuid() }),
  z.strictObject({ name: text(200) })
]).describe('A person in the service, or a visitor by name').meta({ id: 'Trainer' })

export const TrainerOut = z.object({
  personId: z.uuid().nullable(),
  name: z.string().describe('The person\'s name, or the visitor\'s')
}).meta({ id: 'CampTrainer' })

export const CampSchema = z.object({
  id: z.uuid(),
  unitId: z.uuid().describe('The unit that organises the camp: its scope'),
  unitCodePath: z.string(),
  title: z.string(),
  localTitle: z.string().nullable(),
  venue: z.string().nullable(),
  startDate: IsoDate,
  endDate: IsoDate,
  capacity: z.number().int().nullable().describe('Bounds confirmations (walk-ins are not bound); null: no limit'),
  status: z.enum(CAMP_STATUSES),
  notes: z.string().nullable(),
  topics: z.array(z.string()),
  trainers: z.array(TrainerOut),
  audience: z.array(AudienceClause.extend({ assemblyId: z.uuid().nullable() })).describe('Clauses, any of which puts an office-bearer in the audience'),
  organiser: z.boolean().describe('false when the camp is above your key\'s scope: you see it, and count its invitations, only as it concerns your people'),
  invited: z.number().int().describe('Invitations (of your people, for a camp above your scope), cancelled ones aside'),
  confirmed: z.number().int(),
  attended: z.number().int().describe('Invited people who attended at least one day'),
  walkIns: z.number().int().describe('People who came without an invitation'),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime()
}).meta({ id: 'Camp' })

export const CampPage = pageOf(CampSchema).meta({ id: 'CampPage' })
export const CampIdParams = z.object({ id: z.uuid() })

const campFields = {
  title: text(200),
  localTitle: text(200),
  venue: text(300),
  capacity: z.number().int().min(1).max(100000),
  notes: text(2000),
  topics: z.array(TopicCode).max(20).describe('Topic codes (GET /v1/topics)'),
  trainers: z.array(Trainer).max(50),
  audience: z.array(AudienceClause).max(20)
}

export const CreateCampBody = z.strictObject({
  unitId: z.uuid().describe('The unit that organises the camp (in your scope)'),
  title: campFields.title,
  localTitle: campFields.localTitle.optional(),
  venue: campFields.venue.optional(),
  startDate: IsoDate,
  endDate: IsoDate.optional().describe('The last day (default: the start date, a one-day camp)'),
  capacity: campFields.capacity.optional(),
  status: z.enum(CAMP_STATUSES).default('planned'),
  notes: campFields.notes.optional(),
  topics: campFields.topics.default([]),
  trainers: campFields.trainers.default([]),
  audience: campFields.audience.default([])
}).meta({ id: 'CreateCamp' })

export const UpdateCampBody = z.strictObject({
  title: campFields.title.optional(),
  localTitle: campFields.localTitle.nullable().optional(),
  venue: campFields.venue.nullable().optional(),
  startDate: IsoDate.optional(),
  endDate: IsoDate.optional(),
  capacity: campFields.capacity.nullable().optional(),
  status: z.enum(CAMP_STATUSES).optional(),
  notes: campFields.notes.nullable().optional(),
  topics: campFields.topics.optional().describe('The whole list, replacing the old'),
  trainers: campFields.trainers.optional().describe('The whole list, replacing the old'),
  audience: campFields.audience.optional().describe('The whole rule, replacing the old (invitations already made stay)')
}).refine(b => Object.keys(b).length > 0, 'send at least one field to change').meta({ id: 'UpdateCamp' })

export const ListCampsQuery = z.object({
  unitId: z.uuid().optional().describe('Camps organised by this unit or units below it'),
  from: IsoDate.optional().describe('Camps ending on or after this day'),
  to: IsoDate.optional().describe('Camps starting on or before this day'),
  topic: TopicCode.optional(),
  status: z.enum(CAMP_STATUSES).optional(),
  ...PageQuery
})

export const InviteBody = z.strictObject({
  personIds: z.array(z.uuid()).min(1).max(500).optional().describe('Invite these people one by one; leave out to invite the camp\'s audience from its rule')
}).meta({ id: 'Invite' })

export const InviteResult = z.object({
  added: z.number().int().describe('Invitations made now (people already invited are left as they are)'),
  invited: z.number().int().describe('The camp\'s invitations now, cancelled ones aside')
}).meta({ id: 'InviteResult' })

export const QualifyingPost = z.object({
  appointmentId: z.uuid(),
  unitId: z.uuid(),
  level: z.enum(UNIT_LEVELS),
  wing: z.string(),
  role: z.string(),
  clusterId: z.uuid().nullable()
}).meta({ id: 'QualifyingPost' })

export const InvitationSchema = z.object({
  id: z.uuid(),
  campId: z.uuid(),
  personId: z.uuid(),
  name: z.string(),
  phone: z.string().nullable().describe('Masked for keys that see personal data masked'),
  homeBoothId: z.uuid(),
  homeBoothCodePath: z.string(),
  status: z.enum(INVITATION_STATUSES),
  source: z.enum(INVITATION_SOURCES).describe('rule: from the audience rule; manual: invited one by one; walk_in: came without an invitation'),
  qualifiedBy: z.array(QualifyingPost).describe('The current posts that qualified them when invited'),
  days: z.array(IsoDate).describe('The days they attended'),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime()
}).meta({ id: 'Invitation' })

export const InvitationPage = pageOf(InvitationSchema).meta({ id: 'InvitationPage' })

export const ListInvitationsQuery = z.object({
  status: z.enum(INVITATION_STATUSES).optional(),
  source: z.enum(INVITATION_SOURCES).optional(),
  ...FormatQuery,
  ...PageQuery
})

export const InvitationParams = z.object({ id: z.uuid(), invitationId: z.uuid() })

export const UpdateInvitationBody = z.strictObject({
  status: z.enum(['invited', 'confirmed', 'declined', 'no_show', 'cancelled']).describe('attended is set by checking in')
}).meta({ id: 'UpdateInvitation' })

export const NewPersonBody = z.strictObject({
  name: text(200),
  homeBoothId: z.uuid().describe('Their home booth, under the camp\'s unit'),
  phone: PhoneInput.optional(),
  voterId: VoterIdInput.optional(),
  gender: z.enum(['female', 'male', 'other']).optional()
}).meta({ id: 'WalkInPerson' })

export const CheckInBody = z.strictObject({
  personId: z.uuid().optional(),
  phone: PhoneInput.optional().describe('Identifies a person only when exactly one person has it'),
  voterId: VoterIdInput.optional(),
  newPerson: NewPersonBody.optional().describe('A walk-in who is not in the service yet (a new worker): created at their home booth'),
  day: IsoDate.optional().describe('The day attended (default: today, in India)')
}).refine(b => [b.personId, b.phone, b.voterId, b.newPerson].filter(x => x !== undefined).length === 1,
  'give exactly one of personId, phone, voterId or newPerson').meta({ id: 'CheckIn' })

export const CheckInResult = InvitationSchema.extend({
  recorded: z.boolean().describe('false when the day was already recorded'),
  walkIn: z.boolean().describe('true when the person was not invited and is recorded as a walk-in')
}).meta({ id: 'CheckInResult' })

export const CampReportRow = z.object({
  level: z.enum(UNIT_LEVELS).nullable().describe('The level of their first qualifying post (null: no post, a walk-in)'),
  wing: z.string().nullable(),
  role: z.string().nullable(),
  invited: z.number().int().describe('Invitations (walk-ins aside), cancelled ones aside'),
  confirmed: z.number().int(),
  declined: z.number().int(),
  attended: z.number().int().describe('Invited people who attended at least one day'),
  walkIns: z.number().int()
}).meta({ id: 'CampReportRow' })

export const CampReport = z.object({
  campId: z.uuid(),
  totals: CampReportRow.omit({ level: true, wing: true, role: true }),
  byDay: z.array(z.object({ day: IsoDate, attended: z.number().int() })),
  items: z.array(CampReportRow),
  nextCursor: z.null()
}).meta({ id: 'CampReport' })

export const TrainingQuery = z.object({
  level: z.enum(UNIT_LEVELS).optional().describe('Rows for every descendant at this level instead of the children'),
  wing: WingCode.optional().describe('Office-bearers of this wing only (default: every wing)'),
  role: RoleCode.optional().describe('Holders of this role only (counted on the fly: slower on a large subtree)'),
  committee: z.enum(['true', 'false']).default('false').transform(v => v === 'true').describe('Count booth committee members too (counted on the fly: slower on a large subtree)'),
  topic: TopicCode.optional().describe('Trained on this topic (default: any camp)'),
  days: z.coerce.number().int().min(1).max(36500).optional().describe('Trained within the last N days (default: ever)'),
  limit: z.coerce.number().int().min(1).max(500).default(500),
  cursor: PageQuery.cursor,
  ...FormatQuery
})

export const TrainingRow = z.object({
  unitId: z.uuid(),
  code: z.string(),
  codePath: z.string(),
  name: z.string(),
  level: z.enum(UNIT_LEVELS),
  officeBearers: z.number().int().describe('People holding a current post, counted once each, at home in the subtree'),
  trained: z.number().int().describe('Of those, people who attended a camp (on the topic, within the days, when asked)'),
  share: z.number().describe('trained / officeBearers, 0 to 1'),
  campsHeld: z.number().int().describe('Held camps organised by units in the subtree'),
  invitations: z.number().int().describe('Invitations of people at home in the subtree to held camps, walk-ins and cancelled ones aside'),
  invitationsAttended: z.number().int(),
  attendanceRate: z.number().describe('invitationsAttended / invitations, 0 to 1')
}).meta({ id: 'TrainingRow' })

export const TrainingReport = z.object({
  wing: z.string().nullable(),
  role: z.string().nullable(),
  topic: z.string().nullable(),
  days: z.number().int().nullable(),
  committee: z.boolean(),
  unit: TrainingRow,
  children: z.array(TrainingRow),
  nextCursor: z.string().nullable()
}).meta({ id: 'TrainingReport' })

export const UntrainedQuery = TrainingQuery.omit({ level: true, limit: true }).extend({ limit: PageQuery.limit })

export const UntrainedRow = z.object({
  personId: z.uuid(),
  name: z.string(),
  phone: z.string().nullable(),
  homeBoothId: z.uuid(),
  homeBoothCodePath: z.string(),
  posts: z.array(z.object({ unitCodePath: z.string(), wing: z.string(), role: z.string() })).describe('Their current posts'),
  lastTrained: IsoDate.nullable().describe('The last day they attended a camp (on the topic, when asked), if ever')
}).meta({ id: 'UntrainedOfficeBearer' })

export const UntrainedPage = pageOf(UntrainedRow).meta({ id: 'UntrainedPage' })
