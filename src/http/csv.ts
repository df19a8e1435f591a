import { Readable } from 'node:stream'
import { stringify } from 'csv-stringify'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'

/**
 * CSV downloads that open cleanly in a spreadsheet: UTF-8 with a BOM (so Excel shows
 * Hindi), and cells that a spreadsheet would run as a formula neutralised with a quote.
 */
const FORMULA_START = /^[=+\-@\t\r]/

export function safeCell (value: unknown): string {
  if (value === null || value === undefined) return ''
  const text = String(value)
  return FORMULA_START.test(text) ? `'${text}` : text
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

/**
 * Streams rows from an async source as CSV. Rows are pulled batch by batch as the
 * client reads, so memory stays flat however long the list is.
 */
export function sendCsv (reply: FastifyReply, filename: string, header: string[], source: AsyncIterable<unknown[]>) {
  const csv = stringify({ bom: true, header: true, columns: header })
  const rows = Readable.from((async function * () {
    for await (const row of source) yield row.map(safeCell)
  })())
  rows.on('error', (err) => csv.destroy(err))
  rows.pipe(csv)
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`)
    .send(csv)
}
