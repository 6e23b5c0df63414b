import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { labelKey, phraseKey } from '../../src/core/normalize.js';
import { OPTION_KINDS } from '../../src/core/option-kinds.js';
import { createRng } from '../../src/core/rng.js';
import { generateSyntheticDataset } from '../../src/core/synthetic-dataset.js';
import { generateTasks, type GeneratedTask } from '../../src/core/task-generation.js';
import type { AnnotatedDatapoint } from '../../src/core/task-pools.js';

// Small vocabularies so that pools overlap, topics run empty and phrases collide after normalisation.
const TOPICS = ['Health', 'health ', 'Sports', 'Law'];
const CATEGORIES = ['Clarity', 'clarity', 'Accuracy', 'Humor', 'Concise', 'Depth'];
const PHRASES = ['brief', 'Brief.', 'clear steps', 'clear  steps!', 'exact date', 'a joke', 'short list', 'cites law', 'Other reasons', 'good tone'];

const datasetArb = fc
  .array(
    fc.record({
      topicCategory: fc.constantFrom(...TOPICS),
      preferences: fc.uniqueArray(
        fc.record({
          category: fc.constantFrom(...CATEGORIES),
          granular: fc.array(fc.oneof(fc.constantFrom(...PHRASES), fc.string({ minLength: 1, maxLength: 8 })), { minLength: 1, maxLength: 3 }),
        }),
        { minLength: 1, maxLength: 3, selector: (p) => labelKey(p.category) },
      ),
    }),
    { minLength: 1, maxLength: 40 },
  )
  .map((rows) => rows.map((r, i): AnnotatedDatapoint => ({ id: `d${i}`, ...r })));

const seedArb = fc.integer({ min: 0, max: 2 ** 31 - 1 });

function byId(datapoints: readonly AnnotatedDatapoint[]) {
  return new Map(datapoints.map((d) => [d.id, d]));
}

function phrasesUnder(d: AnnotatedDatapoint, categoryKey: string): string[] {
  return d.preferences.filter((p) => labelKey(p.category) === categoryKey).flatMap((p) => [...p.granular]);
}

function option(task: GeneratedTask, kind: (typeof OPTION_KINDS)[number]) {
  const o = task.options.find((x) => x.kind === kind);
  if (!o) throw new Error(`task has no ${kind} option`);
  return o;
}

describe('generateTasks (properties)', () => {
  it('gives six options per task, one of each kind, `other` last, phrases distinct after normalisation', () => {
    fc.assert(
      fc.property(datasetArb, seedArb, (datapoints, seed) => {
        for (const task of generateTasks(datapoints, createRng(seed)).tasks) {
          expect(task.options.map((o) => o.kind)).toEqual([...OPTION_KINDS]);
          const keys = task.options.map((o) => phraseKey(o.text));
          expect(new Set(keys).size).toBe(6);
        }
      }),
    );
  });

  it('draws `generated` from G1: the datapoint\'s own phrases under the sampled category', () => {
    fc.assert(
      fc.property(datasetArb, seedArb, (datapoints, seed) => {
        const index = byId(datapoints);
        for (const task of generateTasks(datapoints, createRng(seed)).tasks) {
          const d = index.get(task.datapointId) as AnnotatedDatapoint;
          const generated = option(task, 'generated');
          expect(generated.sourceDatapointId).toBe(d.id);
          expect(d.preferences.map((p) => p.category)).toContain(task.sampledCategory);
          expect(phrasesUnder(d, labelKey(task.sampledCategory))).toContain(generated.text);
        }
      }),
    );
  });

  it('draws category options from another datapoint with the sampled category (same topic for _topic)', () => {
    fc.assert(
      fc.property(datasetArb, seedArb, (datapoints, seed) => {
        const index = byId(datapoints);
        for (const task of generateTasks(datapoints, createRng(seed)).tasks) {
          const d = index.get(task.datapointId) as AnnotatedDatapoint;
          for (const kind of ['category', 'category_topic'] as const) {
            const o = option(task, kind);
            const source = index.get(o.sourceDatapointId ?? '') as AnnotatedDatapoint;
            expect(source.id).not.toBe(d.id);
            expect(phrasesUnder(source, labelKey(task.sampledCategory))).toContain(o.text);
            if (kind === 'category_topic') expect(labelKey(source.topicCategory)).toBe(labelKey(d.topicCategory));
          }
        }
      }),
    );
  });

  it('draws control options from another datapoint under a category the datapoint lacks (same topic for _topic)', () => {
    fc.assert(
      fc.property(datasetArb, seedArb, (datapoints, seed) => {
        const index = byId(datapoints);
        for (const task of generateTasks(datapoints, createRng(seed)).tasks) {
          const d = index.get(task.datapointId) as AnnotatedDatapoint;
          const own = new Set(d.preferences.map((p) => labelKey(p.category)));
          for (const kind of ['control', 'control_topic'] as const) {
            const o = option(task, kind);
            const source = index.get(o.sourceDatapointId ?? '') as AnnotatedDatapoint;
            expect(source.id).not.toBe(d.id);
            const foreign = source.preferences.filter((p) => !own.has(labelKey(p.category))).flatMap((p) => [...p.granular]);
            expect(foreign).toContain(o.text);
            if (kind === 'control_topic') expect(labelKey(source.topicCategory)).toBe(labelKey(d.topicCategory));
          }
        }
      }),
    );
  });

  it("never shows one of the datapoint's own phrases (under any of its categories) as another kind", () => {
    fc.assert(
      fc.property(datasetArb, seedArb, (datapoints, seed) => {
        const index = byId(datapoints);
        for (const task of generateTasks(datapoints, createRng(seed)).tasks) {
          const d = index.get(task.datapointId) as AnnotatedDatapoint;
          const own = new Set(d.preferences.flatMap((p) => p.granular.map(phraseKey)));
          for (const o of task.options.filter((x) => x.kind !== 'generated' && x.kind !== 'other')) {
            expect(own.has(phraseKey(o.text)), `${o.kind} "${o.text}" is one of ${d.id}'s own phrases`).toBe(false);
          }
        }
      }),
    );
  });

  it("does not offer d's own reason, spelled differently under another datapoint's category, as d's control", () => {
    // The case found by independent checking: "Shared reason." (e, Gamma) is d's "shared reason" (Beta).
    const datapoints: AnnotatedDatapoint[] = [
      { id: 'd', topicCategory: 'T', preferences: [{ category: 'Alpha', granular: ['alpha one'] }, { category: 'Beta', granular: ['shared reason'] }] },
      { id: 'e', topicCategory: 'T', preferences: [{ category: 'Alpha', granular: ['alpha two'] }, { category: 'Gamma', granular: ['Shared reason.'] }] },
      { id: 'f', topicCategory: 'T', preferences: [{ category: 'Alpha', granular: ['alpha three'] }, { category: 'Gamma', granular: ['gamma two'] }] },
      { id: 'g', topicCategory: 'T', preferences: [{ category: 'Delta', granular: ['delta one'] }, { category: 'Alpha', granular: ['alpha four'] }] },
    ];
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const task = generateTasks(datapoints, createRng(seed)).tasks.find((t) => t.datapointId === 'd');
      if (!task) continue;
      expect(task.options.filter((o) => o.kind !== 'generated').map((o) => phraseKey(o.text))).not.toContain(phraseKey('shared reason'));
    }
  });

  it('skips a datapoint only when its sampled G3 or G5 is empty, and counts it by reason', () => {
    fc.assert(
      fc.property(datasetArb, seedArb, (datapoints, seed) => {
        const { tasks, report } = generateTasks(datapoints, createRng(seed));
        expect(report.considered).toBe(datapoints.length);
        expect(report.made).toBe(tasks.length);
        expect(report.made + report.skipped).toBe(report.considered);
        const byReason = Object.values(report.skippedByReason).reduce((a, b) => a + b, 0);
        expect(byReason).toBe(report.skipped);
        const index = byId(datapoints);
        for (const s of report.skippedDatapoints) {
          const d = index.get(s.datapointId) as AnnotatedDatapoint;
          const others = datapoints.filter((o) => o.id !== d.id && labelKey(o.topicCategory) === labelKey(d.topicCategory));
          const own = new Set(d.preferences.map((p) => labelKey(p.category)));
          const g3 = others.flatMap((o) => phrasesUnder(o, labelKey(s.sampledCategory)));
          const g5 = others.flatMap((o) => o.preferences.filter((p) => !own.has(labelKey(p.category))).flatMap((p) => [...p.granular]));
          if (s.reason === 'empty-category-topic-pool') expect(g3).toEqual([]);
          if (s.reason === 'empty-control-topic-pool') expect(g5).toEqual([]);
          // Not empty, but nothing left once d's own phrases and the options drawn before are set aside.
          if (s.reason === 'no-distinct-options') expect(g3.length * g5.length).toBeGreaterThan(0);
        }
      }),
    );
  });

  it('gives byte-identical output for the same dataset and seed', () => {
    fc.assert(
      fc.property(datasetArb, seedArb, (datapoints, seed) => {
        const a = JSON.stringify(generateTasks(datapoints, createRng(seed)));
        const b = JSON.stringify(generateTasks(structuredClone(datapoints), createRng(seed)));
        expect(a).toBe(b);
      }),
    );
  });

  it('gives different output for different seeds', () => {
    const datapoints = generateSyntheticDataset(300, createRng(7)).map((l) => ({ id: l.id, topicCategory: l.topic_category, preferences: l.preferences }));
    fc.assert(
      fc.property(seedArb, seedArb, (s1, s2) => {
        fc.pre(s1 !== s2);
        expect(JSON.stringify(generateTasks(datapoints, createRng(s1)))).not.toBe(JSON.stringify(generateTasks(datapoints, createRng(s2))));
      }),
      { numRuns: 30 },
    );
  });

  it('stops after `limit` tasks', () => {
    fc.assert(
      fc.property(datasetArb, seedArb, fc.integer({ min: 1, max: 10 }), (datapoints, seed, limit) => {
        const all = generateTasks(datapoints, createRng(seed));
        const limited = generateTasks(datapoints, createRng(seed), { limit });
        expect(limited.tasks.length).toBe(Math.min(limit, all.tasks.length));
      }),
    );
  });

  it('does not mutate its input', () => {
    fc.assert(
      fc.property(datasetArb, seedArb, (datapoints, seed) => {
        const before = structuredClone(datapoints);
        generateTasks(datapoints, createRng(seed));
        expect(datapoints).toEqual(before);
      }),
    );
  });
});

describe('generateTasks (sampling)', () => {
  it('samples each phrase of G2 uniformly', () => {
    // d0 is the only datapoint of topic T with category X besides d1; G2 for d0 holds d1..d4's four X phrases.
    const datapoints: AnnotatedDatapoint[] = [
      { id: 'd0', topicCategory: 'T', preferences: [{ category: 'X', granular: ['own phrase'] }] },
      ...[1, 2, 3, 4].map((i) => ({
        id: `d${i}`,
        topicCategory: i === 1 ? 'T' : 'U',
        preferences: [
          { category: 'X', granular: [`x phrase ${i}`] },
          { category: 'Y', granular: [`y phrase ${i}`] },
        ],
      })),
    ];
    const counts = new Map<string, number>();
    const rounds = 4000;
    let made = 0;
    for (let seed = 0; seed < rounds; seed++) {
      const task = generateTasks(datapoints, createRng(seed)).tasks.find((t) => t.datapointId === 'd0');
      if (!task) continue;
      made++;
      const text = option(task, 'category').text;
      counts.set(text, (counts.get(text) ?? 0) + 1);
    }
    expect(made).toBe(rounds);
    // category_topic always takes 'x phrase 1' first, so category is uniform over the other three.
    expect([...counts.keys()].sort()).toEqual(['x phrase 2', 'x phrase 3', 'x phrase 4']);
    for (const n of counts.values()) expect(Math.abs(n / rounds - 1 / 3)).toBeLessThan(0.03);
  });
});
