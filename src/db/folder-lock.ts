import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * PGlite has one connection and no lock on its folder: two processes opening it would
 * corrupt it. A pid file claims the folder; a claim whose process has died is stale.
 */
export function claimFolder (dataDir: string, purpose: string): () => void {
  const file = join(dataDir, 'sangathan.lock')
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, JSON.stringify({ pid: process.pid, purpose, since: new Date().toISOString() }), { flag: 'wx' })
      return () => { rmSync(file, { force: true }) }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      let holder: { pid: number, purpose: string } | undefined
      try { holder = JSON.parse(readFileSync(file, 'utf8')) } catch { holder = undefined }
      if (holder && holder.pid !== process.pid && isAlive(holder.pid)) {
        throw new Error(`the embedded database in ${dataDir} is in use by process ${holder.pid} (${holder.purpose}). ` +
          'Stop it first, or do this through the HTTP API.')
      }
      rmSync(file, { force: true })
    }
  }
  throw new Error(`could not claim ${dataDir}`)
}

function isAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
