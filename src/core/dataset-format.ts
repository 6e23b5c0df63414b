// The JSON Lines dataset format (SPEC 1; shared/data/README.md) and its line-numbered validation.
import { z } from 'zod';
import { labelKey } from './normalize.js';

/** Labels and phrases: outer whitespace is trimmed. */
const nonBlank = z.string().trim().min(1, 'must be a non-empty string');
/** Prompt and responses are kept verbatim, but may not be blank. */
const verbatimText = z.string().refine((s) => s.trim().length > 0, 'must be a non-empty string');

const preferenceSchema = z.object({
  category: nonBlank,
  granular: z.array(nonBlank).min(1, 'needs at least one granular preference'),
});

/** One line of the file, as written (snake_case keys). Unknown keys are ignored. */
/** A dataset's name (CLI, API and console alike). */
export const datasetNameSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .regex(/^[\p{L}\p{N} ._:\-()]+$/u, 'may contain letters, digits, spaces and . _ : - ( )');

export const datasetLineSchema = z
  .object({
    id: z.union([nonBlank, z.number().int().transform(String)]),
    source: z.string().optional(),
    prompt: verbatimText,
    response_a: verbatimText,
    response_b: verbatimText,
    model_a: z.string().trim().default('unknown'),
    model_b: z.string().trim().default('unknown'),
    winner: z.enum(['model_a', 'model_b'], { message: 'must be "model_a" or "model_b" (ties are not supported)' }),
    topic_category: nonBlank,
    topic: z.string().optional(),
    preferences: z.array(preferenceSchema).min(1, 'needs at least one preference category'),
    truncated: z.boolean().default(false),
  })
  .superRefine((line, ctx) => {
    const seen = new Map<string, number>();
    line.preferences.forEach((pref, i) => {
      const key = labelKey(pref.category);
      const first = seen.get(key);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['preferences', i, 'category'],
          message: `"${pref.category}" repeats preferences.${first}.category; merge their granular lists`,
        });
      } else seen.set(key, i);
    });
  });

export type Winner = 'model_a' | 'model_b';

/** A validated datapoint in PrefBasis's own (camelCase) shape. */
export interface DatapointInput {
  lineNumber: number;
  sourceId: string;
  source: string | null;
  prompt: string;
  responseA: string;
  responseB: string;
  modelA: string;
  modelB: string;
  winner: Winner;
  topicCategory: string;
  topic: string | null;
  truncated: boolean;
  preferences: { category: string; granular: string[] }[];
}

export interface LineError {
  line: number;
  field: string;
  message: string;
}

export type ParseResult =
  | { ok: true; datapoints: DatapointInput[] }
  | { ok: false; errors: LineError[] };

/**
 * Validates every line of a JSON Lines text. Blank lines are skipped; line numbers are 1-based
 * physical lines. All problems are returned (the caller decides how many to show).
 */
export function parseDatasetJsonl(text: string): ParseResult {
  const datapoints: DatapointInput[] = [];
  const errors: LineError[] = [];
  const firstLineOfId = new Map<string, number>();
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (err) {
      errors.push({ line, field: '(line)', message: `not valid JSON: ${(err as Error).message}` });
      return;
    }
    const parsed = datasetLineSchema.safeParse(json);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        errors.push({ line, field: issue.path.length ? issue.path.join('.') : '(line)', message: issue.message });
      }
      return;
    }
    const d = parsed.data;
    const earlier = firstLineOfId.get(d.id);
    if (earlier !== undefined) {
      errors.push({ line, field: 'id', message: `"${d.id}" is already used on line ${earlier}; ids must be unique` });
      return;
    }
    firstLineOfId.set(d.id, line);
    datapoints.push({
      lineNumber: line,
      sourceId: d.id,
      source: d.source ?? null,
      prompt: d.prompt,
      responseA: d.response_a,
      responseB: d.response_b,
      modelA: d.model_a || 'unknown',
      modelB: d.model_b || 'unknown',
      winner: d.winner,
      topicCategory: d.topic_category,
      topic: d.topic ?? null,
      truncated: d.truncated,
      preferences: d.preferences.map((p) => ({ category: p.category, granular: p.granular })),
    });
  });
  if (errors.length === 0 && datapoints.length === 0) {
    errors.push({ line: 1, field: '(file)', message: 'the file has no datapoints; expected one JSON object per line' });
  }
  return errors.length ? { ok: false, errors } : { ok: true, datapoints };
}

/** `line N: field: what is wrong`, first `limit` errors, then a count of the rest. */
export function formatLineErrors(errors: readonly LineError[], limit = 50): string[] {
  const shown = errors.slice(0, limit).map((e) => `line ${e.line}: ${e.field}: ${e.message}`);
  if (errors.length > limit) shown.push(`… and ${errors.length - limit} more errors (${errors.length} in all)`);
  return shown;
}
