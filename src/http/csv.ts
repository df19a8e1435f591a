import { pipeline, Readable } from 'node:stream'
import { stringify } from 'csv-stringify'
import { stringify as stringifyNow } from 'csv-stringify/sync'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'

/**
 * CSV downloads that open cleanly in a spreadsheet (Excel, LibreOffice, Google Sheets)
 * and come back intact when the sheet is saved and re-imported:
 *
 * - UTF-8 with a BOM, so Excel shows Hindi.
 * - Formula injection: a spreadsheet runs a cell starting with =, +, - or @ (and some
 *   with a leading tab or CR) as a formula, so such a text cell is prefixed with ' and
 *   shows as text. Numbers are written as numbers.
 * - Phone numbers: stored as E.164 (+917200087463), which a spreadsheet reads as the
 *   formula =+917200087463 and shows as 9.17201E+11, and the guard would show as
 *   '+917200087463. So a phone cell is the national number in the two groups of five in
 *   which Indian mobiles are written, `72000 87463`: not a number (the space) and not a
 *   formula, so it stays text, is kept on save, and the imports read it back as
 *   +917200087463 (src/imports/fields.ts). The +91 is implied: the service stores only
 *   Indian mobiles. Should someone retype it as 7200087463, the ten digits survive too.
 */
const FORMULA_START = /^[=+\-@\t\r]/

export function safeCell (value: unknown): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'number' || typeof value === 'bigint') return String(value)
  const text = String(value)
  return FORMULA_START.test(text) ? `'${text}` : text
}

/**
 * A stored phone (E.164, or masked as +91******3210) as a CSV cell: `72000 87463`, or
 * `******3210` masked (the same digits hidden as in JSON). See above for why.
 */
export function phoneCell (phone: string | null): string | null {
  if (phone === null) return null
  const national = phone.replace(/^\+91/, '')
  return /^\d{10}$/.test(national) ? `${national.slice(0, 5)} ${national.slice(5)}` : national
}

/**
 * The one definition of ?format=, for every route that can answer with CSV: anything
 * else is a 400, so a typo never silently falls back to JSON.
 */
export const FormatQuery = {
  format: z.enum(['json', 'csv']).optional()
    .describe('csv: the whole list as one download, streamed (or send Accept: text/csv); json (the default): pages')
}

const CsvDownload = z.string()
  .describe('UTF-8 with a BOM: a header row, then one row per item; cells a spreadsheet would run as a formula start with \'')

/**
 * The response of a route that answers JSON pages or, when asked (wantsCsv), the whole
 * list as CSV: `response: { 200: jsonOrCsv(GapPage) }`. Fastify serialises the JSON as
 * for a bare schema; the OpenAPI document declares both media types.
 */
export function jsonOrCsv<T extends z.ZodType> (schema: T) {
  return {
    description: 'JSON; or, with format=csv or Accept: text/csv, all of it as a CSV download',
    content: { 'application/json': { schema }, 'text/csv': { schema: CsvDownload } }
  }
}

/** Whether the caller asked for CSV: ?format=csv (a plain download link) or Accept: text/csv. */
export function wantsCsv (request: FastifyRequest, format: string | undefined): boolean {
  if (format) return format === 'csv'
  const accept = request.headers.accept ?? ''
  return /\btext\/csv\b/.test(accept) && !/\bapplication\/json\b/.test(accept)
}

/** A CSV column: its header and how to read its cell from a row. */
export type CsvColumn<R> = readonly [header: string, cell: (row: R) => unknown]

/** Called once when a download ends: rows written, and whether the whole list was (false: cut short). */
export type CsvEnd = (rows: number, complete: boolean) => void

/**
 * Streams rows from an async source as CSV. Rows are pulled batch by batch as the
 * client reads, so memory stays flat however long the list is.
 */
export function sendCsv (reply: FastifyReply, filename: string, header: string[], source: AsyncIterable<unknown[]>, onEnd?: CsvEnd) {
  const csv = stringify({ bom: true, header: true, columns: header })
  const rows = Readable.from((async function * () {
    let written = 0
    let complete = false
    try {
      for await (const row of source) {
        written++
        yield row.map(safeCell)
      }
      complete = true
    } finally {
      onEnd?.(written, complete)
    }
  })())
  // Either side failing ends both: a client that goes away stops the reading (and ends
  // the source, so onEnd hears of it); a failed batch ends the response.
  pipeline(rows, csv, () => {})
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', attachment(filename))
    .send(csv)
}

/** sendCsv for rows described by columns: the header and the cells cannot drift apart. */
export function sendCsvRows<R> (reply: FastifyReply, filename: string, columns: ReadonlyArray<CsvColumn<R>>, source: AsyncIterable<R>, onEnd?: CsvEnd) {
  return sendCsv(reply, filename, columns.map(([header]) => header), cellsOf(columns, source), onEnd)
}

/** A download's Content-Disposition, its file name reduced to safe characters. */
const attachment = (filename: string) => `attachment; filename="${filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`

/** Rows a step of a batched download writes at once. */
const SLICE = 1000

/**
 * sendCsvRows for a source read in batches (a keyset download's): each batch is written
 * as text, a slice of rows per step of the stream, where sendCsvRows takes several
 * asynchronous steps per row; the bytes are the same (the same stringifier, the BOM and
 * the header before the first row, or alone for an empty list). Memory: a batch.
 */
export function sendCsvBatches<R> (reply: FastifyReply, filename: string, columns: ReadonlyArray<CsvColumn<R>>, batches: AsyncIterable<R[]>, onEnd?: CsvEnd) {
  const header = columns.map(([name]) => name)
  const cells = columns.map(([, cell]) => cell)
  const text = Readable.from((async function * () {
    let written = 0
    let complete = false
    try {
      for await (const batch of batches) {
        for (let i = 0; i < batch.length; i += SLICE) {
          const records = batch.slice(i, i + SLICE).map(row => cells.map(cell => safeCell(cell(row))))
          yield stringifyNow(records, written === 0 ? { bom: true, header: true, columns: header } : {})
          written += records.length
        }
      }
      if (written === 0) yield stringifyNow([], { bom: true, header: true, columns: header })
      complete = true
    } finally {
      onEnd?.(written, complete)
    }
  })(), { objectMode: false })
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', attachment(filename))
    .send(text)
}

async function * cellsOf<R> (columns: ReadonlyArray<CsvColumn<R>>, source: AsyncIterable<R>): AsyncIterable<unknown[]> {
  for await (const row of source) yield columns.map(([, cell]) => cell(row))
}

/** Each row of a streamed source, turned into its API shape on the way out. */
export async function * mapRows<T, U> (source: AsyncIterable<T> | Iterable<T>, fn: (row: T) => U): AsyncIterable<U> {
  for await (const row of source) yield fn(row)
}
