import { spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import { freePort } from './net.js'
import { adminQuery } from './postgres.js'
import { percentile, table } from './stats.js'

/**
 * Bulk imports end to end: a real server process (so its memory can be read from
 * /proc) on a dedicated PostgreSQL database, files streamed to it over HTTP.
 *
 *   1. the tree: BENCH_BOOTHS booths (default BENCH_ROWS x BENCH_ROUNDS) through
 *      POST /v1/imports/units
 *   Then BENCH_ROUNDS rounds (default 3), each at booths of its own:
 *   2. COPY baselines: the same people, memberships and appointments as step 3, loaded with
 *      COPY into the same tables, then rolled back: once with everything the database
 *      enforces (indexes, foreign keys, the rule, seat and counter triggers; statistics
 *      refreshed between tables as the import does), once without the triggers
 *      ("COPY alone": indexes and foreign keys only)
 *   3. BENCH_ROWS booth presidents (default 100,000), all new people, through the API
 *   Times are medians over the rounds, ratios against the baselines of the same run.
 *   4. each round's file again: every row unchanged
 *   5. BENCH_BIG_ROWS presidents rows (default 1,000,000) as a dry run: every row read,
 *      staged and checked against the database, nothing written. The server's peak RSS
 *      here is the bounded-memory figure (BENCH_BOOTHS=1000000 shows the same for a
 *      real 1,000,000-row write, but the tree's insert triggers make that take minutes).
 */

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const BOOTHS = Number(process.env.BENCH_BOOTHS ?? ROWS * ROUNDS)
const BIG_ROWS = Number(process.env.BENCH_BIG_ROWS ?? 1_000_000)
const DB_NAME = 'sangathan_bench_imports'
const KEY = 'sg_bench_imports_admin_key_000000000000'
const BOOTHS_PER_WARD = 100
const WARDS_PER_BLOCK = 10
const BLOCKS_PER_DISTRICT = 10

interface Timed { ms: number, peakRssMb: number, report: any }

export async function benchImports () {
  const base = process.env.DATABASE_URL
  if (!base) throw new Error('bench imports needs DATABASE_URL (PostgreSQL): it measures COPY and the server process')
  if (ROWS * ROUNDS > BOOTHS) throw new Error('BENCH_ROWS x BENCH_ROUNDS must not exceed BENCH_BOOTHS: each round imports presidents at booths of its own')
  const url = new URL(base)
  url.pathname = `/${DB_NAME}`
  await adminQuery(base, `DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`)
  await adminQuery(base, `CREATE DATABASE ${DB_NAME}`)
  const dir = mkdtempSync(join(tmpdir(), 'sangathan-bench-'))
  const server = await startServer(url.toString(), dir)
  try {
    const treeFile = join(dir, 'units.csv')
    await writeLines(treeFile, unitLines(BOOTHS))
    const roundFiles: string[] = []
    for (let r = 0; r < ROUNDS; r++) {
      roundFiles.push(join(dir, `presidents-${r}.csv`))
      await writeLines(roundFiles[r], presidentLines(r * ROWS, ROWS))
    }
    const bigFile = join(dir, 'presidents-big.csv')
    await writeLines(bigFile, presidentLines(0, BIG_ROWS))
    const mb = (file: string) => `${(statSync(file).size / 1e6).toFixed(1)} MB`

    const atRest = rssMb(server.child.pid!)
    const tree = await importFile(server, 'units', treeFile)
    expectCounts(tree.report, { rows: BOOTHS, created: BOOTHS })
    console.log(`units import: ${tree.ms.toFixed(0)} ms, peak RSS ${tree.peakRssMb} MB`)

    // Each round: both COPY baselines (rolled back) and the import (committed) of the
    // same 100,000 new presidents, so every ratio compares runs a few seconds apart.
    const floors: number[] = []
    const bares: number[] = []
    const imports: Timed[] = []
    for (let r = 0; r < ROUNDS; r++) {
      floors.push(await copyFloor(url.toString(), r * ROWS, ROWS, true))
      bares.push(await copyFloor(url.toString(), r * ROWS, ROWS, false))
      const fresh = await importFile(server, 'booth-presidents', roundFiles[r])
      expectCounts(fresh.report, { rows: ROWS, created: ROWS })
      imports.push(fresh)
      console.log(`round ${r + 1}: COPY alone ${bares[r].toFixed(0)} ms, COPY floor ${floors[r].toFixed(0)} ms, import ${fresh.ms.toFixed(0)} ms (peak RSS ${fresh.peakRssMb} MB)`)
    }
    // Each round's file once more: every row unchanged.
    const agains: Timed[] = []
    for (let r = 0; r < ROUNDS; r++) {
      const again = await importFile(server, 'booth-presidents', roundFiles[r])
      expectCounts(again.report, { rows: ROWS, unchanged: ROWS })
      agains.push(again)
      console.log(`round ${r + 1} again: ${again.ms.toFixed(0)} ms, peak RSS ${again.peakRssMb} MB`)
    }
    const again = { ms: median(agains.map(a => a.ms)), peakRssMb: Math.max(...agains.map(a => a.peakRssMb)) }
    // Rows past the tree name booths that do not exist: they are read, staged and failed like any other.
    const big = await importFile(server, 'booth-presidents?dryRun=true', bigFile)
    expectCounts(big.report, { rows: BIG_ROWS, unchanged: Math.min(ROWS * ROUNDS, BIG_ROWS) })
    console.log(`dry run of ${BIG_ROWS} rows: ${big.ms.toFixed(0)} ms, peak RSS ${big.peakRssMb} MB`)

    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`
    const x = (a: number, b: number) => `${(a / b).toFixed(1)}x`
    const bare = median(bares)
    const floor = median(floors)
    const fresh = median(imports.map(i => i.ms))
    const n = ROWS.toLocaleString('en-IN')
    table([
      { what: `units import, ${BOOTHS.toLocaleString('en-IN')} booths (${mb(treeFile)})`, time: s(tree.ms), 'rows/s': Math.round(BOOTHS / tree.ms * 1000), 'peak RSS': `${tree.peakRssMb} MB`, 'vs COPY alone': '', 'vs floor': '' },
      { what: `COPY alone: ${n} people + memberships + terms (indexes, FKs)`, time: s(bare), 'rows/s': Math.round(ROWS / bare * 1000), 'peak RSS': '', 'vs COPY alone': '1.0x', 'vs floor': '' },
      { what: 'COPY floor: the same with the rule, seat and counter triggers', time: s(floor), 'rows/s': Math.round(ROWS / floor * 1000), 'peak RSS': '', 'vs COPY alone': x(floor, bare), 'vs floor': '1.0x' },
      { what: `presidents import, ${n} new (${mb(roundFiles[0])})`, time: s(fresh), 'rows/s': Math.round(ROWS / fresh * 1000), 'peak RSS': `${Math.max(...imports.map(i => i.peakRssMb))} MB`, 'vs COPY alone': x(fresh, bare), 'vs floor': x(fresh, floor) },
      { what: 'same file again, all unchanged', time: s(again.ms), 'rows/s': Math.round(ROWS / again.ms * 1000), 'peak RSS': `${again.peakRssMb} MB`, 'vs COPY alone': x(again.ms, bare), 'vs floor': x(again.ms, floor) },
      { what: `dry run, ${BIG_ROWS.toLocaleString('en-IN')} rows (${mb(bigFile)})`, time: s(big.ms), 'rows/s': Math.round(BIG_ROWS / big.ms * 1000), 'peak RSS': `${big.peakRssMb} MB`, 'vs COPY alone': '', 'vs floor': '' }
    ])
    console.log(`times are medians of ${ROUNDS} rounds; per round, import / COPY alone: ${imports.map((i, r) => x(i.ms, bares[r])).join(', ')}; import / floor: ${imports.map((i, r) => x(i.ms, floors[r])).join(', ')}; again: ${agains.map(a => s(a.ms)).join(', ')}`)
    console.log(`server RSS at rest ${atRest} MB`)
    console.log('targets: 100,000 new <= 10 s; unchanged <= 5 s; server memory bounded over 1,000,000 rows')
  } finally {
    server.child.kill('SIGTERM')
    await new Promise(resolve => server.child.once('exit', resolve))
    rmSync(dir, { recursive: true, force: true })
    await adminQuery(base, `DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`)
  }
}

function median (samples: number[]): number {
  return percentile(samples, 50)
}

/** The booth tree: one state, districts of blocks of wards of BOOTHS_PER_WARD booths. */
function * unitLines (booths: number) {
  yield 'state,state_name,district,district_name,block,block_name,ward,ward_name,booth,booth_name,ac_number,ac_name,ps_number\n'
  for (let i = 0; i < booths; i++) yield `${boothPath(i).split('/').flatMap(code => [code, `Unit ${code}`]).join(',')},${1 + (i % 9999)},AC ${1 + (i % 9999)},${1 + (i % 9999)}\n`
}

function boothPath (i: number) {
  const ward = Math.floor(i / BOOTHS_PER_WARD)
  const block = Math.floor(ward / WARDS_PER_BLOCK)
  const district = Math.floor(block / BLOCKS_PER_DISTRICT)
  return `BN/D${district}/B${block}/W${ward}/PS${i}`
}

/** Booth presidents at booths from..from+rows, all new people: unique voter IDs and mobiles. */
function * presidentLines (from: number, rows: number) {
  yield 'booth,name,phone,voter_id,start_date,twitter\n'
  for (let i = from; i < from + rows; i++) yield `${boothPath(i)},Karyakarta ${i},+91 ${6_000_000_000 + i},BNC${String(i).padStart(7, '0')},2025-01-15,${i % 3 === 0 ? `@k${i}` : ''}\n`
}

async function writeLines (file: string, lines: Iterable<string>) {
  await pipeline(Readable.from(lines), createWriteStream(file))
}

function rssMb (pid: number): number {
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return kb ? Math.round(Number(kb[1]) / 1024) : NaN
}

async function startServer (databaseUrl: string, dir: string): Promise<{ child: ChildProcess, base: string }> {
  const port = await freePort()
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dir, BOOTSTRAP_ADMIN_KEY: KEY, LOG_LEVEL: 'warn', RATE_LIMIT_MAX: '1000000' },
    stdio: ['ignore', 'inherit', 'inherit']
  })
  const base = `http://127.0.0.1:${port}`
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error('the server exited during start-up')
    const ready = await fetch(`${base}/health/ready`).then(r => r.ok, () => false)
    if (ready) return { child, base }
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  throw new Error('the server did not become ready')
}

/**
 * POSTs the file as a stream (Prefer: respond-async, as the CLI does: a large import
 * outlasts an HTTP client's wait for headers), polls the report every 50 ms, and samples
 * the server's RSS meanwhile.
 */
async function importFile (server: { child: ChildProcess, base: string }, kind: string, file: string): Promise<Timed> {
  let peak = rssMb(server.child.pid!)
  const sampler = setInterval(() => { peak = Math.max(peak, rssMb(server.child.pid!)) }, 50)
  const headers = { authorization: `Bearer ${KEY}` }
  const start = performance.now()
  try {
    const res = await fetch(`${server.base}/v1/imports/${kind}`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'text/csv', prefer: 'respond-async' },
      body: Readable.toWeb(createReadStream(file)) as ReadableStream,
      duplex: 'half'
    } as RequestInit)
    let report = await res.json() as any
    if (res.status !== 202) throw new Error(`${kind}: ${res.status} ${JSON.stringify(report).slice(0, 500)}`)
    while (report.status === 'running') {
      await new Promise(resolve => setTimeout(resolve, 50))
      report = await (await fetch(`${server.base}/v1/imports/${report.id}`, { headers })).json()
    }
    return { ms: performance.now() - start, peakRssMb: peak, report }
  } finally {
    clearInterval(sampler)
  }
}

function expectCounts (report: any, expected: Record<string, number>) {
  for (const [k, v] of Object.entries(expected)) {
    if (report.counts[k] !== v) throw new Error(`expected ${k} = ${v}, got ${JSON.stringify(report.counts)} ${JSON.stringify(report.errors.slice(0, 3))}`)
  }
}

/**
 * The floor: COPY of the rows the presidents import writes, into the same tables, rolled
 * back. Without triggers, the rule, seat and counter triggers are off (ALTER TABLE ...
 * DISABLE TRIGGER USER, inside the rolled-back transaction); foreign keys still check.
 */
async function copyFloor (databaseUrl: string, from: number, rows: number, withTriggers: boolean): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    // Only this round's booths, not the whole tree each time.
    const paths = Array.from({ length: rows }, (_, k) => boothPath(from + k))
    const { rows: booths } = await client.query<{ id: string, code_path: string }>('SELECT id, code_path FROM units WHERE code_path = ANY ($1)', [paths])
    const boothId = new Map(booths.map(b => [b.code_path, b.id]))
    const people = paths.map((path, k) => ({ id: randomUUID(), booth: boothId.get(path)!, i: from + k }))
    const copy = async (statement: string, lines: Iterable<string>) => {
      await pipeline(Readable.from(chunked(lines)), client.query(copyFrom(statement)))
    }
    await client.query('BEGIN')
    // As the import's transaction does.
    await client.query("SET LOCAL work_mem = '64MB'")
    await client.query('SET LOCAL jit = off')
    if (!withTriggers) for (const t of ['people', 'person_handles', 'memberships', 'appointments']) await client.query(`ALTER TABLE ${t} DISABLE TRIGGER USER`)
    const start = performance.now()
    await copy('COPY people (id, name, home_booth_id, phone, voter_id, handle_platforms) FROM STDIN',
      people.map(p => `${p.id}\tKaryakarta ${p.i}\t${p.booth}\t+91${6_000_000_000 + p.i}\tBNC${String(p.i).padStart(7, '0')}\t${p.i % 3 === 0 ? '{twitter}' : '{}'}\n`))
    await copy('COPY person_handles (person_id, platform_code, handle) FROM STDIN',
      people.filter(p => p.i % 3 === 0).map(p => `${p.id}\ttwitter\tk${p.i}\n`))
    // As the import does after a large write: the triggers that follow are planned on fresh statistics.
    await client.query('ANALYZE people')
    await copy('COPY memberships (person_id, booth_id, grade, joined_on) FROM STDIN',
      people.map(p => `${p.id}\t${p.booth}\tactive\t2025-01-15\n`))
    await client.query('ANALYZE memberships')
    await copy('COPY appointments (person_id, unit_id, role_code, start_date) FROM STDIN',
      people.map(p => `${p.id}\t${p.booth}\tpresident\t2025-01-15\n`))
    const ms = performance.now() - start
    await client.query('ROLLBACK')
    // The rolled-back rows are dead weight in the heap and indexes: clear them so the
    // import that follows starts from the same tables the floor did.
    await client.query('VACUUM ANALYZE people, memberships, appointments, unit_stats, post_stats, member_joins')
    return ms
  } finally {
    await client.end()
  }
}

function * chunked (lines: Iterable<string>) {
  let buffer = ''
  for (const line of lines) {
    buffer += line
    if (buffer.length > 65536) { yield buffer; buffer = '' }
  }
  if (buffer) yield buffer
}
