import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from './net.js'
import { fmt, percentile, table } from './stats.js'

/**
 * How long `npm start` takes to answer /health/ready, and how much memory the idle
 * service holds: a first start on an empty data folder, then restarts on it; beside the
 * start as it was before the build moved to install time (`npm run build && node
 * dist/server.js`), measured in the same run.
 *
 *   npm run bench -- start                     # embedded PGlite
 *   DATABASE_URL=postgres://… npm run bench -- start
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url))
const RUNS = Number(process.env.BENCH_REPEAT ?? 5)

/** The resident memory of a process and its children (npm runs node as a child), in MB. */
function rssOfTree (pid: number): number {
  let total = 0
  const visit = (p: number) => {
    try {
      const status = readFileSync(`/proc/${p}/status`, 'utf8')
      total += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0)
      const children = readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim()
      for (const c of children ? children.split(/\s+/) : []) visit(Number(c))
    } catch { /* gone */ }
  }
  visit(pid)
  return Math.round(total / 1024)
}

/** Starts the command, waits for /health/ready, measures, stops it. */
async function start (command: string[], dataDir: string): Promise<{ ms: number, rssMb: number }> {
  const port = await freePort()
  const began = performance.now()
  const child = spawn(command[0], command.slice(1), {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    stdio: 'ignore',
    detached: true
  })
  try {
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${port}/health/ready`).then(r => r.ok, () => false)
      if (ok) break
      if (child.exitCode !== null) throw new Error(`${command.join(' ')} exited with ${child.exitCode}`)
      if (performance.now() - began > 180_000) throw new Error(`${command.join(' ')}: not ready after 180 s`)
      await new Promise(resolve => setTimeout(resolve, 20))
    }
    const ms = performance.now() - began
    // Idle: after start-up's own work (migrations, the first queries) has settled.
    await new Promise(resolve => setTimeout(resolve, 3_000))
    return { ms, rssMb: rssOfTree(child.pid!) }
  } finally {
    process.kill(-child.pid!, 'SIGTERM')
    await new Promise(resolve => child.once('exit', resolve))
  }
}

export async function benchStart () {
  const variants: Array<{ what: string, command: string[] }> = [
    { what: 'npm start (build at install)', command: ['npm', 'start', '--silent'] },
    { what: 'before: npm run build && node dist/server.js', command: ['sh', '-c', 'npm run --silent build && exec node dist/server.js'] }
  ]
  const out = []
  for (const v of variants) {
    const dir = mkdtempSync(join(tmpdir(), 'sangathan-start-'))
    try {
      const first = await start(v.command, dir)
      const restarts = []
      for (let i = 0; i < RUNS; i++) restarts.push(await start(v.command, dir))
      const ms = restarts.map(r => r.ms)
      out.push({
        start: v.what,
        'first start (empty folder)': fmt(first.ms),
        'restart p50': fmt(percentile(ms, 50)),
        'restart max': fmt(Math.max(...ms)),
        'idle RSS': `${percentile(restarts.map(r => r.rssMb), 50)} MB`
      })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
  console.log(`${process.env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : 'embedded PGlite'}; ${RUNS} restarts each; ready = /health/ready answers 200`)
  table(out)
}
