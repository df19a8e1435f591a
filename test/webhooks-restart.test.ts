import { spawn, type ChildProcess } from 'node:child_process'
import http from 'node:http'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { Webhook } from 'standardwebhooks'
import t from 'tap'
import { ADMIN_KEY, usingPostgres } from './helpers/app.js'
import { node } from './helpers/built.js'
import { databaseEnv, migratedDatabaseUrl } from './helpers/database.js'
import { Receiver, until, WEBHOOK_ENV } from './helpers/webhooks.js'

// The real server, killed with SIGKILL while a delivery is in flight, then started again.
if (!usingPostgres) {
  t.pass('webhooks need PostgreSQL (the refusal on PGlite is tested in test/webhooks.test.ts)')
} else {
  const databaseUrl = (await migratedDatabaseUrl(t))!
  const dataDir = mkdtempSync(join(tmpdir(), 'sangathan-webhooks-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))

  async function startServer (): Promise<{ child: ChildProcess, port: number }> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...WEBHOOK_ENV,
      // A dead process's lease runs out soon; the hung request outlives the kill.
      WEBHOOK_LEASE_MS: '1500',
      WEBHOOK_TIMEOUT_MS: '60000',
      ...databaseEnv(databaseUrl),
      BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info'
    }
    const child = spawn(...node('server'), { env, stdio: ['ignore', 'pipe', 'inherit'] })
    t.teardown(() => { child.kill('SIGKILL') })
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('server did not start in 60 s')), 60_000)
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const m = /listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(line)
        if (m) { clearTimeout(timer); resolve(Number(m[1])) }
      })
      child.on('exit', () => reject(new Error('server exited during start-up')))
    })
    return { child, port }
  }

  function request (port: number, method: string, path: string, body?: unknown): Promise<{ status: number, json: any }> {
    return new Promise((resolve, reject) => {
      const text = body === undefined ? undefined : JSON.stringify(body)
      const req = http.request({ port, method, path, headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(text ? { 'content-type': 'application/json' } : {}) } }, (res) => {
        let out = ''
        res.on('data', c => { out += c }).on('end', () => resolve({ status: res.statusCode!, json: out ? JSON.parse(out) : undefined }))
      })
      req.on('error', reject)
      req.end(text)
    })
  }

  t.test('the server killed mid-delivery and restarted: nothing lost', async (t) => {
    const r = new Receiver()
    await r.open()
    t.teardown(() => r.close())
    // The third delivery never gets an answer: the server dies waiting for it.
    r.answer = (n) => n === 3 ? 'hang' : 200
    const first = await startServer()
    const hook = await request(first.port, 'POST', '/v1/webhooks', { url: r.url, types: ['unit.created'] })
    t.equal(hook.status, 201)
    const created: string[] = []
    const state = await request(first.port, 'POST', '/v1/units', { level: 'state', code: 'KILL', name: 'Killed' })
    created.push(state.json.id)
    for (let i = 1; i <= 5; i++) {
      const unit = await request(first.port, 'POST', '/v1/units', { level: 'district', parentId: state.json.id, code: `D${i}`, name: `District ${i}` })
      t.equal(unit.status, 201)
      created.push(unit.json.id)
    }
    await until('a delivery hanging', () => r.received.length >= 3)
    first.child.kill('SIGKILL')
    await new Promise(resolve => first.child.once('exit', resolve))

    const second = await startServer()
    const later = await request(second.port, 'POST', '/v1/units', { level: 'district', parentId: state.json.id, code: 'D6', name: 'District 6' })
    created.push(later.json.id)
    await until('every change delivered', () => created.every(id => r.changes.some(m => m.status === 200 && m.json.data.entityId === id)), 30_000)
    const firsts = [...new Set(r.changes.map(m => m.json.data.position))]
    t.same(firsts, [...firsts].sort((a, b) => a - b), 'in feed order')
    const hung = r.received[2]
    t.ok(r.received.slice(3).some(m => m.headers['webhook-id'] === hung.headers['webhook-id'] && m.status === 200), 'the change in flight at the kill was delivered again, with its webhook-id')
    t.ok(r.received.every(m => { try { new Webhook(hook.json.secret).verify(m.body, m.headers); return true } catch { return false } }), 'all signed')

    // A graceful stop does not wait for a receiver that never answers (60 s here): it abandons it.
    r.answer = () => 'hang'
    const before = r.received.length
    await request(second.port, 'POST', '/v1/units', { level: 'district', parentId: state.json.id, code: 'D7', name: 'District 7' })
    await until('a delivery hanging', () => r.received.length > before)
    const stopping = Date.now()
    second.child.kill('SIGTERM')
    const code = await new Promise(resolve => second.child.once('exit', resolve))
    t.equal(code, 0, 'a clean exit')
    t.ok(Date.now() - stopping < 10_000, `stopped in ${Date.now() - stopping} ms with a delivery in flight`)
  })
}
