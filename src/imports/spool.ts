import { createReadStream, createWriteStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { byteLimit } from './reader.js'

/**
 * An upload written to disk before its import touches the database. On PGlite, whose one
 * connection every request shares, an import's transaction blocks everyone: it may begin
 * only once the whole file is here, so a slow or stalled upload holds nothing but a file.
 */
export interface Spool {
  open (): Readable
  remove (): Promise<void>
}

export async function spoolUpload (body: Readable, limit: number, dir: string): Promise<Spool> {
  const folder = await mkdtemp(join(dir, 'sangathan-import-'))
  const file = join(folder, 'upload')
  const remove = () => rm(folder, { recursive: true, force: true })
  try {
    // Not the stream itself: a failed pipeline destroys its source, and with the request
    // the socket, so the caller would never see why its file was refused.
    await pipeline(body.iterator({ destroyOnReturn: false }), byteLimit(limit), createWriteStream(file, { mode: 0o600 }))
  } catch (err) {
    await remove()
    throw err
  }
  return { open: () => createReadStream(file), remove }
}
