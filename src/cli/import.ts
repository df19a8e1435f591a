import { createReadStream, createWriteStream, statSync } from 'node:fs'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { parseArgs } from 'node:util'
import cliProgress from 'cli-progress'
import { stringify } from 'csv-stringify'
import { boothPresidents } from '../imports/booth-presidents.js'
import type { ImportKind } from '../imports/kind.js'
import { MEDIA_TYPES, recordReader, type ImportFormat, type SourceRecord } from '../imports/reader.js'
import type { ImportError } from '../imports/record.js'
import { units } from '../imports/units.js'

const USAGE = `Stream a CSV or NDJSON file to the import API and report what happened to each row.

  npm run import -- FILE --kind presidents|units [--url http://localhost:3000] [--key KEY]
                        [--mode partial] [--dry-run] [--replace] [--format csv|ndjson]

  --key      an importer or admin key (or set SANGATHAN_API_KEY, which keeps it out of ps)
  --mode     all_or_nothing (default: one bad row and nothing is written) or partial
  --dry-run  check every row against the database, write nothing
  --replace  presidents: end a sitting holder's term instead of failing the row
  --format   by default .ndjson and .jsonl files are NDJSON, anything else CSV

Failed rows are written with their reasons to FILE.errors.csv. Exit code: 0 when every
row went through, 1 when any row (or the import) failed, 2 for usage or connection errors.`

const KINDS: Record<string, { path: string, kind: ImportKind }> = {
  presidents: { path: 'booth-presidents', kind: boothPresidents },
  units: { path: 'units', kind: units }
}

interface Report {
  id: string
  status: string
  counts: { rows: number, created: number, updated: number, unchanged: number, failed: number }
  errors: ImportError[]
  errorsDropped: number
}

async function main (): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      kind: { type: 'string' },
      url: { type: 'string', default: process.env.SANGATHAN_URL ?? 'http://localhost:3000' },
      key: { type: 'string' },
      mode: { type: 'string', default: 'all_or_nothing' },
      'dry-run': { type: 'boolean', default: false },
      replace: { type: 'boolean', default: false },
      format: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false }
    }
  })
  const file = positionals[0]
  const target = KINDS[values.kind ?? '']
  const key = values.key ?? process.env.SANGATHAN_API_KEY
  const format = (values.format ?? (/\.(nd)?jsonl?$/i.test(file ?? '') ? 'ndjson' : 'csv')) as ImportFormat
  if (values.help || !file || !target || !key || !['all_or_nothing', 'partial'].includes(values.mode!) || !(format in MEDIA_TYPES)) {
    console.error(USAGE)
    return values.help ? 0 : 2
  }

  const query = new URLSearchParams({ mode: values.mode! })
  if (values['dry-run']) query.set('dryRun', 'true')
  if (values.replace) query.set('replace', 'true')
  const size = statSync(file).size
  const bar = process.stderr.isTTY
    ? new cliProgress.SingleBar({ format: 'uploading {bar} {percentage}% | {sentMb}/{totalMb} MB | {lines} lines | {duration_formatted}', hideCursor: true }, cliProgress.Presets.shades_classic)
    : undefined
  bar?.start(size, 0, { sentMb: '0.0', totalMb: (size / 1e6).toFixed(1), lines: 0 })
  let sent = 0
  let lines = 0
  const meter = new Transform({
    transform (chunk: Buffer, _encoding, callback) {
      sent += chunk.length
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++
      bar?.update(sent, { sentMb: (sent / 1e6).toFixed(1), lines })
      callback(null, chunk)
    }
  })

  const base = values.url!.replace(/\/$/, '')
  const headers = { authorization: `Bearer ${key}` }
  let body: Report & { detail?: string, code?: string }
  try {
    // Asynchronously: a million rows take longer to check and write than an HTTP client
    // waits for response headers. The server answers 202 once the file is in; then we poll.
    const res = await fetch(`${base}/v1/imports/${target.path}?${query}`, {
      method: 'POST',
      headers: { ...headers, 'content-type': MEDIA_TYPES[format], prefer: 'respond-async' },
      body: Readable.toWeb(createReadStream(file).pipe(meter)) as ReadableStream,
      duplex: 'half'
    } as RequestInit)
    body = await res.json().catch(() => ({})) as typeof body
    bar?.stop()
    if (res.status !== 202) {
      console.error(`${res.status} ${body.code ?? ''}: ${body.detail ?? 'the server refused the file'}`)
      return 2
    }
    process.stderr.write(`uploaded; import ${body.id} is checking and writing the rows...\n`)
    while (body.status === 'running') {
      await new Promise(resolve => setTimeout(resolve, 500))
      const poll = await fetch(`${base}/v1/imports/${body.id}`, { headers })
      if (poll.status !== 200) throw new Error(`GET /v1/imports/${body.id} answered ${poll.status}`)
      body = await poll.json() as typeof body
    }
  } catch (err) {
    bar?.stop()
    console.error(`could not complete the import: ${(err as Error).message}`)
    return 2
  }

  const status = body.status
  const c = body.counts
  console.log(`import ${body.id}: ${status}`)
  console.log(`  rows ${c.rows}  created ${c.created}  updated ${c.updated}  unchanged ${c.unchanged}  failed ${c.failed}`)
  if (status === 'failed') console.log('  nothing was written (all or nothing): correct the rows below and send the file again, or use --mode partial')
  for (const e of body.errors.slice(0, 10)) console.log(`  line ${e.line ?? '-'}${e.column ? ` [${e.column}]` : ''} ${e.code}: ${e.message}`)
  if (body.errors.length > 10) console.log(`  ... ${body.errors.length - 10} more in the errors file`)
  if (body.errorsDropped > 0) console.log(`  (${body.errorsDropped} further failed rows are counted but not listed: the server keeps the first ${body.errors.length})`)
  if (c.failed > 0 || status === 'failed') {
    const written = await writeFailedRows(file, format, target.kind, body.errors)
    console.log(`  failed rows and their reasons: ${written}`)
    return 1
  }
  return 0
}

/** FILE.errors.csv: each failed row's line, column, code and message, then its original cells. */
async function writeFailedRows (file: string, format: ImportFormat, kind: ImportKind, errors: ImportError[]): Promise<string> {
  const byLine = new Map(errors.filter(e => e.line !== null).map(e => [e.line!, e]))
  const out = `${file}.errors.csv`
  const reader = recordReader(format, kind)
  await pipeline(
    createReadStream(file),
    ...(reader.stages as [Transform]),
    async function * (records: AsyncIterable<SourceRecord>) {
      yield ['line', 'column', 'code', 'message', ...kind.columns]
      for await (const record of records) {
        const error = byLine.get(record.line)
        if (error) yield [record.line, error.column ?? '', error.code, error.message, ...kind.columns.map(c => record.values[c] ?? '')]
      }
    },
    stringify(),
    createWriteStream(out)
  )
  return out
}

process.exitCode = await main()
