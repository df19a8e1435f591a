import { z } from 'zod'
import { GENDERS } from '../db/schema.js'
import { FormatQuery } from '../http/csv.js'
import { text } from '../http/fields.js'
import { PageQuery, pageOf } from '../http/pagination.js'
import { MembershipSchema } from '../memberships/schemas.js'
import { AppointmentSchema } from '../appointments/schemas.js'
import { normalisePhone, normaliseVoterId, VOTER_ID_FORMS } from './identity.js'

export const PhoneInput = z.string().max(40).transform((v, ctx) => {
  const phone = normalisePhone(v)
  if (!phone) {
    ctx.addIssue({ code: 'custom', message: 'an Indian mobile number: ten digits starting 6-9, optionally written with +91 or 0' })
    return z.NEVER
  }
  return phone
}).describe('Indian mobile in any usual form (+91 98765 43210, 09876543210, 9876543210); stored as +919876543210')

export const VoterIdInput = z.string().max(40).transform((v, ctx) => {
  const voterId = normaliseVoterId(v)
  if (!voterId) {
    ctx.addIssue({ code: 'custom', message: VOTER_ID_FORMS })
    return z.NEVER
  }
  return voterId
}).describe('EPIC number: ABC1234567, or an older card\'s UP/12/123/456789 (two letters, then 1-3, 1-4 and 1-7 digits separated by /); stored upper-case without spaces')

const Handle = text(200)
const HandleMap = z.record(z.string().regex(/^[a-z][a-z0-9_]{1,29}$/, 'a platform code'), Handle.nullable())

const personFields = {
  name: text(200),
  phone: PhoneInput.nullable().optional(),
  voterId: VoterIdInput.nullable().optional(),
  gender: z.enum(GENDERS).nullable().optional(),
  twitter: Handle.nullable().optional().describe('X (Twitter) handle: @name, name or the profile address; stored canonical (lower case, no @). null removes it. The same as handles.twitter'),
  facebook: Handle.nullable().optional().describe('The same as handles.facebook'),
  instagram: Handle.nullable().optional().describe('The same as handles.instagram'),
  youtube: Handle.nullable().optional().describe('The same as handles.youtube'),
  handles: HandleMap.optional().describe('Handles by platform code (GET /v1/platforms), in any form the platform accepts; null removes one. Platforms not named are left as they are. A handle another person holds is 409 handle_taken; one that fails the platform\'s rule, 422 invalid_handle')
}

export const CreatePersonBody = z.strictObject({
  ...personFields,
  homeBoothId: z.uuid().describe('The booth where the person is registered to vote')
}).meta({ id: 'CreatePerson' })

export const UpdatePersonBody = z.strictObject({
  ...personFields,
  name: personFields.name.optional(),
  homeBoothId: z.uuid().optional(),
  moveMembership: z.boolean().optional().describe('With homeBoothId: transfer the current membership to the new home booth in the same transaction')
}).refine(b => Object.keys(b).filter(k => k !== 'moveMembership').length > 0, 'send at least one field to change')
  .meta({ id: 'UpdatePerson' })

export const PersonSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  homeBoothId: z.uuid(),
  phone: z.string().nullable().describe('E.164; masked (+91******3210) for reader keys with maskPersonalData'),
  voterId: z.string().nullable().describe('Masked (******4567) for reader keys with maskPersonalData'),
  gender: z.enum(GENDERS).nullable(),
  twitter: z.string().nullable().describe('handles.twitter, kept for existing clients'),
  facebook: z.string().nullable().describe('handles.facebook, kept for existing clients'),
  instagram: z.string().nullable().describe('handles.instagram, kept for existing clients'),
  youtube: z.string().nullable().describe('handles.youtube, kept for existing clients'),
  handles: z.record(z.string(), z.string()).describe('Every handle, by platform code, canonical (lower case, no @)'),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime()
}).meta({ id: 'Person' })

export const PersonDetailSchema = PersonSchema.extend({
  homeBooth: z.object({ id: z.uuid(), code: z.string(), codePath: z.string(), name: z.string() }),
  membership: MembershipSchema.nullable().describe('The current membership, if any'),
  offices: z.array(AppointmentSchema).describe('Terms current today at units within your scope, every wing'),
  officesByWing: z.array(z.object({
    wing: z.string(),
    wingName: z.string(),
    offices: z.array(AppointmentSchema)
  })).describe('The same terms grouped by wing (main body first, in the wings\' order); wings without a term are left out'),
  officesOutsideScope: z.number().int().describe('Terms current today at units outside your scope: counted, never shown')
}).meta({ id: 'PersonDetail' })

export const ListPeopleQuery = z.object({
  homeBoothId: z.uuid().optional(),
  unitId: z.uuid().optional().describe('People whose home booth lies in this unit\'s subtree'),
  q: text(100).optional().describe('Case-insensitive substring of the name'),
  phone: PhoneInput.optional().describe('Prefer POST /v1/people/search: query strings end up in proxy logs. Refused (403 masked_key_cannot_search) for keys with maskPersonalData'),
  voterId: VoterIdInput.optional().describe('EPIC number (ABC1234567, or an older card\'s UP/12/123/456789). Prefer POST /v1/people/search. Refused (403 masked_key_cannot_search) for keys with maskPersonalData'),
  ...FormatQuery,
  ...PageQuery
})

export const SearchPeopleBody = z.strictObject({
  phone: PhoneInput.optional(),
  voterId: VoterIdInput.optional()
}).refine(b => b.phone !== undefined || b.voterId !== undefined, 'send phone or voterId')
  .meta({ id: 'SearchPeople', description: 'Phone, voter ID or both. Keys with maskPersonalData may not search: 403 masked_key_cannot_search' })

export const PersonPage = pageOf(PersonSchema).meta({ id: 'PersonPage' })
