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
 * EPIC (voter ID) numbers: usually three letters and seven digits (ABC1234567); some
 * older cards carry a state code and slashes. Stored upper-case without spaces.
 */
export function normaliseVoterId (input: string): string | undefined {
  const v = input.replace(/\s+/g, '').toUpperCase()
  if (/^[A-Z]{3}\d{7}$/.test(v)) return v
  // Older formats: letters, digits and '/', 6 to 20 characters, with letters and digits both.
  if (/^[A-Z0-9/]{6,20}$/.test(v) && /[A-Z]/.test(v) && /\d/.test(v)) return v
  return undefined
}

export function maskPhone (phone: string | null): string | null {
  return phone === null ? null : `+91******${phone.slice(-4)}`
}

export function maskVoterId (voterId: string | null): string | null {
  return voterId === null ? null : `******${voterId.slice(-4)}`
}
