import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import http from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import t from 'tap'
import { databaseEnv, freshDatabaseUrl } from './helpers/app.js'
import { node } from './helpers/built.js'

// The real process: src/server.ts with its own logger, signals and data folder.
const dataDir = mkdtempSync(join(tmpdir(), 'sangathan-server-'))
t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
const databaseUrl = await freshDatabaseUrl(t)

type Line = Record<string, any>
interface Running {
  child: ChildProcess
  port: number
  lines: Line[]
  /** The first log line (already written or still to come) that `matches`. */
  logged (matches: (line: Line) => boolean): Promise<Line>
  exited: Promise<number | null>
}

async function startServer (): Promise<Running> {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'debug' }
  if (databaseUrl) Object.assign(env, databaseEnv(databaseUrl))
  else { delete env.DATABASE_URL; delete env.DATABASE_DIRECT_URL }
  const child = spawn(...node('server'), { env, stdio: ['ignore', 'pipe', 'inherit'] })
  const lines: Line[] = []
  const waiting: Array<{ matches: (line: Line) => boolean, resolve: (line: Line) => void }> = []
  const logged = (matches: (line: Line) => boolean) => new Promise<Line>(resolve => {
    const found = lines.find(matches)
    if (found) resolve(found)
    else waiting.push({ matches, resolve })
  })
  const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)))
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start in 60 s')), 60_000)
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let entry: Line
      try { entry = JSON.parse(line) } catch { return }
      lines.push(entry)
      for (const w of waiting.filter(w => w.matches(entry))) {
        waiting.splice(waiting.indexOf(w), 1)
        w.resolve(entry)
      }
      const m = /listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(String(entry.msg))
      if (m) { clearTimeout(timer); resolve(Number(m[1])) }
    })
    child.on('exit', () => reject(new Error('server exited during start-up')))
  })
  return { child, port, lines, logged, exited }
}

function request (port: number, method: string, path: string, key: string): Promise<{ status: number, json: any }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ port, method, path, headers: { authorization: `Bearer ${key}` } }, (res) => {
      let text = ''
      res.on('data', c => { text += c }).on('end', () => resolve({ status: res.statusCode!, json: text ? JSON.parse(text) : undefined }))
    })
    req.on('error', reject)
    req.end()
  })
}

t.test('SIGTERM lets an in-flight request finish, then exits cleanly; data survives a restart', async (t) => {
  const first = await startServer()
  t.ok(first.lines.some(l => l.msg === 'database ready'), 'logs are JSON when stdout is not a terminal')

  // No key existed and none was given: one was minted into the data folder, owner-only.
  const keyFile = join(dataDir, 'admin-key.txt')
  const announced = first.lines.find(l => l.file === keyFile)
  t.ok(announced, 'the key file\'s path is logged')
  const key = readFileSync(keyFile, 'utf8').trim()
  t.match(key, /^sg_/)
  t.equal(statSync(keyFile).mode & 0o777, 0o600, 'readable by its owner only')
  if (!databaseUrl) {
    // PGlite writes its files 0666: the folder holding them is what keeps others out.
    t.equal(statSync(join(dataDir, 'pglite')).mode & 0o777, 0o700, 'the database folder is its owner\'s only')
  }
  t.notMatch(JSON.stringify(first.lines), key, 'the key itself is never logged')

  // Start a request (its arrival is logged at debug, as this server is started), send the start of its body, then ask the server to stop: once the
  // server has the request, and the rest of the body once it is shutting down.
  const body = JSON.stringify({ level: 'state', code: 'GRACE', name: 'Graceful State' })
  const req = http.request({ port: first.port, method: 'POST', path: '/v1/units', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${key}` } })
  const inFlight = new Promise<{ status: number, json: any }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = ''
      res.on('data', c => { text += c }).on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(text) }))
    })
    req.on('error', reject)
  })
  req.write(body.slice(0, 10))
  await first.logged(l => l.msg === 'incoming request' && l.req?.url === '/v1/units')
  first.child.kill('SIGTERM')
  await first.logged(l => /shutting down/.test(String(l.msg)))
  req.end(body.slice(10))
  const answered = await inFlight
  t.equal(answered.status, 201, 'the in-flight request completed')
  t.equal(await first.exited, 0, 'exit code 0 after a graceful close')
  t.ok(first.lines.some(l => /shutting down/.test(String(l.msg))), 'shutdown is logged')
  t.ok(first.lines.filter(l => l.req).every(l => typeof l.reqId === 'string'), 'request lines carry reqId')
  const completed = first.lines.find(l => l.msg === 'request completed' && l.req?.url === '/v1/units')
  t.match(completed, { level: 30, req: { method: 'POST', url: '/v1/units' }, res: { statusCode: 201 }, responseTime: Number }, 'one line at info when a request completes: what, its status, how long')

  const second = await startServer()
  t.teardown(() => { second.child.kill('SIGTERM') })
  t.notOk(second.lines.some(l => l.file === keyFile), 'a key exists now, so none is minted on restart')
  const again = await request(second.port, 'GET', `/v1/units/${answered.json.id}`, key)
  t.equal(again.status, 200, 'the unit is still there after a restart')
  t.equal(again.json.code, 'GRACE')
  second.child.kill('SIGTERM')
  t.equal(await second.exited, 0)
})
