// tap runs this once after the test files (package.json "tap".after): the template
// database is this run's, so it goes. The PGlite snapshot stays in the temp folder for
// the next run: it is named by what it holds.
import { dropTemplate, usingPostgres } from './helpers/database.js'

if (usingPostgres) await dropTemplate()
