import { z } from 'zod'
import { MEMBERSHIP_GRADES, MEMBERSHIP_STATUSES } from '../db/schema.js'
import { PageQuery, pageOf } from '../http/pagination.js'
import { IsoDate } from '../http/fields.js'

export const MembershipSchema = z.object({
  id: z.uuid(),
  personId: z.uuid(),
  boothId: z.uuid(),
  grade: z.enum(MEMBERSHIP_GRADES).describe('active: the committed grade that may hold office'),
  status: z.enum(MEMBERSHIP_STATUSES),
  joinedOn: IsoDate,
  lapsedOn: IsoDate.nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime()
}).meta({ id: 'Membership' })

export const CreateMembershipBody = z.strictObject({
  personId: z.uuid(),
  boothId: z.uuid(),
  grade: z.enum(MEMBERSHIP_GRADES),
  joinedOn: IsoDate.optional().describe('Defaults to today in India')
}).meta({ id: 'CreateMembership' })

export const UpdateMembershipBody = z.strictObject({
  grade: z.enum(MEMBERSHIP_GRADES).optional(),
  boothId: z.uuid().optional().describe('Transfer to another booth'),
  status: z.literal('lapsed').optional(),
  lapsedOn: IsoDate.optional().describe('With status lapsed; defaults to today, never in the future'),
  endAppointments: z.boolean().optional().describe('With status lapsed: end this person\'s terms of office in the same transaction')
}).refine(b => b.grade !== undefined || b.boothId !== undefined || b.status !== undefined, 'send grade, boothId or status')
  .refine(b => b.status === 'lapsed' || (b.lapsedOn === undefined && b.endAppointments === undefined), 'lapsedOn and endAppointments go with status: lapsed')
  .meta({ id: 'UpdateMembership' })

export const ListMembershipsQuery = z.object({
  personId: z.uuid().optional(),
  boothId: z.uuid().optional(),
  status: z.enum(MEMBERSHIP_STATUSES).optional(),
  grade: z.enum(MEMBERSHIP_GRADES).optional(),
  ...PageQuery
})

export const MembershipPage = pageOf(MembershipSchema).meta({ id: 'MembershipPage' })
