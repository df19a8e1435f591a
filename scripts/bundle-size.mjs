// The dashboard's first load, gzipped, against its budget: every script and stylesheet
// that web/dist/index.html loads (and the modules they preload), fonts not counted.
// Run after `npm run build:web`; exits 1 over budget. CI runs it (npm run check:bundle).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

export const BUDGET_BYTES = 200 * 1000
const dist = fileURLToPath(new URL('../web/dist/', import.meta.url))
const html = readFileSync(join(dist, 'index.html'), 'utf8')

const files = new Set(['index.html'])
for (const [, url] of html.matchAll(/(?:src|href)="\/([^"]+\.(?:js|css))"/g)) files.add(url)
// Static imports between chunks load at once too.
for (const file of [...files]) {
  if (!file.endsWith('.js')) continue
  const code = readFileSync(join(dist, file), 'utf8')
  for (const [, rel] of code.matchAll(/from\s*"\.\/([^"]+\.js)"/g)) files.add(`assets/${rel}`)
}

let total = 0
for (const file of files) {
  const gz = gzipSync(readFileSync(join(dist, file)), { level: 9 }).length
  total += gz
  console.log(`${String(gz).padStart(8)} B  ${file}`)
}
const verdict = total <= BUDGET_BYTES ? 'within' : 'OVER'
console.log(`first load: ${(total / 1000).toFixed(1)} kB gzipped, ${verdict} the budget of ${BUDGET_BYTES / 1000} kB (fonts not counted)`)
if (total > BUDGET_BYTES) process.exit(1)
