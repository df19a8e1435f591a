import { z } from 'zod'

/**
 * Field schemas every request shares, so that what the database could not store, or a log
 * or a spreadsheet would misread, is refused at validation with a 400, never reaching SQL.
 */

// NUL cannot be stored in PostgreSQL text; the other C0 controls and DEL have no place in a
// name, a label or a search, and break CSV rows and log lines.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NO_CONTROL_CHARACTERS = /^[^\u0000-\u001f\u007f]*$/

/** One line of text as people write it: trimmed, `min` to `max` characters, no control characters. */
export function text (max: number, min = 1) {
  return z.string().trim().min(min).max(max).regex(NO_CONTROL_CHARACTERS, 'must not contain control characters (NUL, tab, line breaks)')
}

/** Calendar dates the service accepts: anything outside is a typo, not a date in the party's life. */
export const EARLIEST_DATE = '1900-01-01'
export const LATEST_DATE = '2100-12-31'

export const IsoDate = z.iso.date()
  .refine(d => d >= EARLIEST_DATE && d <= LATEST_DATE, `a date from ${EARLIEST_DATE} to ${LATEST_DATE}`)
  .describe(`YYYY-MM-DD, a date in India (Asia/Kolkata), from ${EARLIEST_DATE} to ${LATEST_DATE}`)

/** An instant with its offset, within the same years. */
export const IsoDateTime = z.iso.datetime({ offset: true })
  .refine(t => { const ms = Date.parse(t); return ms >= Date.parse(`${EARLIEST_DATE}T00:00:00Z`) && ms <= Date.parse(`${LATEST_DATE}T23:59:59Z`) },
    `an instant from ${EARLIEST_DATE} to ${LATEST_DATE}`)
