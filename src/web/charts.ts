// Results charts as SVG rendered on the server with Vega-Lite + Vega (no browser scripts):
// (a) the four ratios with 95 % whiskers and a reference line at 1 (paper Figure 3),
// (b) R1 with its interval per evaluator (paper Figure 9).
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { ExclusionMode } from '../core/exclusions.js';
import { RATIO_NAMES, type Metrics } from '../core/metrics.js';

export interface EvaluatorMetrics {
  evaluator: string;
  metrics: Metrics;
}

export async function toSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export const FONT = { font: 'system-ui, sans-serif', labelFontSize: 12, titleFontSize: 13 };

/** Figure 3: each ratio's estimate and interval, one colour per evaluator, dashed line at 1. */
/** What a chart's subtitle says about exclusions (every page and file states it). */
export const exclusionsNote = (mode: ExclusionMode) => (mode === 'applied' ? 'exclusions applied' : 'no exclusions applied');

export function ratiosChartSvg(groups: readonly EvaluatorMetrics[], exclusions: ExclusionMode, scale: 'linear' | 'log' = 'linear'): Promise<string> {
  const figures = groups.flatMap(({ evaluator, metrics }) =>
    RATIO_NAMES.flatMap((name) => {
      const f = metrics.ratios[name];
      return f.estimate === null ? [] : [{ ratio: f.label, evaluator, estimate: f.estimate, low: f.ci?.low ?? f.estimate, high: f.ci?.high ?? null, unbounded: f.ci?.highUnbounded ?? false }];
    }),
  );
  // An unbounded upper bound runs to the top of the chart and is marked ∞.
  const top = (scale === 'log' ? 2 : 1.2) * Math.max(1, ...figures.flatMap((v) => [v.estimate, v.high ?? 0]));
  // A log scale has no 0: estimates are points (bars need a base), lower bounds kept above 0.
  const y = (field: string) => ({ field, type: 'quantitative' as const, title: 'ratio', ...(scale === 'log' ? { scale: { type: 'log' as const } } : {}) });
  const estimateMark = scale === 'log' ? { type: 'point' as const, filled: true, size: 90 } : { type: 'bar' as const, opacity: 0.85 };
  const values = figures
    .filter((v) => scale === 'linear' || v.estimate > 0)
    .map((v) => ({ ...v, high: v.unbounded ? top : (v.high ?? v.estimate), low: scale === 'log' ? Math.max(v.low, v.estimate / 1000) : v.low }));
  const order = RATIO_NAMES.map((n) => groups[0]?.metrics.ratios[n].label ?? n);
  // Two-line labels ("Generated vs. Control" / "| Topic") so none is cut off.
  const x = { field: 'ratio', type: 'nominal' as const, sort: order, title: null, axis: { labelAngle: 0, labelLimit: 0, labelExpr: "split(replace(datum.label, ' | ', '\\n| '), '\\n')" } };
  return toSvg({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Probability ratios (95% bootstrap intervals over raters)', subtitle: `${exclusionsNote(exclusions)}${scale === 'log' ? ' · log scale' : ''}` },
    width: 640,
    height: 300,
    config: { axis: FONT, legend: FONT, title: { font: FONT.font, fontSize: 14 } },
    data: { values },
    layer: [
      { mark: estimateMark, encoding: { x, xOffset: { field: 'evaluator' }, y: y('estimate'), color: { field: 'evaluator', title: 'evaluator' } } },
      { mark: { type: 'errorbar', ticks: { size: 12, color: 'black' }, thickness: 1.5, color: 'black' }, encoding: { x, xOffset: { field: 'evaluator' }, y: y('low'), y2: { field: 'high' } } },
      { mark: { type: 'rule', color: '#b00', strokeDash: [6, 4] }, encoding: { y: { datum: 1 } } },
      {
        mark: { type: 'text', dy: -8, fontSize: 15, fontWeight: 'bold' },
        transform: [{ filter: 'datum.unbounded' }],
        encoding: { x, xOffset: { field: 'evaluator' }, y: { field: 'high', type: 'quantitative' }, text: { value: '∞' } },
      },
    ],
  });
}

/** Figure 9: the rate of selecting the generated reason, with its interval, per evaluator. */
export function generatedRateChartSvg(groups: readonly EvaluatorMetrics[], exclusions: ExclusionMode): Promise<string> {
  const values = groups.flatMap(({ evaluator, metrics }) => {
    const f = metrics.rates.R1;
    return f.estimate === null ? [] : [{ evaluator, estimate: f.estimate, low: f.ci?.low ?? f.estimate, high: f.ci?.high ?? f.estimate }];
  });
  const x = { field: 'evaluator', type: 'nominal' as const, title: null, axis: { labelAngle: 0 } };
  return toSvg({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'R1: probability of selecting the generated reason', subtitle: exclusionsNote(exclusions) },
    width: Math.max(160, 90 * values.length),
    height: 300,
    config: { axis: FONT, title: { font: FONT.font, fontSize: 14 } },
    data: { values },
    layer: [
      { mark: { type: 'bar', opacity: 0.85 }, encoding: { x, y: { field: 'estimate', type: 'quantitative', title: 'R1', scale: { domain: [0, 1] }, axis: { format: '%' } }, color: { field: 'evaluator', legend: null } } },
      { mark: { type: 'errorbar', ticks: { size: 12, color: 'black' }, thickness: 1.5, color: 'black' }, encoding: { x, y: { field: 'low', type: 'quantitative', title: 'R1' }, y2: { field: 'high' } } },
    ],
  });
}
