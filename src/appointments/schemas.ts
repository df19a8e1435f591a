import { z } from 'zod'
import { FormatQuery } from '../http/csv.js'
import { IsoDate, text } from '../http/fields.js'
import { PageQuery, pageOf } from '../http/pagination.js'
import { RoleCode } from '../roles/schemas.js'
import { WingCode, WingFilter } from '../wings/schemas.js'

export const AppointmentSchema = z.object({
  id: z.uuid(),
  personId: z.uuid(),
  unitId: z.uuid(),
  clusterId: z.uuid().nullable().describe('A booth cluster\'s post: the cluster (unitId is its unit); null for a unit\'s post'),
  wing: z.string().describe('The wing whose post this is (main: the main body)'),
  role: z.string().describe('The role\'s code in its wing'),
  startDate: IsoDate,
  endDate: IsoDate.nullable().describe('The first day no longer in office; null while the term has not ended'),
  endReason: z.string().nullable(),
  current: z.boolean().describe('Today (India) lies in [startDate, endDate)'),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime()
}).meta({ id: 'Appointment' })

export const CreateAppointmentBody = z.strictObject({
  personId: z.uuid(),
  unitId: z.uuid().optional().describe('The unit whose post this is (or leave out and give clusterId)'),
  clusterId: z.uuid().optional().describe('A booth cluster\'s post (GET /v1/clusters): its roles are those with its kind as clusterKind'),
  wing: WingCode.optional().describe('The wing whose post this is; default main, the main body'),
  role: RoleCode,
  startDate: IsoDate.optional().describe('Defaults to today in India')
}).refine(b => b.unitId !== undefined || b.clusterId !== undefined, 'give unitId, or clusterId for a cluster\'s post').meta({ id: 'CreateAppointment' })

export const EndAppointmentBody = z.strictObject({
  endDate: IsoDate.describe('The first day no longer in office: today (ends it now) or a past date'),
  endReason: text(200)
}).meta({ id: 'EndAppointment' })

export const ListAppointmentsQuery = z.object({
  personId: z.uuid().optional(),
  unitId: z.uuid().optional().describe('Terms at this unit (its clusters\' posts included: they carry its unit)'),
  clusterId: z.uuid().optional().describe('Terms at this booth cluster'),
  wing: WingFilter,
  role: RoleCode.optional(),
  current: z.stringbool().optional().describe('true: only terms current today; false: only ended or future ones'),
  on: IsoDate.optional().describe('Only terms in force on this date, e.g. who was president on 2024-05-01'),
  ...PageQuery
})

export const AppointmentPage = pageOf(AppointmentSchema).meta({ id: 'AppointmentPage' })

export const OfficeBearerSchema = AppointmentSchema.extend({
  person: z.object({
    id: z.uuid(),
    name: z.string(),
    phone: z.string().nullable(),
    twitter: z.string().nullable(),
    facebook: z.string().nullable(),
    instagram: z.string().nullable(),
    youtube: z.string().nullable(),
    handles: z.record(z.string(), z.string()).describe('Every handle, by platform code')
  }),
  unitCodePath: z.string()
}).meta({ id: 'OfficeBearer' })

export const OfficeBearersQuery = z.object({
  subtree: z.stringbool().default(false).describe('Include every unit below this one'),
  wing: WingFilter,
  role: RoleCode.optional(),
  ...FormatQuery,
  ...PageQuery
})
