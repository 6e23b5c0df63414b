// Small dataset builders for tests: JSON Lines text from plain objects.

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
