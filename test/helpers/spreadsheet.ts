import { parse } from 'csv-parse/sync'
import { stringify } from 'csv-stringify/sync'

/**
 * What a spreadsheet (Excel, LibreOffice Calc with default import settings) does to a CSV
 * it opens and saves again, as far as code can honestly model it. Opening reads each
 * field as if it were typed into a cell in the General format:
 *
 * - `=`, `+`, `-` or `@` first: a formula. `+917200087463` evaluates to the number
 *   917200087463; anything else is a formula whose result we cannot know (`formula`).
 * - a number (digits, a sign, a decimal point, an exponent, thousands commas): a number.
 *   Leading zeros go; on save, General shows at most 11 characters, so an integer of 12
 *   or more digits is written in scientific notation (917200087463 -> 9.17201E+11).
 * - an ISO or day-first date: a date, written back in the en-IN short form DD-MM-YYYY.
 * - anything else: text, kept exactly (a leading ' included: a typed ' would hide itself,
 *   but a CSV field's ' is part of the text).
 *
 * Saving writes every cell as shown, quoted only where CSV needs it, as "CSV UTF-8"
 * (with a BOM).
 */

export type Cell =
  | { kind: 'text', text: string }
  | { kind: 'number', value: number }
  | { kind: 'date', day: number, month: number, year: number }
  | { kind: 'formula', source: string }

const NUMBER = /^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][+-]?\d+)?$/
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const DAY_FIRST = /^(\d{1,2})[/-](\d{1,2})[/-](\d{4})$/

export function readCell (field: string): Cell {
  if (field === '') return { kind: 'text', text: '' }
  if (/\d/.test(field) && NUMBER.test(field)) return { kind: 'number', value: Number(field.replace(/,/g, '')) }
  if (/^[=+\-@]/.test(field)) {
    const rest = field.slice(1)
    if (field[0] !== '=' && field[0] !== '@' && /\d/.test(rest) && NUMBER.test(rest)) {
      return { kind: 'number', value: Number(field.replace(/,/g, '')) }
    }
    return { kind: 'formula', source: field }
  }
  const iso = ISO_DATE.exec(field)
  if (iso) return { kind: 'date', year: Number(iso[1]), month: Number(iso[2]), day: Number(iso[3]) }
  const dayFirst = DAY_FIRST.exec(field)
  if (dayFirst) return { kind: 'date', day: Number(dayFirst[1]), month: Number(dayFirst[2]), year: Number(dayFirst[3]) }
  return { kind: 'text', text: field }
}

/** A cell as the General format shows it, which is what "Save as CSV" writes. */
export function shownAs (cell: Cell): string {
  switch (cell.kind) {
    case 'text': return cell.text
    case 'date': return `${String(cell.day).padStart(2, '0')}-${String(cell.month).padStart(2, '0')}-${cell.year}`
    case 'formula': throw new Error(`the spreadsheet ran ${JSON.stringify(cell.source)} as a formula`)
    case 'number': {
      const v = cell.value
      if (Number.isInteger(v) && Math.abs(v) < 1e11) return String(v)
      if (Number.isInteger(v)) return v.toExponential(5).replace(/\.?0+e/, 'e').replace('e+', 'E+').replace(/E\+(\d)$/, 'E+0$1')
      return String(Number(v.toPrecision(10)))
    }
  }
}

/** The sheet as the spreadsheet holds it after opening the CSV. */
export function openCsv (csv: string): Cell[][] {
  const records: string[][] = parse(csv, { bom: true, relax_column_count: true })
  return records.map(r => r.map(readCell))
}

/** Open, then save as CSV, with `edit` standing for what the user does in between. */
export function openAndSave (csv: string, edit: (sheet: Cell[][]) => Cell[][] = s => s): string {
  const saved = edit(openCsv(csv)).map(row => row.map(shownAs))
  return '\uFEFF' + stringify(saved, { record_delimiter: 'windows' })
}
