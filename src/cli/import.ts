import { accessSync, constants, createReadStream, createWriteStream, readFileSync, statSync } from 'node:fs'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { parseArgs } from 'node:util'
import cliProgress from 'cli-progress'
import { stringify } from 'csv-stringify'
import { isWellFormedSecret, WELL_FORMED_SECRET_TEXT } from '../access/secret.js'
import { boothPresidents } from '../imports/booth-presidents.js'
import { clusters } from '../imports/clusters.js'
import { signInSheet } from '../imports/sign-in-sheet.js'
import type { ImportKind } from '../imports/kind.js'
import { MEDIA_TYPES, recordReader, type ImportFormat, type SourceRecord } from '../imports/reader.js'
import type { ImportError } from '../imports/record.js'
import { units } from '../imports/units.js'
import { callerFolder, fromCaller, runCli, UsageError, usageFromParseError } from './run.js'

const USAGE = `Stream a CSV or NDJSON file to the import API and report what happened to each row.

  SANGATHAN_API_KEY=... npm run import -- FILE --kind presidents|units|clusters [--url http://localhost:3000]
  npm run import -- FILE --kind presidents|units|clusters --key-file data/admin-key.txt [...]
                        [--mode partial] [--dry-run] [--replace] [--wing youth] [--format csv|ndjson]
  npm run import -- FILE --kind sign-in-sheet --camp CAMP_ID [--create-people] [...]

  --key-file  a file holding an importer or admin key (e.g. data/admin-key.txt); without
              it the key comes from SANGATHAN_API_KEY. A key is never taken as an argument:
              npm prints its command line and ps shows it to every user of the machine.
  --url       the server (default SANGATHAN_URL, else http://localhost:3000)
  --mode      all_or_nothing (default: one bad row and nothing is written) or partial
  --dry-run   check every row against the database, write nothing
  --replace   presidents: end a sitting holder's term instead of failing the row
  --wing      presidents: the wing of rows without a wing column (default main, the main body)
  --camp      sign-in-sheet: the camp's id (GET /v1/camps)
  --create-people  sign-in-sheet: a row whose person is not found, with name and home_booth,
              creates them (a new worker) instead of failing
  --format    by default .ndjson and .jsonl files are NDJSON, anything else CSV

Paths are relative to the folder you run the command in. Failed rows are written with
their reasons to FILE.errors.csv. Exit code: 0 when every row went through, 1 when any
row (or the import) failed, 2 for usage errors (arguments, files, key) or when the server
refused the file or could not be reached.`

const KINDS: Record<string, { path: string, kind: ImportKind }> = {
  presidents: { path: 'booth-presidents', kind: boothPresidents },
  units: { path: 'units', kind: units },
  clusters: { path: 'clusters', kind: clusters },
  'sign-in-sheet': { path: 'camps/{camp}/sign-in-sheet', kind: signInSheet }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

interface Report {
  id: string
  status: string
  counts: { rows: number, created: number, updated: number, unchanged: number, failed: number }
  errors: ImportError[]
  errorsDropped: number
}

async function main (): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        kind: { type: 'string' },
        url: { type: 'string', default: process.env.SANGATHAN_URL || 'http://localhost:3000' },
        // Declared so that it can be refused, whichever way it is written (--key X, --key=X).
        key: { type: 'string' },
        'key-file': { type: 'string' },
        mode: { type: 'string', default: 'all_or_nothing' },
        'dry-run': { type: 'boolean', default: false },
        replace: { type: 'boolean', default: false },
        wing: { type: 'string' },
        camp: { type: 'string' },
        'create-people': { type: 'boolean', default: false },
        format: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false }
      }
    })
  } catch (err) { usageFromParseError(err) }
  const { positionals, values } = parsed
  if (values.help) { console.log(USAGE); return 0 }
  // Refused rather than warned about: by now npm has printed it and ps has shown it, and a
  // command that works despite a warning gets pasted into scripts and shell history.
  if (values.key !== undefined) {
    throw new UsageError('a key is not taken on the command line (npm prints it, ps shows it): set SANGATHAN_API_KEY or pass --key-file PATH')
  }
  if (positionals.length !== 1) throw new UsageError(positionals.length ? `one file at a time (got ${positionals.length} arguments)` : 'which file? npm run import -- FILE --kind presidents|units|clusters (see --help)')
  const fileArg = positionals[0]
  const target = Object.hasOwn(KINDS, values.kind ?? '') ? KINDS[values.kind!] : undefined
  if (!target) throw new UsageError(`--kind must be ${Object.keys(KINDS).join(', ').replace(/, ([^,]*)$/, ' or $1')}`)
  if (!['all_or_nothing', 'partial'].includes(values.mode!)) throw new UsageError('--mode must be all_or_nothing or partial')
  const format = (values.format ?? (/\.(nd)?jsonl?$/i.test(fileArg) ? 'ndjson' : 'csv')) as ImportFormat
  if (!Object.hasOwn(MEDIA_TYPES, format)) throw new UsageError(`--format must be ${Object.keys(MEDIA_TYPES).join(' or ')}`)
  const file = readableFile(fileArg, 'file')
  const key = readKey(values['key-file'])

  const query = new URLSearchParams({ mode: values.mode! })
  if (values['dry-run']) query.set('dryRun', 'true')
  if (values.replace) query.set('replace', 'true')
  if (values.wing !== undefined) {
    if (target.kind !== boothPresidents) throw new UsageError('--wing is for --kind presidents')
    query.set('wing', values.wing)
  }
  let path = `imports/${target.path}`
  if (target.kind === signInSheet) {
    if (values.camp === undefined || !UUID.test(values.camp)) throw new UsageError('--kind sign-in-sheet needs --camp CAMP_ID (the camp\'s id, from GET /v1/camps)')
    path = target.path.replace('{camp}', values.camp.toLowerCase())
    if (values['create-people']) query.set('createPeople', 'true')
  } else if (values.camp !== undefined || values['create-people']) {
    throw new UsageError('--camp and --create-people are for --kind sign-in-sheet')
  }
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
    const res = await fetch(`${base}/v1/${path}?${query}`, {
      method: 'POST',
      headers: { ...headers, 'content-type': MEDIA_TYPES[format], prefer: 'respond-async' },
      body: Readable.toWeb(createReadStream(file).pipe(meter)) as ReadableStream,
      duplex: 'half'
    } as RequestInit)
    body = await res.json().catch(() => ({})) as typeof body
    bar?.stop()
    if (res.status !== 202) {
      console.error(`import: ${res.status} ${body.code ?? ''}: ${body.detail ?? 'the server refused the file'}`)
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
    // fetch says only "fetch failed"; what failed (ECONNREFUSED, ENOTFOUND) is in its cause.
    const cause = (err as Error).cause as (Error & { code?: string }) | undefined
    console.error(`import: could not complete the import: ${(err as Error).message}${cause ? ` (${cause.code ?? cause.message})` : ''} [${base}]`)
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
    await writeFailedRows(file, format, target.kind, body.errors)
    // Named as the caller gave the input, so the path means the same thing to them.
    console.log(`  failed rows and their reasons: ${fileArg}.errors.csv`)
    return 1
  }
  return 0
}

/** FILE.errors.csv: each failed row's line, column, code and message, then its original cells. */
async function writeFailedRows (file: string, format: ImportFormat, kind: ImportKind, errors: ImportError[]): Promise<void> {
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
}

/** The absolute path of a file argument, resolved from the caller's folder; a missing one is a usage error. */
function readableFile (arg: string, what: string): string {
  const path = fromCaller(arg)
  let stats
  try {
    stats = statSync(path)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new UsageError(`no such ${what}: ${arg} (from ${callerFolder()})`)
    throw new UsageError(`cannot read ${what} ${arg}: ${code ?? (err as Error).message}`)
  }
  if (!stats.isFile()) throw new UsageError(`not a file: ${arg} (from ${callerFolder()})`)
  try {
    accessSync(path, constants.R_OK)
  } catch (err) {
    throw new UsageError(`cannot read ${what} ${arg}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
  }
  return path
}

/**
 * The key, from --key-file or SANGATHAN_API_KEY. Never echoed, not even when it is wrong;
 * a key file others can read gets a warning (the server writes its admin key 0600).
 */
function readKey (keyFile: string | undefined): string {
  let key: string
  let source: string
  if (keyFile !== undefined) {
    const path = readableFile(keyFile, 'key file')
    try {
      key = readFileSync(path, 'utf8').trim()
    } catch (err) {
      throw new UsageError(`cannot read key file ${keyFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
    }
    source = `the key file ${keyFile}`
    const mode = statSync(path).mode
    if (process.platform !== 'win32' && (mode & 0o044) !== 0) {
      process.stderr.write(`import: warning: ${keyFile} can be read by other users (mode ${(mode & 0o777).toString(8)}): chmod 600 ${keyFile}\n`)
    }
  } else if (process.env.SANGATHAN_API_KEY) {
    key = process.env.SANGATHAN_API_KEY.trim()
    source = 'SANGATHAN_API_KEY'
  } else {
    throw new UsageError('no key: set SANGATHAN_API_KEY or pass --key-file PATH (e.g. --key-file data/admin-key.txt)')
  }
  if (!isWellFormedSecret(key)) throw new UsageError(`${source} does not hold a key (${WELL_FORMED_SECRET_TEXT}, on one line)`)
  return key
}

runCli('import', main)
