// Charts of the analyses (issue 14) as server-rendered SVG, like the results charts: a pElo forest
// plot, agreement with intervals, selection rate by displayed slot, and interval width by raters.
import type { TopLevelSpec } from 'vega-lite';
import type { Agreement } from '../core/agreement.js';
import type { Convergence } from '../core/convergence.js';
import type { EloSubset } from '../core/elo.js';
import type { ExclusionMode } from '../core/exclusions.js';
import { OPTION_KINDS } from '../core/option-kinds.js';
import type { PositionBias } from '../core/position-bias.js';
import { exclusionsNote, FONT, toSvg } from './charts.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const CONFIG = { axis: FONT, legend: FONT, title: { font: FONT.font, fontSize: 14 } };

/** Forest plot: each ranked model's pElo and 95 % interval, best at the top, a rule at the anchor's 1000. */
export function eloForestSvg(subset: EloSubset, title: string, anchor: string | null): Promise<string> {
  const values = subset.ranked.map((m) => ({ model: m.model, rating: m.rating, low: m.ci.low, high: m.ci.high, rank: m.rank }));
  const y = { field: 'model', type: 'nominal' as const, sort: values.map((v) => v.model), title: null };
  return toSvg({
    $schema: SCHEMA,
    title: { text: title, subtitle: `${subset.battles} battles · 95% bootstrap intervals over battles · anchor ${anchor ?? '—'} = 1000` },
    width: 520,
    height: Math.max(60, 26 * values.length),
    config: CONFIG,
    data: { values },
    layer: [
      { mark: { type: 'rule', color: '#888', strokeDash: [4, 4] }, encoding: { x: { datum: 1000 } } },
      { mark: { type: 'rule', strokeWidth: 2 }, encoding: { y, x: { field: 'low', type: 'quantitative', title: 'pElo', scale: { zero: false } }, x2: { field: 'high' } } },
      { mark: { type: 'point', filled: true, size: 60, color: 'black' }, encoding: { y, x: { field: 'rating', type: 'quantitative' } } },
    ],
  } as TopLevelSpec);
}

/** Krippendorff's α (MASI, Jaccard, per kind) and pair agreement, each with its interval. */
export function agreementChartSvg(agreement: Agreement, exclusions: ExclusionMode): Promise<string> {
  const figures = [
    ['α (MASI)', agreement.alphaMasi],
    ['α (Jaccard)', agreement.alphaJaccard],
    ['pairs agreeing', agreement.pairAgreement],
    ...OPTION_KINDS.map((k) => [`α ${k}`, agreement.alphaByKind[k]] as const),
  ] as const;
  const values = figures.flatMap(([figure, f]) => (f.estimate === null ? [] : [{ figure, estimate: f.estimate, low: f.ci?.low ?? f.estimate, high: f.ci?.high ?? f.estimate }]));
  const x = { field: 'figure', type: 'nominal' as const, sort: values.map((v) => v.figure), title: null, axis: { labelAngle: -30 } };
  return toSvg({
    $schema: SCHEMA,
    title: { text: 'Rater agreement (95% bootstrap intervals over tasks)', subtitle: `${agreement.tasks.counted} tasks rated twice or more · ${exclusionsNote(exclusions)}` },
    width: 560,
    height: 260,
    config: CONFIG,
    data: { values },
    layer: [
      { mark: { type: 'bar', opacity: 0.8 }, encoding: { x, y: { field: 'estimate', type: 'quantitative', title: 'agreement', scale: { domain: [Math.min(0, ...values.map((v) => v.low)), 1] } } } },
      { mark: { type: 'errorbar', ticks: { size: 10, color: 'black' }, color: 'black' }, encoding: { x, y: { field: 'low', type: 'quantitative', title: 'agreement' }, y2: { field: 'high' } } },
      { mark: { type: 'rule', color: '#b00', strokeDash: [6, 4] }, encoding: { y: { datum: 0 } } },
    ],
  } as TopLevelSpec);
}

/** Selection rate by displayed slot: all kinds together (black) and each kind (colour). */
export function positionBiasChartSvg(bias: PositionBias, exclusions: ExclusionMode): Promise<string> {
  const rows = (kind: string, slots: PositionBias['bySlot']) => slots.flatMap((s) => (s.rate === null ? [] : [{ kind, slot: s.slot, rate: s.rate, low: s.ci?.low ?? s.rate, high: s.ci?.high ?? s.rate }]));
  const values = [...rows('all kinds', bias.bySlot), ...bias.byKind.flatMap((k) => rows(k.kind, k.bySlot))];
  const x = { field: 'slot', type: 'ordinal' as const, title: 'slot the option was shown in (other is always 6th)', axis: { labelAngle: 0 } };
  const color = { field: 'kind', type: 'nominal' as const, title: 'option kind', sort: ['all kinds', ...OPTION_KINDS] };
  return toSvg({
    $schema: SCHEMA,
    title: { text: 'Selection rate by displayed slot (95% bootstrap intervals over raters)', subtitle: `${bias.raters} raters · equal rates χ² p = ${bias.equalRates ? bias.equalRates.pValue.toPrecision(2) : '—'} · ${exclusionsNote(exclusions)}` },
    width: 520,
    height: 280,
    config: CONFIG,
    data: { values },
    layer: [
      { mark: { type: 'line', point: true }, encoding: { x, y: { field: 'rate', type: 'quantitative', title: 'selection rate', axis: { format: '%' } }, color } },
      { mark: { type: 'errorbar', ticks: { size: 6 } }, encoding: { x, y: { field: 'low', type: 'quantitative', title: 'selection rate' }, y2: { field: 'high' }, color } },
    ],
  } as TopLevelSpec);
}

/**
 * Each ratio's interval width against raters so far on log–log axes (where width ∝ 1/√n is a
 * straight line, and the first raters' wide intervals do not flatten the rest), the fitted line out
 * to the projection, and the target width.
 */
export function convergenceChartSvg(convergence: Convergence, exclusions: ExclusionMode): Promise<string> {
  const measured = convergence.ratios.flatMap((r) => r.points.flatMap((p) => (p.width === null || p.width <= 0 ? [] : [{ ratio: r.label, raters: p.raters, width: p.width }])));
  const fitted = convergence.ratios.flatMap((r) => {
    if (r.scale === null || r.projectedRaters === null) return [];
    const from = Math.max(1, convergence.raters / 4);
    const to = Math.max(r.projectedRaters, convergence.raters);
    return [from, to].map((n) => ({ ratio: r.label, raters: n, width: (r.scale as number) / Math.sqrt(n) }));
  });
  const x = { field: 'raters', type: 'quantitative' as const, title: 'raters (in the order they finished; log scale)', scale: { type: 'log' as const } };
  const y = { field: 'width', type: 'quantitative' as const, title: '95% interval width (log scale)', scale: { type: 'log' as const } };
  const color = { field: 'ratio', type: 'nominal' as const, title: null, legend: { orient: 'bottom' as const, columns: 2, labelLimit: 0 } };
  return toSvg({
    $schema: SCHEMA,
    title: { text: 'Ratio interval width by raters so far', subtitle: `target width ${convergence.targetWidth} (dashed red) · fit: width ∝ 1/√n (dotted) · ${exclusionsNote(exclusions)}` },
    width: 560,
    height: 280,
    config: CONFIG,
    layer: [
      { data: { values: measured }, mark: { type: 'line', point: true }, encoding: { x, y, color } },
      { data: { values: fitted }, mark: { type: 'line', strokeDash: [2, 3] }, encoding: { x, y, color } },
      { data: { values: [{ target: convergence.targetWidth }] }, mark: { type: 'rule', color: '#b00', strokeDash: [6, 4] }, encoding: { y: { field: 'target', type: 'quantitative' } } },
    ],
  } as TopLevelSpec);
}
