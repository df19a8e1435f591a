import { parseArgs } from 'node:util'
import { eq } from 'drizzle-orm'
import { systemActor } from '../access/actor.js'
import { createKey, listKeys, publicKey, revokeKey } from '../access/keys.js'
import { loadConfig } from '../config.js'
import { openDatabase } from '../db/client.js'
import { KEY_ROLES, units, type KeyRole } from '../db/schema.js'
import { DomainError } from '../errors.js'
import { indiaEndOfDay } from '../time.js'
import { runCli } from './run.js'

const USAGE = `Manage API keys directly in the database (DATABASE_URL, or the PGlite folder in DATA_DIR
while the server is stopped).

  npm run keys -- create --role admin|editor|importer|reader --label TEXT [--scope CODE/PATH|UNIT_ID] [--expires YYYY-MM-DD] [--mask]
  npm run keys -- list [--all]
  npm run keys -- revoke KEY_ID`

async function main () {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      role: { type: 'string' },
      label: { type: 'string' },
      scope: { type: 'string' },
      expires: { type: 'string' },
      mask: { type: 'boolean', default: false },
      all: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false }
    }
  })
  const [command, arg] = positionals
  if (values.help || !command) { console.log(USAGE); return 0 }

  const config = loadConfig()
  const handle = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATABASE_URL ? undefined : config.DATA_DIR_PGLITE, purpose: 'keys CLI' })
  const actor = systemActor('cli')
  try {
    if (command === 'create') {
      if (!values.role || !KEY_ROLES.includes(values.role as KeyRole) || !values.label) { console.error(USAGE); return 2 }
      let scopeUnitId: string | null = null
      if (values.scope) {
        const byId = /^[0-9a-f-]{36}$/i.test(values.scope)
        const [unit] = await handle.db.select({ id: units.id }).from(units)
          .where(byId ? eq(units.id, values.scope) : eq(units.codePath, values.scope.toUpperCase()))
        if (!unit) { console.error(`no unit ${values.scope}`); return 1 }
        scopeUnitId = unit.id
      }
      const expiresAt = values.expires ? (values.expires.length === 10 ? indiaEndOfDay(values.expires) : new Date(values.expires)) : null
      const { key, secret } = await createKey(handle.db, actor, {
        role: values.role as KeyRole, label: values.label, scopeUnitId, expiresAt, maskPersonalData: values.mask
      })
      console.log(JSON.stringify({ ...publicKey(key), key: secret }, null, 2))
      console.error('The key is shown once; only its hash is stored.')
    } else if (command === 'list') {
      const rows = await listKeys(handle.db, actor, { includeRevoked: values.all, limit: 10_000 })
      for (const k of rows.map(publicKey)) {
        console.log([k.id, k.role.padEnd(8), (k.scopeCodePath ?? 'global').padEnd(24), k.prefix, k.revokedAt ? 'revoked' : 'active', k.label].join('  '))
      }
    } else if (command === 'revoke') {
      if (!arg) { console.error(USAGE); return 2 }
      const key = await revokeKey(handle.db, actor, arg)
      console.log(`revoked ${key.id} (${key.label})`)
    } else {
      console.error(USAGE)
      return 2
    }
    return 0
  } catch (err) {
    if (err instanceof DomainError) { console.error(`${err.code}: ${err.message}`); return 1 }
    throw err
  } finally {
    await handle.close()
  }
}

runCli('keys', main)
