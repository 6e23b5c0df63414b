// A synthetic annotated dataset with the paper's category and topic prevalences, for demos and benchmarks.
import { PREFERENCE_CATEGORIES, TOPIC_CATEGORIES } from './paper-taxonomy.js';
import { pick, type Rng } from './rng.js';

/** One line of the JSON Lines format (SPEC 1), as the importer reads it. */
export interface SyntheticLine {
  id: string;
  source: string;
  prompt: string;
  response_a: string;
  response_b: string;
  model_a: string;
  model_b: string;
  winner: 'model_a' | 'model_b';
  topic_category: string;
  topic: string;
  preferences: { category: string; granular: string[] }[];
  truncated: boolean;
}

const MODELS = ['gpt-4', 'claude-v1', 'vicuna-13b', 'koala-13b', 'alpaca-13b', 'palm-2', 'llama-13b', 'chatglm-6b'];
const SUBJECTS = ['answer', 'explanation', 'example', 'summary', 'steps', 'comparison', 'recommendation', 'code'];
const QUALITIES: Record<string, readonly string[]> = {
  Clarity: ['plainly worded', 'clearly structured', 'easy to follow', 'unambiguous'],
  Thoroughness: ['covers every sub-question', 'detailed', 'walks through edge cases', 'complete'],
  Accuracy: ['factually correct', 'precise figures', 'correct terminology', 'verified claims'],
  Concise: ['brief', 'to the point', 'single short paragraph', 'no filler'],
  Relevance: ['on the asked question', 'addresses the exact request', 'stays on the prompt', 'pertinent'],
  Engagement: ['lively tone', 'inviting hook', 'enthusiastic voice', 'conversational'],
  Innovation: ['original idea', 'creative angle', 'unexpected approach', 'inventive framing'],
  Practicality: ['actionable advice', 'usable right away', 'realistic plan', 'practical tips'],
  Informative: ['extra background facts', 'educational detail', 'useful context facts', 'informative asides'],
  Diversity: ['several viewpoints', 'varied options', 'multiple alternatives', 'range of perspectives'],
  Comprehension: ['understands the intent', 'empathetic reading', 'grasps the nuance', 'insightful reading'],
  Organization: ['numbered list', 'headed sections', 'logical ordering', 'tidy layout'],
  'Follows Instructions': ['respects the word limit', 'uses the requested format', 'follows each step asked', 'keeps the given constraints'],
  Customization: ['tailored to the user', 'personal advice', 'fits the stated situation', 'personalised suggestion'],
  Concentration: ['focus on the core issue', 'single-topic focus', 'no digressions', 'focused scope'],
  Helpfulness: ['offers further help', 'supportive guidance', 'helpful next steps', 'assistance offered'],
  Humor: ['witty remark', 'playful joke', 'light humour', 'funny twist'],
  Context: ['situational context', 'historical context', 'contextual framing', 'background setting'],
  Environment: ['reassuring tone', 'warm register', 'calm wording', 'friendly atmosphere'],
  Direction: ['clear decision guidance', 'recommended course of action', 'decisive direction', 'guidance on choosing'],
  Efficiency: ['efficient method', 'fast solution', 'minimal effort route', 'performance-minded'],
};

/** Generates `count` datapoints; a datapoint carries each category with about its paper prevalence. */
export function generateSyntheticDataset(count: number, rng: Rng): SyntheticLine[] {
  const topicWeights = TOPIC_CATEGORIES.map(([, w]) => w);
  const lines: SyntheticLine[] = [];
  for (let i = 0; i < count; i++) {
    const [topic, , distinctive] = TOPIC_CATEGORIES[weightedIndex(topicWeights, rng)] as (typeof TOPIC_CATEGORIES)[number];
    const categories = PREFERENCE_CATEGORIES.filter(([name, percent]) => {
      // Distinctive categories are over-represented in their topic, as in Table 5.
      const boost = distinctive.includes(name) ? 3 : 1;
      return rng.next() < Math.min(0.95, (percent / 100) * boost);
    }).map(([name]) => name);
    if (categories.length === 0) {
      categories.push((PREFERENCE_CATEGORIES[weightedIndex(PREFERENCE_CATEGORIES.map(([, w]) => w), rng)] as readonly [string, number])[0]);
    }
    const noun = `${topic.split(/[ /]/)[0]?.toLowerCase()} question ${i % 97}`;
    const preferences = categories.map((category) => {
      const n = 1 + rng.int(2);
      const granular = new Set<string>();
      while (granular.size < n) granular.add(`${pick(QUALITIES[category] ?? [category], rng)} ${pick(SUBJECTS, rng)} on the ${noun}`);
      return { category, granular: [...granular] };
    });
    const [modelA, modelB] = twoModels(rng);
    lines.push({
      id: `synthetic-${String(i).padStart(6, '0')}`,
      source: 'prefbasis synthetic generator',
      prompt: `(${topic}) Synthetic prompt ${i}: please help me with a ${noun}.`,
      response_a: `Response from ${modelA} to prompt ${i}.\n\nIt discusses the ${noun} in its own way.`,
      response_b: `Response from ${modelB} to prompt ${i}.\n\n1. A first point about the ${noun}.\n2. A second point.`,
      model_a: modelA,
      model_b: modelB,
      // One draw, as before per-category strengths: the rest of the dataset is unchanged.
      winner: rng.next() < winProbability(modelA, modelB, categories) ? 'model_a' : 'model_b',
      topic_category: topic,
      topic: `${topic} topic ${i % 13}`,
      preferences,
      truncated: false,
    });
  }
  return lines;
}

/** Each model's overall strength in log-odds (so pElo has something to find; DECISIONS). */
const BASE_STRENGTH: Record<string, number> = {
  'gpt-4': 1.0, 'claude-v1': 0.7, 'palm-2': 0.35, 'vicuna-13b': 0.2, 'koala-13b': -0.1, 'alpaca-13b': -0.3, 'llama-13b': -0.5, 'chatglm-6b': -0.8,
};

/**
 * A model's strength on a category: its base plus a fixed, category-specific offset in
 * [−0.9, +0.9] (a deterministic pattern, not drawn, so that seeds keep their datasets), e.g. some
 * weaker models lead on Concise or Humor as in the paper's Table 6.
 */
function strengthOn(model: string, category: string): number {
  const m = MODELS.indexOf(model);
  const c = PREFERENCE_CATEGORIES.findIndex(([name]) => name === category);
  return (BASE_STRENGTH[model] ?? 0) + 0.45 * (((m * 5 + c * 3) % 5) - 2);
}

/** P(model A wins) under Bradley–Terry with the mean strength over the datapoint's categories. */
function winProbability(modelA: string, modelB: string, categories: readonly string[]): number {
  const mean = (model: string) => categories.reduce((s, c) => s + strengthOn(model, c), 0) / categories.length;
  return 1 / (1 + Math.exp(mean(modelB) - mean(modelA)));
}

function weightedIndex(weights: readonly number[], rng: Rng): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let x = rng.next() * total;
  for (let i = 0; i < weights.length; i++) {
    x -= weights[i] as number;
    if (x < 0) return i;
  }
  return weights.length - 1;
}

function twoModels(rng: Rng): [string, string] {
  const a = pick(MODELS, rng);
  let b = pick(MODELS, rng);
  while (b === a) b = pick(MODELS, rng);
  return [a, b];
}

export function toJsonl(lines: readonly SyntheticLine[]): string {
  return lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
}
