import { execFile } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import t from 'tap'
import { rows } from '../src/db/client.js'
import { ADMIN_KEY, buildTestApp } from './helpers/app.js'
import { count, csv, postImport } from './helpers/imports.js'
import { node, plain } from './helpers/built.js'

const { app } = await buildTestApp(t)
const units = await postImport(app, 'units', csv('state,district,block,ward,booth', 'CL,D1,B1,W1,PS1', 'CL,D1,B1,W1,PS2'))
t.equal(units.status, 200)
await app.listen({ port: 0, host: '127.0.0.1' })
const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
const dir = realpathSync(mkdtempSync(join(tmpdir(), 'sangathan-cli-')))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))
// tap runs test files from the package root.
const root = process.cwd()

interface Ran { code: number, stdout: string, stderr: string }

/** The environment a user's shell gives the command: no key, no caller folder, unless a test says so. */
function userEnv (env: Record<string, string>): NodeJS.ProcessEnv {
  const base = { ...process.env }
  delete base.SANGATHAN_API_KEY
  delete base.SANGATHAN_URL
  delete base.INIT_CWD
  return { ...base, ...env }
}

function ran (resolve: (r: Ran) => void) {
  return (err: Error | null, stdout: string, stderr: string) =>
    resolve({ code: err ? (err as { code?: number }).code ?? 1 : 0, stdout, stderr })
}

/** The import command run by node from the package root, as npm does: its exit code and what it printed. */
function importCli (args: string[], env: Record<string, string> = { SANGATHAN_API_KEY: ADMIN_KEY }): Promise<Ran> {
  return new Promise(resolve => {
    execFile(...node('cli/import', ...args, '--url', url), { env: userEnv(env) }, ran(resolve))
  })
}

/** `npm run -s import -- ARGS` typed in the folder `cwd`: npm runs it from the package root. */
function npmImport (cwd: string, args: string[], env: Record<string, string> = {}): Promise<Ran> {
  return new Promise(resolve => {
    execFile(...plain('npm', ['--prefix', root, 'run', '-s', 'import', '--', ...args, '--url', url]), { cwd, env: userEnv(env) }, ran(resolve))
  })
}

const importsMade = async () => (await rows<{ n: number }>(app.db, sql`SELECT count(*)::int AS n FROM imports`))[0].n

t.test('the import command streams the file, prints the summary, writes failed rows beside it and exits non-zero', async (t) => {
  const file = join(dir, 'presidents.csv')
  writeFileSync(file, csv('booth,name,voter_id', 'CL/D1/B1/W1/PS1,Ram Lal,CLV0000001', 'CL/D1/B1/W1/PS9,Nowhere Booth,CLV0000002', 'CL/D1/B1/W1/PS2,"Sita, Devi",CLV0000003'))
  const failed = await importCli([file, '--kind', 'presidents'])
  t.equal(failed.code, 1)
  t.match(failed.stdout, /failed/)
  t.match(failed.stdout, /rows 3 +created 2 +updated 0 +unchanged 0 +failed 1/)
  t.match(failed.stdout, /line 3 \[booth\] booth_not_found/)
  t.equal(await count(app, 'people', sql`voter_id LIKE 'CLV%'`), 0, 'all or nothing by default')
  const errors = readFileSync(`${file}.errors.csv`, 'utf8').trim().split('\n')
  t.equal(errors[0], 'line,column,code,message,booth,name,phone,voter_id,role,start_date,twitter,facebook,instagram,youtube,wing')
  t.match(errors[1], /^3,booth,booth_not_found,No booth has this code path or id\.,CL\/D1\/B1\/W1\/PS9,Nowhere Booth,,CLV0000002,/)
  t.equal(errors.length, 2)

  const partial = await importCli([file, '--kind', 'presidents', '--mode', 'partial'])
  t.equal(partial.code, 1, 'a failed row still means a non-zero exit')
  t.match(partial.stdout, /partial/)
  t.equal(await count(app, 'people', sql`voter_id LIKE 'CLV%'`), 2)

  const good = join(dir, 'good.ndjson')
  writeFileSync(good, JSON.stringify({ booth: 'CL/D1/B1/W1/PS1', name: 'Ram Lal', voter_id: 'CLV0000001' }) + '\n')
  const clean = await importCli([good, '--kind', 'presidents', '--dry-run'])
  t.equal(clean.code, 0)
  t.match(clean.stdout, /dry_run/)
  t.match(clean.stdout, /unchanged 1/)
})

t.test('a refused file: the whole problem reaches the command over a real connection', async (t) => {
  const file = join(dir, 'typo.csv')
  // Big enough that the server refuses it long before the upload ends.
  writeFileSync(file, 'booth,name,mobile\n' + 'CL/D1/B1/W1/PS1,Ram Lal,9876543210\n'.repeat(50_000))
  const refused = await importCli([file, '--kind', 'presidents'])
  t.equal(refused.code, 2)
  t.match(refused.stderr, /400 unknown_column: .*"mobile"/)
})

t.test('a key on the command line is refused, never echoed, and nothing is sent', async (t) => {
  const file = join(dir, 'presidents.csv')
  const before = await importsMade()
  // A working key, and one in the environment too: the refusal is about where it was put.
  for (const args of [['--key', ADMIN_KEY], [`--key=${ADMIN_KEY}`]]) {
    const refused = await importCli([file, '--kind', 'presidents', ...args])
    t.equal(refused.code, 2, args[0])
    t.match(refused.stderr, /^import: a key is not taken on the command line .*SANGATHAN_API_KEY.*--key-file PATH\n$/)
    t.equal(refused.stdout, '')
    t.notOk((refused.stdout + refused.stderr).includes(ADMIN_KEY), 'the key is not printed')
  }
  t.equal(await importsMade(), before, 'nothing reached the server')
})

t.test('the key from --key-file or SANGATHAN_API_KEY; a key file others can read is warned about', async (t) => {
  const good = join(dir, 'one.ndjson')
  writeFileSync(good, JSON.stringify({ booth: 'CL/D1/B1/W1/PS1', name: 'Ram Lal', voter_id: 'CLV0000001' }) + '\n')
  const keyFile = join(dir, 'admin-key.txt')
  // As the server writes data/admin-key.txt: the key, a newline, readable by its owner only.
  writeFileSync(keyFile, ADMIN_KEY + '\n', { mode: 0o600 })
  chmodSync(keyFile, 0o600)

  const fromFile = await importCli([good, '--kind', 'presidents', '--dry-run', '--key-file', keyFile], { SANGATHAN_API_KEY: 'sg_not_the_key_at_all_000000' })
  t.equal(fromFile.code, 0, 'the key file wins over the environment')
  t.match(fromFile.stdout, /unchanged 1/)
  t.notMatch(fromFile.stderr, /warning/)

  chmodSync(keyFile, 0o644)
  const shared = await importCli([good, '--kind', 'presidents', '--dry-run', '--key-file', keyFile], {})
  t.equal(shared.code, 0, 'still works')
  t.match(shared.stderr, /import: warning: .*admin-key\.txt can be read by other users \(mode 644\): chmod 600/)
  t.notOk((shared.stdout + shared.stderr).includes(ADMIN_KEY))

  const fromEnv = await importCli([good, '--kind', 'presidents', '--dry-run'], { SANGATHAN_API_KEY: ADMIN_KEY })
  t.equal(fromEnv.code, 0)

  const none = await importCli([good, '--kind', 'presidents'], {})
  t.equal(none.code, 2)
  t.equal(none.stderr, 'import: no key: set SANGATHAN_API_KEY or pass --key-file PATH (e.g. --key-file data/admin-key.txt)\n')

  writeFileSync(keyFile, 'not a key\n')
  const garbled = await importCli([good, '--kind', 'presidents', '--key-file', keyFile], {})
  t.equal(garbled.code, 2)
  t.match(garbled.stderr, /^import: warning: .*\nimport: the key file .*admin-key\.txt does not hold a key \(.*\)\n$/)
  t.notMatch(garbled.stderr, /not a key/, 'what the file holds is not printed')
})

t.test('through npm from a subfolder: paths are the caller\'s, the errors file lands beside the input', async (t) => {
  const sub = join(dir, 'field', 'week1')
  mkdirSync(sub, { recursive: true })
  writeFileSync(join(sub, 'presidents.csv'), csv('booth,name,voter_id', 'CL/D1/B1/W1/PS1,Ram Lal,CLV0000001', 'CL/D1/B1/W1/PS9,Nowhere Booth,CLV0000009'))
  writeFileSync(join(dir, 'field', 'key.txt'), ADMIN_KEY + '\n', { mode: 0o600 })
  chmodSync(join(dir, 'field', 'key.txt'), 0o600)

  const result = await npmImport(sub, ['presidents.csv', '--kind', 'presidents', '--dry-run', '--key-file', '../key.txt'])
  t.equal(result.code, 1, 'a failed row')
  t.match(result.stdout, /line 3 \[booth\] booth_not_found/)
  t.match(result.stdout, /failed rows and their reasons: presidents\.csv\.errors\.csv\n/)
  t.ok(existsSync(join(sub, 'presidents.csv.errors.csv')), 'beside the input')
  t.notOk(existsSync(join(root, 'presidents.csv.errors.csv')), 'not in the package root')

  const missing = await npmImport(sub, ['../nope.csv', '--kind', 'presidents', '--key-file', '../key.txt'])
  t.equal(missing.code, 2)
  t.equal(missing.stderr, `import: no such file: ../nope.csv (from ${sub})\n`, 'one line, naming the caller\'s folder')
  t.equal(missing.stdout, '')

  const noKeyFile = await npmImport(sub, ['presidents.csv', '--kind', 'presidents', '--key-file', 'key.txt'])
  t.equal(noKeyFile.code, 2)
  t.equal(noKeyFile.stderr, `import: no such key file: key.txt (from ${sub})\n`)
})

t.test('usage errors are one line and exit 2; --help prints the usage and exits 0', async (t) => {
  const file = join(dir, 'presidents.csv')
  // Independent commands that never reach the server: run side by side.
  const cases = [[file, '--kind', 'nonsense'], [file, file, '--kind', 'units'], [file, '--kind', 'units', '--bogus']]
  const [help, ...usages] = await Promise.all([importCli(['--help']), ...cases.map(args => importCli(args))])
  for (const [i, usage] of usages.entries()) {
    t.equal(usage.code, 2, cases[i].join(' '))
    t.match(usage.stderr, /^import: [^\n]+\n$/, 'one line')
    t.notMatch(usage.stderr, /Stream a CSV|\n {4}at /, 'no usage dump, no stack')
  }
  t.equal(help.code, 0)
  t.match(help.stdout, /SANGATHAN_API_KEY/)
  t.notMatch(help.stdout, /--key KEY/)
})
