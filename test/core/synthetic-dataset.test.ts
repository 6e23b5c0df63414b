// The synthetic dataset the demo teaches with (issue 12.3): no tells that give the generated reason
// away — it shares no more words with the conversation than the control reasons do.
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import { generateSyntheticDataset } from '../../src/core/synthetic-dataset.js';
import { generateTasks } from '../../src/core/task-generation.js';
import { DEMO_DATAPOINTS, DEMO_SEED } from '../../src/demo.js';

const lines = generateSyntheticDataset(DEMO_DATAPOINTS, createRng(DEMO_SEED));
const MODELS = [...new Set(lines.flatMap((l) => [l.model_a, l.model_b]))];

const STOP = new Set(['the', 'a', 'an', 'and', 'or', 'of', 'to', 'in', 'on', 'for', 'is', 'it', 'that', 'this', 'with', 'as', 'be', 'are', 'you', 'i', 'my', 'at', 'by', 'if', 'so', 'do', 'how', 'what', 'why']);
const words = (text: string) => new Set(text.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length > 1 && !STOP.has(w)));
const shared = (a: Set<string>, b: Set<string>) => [...a].filter((w) => b.has(w)).length;

describe('the demo dataset', () => {
  it('names no model in any text and gives the reasons no number or topic to echo', () => {
    for (const l of lines) {
      for (const text of [l.prompt, l.response_a, l.response_b]) for (const m of MODELS) expect(text).not.toContain(m);
      for (const p of l.preferences) for (const g of p.granular) expect(g).not.toMatch(/\d|question|topic/i);
    }
  });

  it('varies the responses: lengths, lists, a code block, more than one shape', () => {
    const responses = lines.flatMap((l) => [l.response_a, l.response_b]);
    const lengths = responses.map((r) => r.length);
    expect(Math.max(...lengths)).toBeGreaterThan(4 * Math.min(...lengths));
    expect(responses.some((r) => /^- /m.test(r))).toBe(true);
    expect(responses.some((r) => /^1\. /m.test(r))).toBe(true);
    expect(responses.some((r) => r.includes('```'))).toBe(true);
    expect(lines.filter((l) => l.response_a === l.response_b).length).toBeLessThan(lines.length / 20);
  });

  it('gives the generated reason no more words in common with the conversation than the control reasons, on average over the demo batch', () => {
    const datapoints = lines.map((l) => ({ id: l.id, topicCategory: l.topic_category, preferences: l.preferences }));
    const byId = new Map(lines.map((l) => [l.id, l]));
    const { tasks } = generateTasks(datapoints, createRng(DEMO_SEED), { limit: 1000 });
    expect(tasks.length).toBeGreaterThan(200);
    const overlap: Record<string, number[]> = { generated: [], control: [], control_topic: [] };
    for (const t of tasks) {
      const l = byId.get(t.datapointId)!;
      const conversation = words(`${l.prompt} ${l.response_a} ${l.response_b}`);
      for (const o of t.options) overlap[o.kind]?.push(shared(words(o.text), conversation));
    }
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    // Within 0.05 words: chance differences only (the reasons' words are drawn apart from the texts).
    expect(mean(overlap.generated!)).toBeLessThanOrEqual(mean(overlap.control!) + 0.05);
    expect(mean(overlap.generated!)).toBeLessThanOrEqual(mean(overlap.control_topic!) + 0.05);
  });
});

describe('synthetic responses', () => {
  it('never repeat a sentence within one response', () => {
    for (const l of lines) {
      for (const r of [l.response_a, l.response_b]) {
        const sentences = r.split(/(?<=\.)\s+/).filter((x) => x.length > 20 && !x.includes('\n'));
        expect(new Set(sentences).size, r).toBe(sentences.length);
      }
    }
  });
});
