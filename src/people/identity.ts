import { parsePhoneNumberFromString } from 'libphonenumber-js/min'

/**
 * Indian mobile numbers arrive as '+91 98765 43210', '09876543210', '9876543210'...
 * They are stored in E.164 ('+919876543210'). Only mobiles (first digit 6-9) are
 * accepted: the party reaches people on WhatsApp, not on landlines.
 */
export function normalisePhone (input: string): string | undefined {
  const parsed = parsePhoneNumberFromString(input.trim(), 'IN')
  if (!parsed || parsed.countryCallingCode !== '91') return undefined
  const national = String(parsed.nationalNumber)
  return /^[6-9]\d{9}$/.test(national) ? `+91${national}` : undefined
}

/**
 * Voter IDs (EPIC numbers): the one definition of what the service accepts. Upper-cased,
 * a voter ID is either
 * - the current card: three letters and seven digits, ABC1234567; or
 * - an older card: a two-letter state code, then the assembly constituency number
 *   (1 to 3 digits), the part number (1 to 4 digits) and a serial (1 to 7 digits),
 *   separated by '/': UP/12/123/456789.
 * Nothing else: in particular no unit code path (UP/LKO/B03) passes. The expression is
 * written so that PostgreSQL reads it the same way; people_voter_id_check should use it.
 */
export const VOTER_ID_PATTERN = '^([A-Z]{3}[0-9]{7}|[A-Z]{2}/[0-9]{1,3}/[0-9]{1,4}/[0-9]{1,7})$'
const VOTER_ID = new RegExp(VOTER_ID_PATTERN)

/** What a caller is told when a voter ID is refused. */
export const VOTER_ID_FORMS = 'an EPIC number: three letters and seven digits (ABC1234567), or an older card\'s state code and numbers (UP/12/123/456789)'

/**
 * Stored upper-case without spaces; undefined when it is not a voter ID. Whitespace is
 * taken only where people write it (ABC 1234567, UP / 12 / 123 / 456789), which are the
 * spellings the log scrubber (src/scrub.ts) looks for.
 */
export function normaliseVoterId (input: string): string | undefined {
  const v = input.trim().toUpperCase().replace(/^([A-Z]{3})\s(?=\d)/, '$1').replace(/\s*\/\s*/g, '/')
  return VOTER_ID.test(v) ? v : undefined
}

export function maskPhone (phone: string | null): string | null {
  return phone === null ? null : `+91******${phone.slice(-4)}`
}

export function maskVoterId (voterId: string | null): string | null {
  return voterId === null ? null : `******${voterId.slice(-4)}`
}
