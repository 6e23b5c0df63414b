// Position bias (issue 14.4): how often an option is ticked by the slot it was shown in (1–5;
// "other" is always last and left out), overall and per kind, with percentile intervals that
// resample raters and a χ² test of equal rates; and, when the batch randomises sides, the rates by
// the side the preferred response was shown on.
import { quantile } from './metrics.js';
import { OPTION_KINDS } from './option-kinds.js';
import type { Rng } from './rng.js';
import { drain, type Steps } from './steps.js';

/** The five kinds a slot can show ("other" is always the sixth option). */
export const SLOTTED_KINDS = OPTION_KINDS.filter((k) => k !== 'other');
export type SlottedKind = (typeof SLOTTED_KINDS)[number];
export const SLOTS = [1, 2, 3, 4, 5] as const;

/** One rater's counts for one cell: options of `kind` shown in `slot` on that side, and how many were ticked. */
export interface SlotCounts {
  raterId: string;
  preferredFirst: boolean;
  slot: number;
  kind: SlottedKind;
  shown: number;
  selected: number;
}

export interface SelectionRate {
  shown: number;
  selected: number;
  rate: number | null;
  ci: { low: number; high: number } | null;
}

/** Pearson's χ² test that every slot has the same selection rate (answers taken as independent). */
export interface EqualRatesTest {
  statistic: number;
  df: number;
  pValue: number;
}

export interface SideComparison {
  kind: SlottedKind | 'all';
  preferredFirst: SelectionRate;
  preferredSecond: SelectionRate;
  /** Rate when the preferred response was shown first minus when it was shown second. */
  difference: { estimate: number | null; ci: { low: number; high: number } | null };
}

export interface PositionBias {
  raters: number;
  bySlot: (SelectionRate & { slot: number })[];
  equalRates: EqualRatesTest | null;
  byKind: { kind: SlottedKind; bySlot: (SelectionRate & { slot: number })[]; equalRates: EqualRatesTest | null }[];
  /** Null unless the batch showed the preferred response on both sides. */
  bySide: SideComparison[] | null;
  bootstrap: { rounds: number; level: number; unit: 'rater' };
}

// Cells: side (2) × kind (5) × slot (5), each with shown and selected counts.
const CELLS = 2 * SLOTTED_KINDS.length * SLOTS.length;
const cellOf = (first: boolean, kind: number, slot: number) => ((first ? 0 : 1) * SLOTTED_KINDS.length + kind) * SLOTS.length + (slot - 1);

/** Per rater (sorted by id), shown then selected counts of every cell. */
function raterCells(rows: readonly SlotCounts[]): { ids: string[]; counts: Float64Array } {
  const ids = [...new Set(rows.map((r) => r.raterId))].sort();
  const index = new Map(ids.map((id, i) => [id, i]));
  const counts = new Float64Array(ids.length * CELLS * 2);
  for (const r of rows) {
    if (r.slot < 1 || r.slot > SLOTS.length) continue;
    const base = (index.get(r.raterId) as number) * CELLS * 2 + cellOf(r.preferredFirst, SLOTTED_KINDS.indexOf(r.kind), r.slot) * 2;
    counts[base]! += r.shown;
    counts[base + 1]! += r.selected;
  }
  return { ids, counts };
}

/** The named rates of one set of totals: by slot, by kind and slot, by side (and kind). */
function ratesOf(totals: Float64Array): number[] {
  const sum = (pick: CellPick) => {
    const t = cellTotals(totals, pick);
    return t.shown === 0 ? NaN : t.selected / t.shown;
  };
  const rates: number[] = SLOTS.map((s) => sum((_, __, slot) => slot === s));
  for (let k = 0; k < SLOTTED_KINDS.length; k++) for (const s of SLOTS) rates.push(sum((_, kind, slot) => kind === k && slot === s));
  for (const k of [-1, ...SLOTTED_KINDS.keys()]) for (const side of [true, false]) rates.push(sum((first, kind) => first === side && (k < 0 || kind === k)));
  return rates;
}

export const DEFAULT_POSITION_BOOTSTRAP = { rounds: 1000, level: 0.95 };

export function computePositionBias(rows: readonly SlotCounts[], rng: Rng, options = DEFAULT_POSITION_BOOTSTRAP): PositionBias {
  return drain(positionBiasSteps(rows, rng, options));
}

/** Position bias from per-rater cell counts, yielding after each bootstrap round over raters. */
export function* positionBiasSteps(rows: readonly SlotCounts[], rng: Rng, options = DEFAULT_POSITION_BOOTSTRAP): Steps<PositionBias> {
  const { ids, counts } = raterCells(rows);
  const width = CELLS * 2;
  const totals = new Float64Array(width);
  for (let i = 0; i < counts.length; i++) totals[i % width]! += counts[i] as number;
  const point = ratesOf(totals);
  const rateSamples = point.map(() => [] as number[]);
  const differenceSamples = Array.from({ length: SLOTTED_KINDS.length + 1 }, () => [] as number[]);
  const draws = new Float64Array(ids.length);
  for (let round = 0; round < options.rounds && ids.length > 0; round++) {
    rng.fill(draws);
    const sample = new Float64Array(width);
    for (const u of draws) {
      const base = Math.floor(u * ids.length) * width;
      for (let c = 0; c < width; c++) sample[c]! += counts[base + c] as number;
    }
    const rates = ratesOf(sample);
    rates.forEach((v, i) => Number.isFinite(v) && rateSamples[i]!.push(v));
    differenceSamples.forEach((d, k) => {
      const diff = sideRate(rates, k, true) - sideRate(rates, k, false);
      if (Number.isFinite(diff)) d.push(diff);
    });
    yield;
  }
  const alpha = (1 - options.level) / 2;
  const interval = (values: readonly number[]) => {
    const sorted = Float64Array.from(values).sort();
    return sorted.length === 0 ? null : { low: quantile(sorted, alpha), high: quantile(sorted, 1 - alpha) };
  };
  const rate = (i: number, shown: number, selected: number): SelectionRate => {
    const v = point[i] as number;
    return { shown, selected, rate: Number.isFinite(v) ? v : null, ci: Number.isFinite(v) ? interval(rateSamples[i] as number[]) : null };
  };
  const cell = (pick: CellPick) => cellTotals(totals, pick);
  const slotRates = (kind: number | null) =>
    SLOTS.map((slot) => {
      const t = cell((_, k, s) => s === slot && (kind === null || k === kind));
      return { slot, ...rate(kind === null ? slot - 1 : SLOTS.length + kind * SLOTS.length + slot - 1, t.shown, t.selected) };
    });
  const bySlot = slotRates(null);
  const sideBase = SLOTS.length * (1 + SLOTTED_KINDS.length);
  const bothSides = cell((first) => first).shown > 0 && cell((first) => !first).shown > 0;
  return {
    raters: ids.length,
    bySlot,
    equalRates: equalRatesTest(bySlot),
    byKind: SLOTTED_KINDS.map((kind, k) => {
      const rates = slotRates(k);
      return { kind, bySlot: rates, equalRates: equalRatesTest(rates) };
    }),
    bySide: bothSides
      ? [-1, ...SLOTTED_KINDS.keys()].map((k, j): SideComparison => {
          const side = (first: boolean) => {
            const t = cell((f, kind) => f === first && (k < 0 || kind === k));
            return rate(sideBase + j * 2 + (first ? 0 : 1), t.shown, t.selected);
          };
          const [a, b] = [side(true), side(false)];
          const estimate = a.rate === null || b.rate === null ? null : a.rate - b.rate;
          return { kind: k < 0 ? 'all' : (SLOTTED_KINDS[k] as SlottedKind), preferredFirst: a, preferredSecond: b, difference: { estimate, ci: estimate === null ? null : interval(differenceSamples[j] as number[]) } };
        })
      : null,
    bootstrap: { rounds: ids.length > 0 ? options.rounds : 0, level: options.level, unit: 'rater' },
  };
}

/** The side rates sit after the slot and kind × slot rates: all kinds first, then each kind. */
function sideRate(rates: readonly number[], j: number, first: boolean): number {
  return rates[SLOTS.length * (1 + SLOTTED_KINDS.length) + j * 2 + (first ? 0 : 1)] as number;
}

type CellPick = (first: boolean, kind: number, slot: number) => boolean;

function cellTotals(totals: Float64Array, pick: CellPick): { shown: number; selected: number } {
  let shown = 0;
  let selected = 0;
  for (const first of [true, false])
    for (let k = 0; k < SLOTTED_KINDS.length; k++)
      for (const slot of SLOTS) {
        if (!pick(first, k, slot)) continue;
        const c = cellOf(first, k, slot) * 2;
        shown += totals[c] as number;
        selected += totals[c + 1] as number;
      }
  return { shown, selected };
}

/** Pearson's χ² on the 2 × slots table (ticked / not ticked), over the slots that were shown. */
export function equalRatesTest(slots: readonly { shown: number; selected: number }[]): EqualRatesTest | null {
  const used = slots.filter((s) => s.shown > 0);
  const shown = used.reduce((s, c) => s + c.shown, 0);
  const selected = used.reduce((s, c) => s + c.selected, 0);
  if (used.length < 2 || selected === 0 || selected === shown) return null;
  const p = selected / shown;
  const statistic = used.reduce((s, c) => s + (c.selected - c.shown * p) ** 2 / (c.shown * p) + (c.shown - c.selected - c.shown * (1 - p)) ** 2 / (c.shown * (1 - p)), 0);
  const df = used.length - 1;
  return { statistic, df, pValue: chiSquareSurvival(statistic, df) };
}

/** P(X ≥ x) for X ~ χ²(df): the regularised upper incomplete gamma Q(df/2, x/2). */
export function chiSquareSurvival(x: number, df: number): number {
  if (x <= 0) return 1;
  const a = df / 2;
  const z = x / 2;
  const logPrefix = a * Math.log(z) - z - logGamma(a);
  if (z < a + 1) {
    // Series for the lower function P, then Q = 1 − P.
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 500 && Math.abs(term) > Math.abs(sum) * 1e-15; n++) sum += term *= z / (a + n);
    return Math.max(0, 1 - sum * Math.exp(logPrefix));
  }
  // Continued fraction for Q (modified Lentz).
  let b = z + 1 - a;
  let c = 1e300;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 500; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < 1e-300) d = 1e-300;
    c = b + an / c;
    if (Math.abs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-15) break;
  }
  return Math.min(1, h * Math.exp(logPrefix));
}

/** Lanczos approximation of log Γ(x) for x > 0 (15 significant digits). */
function logGamma(x: number): number {
  const g = 7;
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const y = x - 1;
  let sum = c[0] as number;
  for (let i = 1; i < g + 2; i++) sum += (c[i] as number) / (y + i);
  const t = y + g + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(sum);
}
