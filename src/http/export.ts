import type { FastifyReply, FastifyRequest } from 'fastify'
import { recordExport, type ExportEntry } from '../audit/record.js'
import type { Database } from '../db/client.js'
import { sendCsvBatches, sendCsvRows, type CsvColumn } from './csv.js'

/**
 * A CSV download of personal data (phones, voter IDs), for any list that carries them:
 * the rows must come masked per key already (as in JSON); this records the download in
 * the audit trail before the first row leaves, then streams, and logs how many rows went
 * out (and whether the list was finished) under the request id that the record carries.
 */
export async function sendPersonalDataCsv<R> (db: Database, request: FastifyRequest, reply: FastifyReply, download: ExportEntry & {
  filename: string
  columns: ReadonlyArray<CsvColumn<R>>
} & ({ rows: AsyncIterable<R> } | { batches: AsyncIterable<R[]> })) {
  const { filename, columns, ...rest } = download
  const { rows, batches, ...entry } = rest as typeof rest & { rows?: AsyncIterable<R>, batches?: AsyncIterable<R[]> }
  const exportId = await recordExport(db, request.actor, entry)
  const onEnd = (count: number, complete: boolean) => {
    request.log.info({ exportId, entityType: entry.entityType, rows: count, complete }, complete ? 'export sent' : 'export cut short')
  }
  return batches ? sendCsvBatches(reply, filename, columns, batches, onEnd) : sendCsvRows(reply, filename, columns, rows!, onEnd)
}
