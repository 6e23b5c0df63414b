// Seeded pseudo-random numbers: every random choice in PrefBasis goes through an Rng built at the edge.

/** A deterministic random source; the same seed gives the same sequence on every platform. */
export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n); n must be a positive integer. */
  int(n: number): number;
  /** Fills `out` with the next out.length values of next(), in order (fast path for hot loops). */
  fill(out: Float64Array): void;
  /** Fills `out` with the next out.length values of int(n), in order (the bootstrap's draws); n ≤ 2^31. */
  fillIndices(out: Int32Array, n: number): void;
}

/** 2^-32: a uint32 times this is next()'s value exactly (a power of two). */
const UINT32_TO_UNIT = 1 / 4294967296;

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
  // The state as four int32s (sfc32's uint32 words, equal mod 2^32): its maths stays in 32-bit
  // registers in every method, instead of boxed doubles past 2^31.
  const state = Int32Array.of(splitmix(), splitmix(), splitmix(), splitmix());
  /** sfc32's next output, unsigned. */
  const nextUint32 = (): number => {
    let a = state[0] as number, b = state[1] as number, c = state[2] as number;
    const d = state[3] as number;
    const t = (a + b + d) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    state[0] = a;
    state[1] = b;
    state[2] = (c + t) | 0;
    state[3] = (d + 1) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) nextUint32(); // warm-up: discard the correlated first outputs
  const next = (): number => nextUint32() * UINT32_TO_UNIT;
  return {
    next,
    fill(out: Float64Array): void {
      // nextUint32 inlined on local copies of the state: the same numbers, without a call each.
      let a = state[0] as number, b = state[1] as number, c = state[2] as number, d = state[3] as number;
      for (let i = 0; i < out.length; i++) {
        const t = (a + b + d) | 0;
        d = (d + 1) | 0;
        a = b ^ (b >>> 9);
        b = (c + (c << 3)) | 0;
        c = (c << 21) | (c >>> 11);
        c = (c + t) | 0;
        out[i] = (t >>> 0) * UINT32_TO_UNIT;
      }
      state.set([a, b, c, d]);
    },
    fillIndices(out: Int32Array, n: number): void {
      if (!Number.isInteger(n) || n <= 0 || n > 2 ** 31) throw new RangeError(`rng.fillIndices needs an integer in [1, 2^31], got ${n}`);
      let a = state[0] as number, b = state[1] as number, c = state[2] as number, d = state[3] as number;
      for (let i = 0; i < out.length; i++) {
        const t = (a + b + d) | 0;
        d = (d + 1) | 0;
        a = b ^ (b >>> 9);
        b = (c + (c << 3)) | 0;
        c = (c << 21) | (c >>> 11);
        c = (c + t) | 0;
        // floor(next() * n): scaling by 2^-32 before or after the product rounds alike (a power of two).
        out[i] = Math.floor((t >>> 0) * n * UINT32_TO_UNIT);
      }
      state.set([a, b, c, d]);
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
