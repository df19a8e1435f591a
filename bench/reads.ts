import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { freePort } from './net.js'
import { adminQuery } from './postgres.js'
import { percentile, table } from './stats.js'

/**
 * Requests per second of `GET /v1/units/{id}` with a key, served by the service as users
 * run it (node dist/server.js, default settings but a rate limit no benchmark reaches),
 * beside a bare Fastify + pg server answering the same URL with
 * `SELECT * FROM units WHERE id = $1` over a pool of the same size (bench/bare-server.mjs).
 * They alternate three times (after a warm-up each), autocannon with 32 connections for
 * 8 s each, so both see the same machine; the table gives each round, the medians and
 * the ratio. PostgreSQL only: the bare server is pg.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench -- reads
 *
 * BENCH_SECONDS and BENCH_ROUNDS shorten it (8 and 3 by default).
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url))
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const CONNECTIONS = 32
const KEY = 'sg_bench_reads_admin_key_000000000000000'

interface Server { base: string, child: ChildProcess }

async function startServer (args: string[], env: NodeJS.ProcessEnv): Promise<Server> {
  const port = await freePort()
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'inherit']
  })
  const base = `http://127.0.0.1:${port}`
  const began = Date.now()
  for (;;) {
    // The bare server has no health route: any answer means it listens.
    if (await fetch(`${base}/health/ready`).then(() => true, () => false)) return { base, child }
    if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited with ${child.exitCode}`)
    if (Date.now() - began > 60_000) throw new Error(`${args.join(' ')}: not listening after 60 s`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

async function stop (server: Server) {
  if (server.child.exitCode !== null) return
  const exited = new Promise(resolve => server.child.once('exit', resolve))
  server.child.kill('SIGTERM')
  await exited
}

interface Load { rps: number, p50: number, p99: number, errors: number }

async function load (url: string, seconds: number): Promise<Load> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds, headers: { authorization: `Bearer ${KEY}` } })
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx
  }
}

const median = (xs: number[]) => percentile(xs, 50)

export async function benchReads () {
  const url = process.env.DATABASE_URL
  if (!url) {
    console.error('bench reads needs PostgreSQL (the bare server is Fastify + pg): DATABASE_URL=postgres://… npm run bench -- reads')
    process.exit(2)
  }
  // A database of its own beside DATABASE_URL's, dropped at the end.
  const name = `sangathan_bench_reads_${process.pid}`
  await adminQuery(url, `CREATE DATABASE ${name}`)
  const target = new URL(url)
  target.pathname = `/${name}`
  const databaseUrl = target.toString()
  const servers: Server[] = []
  try {
    const service = await startServer(['dist/server.js'], { DATABASE_URL: databaseUrl, BOOTSTRAP_ADMIN_KEY: KEY, RATE_LIMIT_MAX: '1000000000' })
    servers.push(service)
    const created = await fetch(`${service.base}/v1/units`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ level: 'state', code: 'RDS', name: 'Reads State', localName: 'रीड्स' })
    })
    if (created.status !== 201) throw new Error(`creating the unit: ${created.status} ${await created.text()}`)
    const { id } = await created.json() as { id: string }
    const bare = await startServer(['bench/bare-server.mjs'], { DATABASE_URL: databaseUrl })
    servers.push(bare)
    const path = `/v1/units/${id}`
    for (const s of [service, bare]) {
      const res = await fetch(`${s.base}${path}`, { headers: { authorization: `Bearer ${KEY}` } })
      if (res.status !== 200) throw new Error(`${s.base}${path}: ${res.status}`)
    }

    console.log(`GET /v1/units/{id}: ${CONNECTIONS} connections, ${SECONDS} s per run, ${ROUNDS} rounds alternating (after a 3 s warm-up each)`)
    await load(`${service.base}${path}`, 3)
    await load(`${bare.base}${path}`, 3)
    const rows = []
    const ours: number[] = []
    const theirs: number[] = []
    for (let round = 1; round <= ROUNDS; round++) {
      const a = await load(`${service.base}${path}`, SECONDS)
      const b = await load(`${bare.base}${path}`, SECONDS)
      ours.push(a.rps)
      theirs.push(b.rps)
      rows.push({
        round,
        'service req/s': a.rps.toFixed(0),
        'service p50/p99 ms': `${a.p50}/${a.p99}`,
        'bare req/s': b.rps.toFixed(0),
        'bare p50/p99 ms': `${b.p50}/${b.p99}`,
        ratio: `${(100 * a.rps / b.rps).toFixed(0)}%`,
        errors: a.errors + b.errors
      })
    }
    rows.push({
      round: 'median',
      'service req/s': median(ours).toFixed(0),
      'service p50/p99 ms': '',
      'bare req/s': median(theirs).toFixed(0),
      'bare p50/p99 ms': '',
      ratio: `${(100 * median(ours) / median(theirs)).toFixed(0)}%`,
      errors: ''
    })
    table(rows)
  } finally {
    for (const s of servers) await stop(s)
    await adminQuery(url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
  }
}
