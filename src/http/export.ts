import type { FastifyReply, FastifyRequest } from 'fastify'
import { recordExport, type ExportEntry } from '../audit/record.js'
import type { Database } from '../db/client.js'
import { sendCsvBatches, type CsvColumn } from './csv.js'

/**
 * A CSV download of personal data (phones, voter IDs), for any list that carries them:
 * the rows must come masked per key already (as in JSON); this records the download in
 * the audit trail before the first row leaves, then streams, and logs how many rows went
 * out (and whether the list was finished) under the request id that the record carries.
 */
export async function sendPersonalDataCsv<R> (db: Database, request: FastifyRequest, reply: FastifyReply, download: ExportEntry & {
  filename: string
  columns: ReadonlyArray<CsvColumn<R>>
  batches: AsyncIterable<R[]> | Iterable<R[]>
}) {
  const { filename, columns, batches, ...entry } = download
  const exportId = await recordExport(db, request.actor, entry)
  return sendCsvBatches(reply, filename, columns, batches, (count, complete) => {
    request.log.info({ exportId, entityType: entry.entityType, rows: count, complete }, complete ? 'export sent' : 'export cut short')
  })
}
