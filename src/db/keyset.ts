/**
 * Every row of a keyset-paged question, batch after batch, for a streamed download.
 * `page(after, limit)` answers as the API's pages do, with up to limit + 1 rows: the
 * extra one only says that another batch follows. One batch is in memory at a time, and
 * no connection is held between batches.
 */
export async function * inBatches<R, K> (page: (after: K | undefined, limit: number) => Promise<R[]>, keyOf: (row: R) => K, batch: number): AsyncGenerator<R> {
  let after: K | undefined
  for (;;) {
    const rows = await page(after, batch)
    const kept = rows.length > batch ? rows.slice(0, batch) : rows
    yield * kept
    if (rows.length <= batch) return
    after = keyOf(kept[kept.length - 1])
  }
}
