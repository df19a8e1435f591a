import { WingCode } from '../wings/schemas.js'
import { z } from 'zod'
import { IMPORT_KINDS, IMPORT_STATUSES } from '../db/schema.js'
import { PageQuery, pageOf } from '../http/pagination.js'
import { ProblemSchema } from '../http/problem.js'

const Mode = z.enum(['all_or_nothing', 'partial']).default('all_or_nothing')
  .describe('all_or_nothing (default): one invalid row and nothing is written. partial: valid rows are written, invalid ones reported')
const DryRun = z.stringbool().default(false).describe('Check every row against the database and report, writing nothing but the import record')

export const UnitsImportQuery = z.object({ mode: Mode, dryRun: DryRun })

export const ClustersImportQuery = z.object({ mode: Mode, dryRun: DryRun })

export const SignInSheetImportQuery = z.object({
  mode: Mode,
  dryRun: DryRun,
  createPeople: z.stringbool().default(false).describe('A row whose person is not found but that gives name and home_booth (and a voter ID or phone): create the person at that booth, a new worker, instead of failing the row with person_not_found')
})

export const PresidentsImportQuery = z.object({
  mode: Mode,
  dryRun: DryRun,
  replace: z.stringbool().default(false).describe('A post held by someone else: end their term on the row\'s start date (reason "replaced by import") instead of failing the row'),
  wing: WingCode.optional().describe('The wing of rows with no wing column (default main, the main body), e.g. youth for youth wing booth presidents')
})

const Counts = z.object({
  rows: z.number().int().describe('Data rows read (header and blank lines not counted)'),
  created: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  failed: z.number().int()
}).describe('Each row counts once. For a failed or dry-run import, what the rows would have done')

const ImportErrorSchema = z.object({
  line: z.number().int().nullable().describe('Physical line where the record starts (CSV header is line 1); null when the whole import failed'),
  column: z.string().nullable(),
  code: z.string().describe('Stable reason, e.g. booth_not_found, post_held, invalid_phone'),
  message: z.string().describe('Never contains personal data from the database')
})

const reportFields = {
  id: z.uuid(),
  kind: z.enum(IMPORT_KINDS),
  status: z.enum(IMPORT_STATUSES),
  mode: z.enum(['all_or_nothing', 'partial']),
  dryRun: z.boolean(),
  counts: Counts,
  errors: z.array(ImportErrorSchema).describe('Failed rows in line order, the first 1,000'),
  errorsDropped: z.number().int().describe('Failed rows beyond those listed'),
  createdAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().nullable()
}

export const ImportReportSchema = z.object(reportFields).meta({ id: 'ImportReport' })

// A problem's `status` is the HTTP status, so the report's own status travels as importStatus.
const { status: importStatus, ...withoutStatus } = reportFields
export const ImportFailedProblem = ProblemSchema.extend({ ...withoutStatus, importStatus })
  .describe('import_failed: an all-or-nothing import with invalid rows wrote nothing; the report says which rows and why')
  .meta({ id: 'ImportFailedProblem' })

export const ImportIdParams = z.object({ id: z.uuid() })

export const ListImportsQuery = z.object({
  kind: z.enum(IMPORT_KINDS).optional(),
  status: z.enum(IMPORT_STATUSES).optional(),
  ...PageQuery
})

export const ImportSummarySchema = ImportReportSchema.omit({ errors: true }).meta({ id: 'ImportSummary' })

export const ImportPage = pageOf(ImportSummarySchema).meta({ id: 'ImportPage' })
