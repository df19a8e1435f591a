import { sql } from 'drizzle-orm'
import { UNIT_LEVELS } from '../db/schema.js'
import { rows, type Database } from '../db/client.js'
import { optionalCode, optionalInteger, optionalText, refuse } from './fields.js'
import { auditUnits, codePathInScope, type ImportContext, type ImportKind } from './kind.js'

/**
 * The tree, one row per unit down to the deepest code given: state, district, block,
 * ward, booth. Missing ancestors are created; existing units are matched by code path
 * and get the names and booth fields the file gives. A row is created when its deepest
 * unit is new, updated when it changed a unit it names, unchanged otherwise.
 */

const PS_NUMBER = /^[0-9]{1,4}[A-Z]{0,2}$/

/** New units of one level past which the next level's inserts are planned on fresh statistics. */
const ANALYZE_AFTER_UNITS = 1000

export const units: ImportKind = {
  columns: [
    'state', 'state_name', 'district', 'district_name', 'block', 'block_name',
    'ward', 'ward_name', 'booth', 'booth_name', 'ac_number', 'ac_name', 'ps_number'
  ],
  required: ['state'],
  stagedColumns: [
    ...UNIT_LEVELS.flatMap(level => [[level, 'text COLLATE "C"'], [`${level}_name`, 'text']] as const),
    ['ac_number', 'integer'],
    ['ac_name', 'text'],
    ['ps_number', 'text'],
    ['depth', 'integer']
  ],
  resolvedColumns: [],

  stage (v) {
    const cells: Array<string | number | null> = []
    let depth = 0
    for (const [i, level] of UNIT_LEVELS.entries()) {
      const code = optionalCode(v[level], level)
      const name = optionalText(v[`${level}_name`], `${level}_name`)
      if (code !== null) {
        if (depth !== i) refuse('missing_parent_code', UNIT_LEVELS[depth], `${level} is given but ${UNIT_LEVELS[depth]} is not: give every level from the state down.`)
        depth = i + 1
      } else if (name !== null) {
        refuse('name_without_code', level, `${level}_name is given without ${level}.`)
      }
      cells.push(code, name)
    }
    if (depth === 0) refuse('missing_value', 'state', 'state is required.')
    const acNumber = optionalInteger(v.ac_number, 'ac_number', 1, 9999)
    const acName = optionalText(v.ac_name, 'ac_name')
    const psNumber = optionalText(v.ps_number, 'ps_number', 10)?.toUpperCase() ?? null
    if (psNumber !== null && !PS_NUMBER.test(psNumber)) refuse('invalid_ps_number', 'ps_number', 'ps_number must be digits with an optional letter suffix, e.g. 145 or 145A.')
    if (depth < 5 && (acNumber !== null || acName !== null || psNumber !== null)) {
      refuse('booth_fields_without_booth', 'booth', 'ac_number, ac_name and ps_number belong to booths: give the booth code too.')
    }
    return [...cells, acNumber, acName, psNumber, depth]
  },

  messages: {
    duplicate_unit: { column: null, message: 'An earlier row already describes this unit.' },
    conflicting_name: { column: null, message: 'An earlier row gives this unit a different name.' },
    outside_scope: { column: null, message: 'This unit is outside the subtree your key may change.' },
    assembly_name_mismatch: { column: 'ac_name', message: 'The state\'s assembly constituency with this number has another name (GET /v1/assemblies), or an earlier row gave it another.' }
  },

  async resolve (tx, context) {
    // Moves, re-codes and other tree imports wait until this one commits, so the code
    // paths read here stay true until the units are written.
    await tx.execute(sql`LOCK TABLE units IN SHARE ROW EXCLUSIVE MODE`)
    await listUnitsNamed(tx, context)
    await refuseContradictions(tx)
    await refuseAssemblyNames(tx)
    await tx.execute(sql`
      UPDATE import_rows s
         SET outcome = CASE WHEN c.creates THEN 'created' WHEN c.changes THEN 'updated' ELSE 'unchanged' END
        FROM (SELECT line, bool_or(deepest AND unit_id IS NULL) AS creates, bool_or(changes) AS changes
                FROM import_units GROUP BY line) c
       WHERE s.line = c.line AND s.error_code IS NULL`)
  },

  async apply (tx, context) {
    const { importId } = context
    const audited = auditUnits(context)
    const created = await rows<{ depth: number, n: number }>(tx, sql`
      SELECT depth, count(DISTINCT code_path)::int AS n FROM import_units WHERE unit_id IS NULL GROUP BY depth`)
    // Level by level, so each unit finds the parent created by the statement before.
    for (let depth = 1; depth <= UNIT_LEVELS.length; depth++) {
      // Each new unit's parent is checked by its foreign key (units_parent_fkey, on (id,
      // level)), whose query a connection plans once: planned while units held few rows,
      // it read the parent's whole level through (level, code_path) for every row instead
      // of probing (id, level), and a million booths under 10,000 new wards ran for many
      // minutes. After a large level, fresh statistics make it plan again: of the key's
      // columns only (code_path's 2,000-bucket histogram samples 6 lakh rows, ~2.5 s a time on india).
      if ((created.find(c => c.depth === depth - 1)?.n ?? 0) >= ANALYZE_AFTER_UNITS) await tx.execute(sql`ANALYZE units (id, level)`)
      await tx.execute(sql`
        WITH created AS (
          INSERT INTO units (level, parent_id, code, name, ac_number, ac_name, ps_number, import_id, path, code_path)
          SELECT e.level, p.id, e.code, coalesce(e.name, e.code), e.ac_number, e.ac_name, e.ps_number, ${importId}, '0', ''
            FROM (${valid(sql`e.depth = ${depth} AND e.unit_id IS NULL`)}) e
            LEFT JOIN units p ON p.code_path = e.parent_code_path
          RETURNING id, path
        )
        ${audited(sql`SELECT 'create', id, path FROM created`)}`)
    }
    await tx.execute(sql`
      WITH changed AS (
        UPDATE units u
           SET name = coalesce(c.name, u.name),
               ac_number = coalesce(c.ac_number, u.ac_number),
               ac_name = coalesce(c.ac_name, u.ac_name),
               ps_number = coalesce(c.ps_number, u.ps_number),
               import_id = ${importId}
          FROM (${valid(sql`e.changes`)}) c
         WHERE u.id = c.unit_id
        RETURNING u.id, u.path
      )
      ${audited(sql`SELECT 'update', id, path FROM changed`)}`)
  }
}

/** One entry per unit from the rows that passed, preferring the first row that names it. */
function valid (where: ReturnType<typeof sql>) {
  return sql`SELECT DISTINCT ON (e.code_path) e.*
    FROM import_units e JOIN import_rows s ON s.line = e.line AND s.error_code IS NULL
   WHERE ${where}
   ORDER BY e.code_path, e.name IS NULL, e.line`
}

/**
 * import_units: every unit each valid row names (its deepest unit and the ancestors
 * above it), matched to the existing unit with that code path.
 */
async function listUnitsNamed (tx: Database, { actor }: ImportContext) {
  const levels = UNIT_LEVELS.map((level, i) => {
    const path = UNIT_LEVELS.slice(0, i + 1).map(l => sql.raw(`s.${l}`))
    const parent = i === 0 ? sql`NULL::text COLLATE "C"` : sql.join(path.slice(0, -1), sql` || '/' || `)
    return sql`(${sql.raw(`${i + 1}, '${level}'::unit_level, s.${level}`)}, ${sql.join(path, sql` || '/' || `)}, ${parent}, ${sql.raw(`s.${level}_name`)})`
  })
  await tx.execute(sql`
    CREATE TEMP TABLE import_units ON COMMIT DROP AS
    SELECT s.line, e.depth, e.level, e.code, e.code_path, e.parent_code_path, e.name,
           e.depth = s.depth AS deepest,
           CASE WHEN e.depth = 5 THEN s.ac_number END AS ac_number,
           CASE WHEN e.depth = 5 THEN s.ac_name END AS ac_name,
           CASE WHEN e.depth = 5 THEN s.ps_number END AS ps_number,
           u.id AS unit_id,
           ${codePathInScope(actor, sql`e.code_path`)} AS in_scope,
           u.id IS NOT NULL AND (
             (e.name IS NOT NULL AND e.name <> u.name)
             OR (e.depth = 5 AND (
               (s.ac_number IS NOT NULL AND s.ac_number IS DISTINCT FROM u.ac_number)
               OR (s.ac_name IS NOT NULL AND s.ac_name IS DISTINCT FROM u.ac_name)
               OR (s.ps_number IS NOT NULL AND s.ps_number IS DISTINCT FROM u.ps_number)))) AS changes
      FROM import_rows s
     CROSS JOIN LATERAL (VALUES ${sql.join(levels, sql`, `)}) AS e(depth, level, code, code_path, parent_code_path, name)
      LEFT JOIN units u ON u.code_path = e.code_path
     WHERE s.error_code IS NULL AND e.depth <= s.depth`)
  await tx.execute(sql`ANALYZE import_units`)
}

/**
 * Rows that contradict each other or reach outside the key's subtree: the same unit as
 * the deepest of two rows, two names for one unit, or creating or changing a unit
 * outside the scope. A row fails on the first such unit, top down.
 */
async function refuseContradictions (tx: Database) {
  await tx.execute(sql`
    UPDATE import_rows s
       SET error_code = c.error_code,
           error_column = CASE c.error_code WHEN 'conflicting_name' THEN c.level::text || '_name' ELSE c.level::text END
      FROM (
        SELECT DISTINCT ON (line) line, level, error_code
          FROM (
            SELECT e.line, e.depth, e.level,
                   CASE
                     WHEN NOT e.in_scope AND (e.deepest OR e.unit_id IS NULL OR e.changes) THEN 'outside_scope'
                     WHEN e.deepest AND count(*) FILTER (WHERE e.deepest) OVER earlier > 0 THEN 'duplicate_unit'
                     WHEN e.name IS NOT NULL AND e.name <> first_value(e.name) OVER named THEN 'conflicting_name'
                   END AS error_code
              FROM import_units e
            WINDOW earlier AS (PARTITION BY e.code_path ORDER BY e.line ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING),
                   named AS (PARTITION BY e.code_path ORDER BY e.name IS NULL, e.line)
          ) checked
         WHERE error_code IS NOT NULL
         ORDER BY line, depth
      ) c
     WHERE s.line = c.line`)
}

/**
 * One name per assembly constituency (the trigger in src/db/routines/45_assemblies.sql
 * holds it): a booth row that names its constituency otherwise than the state's named
 * constituency of that number, or than the first row of the file that names it, fails.
 */
async function refuseAssemblyNames (tx: Database) {
  await tx.execute(sql`
    UPDATE import_rows s
       SET error_code = 'assembly_name_mismatch', error_column = 'ac_name'
      FROM (
        SELECT r.line
          FROM (SELECT s.line, s.state, s.ac_number, s.ac_name,
                       first_value(s.ac_name) OVER (PARTITION BY s.state, s.ac_number ORDER BY s.line) AS first_name
                  FROM import_rows s
                 WHERE s.error_code IS NULL AND s.depth = 5 AND s.ac_number IS NOT NULL AND s.ac_name IS NOT NULL) r
          LEFT JOIN units st ON st.code_path = r.state AND st.level = 'state'
          LEFT JOIN assemblies a ON a.state_id = st.id AND a.number = r.ac_number AND a.named
         WHERE r.ac_name <> coalesce(a.name, r.first_name)
      ) bad
     WHERE s.line = bad.line`)
}
