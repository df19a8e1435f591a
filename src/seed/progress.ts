import cliProgress from 'cli-progress'

/**
 * Progress and phase timings. On a terminal a bar (booths populated, rows written, the
 * current step); elsewhere (CI, a log file) a plain line every few seconds instead of
 * a redrawn bar.
 */
export class SeedProgress {
  readonly timings = new Map<string, number>()
  private readonly started = performance.now()
  private readonly bar?: cliProgress.SingleBar
  private booths = 0
  private rows = 0
  private lastLine = 0

  constructor (private readonly out: NodeJS.WritableStream & { isTTY?: boolean }, private readonly totalBooths: number) {
    if (out.isTTY) {
      this.bar = new cliProgress.SingleBar({
        stream: out,
        format: '{step} |{bar}| {percentage}% | {value}/{total} booths | {rows} rows | {duration_formatted}',
        hideCursor: true
      }, cliProgress.Presets.shades_classic)
      this.bar.start(totalBooths, 0, { step: 'starting', rows: '0' })
    }
  }

  /** Runs `work`, adding its duration to `phase` (phases repeat: once per state or district). */
  async time<T> (phase: string, work: () => Promise<T> | T): Promise<T> {
    const start = performance.now()
    try {
      return await work()
    } finally {
      this.timings.set(phase, (this.timings.get(phase) ?? 0) + performance.now() - start)
    }
  }

  /** After a batch is loaded: `booths` more booths populated, `rows` more rows written. */
  advance (step: string, booths: number, rows: number): void {
    this.booths += booths
    this.rows += rows
    if (this.bar) {
      this.bar.update(this.booths, { step, rows: this.rows.toLocaleString('en-IN') })
    } else if (performance.now() - this.lastLine > 5000) {
      this.lastLine = performance.now()
      this.line(`${step}: ${this.booths.toLocaleString('en-IN')}/${this.totalBooths.toLocaleString('en-IN')} booths, ${this.rows.toLocaleString('en-IN')} rows`)
    }
  }

  /** A step after loading (verify, counters...): shown on the bar, or as a line. */
  step (step: string): void {
    if (this.bar) this.bar.update({ step })
    else this.line(step)
  }

  stop (): void {
    this.bar?.stop()
  }

  elapsed (): number {
    return performance.now() - this.started
  }

  private line (text: string): void {
    this.out.write(`seed ${(this.elapsed() / 1000).toFixed(0).padStart(4)} s  ${text}\n`)
  }
}
