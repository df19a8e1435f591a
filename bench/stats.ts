/** Small statistics for benchmark tables: medians and tail percentiles over repeated runs. */
export function percentile (samples: number[], p: number): number {
  if (samples.length === 0) return NaN
  const sorted = [...samples].sort((a, b) => a - b)
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[i]
}

export async function timeRepeated (n: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < n; i++) {
    const start = process.hrtime.bigint()
    await fn()
    out.push(Number(process.hrtime.bigint() - start) / 1e6)
  }
  return out
}

export function fmt (ms: number): string {
  return ms < 1 ? `${(ms * 1000).toFixed(1)} µs` : `${ms.toFixed(2)} ms`
}

export function table (rows: Array<Record<string, string | number>>) {
  const cols = Object.keys(rows[0] ?? {})
  const width = cols.map(c => Math.max(c.length, ...rows.map(r => String(r[c]).length)))
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(width[i])).join('  ')
  console.log(line(cols))
  console.log(line(width.map(w => '-'.repeat(w))))
  for (const r of rows) console.log(line(cols.map(c => String(r[c]))))
}
