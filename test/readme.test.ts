import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { node, plain } from './helpers/built.js'
import { freePort } from './helpers/wait.js'

/**
 * The README runs as written. Its ```sh blocks are extracted in order and run as ONE bash
 * script (set -euo pipefail, no aliases, every variable defined) from the repository
 * folder, against a fresh server on an empty PGlite folder, the way a newcomer pastes them.
 * A command whose line ends with `#=> text` must print exactly that text (whitespace
 * folded). A block preceded by `<!-- readme: … -->` is handled as that comment says:
 *   skip (why)     not run (Docker, the up seed, benchmarks, a second terminal)
 *   before start   run before the server starts (the demo seed loads a stopped database)
 *   server         the command that starts the server: the test starts its own instead
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const README = readFileSync(join(ROOT, 'README.md'), 'utf8')

interface Block { mode: 'run' | 'skip' | 'before start' | 'server', code: string, line: number, file?: string }

export function blocksOf (markdown: string): Block[] {
  const lines = markdown.split('\n')
  const blocks: Block[] = []
  let mode: Block['mode'] = 'run'
  let file: string | undefined
  for (let i = 0; i < lines.length; i++) {
    const marker = /^<!--\s*readme:\s*(skip|before start|server|file)\b\s*([^ ]*)/.exec(lines[i])
    if (marker) { mode = marker[1] === 'file' ? 'skip' : marker[1] as Block['mode']; file = marker[1] === 'file' ? marker[2] : undefined; continue }
    if (/^```(sh|bash|csv)\s*$/.test(lines[i])) {
      const fence = lines[i].slice(3).trim()
      const start = i + 1
      let end = start
      while (end < lines.length && !/^```\s*$/.test(lines[end])) end++
      if (fence !== 'csv') blocks.push({ mode, code: lines.slice(start, end).join('\n'), line: start + 1 })
      else if (file) blocks.push({ mode: 'skip', code: lines.slice(start, end).join('\n'), line: start + 1, file })
      // A marker applies to the block right after it only.
      mode = 'run'
      file = undefined
      i = end
    }
  }
  return blocks
}

/**
 * One bash script from the blocks: continuation lines joined, and every command with an
 * expectation wrapped so that its output is compared (a mismatch fails the script at once,
 * naming the README line).
 */
export function scriptOf (blocks: Block[]): string {
  const out: string[] = []
  for (const block of blocks) {
    out.push(`# README.md line ${block.line}`)
    const raw = block.code.split('\n')
    for (let i = 0; i < raw.length; i++) {
      let line = raw[i]
      const at = block.line + i
      while (/\\\s*$/.test(line) && i + 1 < raw.length) line = line.replace(/\\\s*$/, ' ') + raw[++i].trim()
      // An expectation too long for the command's line follows it on a line of its own.
      if (i + 1 < raw.length && /^\s*#=>/.test(raw[i + 1]) && !/\s#=>/.test(line)) line = `${line} ${raw[++i].trim()}`
      const expect = /^(.*?)\s+#=>\s?(.*)$/.exec(line)
      if (!expect) { out.push(line); continue }
      const [, command, wanted] = expect
      // On lines of their own, so that a comment at the end of the command ends there.
      out.push('__got=$(', command, ')')
      out.push(`__want=${JSON.stringify(wanted.trim())}`)
      out.push(`if [[ "$(echo $__got)" != "$__want" ]]; then printf 'README.md line %s: expected [%s], got [%s]\\n' ${at} "$__want" "$(echo $__got)" >&2; exit 3; fi`)
    }
  }
  return out.join('\n') + '\n'
}

async function until (what: string, probe: () => Promise<boolean>, ms = 60_000) {
  const deadline = Date.now() + ms
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

const blocks = blocksOf(README)

t.test('the README has runnable blocks and marks the others', async (t) => {
  t.ok(blocks.filter(b => b.mode === 'run').length >= 5, 'runnable blocks')
  t.ok(blocks.some(b => b.mode === 'server'), 'the block that starts the server is marked')
  for (const b of blocks.filter(b => b.mode !== 'skip')) {
    t.notMatch(b.code, /^\s*alias\s/m, `README.md line ${b.line}: no aliases (a script does not expand them)`)
  }
  for (const b of blocks.filter(b => b.file)) {
    t.equal(b.code + '\n', readFileSync(join(ROOT, b.file!), 'utf8'), `README.md line ${b.line} shows ${b.file} as it is`)
  }
})

t.test('the README, pasted as a script, works end to end', async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'sangathan-readme-'))
  t.teardown(() => rmSync(work, { recursive: true, force: true }))
  const port = await freePort()
  const env = {
    ...process.env,
    // Where the README's commands find the service and its key: the defaults the README
    // names (localhost:3000, ./data) are the newcomer's; the test's are its own.
    SANGATHAN_URL: `http://127.0.0.1:${port}`,
    DATA_DIR: join(work, 'data'),
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    DATABASE_URL: ''
  } as NodeJS.ProcessEnv
  delete env.DATABASE_URL
  delete env.DATABASE_DIRECT_URL

  const run = (name: string, which: Block['mode']) => {
    const file = join(work, `${name}.sh`)
    writeFileSync(file, 'set -euo pipefail\n' + scriptOf(blocks.filter(b => b.mode === which)))
    return spawnSync(...plain('bash', [file]), { cwd: ROOT, env, encoding: 'utf8', timeout: 180_000 })
  }

  const before = run('before-start', 'before start')
  t.equal(before.status, 0, `before-start blocks: ${before.stderr.slice(-2000)}`)

  const server: ChildProcess = spawn(...node('server'), { cwd: ROOT, env, stdio: 'ignore' })
  t.teardown(() => { server.kill('SIGTERM') })
  await until('the server', async () => (await fetch(`http://127.0.0.1:${port}/health/ready`).then(r => r.ok, () => false)))

  const walkthrough = run('walkthrough', 'run')
  t.equal(walkthrough.status, 0, `the walkthrough ran to the end:\n${walkthrough.stderr.slice(-3000)}\n${walkthrough.stdout.slice(-1500)}`)
})
