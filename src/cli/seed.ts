import { parseArgs } from 'node:util'
import { loadConfig } from '../config.js'
import { openDatabase } from '../db/client.js'
import { totalBooths } from '../seed/generate.js'
import { SeedRefusal, seedDatabase } from '../seed/load.js'
import { PRESET_NAMES, PRESETS, presetByName } from '../seed/plan.js'
import { SeedProgress } from '../seed/progress.js'
import { formatSummary, presidentCoverage } from '../seed/summary.js'
import { indiaToday } from '../time.js'
import { runCli } from './run.js'

const USAGE = `Load a synthetic organisation (deterministic: same preset, seed and day give the same data)
into the database: DATABASE_URL, or the PGlite folder in DATA_DIR while the server is stopped.

  npm run seed -- --preset ${PRESET_NAMES.join('|')} [--seed N] [--today YYYY-MM-DD]

  --seed N       which organisation (default 1)
  --today DATE   the day the data is relative to (joined 30 days ago, current terms...);
                 default today in India. Pass it to reproduce a load on another day.

Presets:
${PRESET_NAMES.map(name => `  ${name.padEnd(6)} ${PRESETS[name].description}`).join('\n')}

The seed refuses a database that already has one of the preset's states.`

async function main () {
  const { values } = parseArgs({
    options: {
      preset: { type: 'string' },
      seed: { type: 'string', default: '1' },
      today: { type: 'string', default: indiaToday() },
      help: { type: 'boolean', short: 'h', default: false }
    }
  })
  if (values.help) { console.log(USAGE); return 0 }
  const preset = presetByName(values.preset ?? '')
  const seed = Number(values.seed)
  const today = values.today
  if (!preset || !Number.isSafeInteger(seed) || seed < 0 || !/^\d{4}-\d{2}-\d{2}$/.test(today) || Number.isNaN(Date.parse(today))) {
    console.error(USAGE)
    return 2
  }
  // The own-booth rule treats a term ending after the database's today as current: a
  // future "today" would turn generated history into current terms.
  if (today > indiaToday()) { console.error(`--today ${today} is in the future`); return 2 }

  const config = loadConfig()
  const progress = new SeedProgress(process.stderr, totalBooths(preset))
  const handle = await progress.time('open', () =>
    openDatabase({ url: config.DATABASE_URL, dataDir: config.DATABASE_URL ? undefined : config.DATA_DIR_PGLITE, purpose: 'seed' }))
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
    const coverage = await presidentCoverage(handle.db, preset.states.map(s => s.code))
    console.log(formatSummary(options, handle.kind === 'postgres' ? 'PostgreSQL' : 'PGlite', counts, coverage, progress.timings, progress.elapsed()))
    return 0
  } catch (err) {
    if (err instanceof SeedRefusal) { console.error(err.message); return 1 }
    throw err
  } finally {
    await handle.close()
  }
}

runCli('seed', main)
