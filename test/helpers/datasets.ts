// Small dataset builders for tests: JSON Lines text from plain objects.
import { createRng } from '../../src/core/rng.js';
import { generateSyntheticDataset, toJsonl } from '../../src/core/synthetic-dataset.js';

export interface LineOverrides {
  [key: string]: unknown;
}

export function datasetLine(i: number, overrides: LineOverrides = {}): Record<string, unknown> {
  return {
    id: `t-${i}`,
    prompt: `Prompt ${i}?`,
    response_a: `Answer A ${i}`,
    response_b: `Answer B ${i}`,
    model_a: 'm1',
    model_b: 'm2',
    winner: 'model_a',
    topic_category: i % 2 ? 'Health' : 'Sports',
    topic: 'topic',
    preferences: [
      { category: 'Clarity', granular: [`clear wording ${i}`] },
      { category: i % 3 ? 'Accuracy' : 'Humor', granular: [`precise fact ${i}`, `checked number ${i}`] },
    ],
    ...overrides,
  };
}

export function toJsonlText(lines: readonly unknown[]): string {
  return lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n';
}

/**
 * The synthetic dataset with each prompt made unique (its line id appended): tests whose model
 * stand-in tells tasks apart by their prompt (the demo texts repeat a few prompts per topic).
 */
export function uniquePromptsJsonl(count: number, seed: string): string {
  return toJsonl(generateSyntheticDataset(count, createRng(seed)).map((l) => ({ ...l, prompt: `${l.prompt} (${l.id})` })));
}
