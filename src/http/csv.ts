import { Readable } from 'node:stream'
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

/** Rows written to the response at once: stringified together, one step of the stream. */
const SLICE = 1000

/**
 * Streams rows from an async source as CSV, flat in memory however long the list is: the
 * rows are pulled as the client reads and written a slice at a time (SLICE rows stringified
 * together, one step of the stream), not a stream step per row, which cost more than
 * reading the row from the database. UTF-8 with a BOM and the header before the first
 * row, or alone for an empty list. The rows are described by columns, so the header and
 * the cells cannot drift apart.
 */
export function sendCsvRows<R> (reply: FastifyReply, filename: string, columns: ReadonlyArray<CsvColumn<R>>, source: AsyncIterable<R>, onEnd?: CsvEnd) {
  const cells = columns.map(([, cell]) => cell)
  return sendSlices(reply, filename, columns.map(([header]) => header), slicesOf(mapRows(source, row => cells.map(cell => cell(row)))), onEnd)
}

/**
 * sendCsvRows for a source read in batches (a keyset download's): each batch is cut into
 * slices as it comes. Memory: a batch.
 */
export function sendCsvBatches<R> (reply: FastifyReply, filename: string, columns: ReadonlyArray<CsvColumn<R>>, batches: AsyncIterable<R[]> | Iterable<R[]>, onEnd?: CsvEnd) {
  const cells = columns.map(([, cell]) => cell)
  return sendSlices(reply, filename, columns.map(([header]) => header), (async function * () {
    for await (const batch of batches) {
      for (let i = 0; i < batch.length; i += SLICE) yield batch.slice(i, i + SLICE).map(row => cells.map(cell => cell(row)))
    }
  })(), onEnd)
}

/** A download's Content-Disposition, its file name reduced to safe characters. */
const attachment = (filename: string) => `attachment; filename="${filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`

/** Rows gathered into slices of up to SLICE, each given as soon as it is full (and the rest at the end). */
async function * slicesOf (source: AsyncIterable<unknown[]>): AsyncIterable<unknown[][]> {
  let slice: unknown[][] = []
  for await (const row of source) {
    slice.push(row)
    if (slice.length === SLICE) {
      yield slice
      slice = []
    }
  }
  if (slice.length > 0) yield slice
}

/**
 * The one writer of a CSV download: slices of cells, guarded (safeCell) and stringified
 * together. Either side failing ends both: a client that goes away stops the reading (and
 * ends the source, so onEnd hears of it); a failed batch ends the response.
 */
function sendSlices (reply: FastifyReply, filename: string, header: string[], slices: AsyncIterable<unknown[][]>, onEnd?: CsvEnd) {
  const text = Readable.from((async function * () {
    let written = 0
    let complete = false
    try {
      for await (const slice of slices) {
        yield stringifyNow(slice.map(cells => cells.map(safeCell)), written === 0 ? { bom: true, header: true, columns: header } : {})
        written += slice.length
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

/** Each row of a streamed source, turned into its API shape on the way out. */
export async function * mapRows<T, U> (source: AsyncIterable<T> | Iterable<T>, fn: (row: T) => U): AsyncIterable<U> {
  for await (const row of source) yield fn(row)
}

/** Each row of each batch of a streamed source, turned into its API shape on the way out. */
export async function * mapBatches<T, U> (batches: AsyncIterable<T[]>, fn: (row: T) => U): AsyncIterable<U[]> {
  for await (const batch of batches) yield batch.map(fn)
}
