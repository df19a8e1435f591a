/**
 * Every row of a keyset-paged question, batch after batch, for a streamed download.
 * `page(after, limit)` answers as the API's pages do, with up to limit + 1 rows: the
 * extra one only says that another batch follows. No connection is held between batches.
 *
 * One batch is in memory at a time; with `ahead`, two: the next batch is asked for as
 * soon as the current one is in (its key is the current batch's last row), so the
 * database reads it while the current one is written out, instead of the two taking
 * turns. Should the reader stop early, the batch read ahead is dropped (and its failure,
 * if it fails, ignored: nobody is waiting for it).
 */
export async function * inBatches<R, K> (page: (after: K | undefined, limit: number) => Promise<R[]>, keyOf: (row: R) => K, batch: number, options: { ahead?: boolean } = {}): AsyncGenerator<R> {
  for await (const rows of batchesOf(page, keyOf, batch, options)) yield * rows
}

/** inBatches a batch at a time: each batch's rows as one array (never empty but for an empty list's one). */
export async function * batchesOf<R, K> (page: (after: K | undefined, limit: number) => Promise<R[]>, keyOf: (row: R) => K, batch: number, options: { ahead?: boolean } = {}): AsyncGenerator<R[]> {
  let next = page(undefined, batch)
  for (;;) {
    const rows = await next
    const more = rows.length > batch
    const kept = more ? rows.slice(0, batch) : rows
    const after = more ? keyOf(kept[kept.length - 1]) : undefined
    if (more && options.ahead) {
      next = page(after, batch)
      next.catch(() => {})
    }
    yield kept
    if (!more) return
    if (!options.ahead) next = page(after, batch)
  }
}
