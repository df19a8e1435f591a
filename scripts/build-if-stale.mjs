// Runs before `npm start`: the service starts from dist/, built at install (npm ci runs
// `prepare`). Only when a source is newer than the build (a checkout, an edit) does it
// compile first, and it says so. Plain JavaScript, so that no compiler loads otherwise.
import { spawnSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const built = join(root, 'dist', 'server.js')

/** The newest source file (TypeScript under src/, and the files that shape the build), with its time. */
function newestSource () {
  let newest = { file: '', ms: 0 }
  const visit = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) visit(path)
      else if (entry.name.endsWith('.ts')) consider(path)
    }
  }
  const consider = (path) => {
    const ms = statSync(path).mtimeMs
    if (ms > newest.ms) newest = { file: path.slice(root.length), ms }
  }
  visit(join(root, 'src'))
  for (const file of ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json']) consider(join(root, file))
  return newest
}

let builtAt = 0
try { builtAt = statSync(built).mtimeMs } catch { /* never built */ }
const source = newestSource()
if (builtAt >= source.ms) process.exit(0)

console.error(builtAt === 0
  ? 'No build yet (dist/server.js is missing): building with `npm run build` first...'
  : `${source.file} is newer than the build: rebuilding with \`npm run build\` first...`)
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' })
if (result.status !== 0) {
  console.error('The build failed: fix the errors above, or run `npm ci` to restore a clean install.')
  process.exit(result.status ?? 1)
}
