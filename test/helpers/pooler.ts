import { spawn } from 'node:child_process'
import { execFileSync } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from './wait.js'

interface Teardown { teardown (fn: () => unknown): void }

/** Debian's pgbouncer, if installed (`apt-get install pgbouncer`; .ci/run installs it). */
export const PGBOUNCER = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].find(p => existsSync(p))

export interface Pooler {
  /** The URL of `database` through the pooler (the server's user and password). */
  url (database: string): string
  stop (): Promise<void>
}

/**
 * A throwaway PgBouncer in transaction mode, the stock settings but its own port and
 * folder, in front of the server in `server` (any database name is passed on to it).
 * `poolSize` server connections per database and user. As root it runs as the postgres OS
 * user (it refuses to run as root). Never the machine's own pgbouncer service.
 */
export async function startPooler (t: Teardown, server: string, options: { poolSize: number }): Promise<Pooler> {
  if (!PGBOUNCER) throw new Error('pgbouncer is not installed')
  const target = new URL(server)
  const user = decodeURIComponent(target.username || 'postgres')
  const password = decodeURIComponent(target.password)
  const dir = mkdtempSync(join(tmpdir(), 'sangathan-pgbouncer-'))
  const port = await freePort()
  writeFileSync(join(dir, 'userlist.txt'), `"${user}" "${password}"\n`)
  writeFileSync(join(dir, 'pgbouncer.ini'), `[databases]
* = host=${target.hostname} port=${target.port || 5432}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${port}
unix_socket_dir =
pool_mode = transaction
; the password is needed to log in to the server; the client proves it too, unless there is none
auth_type = ${password ? 'scram-sha-256' : 'trust'}
auth_file = ${join(dir, 'userlist.txt')}
default_pool_size = ${options.poolSize}
max_client_conn = 200
`)
  const root = process.getuid?.() === 0
  if (root) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']))
    const gid = Number(execFileSync('id', ['-g', 'postgres']))
    for (const f of ['', 'userlist.txt', 'pgbouncer.ini']) chownSync(join(dir, f), uid, gid)
  }
  const child = spawn(PGBOUNCER, [...(root ? ['-u', 'postgres'] : []), join(dir, 'pgbouncer.ini')], { stdio: ['ignore', 'ignore', 'pipe'] })
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()))
  let log = ''
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString()
      if (/LOG process up/.test(log)) resolve()
    })
    child.once('exit', (code) => reject(new Error(`pgbouncer exited (${code}): ${log}`)))
  })
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      await exited
    }
    rmSync(dir, { recursive: true, force: true })
  }
  t.teardown(stop)
  return {
    url (database) {
      const url = new URL(server)
      url.hostname = '127.0.0.1'
      url.port = String(port)
      url.pathname = `/${database}`
      return url.toString()
    },
    stop
  }
}
