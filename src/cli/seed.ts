import { parseArgs } from 'node:util'
import { PRESET_NAMES, PRESETS, presetByName } from '../seed/plan.js'
import { indiaToday } from '../time.js'
import { runCli, UsageError, usageFromParseError } from './run.js'

const USAGE = `Load a synthetic organisation (deterministic: same preset, seed and day give the same data)
into the database: DATABASE_URL, or the PGlite folder in DATA_DIR while the server is stopped.

  npm run seed -- --preset ${PRESET_NAMES.join('|')} [--seed N] [--today YYYY-MM-DD]

  --seed N       which organisation (default 1)
  --today DATE   the day the data is relative to (joined 30 days ago, current terms...);
                 default today in India. Pass it to reproduce a load on another day.

Presets:
${PRESET_NAMES.map(name => `  ${name.padEnd(6)} ${PRESETS[name].description}`).join('\n')}

A new database is the seed's normal target: where there is none yet (a PGlite folder that is
absent or empty, a PostgreSQL database without Sangathan's tables) it makes one and says
where on stderr. It refuses a database that already has one of the preset's states (exit 1),
a folder that holds other files, and bad arguments (exit 2).`

async function main () {
  let parsed
  try {
    parsed = parseArgs({
      options: {
        preset: { type: 'string' },
        seed: { type: 'string', default: '1' },
        today: { type: 'string', default: indiaToday() },
        help: { type: 'boolean', short: 'h', default: false }
      }
    })
  } catch (err) { usageFromParseError(err) }
  const { values } = parsed
  if (values.help) { console.log(USAGE); return 0 }
  const preset = presetByName(values.preset ?? '')
  const seed = Number(values.seed)
  const today = values.today
  if (!preset) throw new UsageError(`${values.preset ? `no preset ${JSON.stringify(values.preset)}` : 'say which data to load'}: --preset ${PRESET_NAMES.join('|')} (see --help)`)
  if (!/^\d+$/.test(values.seed) || !Number.isSafeInteger(seed)) throw new UsageError(`--seed ${values.seed} is not a whole number`)
  if (!/^\d{4}-\d{2}-\d{2}$/.test(today) || Number.isNaN(Date.parse(today))) throw new UsageError(`--today ${today} is not a date: give YYYY-MM-DD`)
  // The own-booth rule treats a term ending after the database's today as current: a
  // future "today" would turn generated history into current terms.
  if (today > indiaToday()) throw new UsageError(`--today ${today} is in the future`)

  // Loaded once the arguments pass: --help and a usage error answer at once.
  const [{ totalBooths }, { SeedRefusal, seedDatabase }, { SeedProgress }, { formatSummary, presidentCoverage, trainingSpread }, { checkCliDatabase, loadCliConfig, openConfiguredDatabase }] = await Promise.all([
    import('../seed/generate.js'), import('../seed/load.js'), import('../seed/progress.js'), import('../seed/summary.js'), import('./database.js')
  ])
  const config = loadCliConfig()
  await checkCliDatabase(config, { name: 'seed', create: true })
  const progress = new SeedProgress(process.stderr, totalBooths(preset))
  let handle
  try {
    handle = await progress.time('open', () => openConfiguredDatabase(config, 'seed'))
  } catch (err) {
    progress.stop()
    throw err
  }
  try {
    if (handle.kind === 'pglite' && preset.name !== 'demo') {
      console.error(`Loading ${preset.name} into the embedded PGlite is slow and memory-hungry; PostgreSQL (DATABASE_URL) is the place for it.`)
    }
    const options = { preset, seed, today }
    let counts
    try {
      counts = await seedDatabase(handle, options, progress)
    } finally {
      progress.stop()
    }
    const codes = preset.states.map(s => s.code)
    const coverage = await presidentCoverage(handle.db, codes)
    const training = await trainingSpread(handle.db, codes)
    console.log(formatSummary(options, handle.kind === 'postgres' ? 'PostgreSQL' : 'PGlite', counts, coverage, training, progress.timings, progress.elapsed()))
    return 0
  } catch (err) {
    if (err instanceof SeedRefusal) { console.error(`seed: ${err.message}`); return 1 }
    throw err
  } finally {
    await handle.close()
  }
}

runCli('seed', main)
