import { normalisePhone, normaliseVoterId, VOTER_ID_FORMS } from '../people/identity.js'

/**
 * Cell-level validation for import rows: each function takes the raw cell text and
 * returns the normalised value, or a RowError naming the column. Nothing here touches
 * the database; rows are checked against it later, set-based, in SQL.
 */

export interface RowError {
  code: string
  column: string | null
  message: string
}

export class RowRefusal extends Error {
  constructor (readonly error: RowError) {
    super(error.message)
  }
}

export const refuse = (code: string, column: string | null, message: string): never => {
  throw new RowRefusal({ code, column, message })
}

// The ' our CSV downloads put before a cell a spreadsheet would run as a formula
// (src/http/csv.ts): taken off again, so a sheet exported and re-imported keeps @handles and names.
const FORMULA_GUARD = /^'(?=[=+\-@])/

/** Trimmed text, or null when the cell is empty. */
export function optionalText (value: string | undefined, column: string, max = 200): string | null {
  if (value === undefined) return null
  const v = value.trim().replace(FORMULA_GUARD, '')
  if (v === '') return null
  // PostgreSQL text cannot hold NUL; such a cell is a broken export, not a name.
  if (v.includes('\u0000')) refuse('invalid_text', column, `${column} contains a NUL character.`)
  if (v.length > max) refuse('too_long', column, `${column} is longer than ${max} characters.`)
  return v
}

export function requiredText (value: string | undefined, column: string, max = 200): string {
  const v = optionalText(value, column, max)
  if (v === null) return refuse('missing_value', column, `${column} is required.`)
  return v
}

const CODE = /^[A-Z0-9][A-Z0-9_-]{0,31}$/

/** A unit's own code: upper-cased; letters, digits, - and _, never '/'. */
export function optionalCode (value: string | undefined, column: string): string | null {
  const v = optionalText(value, column, 64)
  if (v === null) return null
  const code = v.toUpperCase()
  if (!CODE.test(code)) refuse('invalid_code', column, `${column} must be 1 to 32 letters, digits, - or _, starting with a letter or digit.`)
  return code
}

/** The codes of a code path (UP/LKO/B03), upper-cased; null when one is not a code. */
function codesOf (v: string): string[] | null {
  const codes = v.split('/').map(s => s.trim().toUpperCase()).filter(Boolean)
  return codes.length > 0 && codes.every(c => CODE.test(c)) ? codes : null
}

/** A unit given by its code path (UP/LKO/B03/W12), upper-cased. */
export function requiredCodePath (value: string | undefined, column: string): string {
  const codes = codesOf(requiredText(value, column, 300))
  if (!codes) return refuse('invalid_code', column, `${column} must be a unit's code path, such as UP/LKO/B03/W12.`)
  return codes.join('/')
}

/**
 * Code paths below a unit (PS001, W01/PS001), separated by spaces, semicolons or commas;
 * upper-cased, each once, in the order given. Null when the cell has none.
 */
export function optionalCodePaths (value: string | undefined, column: string, max: number): string[] | null {
  const v = optionalText(value, column, max)
  if (v === null) return null
  const paths = new Set<string>()
  for (const given of v.split(/[\s;,]+/).filter(Boolean)) {
    const codes = codesOf(given) ??
      refuse('invalid_code', column, `${column}: "${given.slice(0, 40)}" is not a code path below the unit, such as PS001 or W01/PS001.`)
    paths.add(codes.join('/'))
  }
  return paths.size > 0 ? [...paths] : null
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** A booth given as a code path (UP/LKO/B03/W12/AC072-PS0145) or as a unit id. */
export function boothReference (value: string | undefined, column: string): { codePath: string | null, id: string | null } {
  const v = requiredText(value, column, 300)
  if (UUID.test(v)) return { codePath: null, id: v.toLowerCase() }
  const codes = codesOf(v)
  if (!codes) return refuse('invalid_booth', column, `${column} must be a code path such as UP/LKO/B03/W12/AC072-PS0145, or a unit id.`)
  return { codePath: codes.join('/'), id: null }
}

// The forms almost every sheet uses (+91 98765 43210, 09876543210, 9876543210) are read
// directly; libphonenumber (about 5 µs a call) is kept for everything else.
const COMMON_MOBILE = /^(?:\+91|0)?([6-9]\d{9})$/

export function optionalPhone (value: string | undefined, column: string): string | null {
  const v = optionalText(value, column, 40)
  if (v === null) return null
  const common = COMMON_MOBILE.exec(v.replace(/[\s-]/g, ''))
  const phone = common ? `+91${common[1]}` : normalisePhone(v)
  if (!phone) refuse('invalid_phone', column, `${column} must be an Indian mobile number: ten digits starting 6-9, optionally written with +91 or 0.`)
  return phone!
}

export function optionalVoterId (value: string | undefined, column: string): string | null {
  const v = optionalText(value, column, 40)
  if (v === null) return null
  const voterId = normaliseVoterId(v)
  if (!voterId) refuse('invalid_voter_id', column, `${column} must be ${VOTER_ID_FORMS}.`)
  return voterId!
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/
// Indian sheets write day first: 15/08/2024 or 15-08-2024. The four-digit year at the end
// keeps it unambiguous.
const DAY_FIRST = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/

/** A calendar date as YYYY-MM-DD; accepts ISO or day-first (DD/MM/YYYY). */
export function optionalDate (value: string | undefined, column: string): string | null {
  const v = optionalText(value, column, 20)
  if (v === null) return null
  let y: number, m: number, d: number
  const iso = ISO_DATE.exec(v)
  const dayFirst = iso ? null : DAY_FIRST.exec(v)
  if (iso) [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])]
  else if (dayFirst) [d, m, y] = [Number(dayFirst[1]), Number(dayFirst[2]), Number(dayFirst[3])]
  else return refuse('invalid_date', column, `${column} must be a date: YYYY-MM-DD or DD/MM/YYYY.`)
  const date = new Date(Date.UTC(y, m - 1, d))
  if (y < 1900 || y > 2200 || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) {
    refuse('invalid_date', column, `${column} is not a real calendar date.`)
  }
  return date.toISOString().slice(0, 10)
}

export function optionalInteger (value: string | undefined, column: string, min: number, max: number): number | null {
  const v = optionalText(value, column, 20)
  if (v === null) return null
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    refuse('invalid_number', column, `${column} must be a whole number from ${min} to ${max}.`)
  }
  return Number(v)
}
