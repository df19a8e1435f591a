import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import t from 'tap'
import { ADMIN_KEY, buildTestApp } from './helpers/app.js'
import { count, csv, postImport } from './helpers/imports.js'

const { app } = await buildTestApp(t)
const units = await postImport(app, 'units', csv('state,district,block,ward,booth', 'CL,D1,B1,W1,PS1', 'CL,D1,B1,W1,PS2'))
t.equal(units.status, 200)
await app.listen({ port: 0, host: '127.0.0.1' })
const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
const dir = mkdtempSync(join(tmpdir(), 'sangathan-cli-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))

/** npm run import -- FILE ...: its exit code and what it printed. */
function runCli (...args: string[]): Promise<{ code: number, stdout: string, stderr: string }> {
  return new Promise(resolve => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/import.ts', ...args, '--url', url, '--key', ADMIN_KEY], (err, stdout, stderr) => {
      resolve({ code: err ? (err as { code?: number }).code ?? 1 : 0, stdout, stderr })
    })
  })
}

t.test('the import command streams the file, prints the summary, writes failed rows beside it and exits non-zero', async (t) => {
  const file = join(dir, 'presidents.csv')
  writeFileSync(file, csv('booth,name,voter_id', 'CL/D1/B1/W1/PS1,Ram Lal,CLV0000001', 'CL/D1/B1/W1/PS9,Nowhere Booth,CLV0000002', 'CL/D1/B1/W1/PS2,"Sita, Devi",CLV0000003'))
  const failed = await runCli(file, '--kind', 'presidents')
  t.equal(failed.code, 1)
  t.match(failed.stdout, /failed/)
  t.match(failed.stdout, /rows 3 +created 2 +updated 0 +unchanged 0 +failed 1/)
  t.match(failed.stdout, /line 3 \[booth\] booth_not_found/)
  t.equal(await count(app, 'people', sql`voter_id LIKE 'CLV%'`), 0, 'all or nothing by default')
  const errors = readFileSync(`${file}.errors.csv`, 'utf8').trim().split('\n')
  t.equal(errors[0], 'line,column,code,message,booth,name,phone,voter_id,role,start_date,twitter,facebook,instagram,youtube')
  t.match(errors[1], /^3,booth,booth_not_found,No booth has this code path or id\.,CL\/D1\/B1\/W1\/PS9,Nowhere Booth,,CLV0000002,/)
  t.equal(errors.length, 2)

  const partial = await runCli(file, '--kind', 'presidents', '--mode', 'partial')
  t.equal(partial.code, 1, 'a failed row still means a non-zero exit')
  t.match(partial.stdout, /partial/)
  t.equal(await count(app, 'people', sql`voter_id LIKE 'CLV%'`), 2)

  const good = join(dir, 'good.ndjson')
  writeFileSync(good, JSON.stringify({ booth: 'CL/D1/B1/W1/PS1', name: 'Ram Lal', voter_id: 'CLV0000001' }) + '\n')
  const clean = await runCli(good, '--kind', 'presidents', '--dry-run')
  t.equal(clean.code, 0)
  t.match(clean.stdout, /dry_run/)
  t.match(clean.stdout, /unchanged 1/)

  const usage = await runCli(file, '--kind', 'nonsense')
  t.equal(usage.code, 2)
})

t.test('a refused file: the whole problem reaches the command over a real connection', async (t) => {
  const file = join(dir, 'typo.csv')
  // Big enough that the server refuses it long before the upload ends.
  writeFileSync(file, 'booth,name,mobile\n' + 'CL/D1/B1/W1/PS1,Ram Lal,9876543210\n'.repeat(50_000))
  const refused = await runCli(file, '--kind', 'presidents')
  t.equal(refused.code, 2)
  t.match(refused.stderr, /400 unknown_column: .*"mobile"/)
})
