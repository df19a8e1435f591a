import { benchAuth } from './auth.js'
import { benchCoverage } from './coverage.js'
import { benchCsv } from './csv.js'
import { benchFeed } from './feed.js'
import { benchImports } from './imports.js'
import { benchNational } from './national.js'
import { benchReads } from './reads.js'
import { benchStart } from './start.js'
import { benchTraining } from './training.js'
import { benchWrites } from './writes.js'

// npm run bench -- <name>; each benchmark prints a table of medians and tails.
const benches: Record<string, () => Promise<void>> = {
  auth: benchAuth,
  coverage: benchCoverage,
  csv: benchCsv,
  feed: benchFeed,
  imports: benchImports,
  national: benchNational,
  reads: benchReads,
  start: benchStart,
  training: benchTraining,
  writes: benchWrites
}

const name = process.argv[2] ?? 'auth'
const bench = benches[name]
if (!bench) {
  console.error(`usage: npm run bench -- <${Object.keys(benches).join('|')}>`)
  process.exit(2)
}
console.log(`bench ${name} on ${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'} (${new Date().toISOString()})`)
await bench()
