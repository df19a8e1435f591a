import { createHash } from 'node:crypto'
/**
 * A small seeded PRNG (xoshiro128**, seeded through cyrb128) so that the same preset and
 * seed always produce the same organisation. Streams are derived from a key path
 * ('7/UP/district-12'), not drawn from one shared sequence: generating one district never
 * shifts the random numbers another district sees, so a change in one generator stays
 * local (only the id and EPIC counters run through the whole load).
 */
export class Random {
  private a: number
  private b: number
  private c: number
  private d: number

  constructor (readonly key: string) {
    [this.a, this.b, this.c, this.d] = cyrb128(key)
  }

  /** An independent stream for a part of the data, named by its key. */
  fork (key: string | number): Random {
    return new Random(`${this.key}/${key}`)
  }

  /** Next 32 random bits, as an unsigned integer. */
  uint32 (): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9)
    const t = this.b << 9
    this.c ^= this.a
    this.d ^= this.b
    this.b ^= this.c
    this.a ^= this.d
    this.c ^= t
    this.d = rotl(this.d, 11)
    return result >>> 0
  }

  /** Uniform in [0, 1). */
  next (): number {
    return this.uint32() / 4294967296
  }

  /** Uniform integer in [min, max], both included. */
  int (min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  /** Uniform real in [min, max). */
  real (min: number, max: number): number {
    return min + this.next() * (max - min)
  }

  chance (p: number): boolean {
    return this.next() < p
  }

  pick<T> (items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]
  }

  /** One of `options`, with probability proportional to its weight. */
  weighted<T> (options: ReadonlyArray<readonly [T, number]>): T {
    let total = 0
    for (const [, w] of options) total += w
    let r = this.next() * total
    for (const [value, w] of options) {
      r -= w
      if (r < 0) return value
    }
    return options[options.length - 1][0]
  }

  /** Roughly normal (sum of three uniforms): enough for "most districts near the mean". */
  gaussian (mean: number, spread: number): number {
    return mean + spread * (this.next() + this.next() + this.next() - 1.5) * 2
  }

  shuffle<T> (items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1))
      const tmp = items[i]
      items[i] = items[j]
      items[j] = tmp
    }
    return items
  }
}

/**
 * Time-ordered ids in the UUIDv7 layout: a millisecond field counting up from a fixed
 * start, then random bits from the caller's stream. Loaded in id order, rows append at
 * the right edge of every B-tree on those ids (primary keys, and the foreign keys that
 * follow them) instead of dirtying a random page per row: random v4 ids made a
 * 5-million-row load thrash the buffer cache.
 */
export class IdSequence {
  private issued = 0

  constructor (private readonly startMs: number) {}

  /** How many ids were issued: the last one's serial number plus one. */
  get count (): number { return this.issued }

  next (rng: Random): string {
    const time = (this.startMs + this.issued++).toString(16).padStart(12, '0')
    const hex = (n: number) => (n >>> 0).toString(16).padStart(8, '0')
    const versioned = hex((rng.uint32() & 0x0fff) | 0x7000).slice(4)
    const variant = hex((rng.uint32() & 0x3fffffff) | 0x80000000)
    const tail = hex(rng.uint32())
    return `${time.slice(0, 8)}-${time.slice(8)}-${versioned}-${variant.slice(0, 4)}-${variant.slice(4)}${tail}`
  }
}

function rotl (x: number, k: number): number {
  return (x << k) | (x >>> (32 - k))
}

/** 128-bit string hash (cyrb128): four well-mixed seeds for the generator state. */
function cyrb128 (str: string): [number, number, number, number] {
  let h1 = 1779033703
  let h2 = 3144134277
  let h3 = 1013904242
  let h4 = 2773480762
  for (let i = 0; i < str.length; i++) {
    const k = str.charCodeAt(i)
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067)
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233)
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213)
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179)
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067)
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233)
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213)
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179)
  h1 ^= (h2 ^ h3 ^ h4)
  h2 ^= h1
  h3 ^= h1
  h4 ^= h1
  // xoshiro must not start from an all-zero state.
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, (h4 >>> 0) || 1]
}

/**
 * A version-8 UUID derived from a name: the same row on every load of a preset and seed,
 * without drawing from the id sequence or any random stream (constituencies, sectors).
 */
export function derivedId (name: string): string {
  const h = createHash('sha256').update(name).digest('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${(0x8 | (parseInt(h[16], 16) & 0x3)).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`
}
