import { sql } from 'drizzle-orm'
import { rows, type Database } from '../db/client.js'
import { optionalCode, optionalCodePaths, optionalText, refuse, requiredCodePath, requiredText } from './fields.js'
import { auditClusters, codePathInScope, type ImportContext, type ImportKind } from './kind.js'

/**
 * Booth clusters (sectors, zones, shakti kendras: src/clusters), one row per cluster: its
 * unit (a ward or block, by code path), kind, code, name, local name, the cluster that
 * groups it (`parent`, by code in the same unit: in the database or created by an earlier
 * row) and its booths (code paths below the unit). A cluster new in its unit is created;
 * an existing one gets the row's name, local name and parent (an empty cell clears them, a
 * column the file does not have leaves them as they are) and, when the row lists booths,
 * exactly those booths; an empty `booths` cell leaves its booths as they are. Nothing is
 * deleted: a cluster the file does not name stays as it is.
 *
 * Every rule the database holds (src/db/routines/46_clusters.sql) is named per row here
 * first, set-based. A booth may move between clusters of one file: it is free for its new
 * cluster when the row of its old cluster lists that cluster's booths without it, and
 * that row goes through; a row that depends on another (its parent created by an earlier
 * row, a booth another row frees) fails when that row fails.
 */

const KIND = /^[a-z][a-z0-9_]{1,29}$/
/** About 700 block-relative booth paths (W01/AC005-PS0001). */
const BOOTHS_MAX = 10_000

export const clusters: ImportKind = {
  columns: ['unit', 'kind', 'code', 'name', 'local_name', 'parent', 'booths'],
  required: ['unit', 'kind', 'code', 'name'],
  stagedColumns: [
    ['unit', 'text COLLATE "C"'],
    ['kind', 'text'],
    ['code', 'text COLLATE "C"'],
    ['name', 'text'],
    ['local_name', 'text'],
    // Whether the record has the column: one it leaves out changes nothing.
    ['local_name_given', 'boolean'],
    ['parent', 'text COLLATE "C"'],
    ['parent_given', 'boolean'],
    ['booths', 'text[]']
  ],
  resolvedColumns: [
    ['unit_id', 'uuid'],
    ['cluster_id', 'uuid'],
    ['cluster_is_new', 'boolean'],
    ['parent_id', 'uuid'],
    /** The earlier row that creates this row's parent, when the database has no such cluster. */
    ['parent_line', 'integer'],
    /** New clusters: 0 under no new parent, else one more than the parent's (apply()). */
    ['generation', 'integer']
  ],

  stage (v) {
    const unit = requiredCodePath(v.unit, 'unit')
    const kind = requiredText(v.kind, 'kind', 30).toLowerCase()
    if (!KIND.test(kind)) refuse('unknown_cluster_kind', 'kind', 'kind must be a cluster kind code such as sector, zone or shakti_kendra.')
    const code = optionalCode(v.code, 'code') ?? refuse('missing_value', 'code', 'code is required.')
    const name = requiredText(v.name, 'name')
    const localName = optionalText(v.local_name, 'local_name')
    const parent = optionalCode(v.parent, 'parent')
    const booths = optionalCodePaths(v.booths, 'booths', BOOTHS_MAX)
    // Quoted, so that a booth coded NULL stays a code in the array literal.
    const boothArray = booths === null ? null : `{${booths.map(b => `"${b}"`).join(',')}}`
    return [unit, kind, code, name, localName, v.local_name !== undefined, parent, v.parent !== undefined, boothArray]
  },

  messages: {
    outside_scope: { column: 'unit', message: 'This unit is outside the subtree your key may change.' },
    unit_not_found: { column: 'unit', message: 'No unit has this code path.' },
    unknown_cluster_kind: { column: 'kind', message: 'There is no such cluster kind (GET /v1/cluster-kinds).' },
    cluster_unit_level: { column: 'kind', message: 'A cluster of this kind does not belong to a unit at this level (GET /v1/cluster-kinds gives each kind\'s levels).' },
    kind_mismatch: { column: 'kind', message: 'The unit has a cluster with this code of another kind: a cluster\'s kind does not change.' },
    duplicate_cluster: { column: 'code', message: 'An earlier row already describes this cluster (the same unit and code).' },
    cluster_groups_clusters: { column: 'booths', message: 'Clusters of this kind group other clusters, not booths: leave booths empty and name this cluster as their parent.' },
    parent_not_found: { column: 'parent', message: 'The unit has no cluster with this code, and no earlier row creates one.' },
    cluster_parent_mismatch: { column: 'parent', message: 'That cluster does not group clusters of this kind (a zone groups sectors).' },
    booth_not_found: { column: 'booths', message: 'A booth is not below the unit.' },
    booth_in_cluster_of_kind: { column: 'booths', message: 'A booth is already in another cluster of this kind.' }
  },

  async resolve (tx, context) {
    // Other writers of clusters and their booths wait until this import commits, so the
    // clusters and memberships read here are still there when the rows are written. The
    // API locks a cluster's row (FOR UPDATE) before it changes it: EXCLUSIVE waits for
    // those first instead of deadlocking with them on the rows this import updates.
    await tx.execute(sql`LOCK TABLE clusters IN EXCLUSIVE MODE`)
    await tx.execute(sql`LOCK TABLE cluster_booths IN SHARE ROW EXCLUSIVE MODE`)
    await resolveClusters(tx, context)
    // The planner has seen the staged rows only: without the ids just found it takes
    // every join on them for a join on one row (nested loops, quadratic in the file).
    await tx.execute(sql`ANALYZE import_rows`)
    await resolveParents(tx)
    await listBooths(tx)
    await refuseBooths(tx)
    await refuseDependents(tx)
    await decideOutcomes(tx)
    await tx.execute(sql`ANALYZE import_rows`)
  },

  async apply (tx, context) {
    const { importId } = context
    const audited = auditClusters(context)
    // Generation by generation, so that each new cluster finds the parent made before it
    // (the parent check is a row trigger: it sees only what earlier statements wrote).
    await tx.execute(sql`
      WITH RECURSIVE g(line, generation) AS (
        SELECT line, 0 FROM import_rows WHERE error_code IS NULL AND outcome = 'created' AND parent_line IS NULL
        UNION ALL
        SELECT r.line, g.generation + 1
          FROM import_rows r JOIN g ON r.parent_line = g.line
         WHERE r.error_code IS NULL AND r.outcome = 'created'
      )
      UPDATE import_rows s SET generation = g.generation FROM g WHERE s.line = g.line`)
    const [{ last }] = await rows<{ last: number | null }>(tx, sql`SELECT max(generation) AS last FROM import_rows`)
    for (let generation = 0; generation <= (last ?? -1); generation++) {
      await tx.execute(sql`
        WITH created AS (
          INSERT INTO clusters (id, unit_id, kind_code, code, name, local_name, parent_id, import_id)
          SELECT cluster_id, unit_id, kind, code, name, local_name, parent_id, ${importId}
            FROM import_rows
           WHERE error_code IS NULL AND outcome = 'created' AND generation = ${generation}
          RETURNING id, unit_id
        )
        ${audited(sql`SELECT 'create', c.id, c.unit_id, s.line FROM created c JOIN import_rows s ON s.cluster_id = c.id`)}`)
    }
    // After every insert: an existing cluster may move under a zone this file creates.
    await tx.execute(sql`
      WITH changed AS (
        UPDATE clusters c
           SET name = s.name,
               local_name = CASE WHEN s.local_name_given THEN s.local_name ELSE c.local_name END,
               parent_id = CASE WHEN s.parent_given THEN s.parent_id ELSE c.parent_id END,
               import_id = ${importId}
          FROM import_rows s
         WHERE s.error_code IS NULL AND s.outcome = 'updated' AND c.id = s.cluster_id
        RETURNING c.id, c.unit_id
      )
      ${audited(sql`SELECT 'update', c.id, c.unit_id, s.line FROM changed c JOIN import_rows s ON s.cluster_id = c.id`)}`)
    // Every booth leaving its cluster before any joins one: a booth this file moves is free
    // for its new cluster whichever row comes first.
    await tx.execute(sql`
      DELETE FROM cluster_booths cb
       USING import_rows s
       WHERE s.error_code IS NULL AND s.outcome = 'updated' AND s.booths IS NOT NULL AND cb.cluster_id = s.cluster_id
         AND NOT EXISTS (SELECT 1 FROM import_cluster_booths i WHERE i.line = s.line AND i.booth_id = cb.booth_id)`)
    await tx.execute(sql`
      INSERT INTO cluster_booths (booth_id, kind_code, cluster_id)
      SELECT i.booth_id, s.kind, s.cluster_id
        FROM import_cluster_booths i
        JOIN import_rows s ON s.line = i.line
       WHERE s.error_code IS NULL AND s.outcome <> 'unchanged'
         AND NOT EXISTS (SELECT 1 FROM cluster_booths cb WHERE cb.booth_id = i.booth_id AND cb.kind_code = s.kind AND cb.cluster_id = s.cluster_id)`)
  }
}

/**
 * The unit (in the key's scope, by code path: whether a unit outside it exists is not
 * told), the kind and the level it allows, and the cluster the unit already has with the
 * code, which must be of the row's kind. New clusters get their id here.
 */
async function resolveClusters (tx: Database, { actor }: ImportContext) {
  await tx.execute(sql`
    UPDATE import_rows s
       SET unit_id = c.unit_id, cluster_id = c.cluster_id, cluster_is_new = c.cluster_is_new, error_code = c.error_code
      FROM (
        SELECT x.line, u.id AS unit_id, coalesce(e.id, gen_random_uuid()) AS cluster_id, e.id IS NULL AS cluster_is_new,
               CASE
                 WHEN NOT ${codePathInScope(actor, sql`x.unit`)} THEN 'outside_scope'
                 WHEN u.id IS NULL THEN 'unit_not_found'
                 WHEN k.code IS NULL THEN 'unknown_cluster_kind'
                 WHEN NOT (u.level = ANY (k.levels)) THEN 'cluster_unit_level'
                 WHEN e.kind_code <> x.kind THEN 'kind_mismatch'
                 WHEN row_number() OVER (PARTITION BY x.unit, x.code ORDER BY x.line) > 1 THEN 'duplicate_cluster'
                 WHEN k.groups_kind IS NOT NULL AND x.booths IS NOT NULL THEN 'cluster_groups_clusters'
               END AS error_code
          FROM import_rows x
          LEFT JOIN units u ON u.code_path = x.unit
          LEFT JOIN cluster_kinds k ON k.code = x.kind
          LEFT JOIN clusters e ON e.unit_id = u.id AND e.code = x.code
         WHERE x.error_code IS NULL
      ) c
     WHERE s.line = c.line`)
}

/**
 * The parent: the unit's cluster with that code, else the cluster an earlier row of the
 * file creates; of a kind that groups the row's kind.
 */
async function resolveParents (tx: Database) {
  await tx.execute(sql`
    UPDATE import_rows s
       SET parent_id = c.parent_id, parent_line = c.parent_line, error_code = c.error_code
      FROM (
        SELECT x.line, coalesce(p.id, f.cluster_id) AS parent_id, CASE WHEN p.id IS NULL THEN f.line END AS parent_line,
               CASE
                 WHEN p.id IS NULL AND f.line IS NULL THEN 'parent_not_found'
                 WHEN NOT EXISTS (SELECT 1 FROM cluster_kinds k WHERE k.code = coalesce(p.kind_code, f.kind) AND k.groups_kind = x.kind) THEN 'cluster_parent_mismatch'
               END AS error_code
          FROM import_rows x
          LEFT JOIN clusters p ON p.unit_id = x.unit_id AND p.code = x.parent
          -- Rows still valid name each cluster once (duplicate_cluster).
          LEFT JOIN import_rows f ON f.unit = x.unit AND f.code = x.parent AND f.line < x.line AND f.error_code IS NULL
         WHERE x.error_code IS NULL AND x.parent IS NOT NULL
      ) c
     WHERE s.line = c.line`)
}

/**
 * import_cluster_booths: each booth a valid row lists, found by its code path below the
 * row's unit; `holder`, the other cluster of the kind it is in; `freed_by`, the row that
 * takes it out of that cluster.
 */
async function listBooths (tx: Database) {
  await tx.execute(sql`
    CREATE TEMP TABLE import_cluster_booths ON COMMIT DROP AS
    SELECT s.line, b.n, b.rel, s.kind, s.cluster_id, bu.id AS booth_id, NULL::uuid AS holder, NULL::integer AS freed_by
      FROM import_rows s
      JOIN units u ON u.id = s.unit_id
     CROSS JOIN LATERAL unnest(s.booths) WITH ORDINALITY AS b(rel, n)
      LEFT JOIN units bu ON bu.code_path = (u.code_path || '/' || b.rel) COLLATE "C" AND bu.level = 'booth'
     WHERE s.error_code IS NULL AND s.booths IS NOT NULL`)
  await tx.execute(sql`CREATE INDEX ON import_cluster_booths (line, booth_id)`)
  await tx.execute(sql`ANALYZE import_cluster_booths`)
}

/**
 * Booths: each below the unit, and in no other cluster of the kind once the file is
 * written (the cluster_booths key). A booth in another cluster is free when that
 * cluster's row lists its booths without it; a booth two rows list belongs to the first.
 * A row fails on its first booth that breaks a rule, which the message names.
 */
async function refuseBooths (tx: Database) {
  await tx.execute(sql`
    UPDATE import_rows s
       SET error_code = 'booth_not_found', error_message = format('No booth %s below %s.', m.rel, s.unit)
      FROM (SELECT DISTINCT ON (line) line, rel FROM import_cluster_booths WHERE booth_id IS NULL ORDER BY line, n) m
     WHERE s.line = m.line`)
  await tx.execute(sql`
    UPDATE import_cluster_booths i
       SET holder = cb.cluster_id
      FROM cluster_booths cb
     WHERE cb.booth_id = i.booth_id AND cb.kind_code = i.kind AND cb.cluster_id <> i.cluster_id`)
  // The first row about the holder, failed or not (refuseDependents follows a failure).
  await tx.execute(sql`
    UPDATE import_cluster_booths i
       SET freed_by = r.line
      FROM (SELECT DISTINCT ON (cluster_id) cluster_id, line FROM import_rows
             WHERE cluster_id IS NOT NULL AND booths IS NOT NULL ORDER BY cluster_id, line) r
     WHERE r.cluster_id = i.holder
       AND NOT EXISTS (SELECT 1 FROM import_cluster_booths k WHERE k.line = r.line AND k.booth_id = i.booth_id)`)
  await tx.execute(sql`
    UPDATE import_rows s
       SET error_code = 'booth_in_cluster_of_kind',
           error_message = format('Booth %s is already in another cluster of this kind: list that cluster''s booths without it in this file, or take it out first.', b.rel)
      FROM (SELECT DISTINCT ON (i.line) i.line, i.rel
              FROM import_cluster_booths i JOIN import_rows r ON r.line = i.line AND r.error_code IS NULL
             WHERE i.holder IS NOT NULL AND i.freed_by IS NULL
             ORDER BY i.line, i.n) b
     WHERE s.line = b.line`)
  await tx.execute(sql`
    UPDATE import_rows s
       SET error_code = 'booth_in_cluster_of_kind',
           error_message = format('Booth %s is also listed on line %s, for another cluster of this kind.', b.rel, b.first_line)
      FROM (SELECT DISTINCT ON (line) line, rel, first_line
              FROM (SELECT i.line, i.n, i.rel, first_value(i.line) OVER (PARTITION BY i.kind, i.booth_id ORDER BY i.line) AS first_line
                      FROM import_cluster_booths i JOIN import_rows r ON r.line = i.line AND r.error_code IS NULL) x
             WHERE first_line < line
             ORDER BY line, n) b
     WHERE s.line = b.line`)
}

/**
 * Rows that rely on another row that failed: a parent an earlier row was to create, a
 * booth another row was to free. Followed through chains (a zone, its sectors).
 */
async function refuseDependents (tx: Database) {
  await tx.execute(sql`
    WITH RECURSIVE depends(line, on_line, error_code, rel) AS (
      SELECT line, parent_line, 'parent_not_found', NULL::text FROM import_rows WHERE error_code IS NULL AND parent_line IS NOT NULL
      UNION ALL
      SELECT i.line, i.freed_by, 'booth_in_cluster_of_kind', i.rel
        FROM import_cluster_booths i JOIN import_rows r ON r.line = i.line AND r.error_code IS NULL
       WHERE i.freed_by IS NOT NULL
    ), doomed(line, on_line, error_code, rel) AS (
      SELECT d.line, d.on_line, d.error_code, d.rel
        FROM depends d JOIN import_rows f ON f.line = d.on_line AND f.error_code IS NOT NULL
      UNION
      SELECT d.line, d.on_line, d.error_code, d.rel
        FROM depends d JOIN doomed x ON d.on_line = x.line
    )
    UPDATE import_rows s
       SET error_code = c.error_code,
           error_message = CASE c.error_code
             WHEN 'parent_not_found' THEN format('The row that creates the parent cluster (line %s) failed.', c.on_line)
             ELSE format('Booth %s is in another cluster of this kind, whose row (line %s) failed.', c.rel, c.on_line)
           END
      FROM (SELECT DISTINCT ON (line) * FROM doomed ORDER BY line, error_code DESC, on_line) c
     WHERE s.line = c.line`)
}

/**
 * Created when the unit has no cluster with the code; updated when the row changes its
 * name, local name, parent or (a row listing booths) its booths; unchanged otherwise.
 */
async function decideOutcomes (tx: Database) {
  await tx.execute(sql`
    UPDATE import_rows s
       SET outcome = CASE WHEN s.cluster_is_new THEN 'created' WHEN c.changes THEN 'updated' ELSE 'unchanged' END
      FROM (
        SELECT x.line,
               e.name <> x.name
               OR (x.local_name_given AND e.local_name IS DISTINCT FROM x.local_name)
               OR (x.parent_given AND e.parent_id IS DISTINCT FROM x.parent_id)
               OR (x.booths IS NOT NULL AND (g.listed <> g.kept OR coalesce(h.held, 0) <> g.kept)) AS changes
          FROM import_rows x
          LEFT JOIN clusters e ON e.id = x.cluster_id
          -- The booths listed, and how many of them the cluster already has.
          LEFT JOIN (SELECT i.line, count(*) AS listed, count(cb.booth_id) AS kept
                       FROM import_cluster_booths i
                       LEFT JOIN cluster_booths cb ON cb.booth_id = i.booth_id AND cb.kind_code = i.kind AND cb.cluster_id = i.cluster_id
                      GROUP BY i.line) g ON g.line = x.line
          LEFT JOIN (SELECT cb.cluster_id, count(*) AS held
                       FROM cluster_booths cb
                      WHERE cb.cluster_id IN (SELECT cluster_id FROM import_rows WHERE error_code IS NULL AND booths IS NOT NULL AND NOT cluster_is_new)
                      GROUP BY cb.cluster_id) h ON h.cluster_id = x.cluster_id
         WHERE x.error_code IS NULL
      ) c
     WHERE s.line = c.line`)
}
