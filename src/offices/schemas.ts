import { z } from 'zod'
import { UNIT_LEVELS } from '../db/schema.js'
import { PageQuery, pageOf } from '../http/pagination.js'

export const IsoDate = z.iso.date().describe('YYYY-MM-DD, a date in India (Asia/Kolkata)')
export const RoleCode = z.string().trim().toLowerCase().regex(/^[a-z][a-z0-9_]{1,49}$/, 'a role code: lower-case letters, digits and _')

export const RoleSchema = z.object({
  code: z.string(),
  name: z.string(),
  levels: z.array(z.enum(UNIT_LEVELS)),
  seats: z.number().int().nullable().describe('How many may hold the post at once; null means no fixed number'),
  required: z.boolean().describe('Counted by coverage and vacancies: a unit is fully staffed when its required posts are filled'),
  sortOrder: z.number().int()
}).meta({ id: 'Role' })

export const CreateRoleBody = z.strictObject({
  code: RoleCode,
  name: z.string().trim().min(1).max(100),
  levels: z.array(z.enum(UNIT_LEVELS)).min(1),
  seats: z.number().int().min(1).max(1000).nullable().optional(),
  required: z.boolean().optional(),
  sortOrder: z.number().int().min(0).max(10000).optional()
}).meta({ id: 'CreateRole' })

export const UpdateRoleBody = z.strictObject({
  name: z.string().trim().min(1).max(100).optional(),
  levels: z.array(z.enum(UNIT_LEVELS)).min(1).optional(),
  seats: z.number().int().min(1).max(1000).nullable().optional(),
  required: z.boolean().optional(),
  sortOrder: z.number().int().min(0).max(10000).optional()
}).refine(b => Object.keys(b).length > 0, 'send at least one field to change').meta({ id: 'UpdateRole' })

export const AppointmentSchema = z.object({
  id: z.uuid(),
  personId: z.uuid(),
  unitId: z.uuid(),
  role: z.string().describe('The role\'s code'),
  startDate: IsoDate,
  endDate: IsoDate.nullable().describe('The first day no longer in office; null while the term has not ended'),
  endReason: z.string().nullable(),
  current: z.boolean().describe('Today (India) lies in [startDate, endDate)'),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime()
}).meta({ id: 'Appointment' })

export const CreateAppointmentBody = z.strictObject({
  personId: z.uuid(),
  unitId: z.uuid(),
  role: RoleCode,
  startDate: IsoDate.optional().describe('Defaults to today in India')
}).meta({ id: 'CreateAppointment' })

export const EndAppointmentBody = z.strictObject({
  endDate: IsoDate.describe('The first day no longer in office: today (ends it now) or a past date'),
  endReason: z.string().trim().min(1).max(200)
}).meta({ id: 'EndAppointment' })

export const ListAppointmentsQuery = z.object({
  personId: z.uuid().optional(),
  unitId: z.uuid().optional(),
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
    youtube: z.string().nullable()
  }),
  unitCodePath: z.string()
}).meta({ id: 'OfficeBearer' })

export const OfficeBearersQuery = z.object({
  subtree: z.stringbool().default(false).describe('Include every unit below this one'),
  role: RoleCode.optional(),
  ...PageQuery
})
