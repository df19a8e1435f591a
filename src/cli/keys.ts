import { parseArgs } from 'node:util'
import type { KeyRole } from '../db/schema.js'
import { indiaEndOfDay } from '../time.js'
import { runCli, UsageError, usageFromParseError } from './run.js'

const USAGE = `Manage API keys directly in the database (DATABASE_URL, or the PGlite folder in DATA_DIR
while the server is stopped).

  npm run keys -- create --role admin|editor|importer|reader --label TEXT [--scope CODE/PATH|UNIT_ID] [--expires YYYY-MM-DD] [--mask]
  npm run keys -- list [--all]
  npm run keys -- revoke KEY_ID

  --create   make a new database if there is none yet (without it, a mistyped DATA_DIR
             or DATABASE_URL is refused instead of becoming an empty database)

Exit code: 0 done, 1 refused or failed (e.g. no such unit or key), 2 usage errors.`

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

async function main () {
  let parsed
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        role: { type: 'string' },
        label: { type: 'string' },
        scope: { type: 'string' },
        expires: { type: 'string' },
        mask: { type: 'boolean', default: false },
        all: { type: 'boolean', default: false },
        create: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false }
      }
    })
  } catch (err) { usageFromParseError(err) }
  const { positionals, values } = parsed
  if (values.help) { console.log(USAGE); return 0 }
  const [command, ...args] = positionals

  // Every argument is checked before the database is opened: a usage error changes nothing.
  // The rest is loaded once they pass (the roles come with the schema): --help answers at once.
  if (command === 'revoke' && (args.length !== 1 || !UUID.test(args[0]))) throw new UsageError('revoke needs one key id (from keys list)')
  if (command !== 'create' && command !== 'list' && command !== 'revoke') {
    throw new UsageError(command ? `unknown command ${JSON.stringify(command)}: create, list or revoke (see --help)` : 'say what to do: create, list or revoke (see --help)')
  }
  if (command !== 'revoke' && args.length > 0) throw new UsageError(`${command} takes no further arguments (see --help)`)
  const [{ eq }, { systemActor }, { createKey, listKeys, publicKey, revokeKey }, { KEY_ROLES, units }, { DomainError }, { checkCliDatabase, loadCliConfig, openConfiguredDatabase }] = await Promise.all([
    import('drizzle-orm'), import('../access/actor.js'), import('../access/keys.js'), import('../db/schema.js'), import('../errors.js'), import('./database.js')
  ])
  let expiresAt: Date | null = null
  if (command === 'create') {
    if (!values.role || !KEY_ROLES.includes(values.role as KeyRole)) throw new UsageError(`create needs --role ${KEY_ROLES.join('|')} (see --help)`)
    if (!values.label) throw new UsageError('create needs --label TEXT, saying who or what the key is for')
    if (values.expires) {
      expiresAt = /^\d{4}-\d{2}-\d{2}$/.test(values.expires) ? indiaEndOfDay(values.expires) : new Date(values.expires)
      if (Number.isNaN(expiresAt.getTime())) throw new UsageError(`--expires ${values.expires} is not a date: give YYYY-MM-DD`)
    }
  }

  const config = loadCliConfig()
  await checkCliDatabase(config, { name: 'keys', create: values.create })
  const handle = await openConfiguredDatabase(config, 'keys CLI')
  const actor = systemActor('cli')
  try {
    if (command === 'create') {
      let scopeUnitId: string | null = null
      if (values.scope) {
        const [unit] = await handle.db.select({ id: units.id }).from(units)
          .where(UUID.test(values.scope) ? eq(units.id, values.scope) : eq(units.codePath, values.scope.toUpperCase()))
        if (!unit) { console.error(`keys: no unit ${values.scope}`); return 1 }
        scopeUnitId = unit.id
      }
      const { key, secret } = await createKey(handle.db, actor, {
        role: values.role as KeyRole, label: values.label!, scopeUnitId, expiresAt, maskPersonalData: values.mask
      })
      console.log(JSON.stringify({ ...publicKey(key), key: secret }, null, 2))
      console.error('The key is shown once; only its hash is stored.')
    } else if (command === 'list') {
      const rows = await listKeys(handle.db, actor, { includeRevoked: values.all, limit: 10_000 })
      for (const k of rows.map(publicKey)) {
        console.log([k.id, k.role.padEnd(8), (k.scopeCodePath ?? 'global').padEnd(24), k.prefix, k.revokedAt ? 'revoked' : 'active', k.label].join('  '))
      }
    } else {
      const key = await revokeKey(handle.db, actor, args[0])
      console.log(`revoked ${key.id} (${key.label})`)
    }
    return 0
  } catch (err) {
    if (err instanceof DomainError) { console.error(`keys: ${err.code}: ${err.message}`); return 1 }
    throw err
  } finally {
    await handle.close()
  }
}

runCli('keys', main)
