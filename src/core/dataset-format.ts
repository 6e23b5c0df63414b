// The JSON Lines dataset format (SPEC 1; shared/data/README.md) and its line-numbered validation.
import { z } from 'zod';
import { labelKey } from './normalize.js';
import { drain, type Steps } from './steps.js';

/**
 * Length limits: ids, categories and topics are indexed (PostgreSQL refuses index entries over
 * ~2.7 KB), and no text may hold a NUL character or half of a surrogate pair (PostgreSQL text
 * cannot store either).
 */
export const DATASET_LIMITS = { label: 500, phrase: 2_000, text: 1_000_000 } as const;

const noNul = (s: string) => !s.includes('\u0000');
const NUL_MESSAGE = 'must not contain a NUL character (\\u0000); remove it from the file';
const SURROGATE = /[\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Half of an emoji's pair (a "\\ud83d" escape alone) is no character: it cannot be stored as text. */
const wellFormed = (s: string) => !SURROGATE.test(s) || !LONE_SURROGATE.test(s);
const SURROGATE_MESSAGE = 'holds half of a character (a lone \\ud800-\\udfff escape, e.g. a cut emoji); fix or remove it';
const within = (max: number) => `must be at most ${max.toLocaleString('en')} characters`;

/** Labels (ids, categories, topics): outer whitespace is trimmed; indexed, so short. */
const label = z.string().trim().min(1, 'must be a non-empty string').max(DATASET_LIMITS.label, within(DATASET_LIMITS.label)).refine(noNul, NUL_MESSAGE).refine(wellFormed, SURROGATE_MESSAGE);
/** Granular phrases: trimmed, shown as options. */
const phrase = z.string().trim().min(1, 'must be a non-empty string').max(DATASET_LIMITS.phrase, within(DATASET_LIMITS.phrase)).refine(noNul, NUL_MESSAGE).refine(wellFormed, SURROGATE_MESSAGE);
/** Prompt and responses are kept verbatim, but may not be blank. */
const verbatimText = z
  .string()
  .max(DATASET_LIMITS.text, within(DATASET_LIMITS.text))
  .refine((s) => s.trim().length > 0, 'must be a non-empty string')
  .refine(noNul, NUL_MESSAGE).refine(wellFormed, SURROGATE_MESSAGE);
const optionalText = z.string().max(DATASET_LIMITS.label, within(DATASET_LIMITS.label)).refine(noNul, NUL_MESSAGE).refine(wellFormed, SURROGATE_MESSAGE).optional();

const preferenceSchema = z.object({
  category: label,
  granular: z.array(phrase).min(1, 'needs at least one granular preference'),
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
    id: z.union([label, z.number().int().transform(String)]),
    source: optionalText,
    prompt: verbatimText,
    response_a: verbatimText,
    response_b: verbatimText,
    model_a: z.string().trim().max(DATASET_LIMITS.label, within(DATASET_LIMITS.label)).refine(noNul, NUL_MESSAGE).refine(wellFormed, SURROGATE_MESSAGE).default('unknown'),
    model_b: z.string().trim().max(DATASET_LIMITS.label, within(DATASET_LIMITS.label)).refine(noNul, NUL_MESSAGE).refine(wellFormed, SURROGATE_MESSAGE).default('unknown'),
    winner: z.enum(['model_a', 'model_b'], { message: 'must be "model_a" or "model_b" (ties are not supported)' }),
    topic_category: label,
    topic: optionalText,
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
  | { ok: false; errors: LineError[]; errorCount: number };

/** Problems kept in full; beyond them a file's problems are only counted (memory stays bounded). */
export const MAX_LINE_ERRORS = 50;

/**
 * Validates every line of a JSON Lines text. Blank lines are skipped; line numbers are 1-based
 * physical lines. The first MAX_LINE_ERRORS problems are kept, the rest counted.
 */
export function parseDatasetJsonl(text: string): ParseResult {
  return drain(parseDatasetSteps(text));
}

/** Lines validated between two yields of parseDatasetSteps (a few milliseconds of work). */
const LINES_PER_STEP = 200;

/** parseDatasetJsonl as steps: a server validates a large file without holding up other requests. */
export function* parseDatasetSteps(text: string): Steps<ParseResult> {
  const datapoints: DatapointInput[] = [];
  const steps = validDatapointSteps(text);
  for (;;) {
    const step = steps.next();
    if (step.done) {
      const { errors, errorCount, last } = step.value;
      return errorCount > 0 ? { ok: false, errors, errorCount } : { ok: true, datapoints: [...datapoints, ...last] };
    }
    for (const d of step.value) datapoints.push(d);
    yield;
  }
}

/** What validation found besides the datapoints: the first problems and how many there are in all. */
export interface LineProblems {
  errors: LineError[];
  errorCount: number;
}

/**
 * Validates every line of a JSON Lines text, a step of LINES_PER_STEP lines at a time: each step
 * yields the valid datapoints it found (none once the file is known to be invalid, since they
 * will never be used), so an importer can store them while the rest is checked; the datapoints of
 * the last lines come with the return value. Blank lines are
 * skipped; line numbers are 1-based physical lines. The first MAX_LINE_ERRORS problems are kept,
 * the rest counted.
 */
export function* validDatapointSteps(text: string): Generator<DatapointInput[], LineProblems & { last: DatapointInput[] }> {
  let found: DatapointInput[] = [];
  let datapointCount = 0;
  const errors: LineError[] = [];
  let errorCount = 0;
  const report = (e: LineError) => {
    if (errorCount++ < MAX_LINE_ERRORS) errors.push(e);
  };
  const firstLineOfId = new Map<string, number>();
  // Lines are cut one at a time: a split of the whole text would be one long pause of its own.
  for (let start = 0, line = 1; start <= text.length; line++) {
    const newline = text.indexOf('\n', start);
    const end = newline === -1 ? text.length : newline;
    const raw = text.slice(start, end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end);
    start = end + 1;
    if (line % LINES_PER_STEP === 0) {
      yield errorCount === 0 ? found : [];
      found = [];
    }
    if (raw.trim() === '') continue;
    const d = parseDatasetLine(raw, line, report);
    if (!d) continue;
    const earlier = firstLineOfId.get(d.id);
    if (earlier !== undefined) {
      report({ line, field: 'id', message: `"${d.id}" is already used on line ${earlier}; ids must be unique` });
      continue;
    }
    firstLineOfId.set(d.id, line);
    datapointCount++;
    if (errorCount === 0) found.push(toDatapointInput(d, line));
  }
  if (errorCount === 0 && datapointCount === 0) report({ line: 1, field: '(file)', message: 'the file has no datapoints; expected one JSON object per line' });
  return { errors, errorCount, last: errorCount === 0 ? found : [] };
}

type DatasetLine = z.infer<typeof datasetLineSchema>;

/** One line checked against the format; its problems go to `report`, and null comes back. */
function parseDatasetLine(raw: string, line: number, report: (e: LineError) => void): DatasetLine | null {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    report({ line, field: '(line)', message: `not valid JSON: ${(err as Error).message}` });
    return null;
  }
  const parsed = datasetLineSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) report({ line, field: issue.path.length ? issue.path.join('.') : '(line)', message: issue.message });
  return null;
}

function toDatapointInput(d: DatasetLine, line: number): DatapointInput {
  return {
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
  };
}

/** `line N: field: what is wrong`, first `limit` errors, then a count of the rest (of `total`). */
export function formatLineErrors(errors: readonly LineError[], total = errors.length, limit = MAX_LINE_ERRORS): string[] {
  const shown = errors.slice(0, limit).map((e) => `line ${e.line}: ${e.field}: ${e.message}`);
  if (total > shown.length) shown.push(`… and ${total - shown.length} more errors (${total} in all)`);
  return shown;
}
