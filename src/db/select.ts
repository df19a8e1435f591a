import { sql, type SQL, type SQLWrapper } from 'drizzle-orm'

/**
 * A select list of named expressions (columns, subqueries), each AS its name: a raw query
 * then returns rows with the same keys as db.select(fields) over the same fields, so a
 * query that must be SQL (read through a cursor, src/db/cursor.ts) keeps its rows' shape.
 */
export function selectList (fields: Record<string, SQLWrapper>): SQL {
  return sql.join(Object.entries(fields).map(([name, value]) => sql`${value} AS ${sql.identifier(name)}`), sql`, `)
}
