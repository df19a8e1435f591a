// Runs before `npm start`: the service starts from dist/ and serves the dashboard from
// web/dist, both built at install (npm ci runs `prepare`). Only when a source is newer than
// its build (a checkout, an edit) does it compile that one first, and it says so. Plain
// JavaScript, so that no compiler loads otherwise.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const built = join(root, 'dist', 'server.js')

/** The newest file among these folders (files ending in one of `endings`) and files, with its time. */
function newestSource (folders, endings, files) {
  let newest = { file: '', ms: 0 }
  const visit = (dir) => {
    // A folder an installation left out (an image without web/src) has nothing newer.
    if (!existsSync(dir)) return
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) visit(path)
      else if (endings.some(e => entry.name.endsWith(e))) consider(path)
    }
  }
  const consider = (path) => {
    if (!existsSync(path)) return
    const ms = statSync(path).mtimeMs
    if (ms > newest.ms) newest = { file: path.slice(root.length), ms }
  }
  for (const folder of folders) visit(join(root, folder))
  for (const file of files) consider(join(root, file))
  return newest
}

const builtTime = (file) => { try { return statSync(file).mtimeMs } catch { return 0 } }

/** Runs a package's command line with this Node; false when it fails. */
function run (pkg, bin, args) {
  const dir = dirname(createRequire(import.meta.url).resolve(`${pkg}/package.json`))
  return spawnSync(process.execPath, [join(dir, bin), ...args], { stdio: 'inherit', cwd: root }).status === 0
}

// The dashboard: web/src, its page and config, and the client types it is typed by.
const page = join(root, 'web', 'dist', 'index.html')
const pageAt = builtTime(page)
const webSource = newestSource(['web/src', 'clients/typescript'], ['.ts', '.tsx', '.css'], ['web/index.html', 'web/vite.config.ts', 'package-lock.json'])
if (pageAt < webSource.ms) {
  console.error(pageAt === 0
    ? 'No dashboard build yet (web/dist/index.html is missing): building with `npm run build:web` first...'
    : `${webSource.file} is newer than the dashboard build: rebuilding with \`npm run build:web\` first...`)
  if (!run('vite', 'bin/vite.js', ['build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'])) {
    console.error('The dashboard build failed: fix the errors above, or run `npm ci` to restore a clean install.')
    process.exit(1)
  }
}

const builtAt = builtTime(built)
const source = newestSource(['src'], ['.ts'], ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json'])
if (builtAt < source.ms) {
  console.error(builtAt === 0
    ? 'No build yet (dist/server.js is missing): building with `npm run build` first...'
    : `${source.file} is newer than the build: rebuilding with \`npm run build\` first...`)
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
  const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' })
  if (result.status !== 0) {
    console.error('The build failed: fix the errors above, or run `npm ci` to restore a clean install.')
    process.exit(result.status ?? 1)
  }
}

// The blank database image (src/db/blank-image.ts): made again when a migration or a
// routine changed. Only its key is read when it is current (no database is opened).
const { blankImageIsCurrent } = await import('../dist/db/blank-image.js')
if (!blankImageIsCurrent()) {
  console.error('The migrations or routines changed since the blank database image was made: making it again...')
  if (spawnSync(process.execPath, [join(root, 'scripts', 'blank-image.mjs')], { stdio: 'inherit' }).status !== 0) {
    console.error('Making the blank database image failed: see the errors above.')
    process.exit(1)
  }
}
