// Seeded pseudo-random numbers: every random choice in PrefBasis goes through an Rng built at the edge.

/** A deterministic random source; the same seed gives the same sequence on every platform. */
export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n); n must be a positive integer. */
  int(n: number): number;
  /** Fills `out` with the next out.length values of next(), in order (fast path for hot loops). */
  fill(out: Float64Array): void;
}

/**
 * sfc32 seeded through splitmix32 so that nearby seeds give unrelated streams.
 * Chosen for speed and because it needs only 32-bit integer maths (exact in JS).
 */
export function createRng(seed: number | string): Rng {
  let s = typeof seed === 'number' ? seed >>> 0 : hashString(seed);
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const nextUint32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) nextUint32(); // warm-up: discard the correlated first outputs
  const next = (): number => nextUint32() / 4294967296;
  return {
    next,
    fill(out: Float64Array): void {
      // nextUint32 inlined on local copies of the state: the same numbers, without a call each.
      let [sa, sb, sc, sd] = [a, b, c, d];
      for (let i = 0; i < out.length; i++) {
        const t = (((sa + sb) >>> 0) + sd) >>> 0;
        sd = (sd + 1) >>> 0;
        sa = sb ^ (sb >>> 9);
        sb = (sc + (sc << 3)) >>> 0;
        sc = ((sc << 21) | (sc >>> 11)) >>> 0;
        sc = (sc + t) >>> 0;
        out[i] = t / 4294967296;
      }
      [a, b, c, d] = [sa, sb, sc, sd];
    },
    int(n: number): number {
      if (!Number.isInteger(n) || n <= 0) throw new RangeError(`rng.int needs a positive integer, got ${n}`);
      return Math.floor(next() * n);
    },
  };
}

/** Derives an independent child stream, e.g. one per rater, from a parent seed and a label. */
export function deriveRng(seed: number | string, label: string): Rng {
  return createRng(`${seed}\u0000${label}`);
}

/** FNV-1a over UTF-16 code units: a stable 32-bit hash for string seeds. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** One element chosen uniformly; the array must not be empty. */
export function pick<T>(items: readonly T[], rng: Rng): T {
  if (items.length === 0) throw new RangeError('pick from an empty list');
  return items[rng.int(items.length)] as T;
}

/** A shuffled copy (Fisher-Yates); the input is left untouched. */
export function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const tmp = out[i] as T;
    out[i] = out[j] as T;
    out[j] = tmp;
  }
  return out;
}
