import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gunzipSync, gzipSync } from 'node:zlib'
import { ROUTINES_FOLDER } from './routines.js'

/**
 * The blank database image: an embedded (PGlite) data folder freshly made and migrated,
 * made once at build time (`npm run build`, and again by `npm start`/`npm test` when a
 * migration or routine changed since) and copied into an empty data folder on its first
 * start, instead of running initdb and every migration there: a first start (server, seed
 * or keys CLI) takes ~1.5 s instead of ~4.5 s. The migrations still run after the copy and
 * find everything done; an image made from other migrations (its key differs) is not used,
 * so a stale image costs time, never correctness. Tests start their in-memory databases
 * from the same image.
 */

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../migrations', import.meta.url))

/** Beside the compiled code, so src/ (tsx) and dist/ find the same file. */
const IMAGE = fileURLToPath(new URL('../../dist/pglite-blank.tar.gz', import.meta.url))
const IMAGE_KEY = `${IMAGE}.key`

/** Hash of the migrations, the routines and the versions of the code that applies them. */
export function schemaKey (): string {
  const hash = createHash('sha256')
  const add = (folder: string, root = folder) => {
    for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(folder, entry.name)
      if (entry.isDirectory()) add(path, root)
      else hash.update(`${relative(root, path)}\0`).update(readFileSync(path)).update('\0')
    }
  }
  add(MIGRATIONS_FOLDER)
  add(ROUTINES_FOLDER)
  const { dependencies } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'))
  hash.update(`${dependencies['@electric-sql/pglite']} ${dependencies['drizzle-orm']}`)
  return hash.digest('hex').slice(0, 16)
}

/** Whether the image on disk was made from the current migrations and routines. */
export function blankImageIsCurrent (): boolean {
  return existsSync(IMAGE) && existsSync(IMAGE_KEY) && readFileSync(IMAGE_KEY, 'utf8').trim() === schemaKey()
}

/** The image as a tarball PGlite loads (`loadDataDir`), or undefined when absent or stale. */
export function blankImage (): Blob | undefined {
  if (!blankImageIsCurrent()) return undefined
  return new Blob([gunzipSync(readFileSync(IMAGE))])
}

/** Writes the image from a dump of a freshly migrated database (dumpPglite). */
export async function writeBlankImage (dump: Blob): Promise<{ path: string, bytes: number }> {
  const gz = gzipSync(new Uint8Array(await dump.arrayBuffer()))
  // Written aside and renamed: a reader sees the whole file or none.
  writeFileSync(`${IMAGE}.partial`, gz)
  renameSync(`${IMAGE}.partial`, IMAGE)
  writeFileSync(IMAGE_KEY, `${schemaKey()}\n`)
  return { path: IMAGE, bytes: gz.length }
}
