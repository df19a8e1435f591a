import { parse as parseCsv } from 'csv-parse'
import { DomainError } from '../errors.js'
import type { RowError } from './fields.js'

/**
 * From the request body's bytes to records with their line numbers, streaming: the
 * body is never held whole. Nothing here knows what the columns mean.
 *
 * `line` is the physical line where a record starts (the CSV header is line 1; NDJSON
 * counts from 1), so a spreadsheet user can go straight to it.
 */

export type ImportFormat = 'csv' | 'ndjson'

export const MEDIA_TYPES: Record<ImportFormat, string> = {
  csv: 'text/csv',
  ndjson: 'application/x-ndjson'
}

export interface SourceRecord {
  line: number
  /** Cell text by (lower-case) column name; a column the record does not give is absent. */
  values: Record<string, string>
  /** Set when the record itself cannot be read (wrong number of fields, broken JSON). */
  error?: RowError
}

/** One record is at most this large: a file with a broken quote must not fill memory. */
const MAX_RECORD_BYTES = 1024 * 1024

export interface ReaderOptions {
  /** Every column the kind accepts; any other is refused (a typo must not be ignored). */
  columns: readonly string[]
  /** Columns a CSV header must have. */
  required: readonly string[]
}

/** A stage of stream.pipeline: a stream, or an async generator over the previous stage. */
export type PipelineStage = NodeJS.ReadableStream | NodeJS.WritableStream | AsyncIterable<unknown> | ((source: AsyncIterable<any>) => AsyncIterable<unknown>)

export interface RecordReader {
  /** Pipeline stages from body bytes to SourceRecords. */
  stages: PipelineStage[]
  /** The error to report for one that stopped the pipeline (a CSV syntax error gets its line). */
  explain (err: unknown): unknown
}

export function recordReader (format: ImportFormat, options: ReaderOptions): RecordReader {
  return format === 'csv' ? csvReader(options) : { stages: [ndjsonReader(options)], explain: err => err }
}

/** Refuses a body over `limit` bytes while it streams (the file is never buffered, so no other limit sees it). */
export function byteLimit (limit: number) {
  return async function * (chunks: AsyncIterable<Buffer>) {
    let total = 0
    for await (const chunk of chunks) {
      total += chunk.length
      if (total > limit) throw new DomainError('too_large', 'payload_too_large', 'The file is larger than an import accepts; nothing was written.')
      yield chunk
    }
  }
}

const columnName = (raw: string) => raw.trim().toLowerCase()

/** Unknown or repeated columns refuse the file; a CSV header must also have the required ones. */
function refuseColumns (names: string[], line: number, options: ReaderOptions, isHeader: boolean) {
  const seen = new Set<string>()
  for (const name of names) {
    if (!options.columns.includes(name)) {
      throw new DomainError('invalid', 'unknown_column', `Line ${line}: unknown column "${name}". Accepted columns: ${options.columns.join(', ')}.`, { line, column: name })
    }
    if (seen.has(name)) throw new DomainError('invalid', 'duplicate_column', `Line ${line}: the column "${name}" appears twice.`, { line, column: name })
    seen.add(name)
  }
  if (!isHeader) return
  for (const name of options.required) {
    if (!seen.has(name)) throw new DomainError('invalid', 'missing_column', `The header has no "${name}" column, which is required.`, { line, column: name })
  }
}

function csvReader (options: ReaderOptions): RecordReader {
  const parser = parseCsv({
    bom: true,
    // Every record is checked here, so a short row is a row error rather than a failed file.
    relax_column_count: true,
    // Hand-made sheets put quotes inside unquoted names (Ram "Babu" Yadav); keep them.
    relax_quotes: true,
    max_record_size: MAX_RECORD_BYTES
  })
  let header: string[] | undefined
  // Lines consumed by the records so far. Blank lines come through as records of one
  // empty cell, so every record takes one line plus the line breaks inside its quoted
  // cells. (csv-parse's own info.lines counts a CRLF inside quotes twice.)
  let linesRead = 0

  async function * toRecords (parsed: AsyncIterable<string[]>) {
    for await (const record of parsed) {
      const line = linesRead + 1
      linesRead = line + newlinesIn(record)
      // Blank lines and rows of empty cells (common at the end of spreadsheet exports).
      if (record.every(v => v.trim() === '')) continue
      if (!header) {
        header = record.map(columnName)
        refuseColumns(header, line, options, true)
        continue
      }
      const values: Record<string, string> = {}
      for (let i = 0; i < header.length && i < record.length; i++) values[header[i]] = record[i]
      yield record.length === header.length
        ? { line, values }
        : { line, values, error: { code: 'wrong_field_count', column: null, message: `The row has ${record.length} fields; the header has ${header.length}.` } }
    }
    if (!header) throw new DomainError('invalid', 'empty_file', 'The file has no header row.')
  }

  function explain (err: unknown) {
    const code = (err as { code?: unknown }).code
    if (typeof code !== 'string' || !code.startsWith('CSV_')) return err
    // The record that could not be parsed starts right after the last one that could.
    const line = linesRead + 1
    const reason = (err as Error).message.replace(/:? at line \d+.*$/s, '').replace(/^[^:]+: /, '')
    return new DomainError('invalid', 'malformed_csv', `The CSV cannot be read from line ${line}: ${reason}.`, { line })
  }
  return { stages: [parser, toRecords], explain }
}

function newlinesIn (record: string[]): number {
  let n = 0
  for (const cell of record) {
    for (let i = cell.indexOf('\n'); i !== -1; i = cell.indexOf('\n', i + 1)) n++
  }
  return n
}

function ndjsonReader (options: ReaderOptions) {
  return async function * (chunks: AsyncIterable<Buffer>) {
    let rest = Buffer.alloc(0)
    let line = 0
    function * records (bytes: Buffer): Generator<SourceRecord> {
      line++
      let text = bytes.toString('utf8')
      if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1)
      if (text.trim() === '') return
      let parsed: unknown
      try {
        parsed = JSON.parse(text)
      } catch {
        yield { line, values: {}, error: { code: 'malformed_json', column: null, message: 'The line is not valid JSON.' } }
        return
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        yield { line, values: {}, error: { code: 'malformed_json', column: null, message: 'Each line must be one JSON object.' } }
        return
      }
      const entries = Object.entries(parsed).map(([k, v]) => [columnName(k), v] as const)
      refuseColumns(entries.map(([k]) => k), line, options, false)
      const values: Record<string, string> = {}
      for (const [k, v] of entries) {
        if (typeof v === 'string') values[k] = v
        else if (typeof v === 'number' && Number.isFinite(v)) values[k] = String(v)
        else if (v !== null) {
          yield { line, values, error: { code: 'invalid_value', column: k, message: `${k} must be a string, a number or null.` } }
          return
        }
      }
      yield { line, values }
    }
    for await (const chunk of chunks) {
      let data = rest.length > 0 ? Buffer.concat([rest, chunk]) : chunk
      let newline: number
      while ((newline = data.indexOf(10)) !== -1) {
        yield * records(data.subarray(0, newline))
        data = data.subarray(newline + 1)
      }
      if (data.length > MAX_RECORD_BYTES) {
        throw new DomainError('invalid', 'record_too_large', `Line ${line + 1} is longer than ${MAX_RECORD_BYTES} bytes.`, { line: line + 1 })
      }
      // Copied so the retained tail does not pin the whole chunk.
      rest = Buffer.from(data)
    }
    if (rest.length > 0) yield * records(rest)
  }
}
