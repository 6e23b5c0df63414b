// A synthetic annotated dataset with the paper's category and topic prevalences, for demos and benchmarks.
import { PREFERENCE_CATEGORIES, TOPIC_CATEGORIES } from './paper-taxonomy.js';
import { pick, type Rng } from './rng.js';
import { syntheticPrompt, syntheticResponse } from './synthetic-texts.js';

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
/** Adjectives in each category's vocabulary (paper Table 1): a reason reads "<quality> <subject>". */
const QUALITIES: Record<string, readonly string[]> = {
  Clarity: ['plainly worded', 'clearly structured', 'easy-to-follow', 'unambiguous'],
  Thoroughness: ['thorough', 'detailed', 'complete', 'exhaustive'],
  Accuracy: ['factually correct', 'precise', 'accurate', 'well-checked'],
  Concise: ['brief', 'to-the-point', 'compact', 'succinct'],
  Relevance: ['on-point', 'relevant', 'request-focused', 'pertinent'],
  Engagement: ['lively', 'engaging', 'enthusiastic', 'conversational'],
  Innovation: ['original', 'creative', 'unexpected', 'inventive'],
  Practicality: ['actionable', 'practical', 'realistic', 'ready-to-use'],
  Informative: ['informative', 'educational', 'fact-rich', 'insightful'],
  Diversity: ['many-sided', 'varied', 'multi-perspective', 'balanced'],
  Comprehension: ['understanding', 'empathetic', 'perceptive', 'attentive'],
  Organization: ['well-organised', 'neatly sectioned', 'logically ordered', 'tidy'],
  'Follows Instructions': ['format-respecting', 'instruction-following', 'constraint-respecting', 'as-requested'],
  Customization: ['tailored', 'personalised', 'situation-specific', 'user-specific'],
  Concentration: ['focused', 'single-minded', 'digression-free', 'narrowly scoped'],
  Helpfulness: ['helpful', 'supportive', 'encouraging', 'useful'],
  Humor: ['witty', 'playful', 'funny', 'light-hearted'],
  Context: ['context-aware', 'historically grounded', 'well-framed', 'well-situated'],
  Environment: ['reassuring', 'warm', 'calm', 'friendly'],
  Direction: ['decisive', 'directive', 'clear-cut', 'guiding'],
  Efficiency: ['efficient', 'fast', 'low-effort', 'performance-minded'],
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
    const preferences = categories.map((category) => {
      const n = 1 + rng.int(2);
      const granular = new Set<string>();
      // The same draws as before the texts lost their tells: seeds keep their categories and winners.
      while (granular.size < n) granular.add(`${pick(QUALITIES[category] ?? [category.toLowerCase()], rng)} ${pick(SUBJECTS, rng)}`);
      return { category, granular: [...granular] };
    });
    const [modelA, modelB] = twoModels(rng);
    lines.push({
      id: `synthetic-${String(i).padStart(6, '0')}`,
      source: 'prefbasis synthetic generator',
      prompt: syntheticPrompt(topic, i),
      response_a: syntheticResponse(topic, i, 0),
      response_b: syntheticResponse(topic, i, 1),
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
