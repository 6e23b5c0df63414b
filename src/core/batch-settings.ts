// The settings of a study batch, validated the same way for the CLI, the API and the console.
import { z } from 'zod';
import { maxAttentionChecks } from './attention-checks.js';
import { exclusionRulesSchema } from './exclusions.js';
import { prolificStudyIdSchema } from './prolific.js';
import { CATEGORY_DRAWS } from './task-generation.js';

/** A seed for the PRNG: a non-negative 31-bit integer (CLI, API and forms alike). */
/** A seed from a form, a query or a flag; missing or not a number says what to give. */
export const seedSchema = z.coerce.number({ message: 'must be a whole number from 0 to 2147483647, e.g. 42' }).int('must be a whole number, e.g. 42').min(0, 'must be 0 or more').max(2 ** 31 - 1, 'must be at most 2147483647');

/** SPEC 4: intervals from 1,000 bootstrap rounds unless the researcher asks for more or fewer. */
export const DEFAULT_BOOTSTRAP_ROUNDS = 1000;

/** Bootstrap rounds a caller may ask for. */
export const bootstrapRoundsSchema = z.coerce.number().int().min(100).max(20_000).default(DEFAULT_BOOTSTRAP_ROUNDS);

/** Minutes a rater has from entry before an unfinished session is timed out (DECISIONS: 60). */
export const DEFAULT_MAX_MINUTES = 60;

export const batchSettingsSchema = z.object({
  dataset: z.string().trim().min(1, 'name or id of an imported dataset'),
  name: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(100, 'must be at most 100 characters'),
  questions: z.coerce.number().int().min(1).max(200).default(20),
  raters: z.coerce.number().int().min(1).max(100_000).default(50),
  seed: seedSchema,
  completionCode: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9]{4,40}$/, 'must be the Prolific completion code: 4-40 letters and digits'),
  ratingsPerTask: z.coerce.number().int().min(1).max(10_000).nullable().default(null),
  preferredSide: z.enum(['first', 'random']).default('first'),
  categoryDraw: z.enum(CATEGORY_DRAWS, { message: 'must be uniform (SPEC 2, the default) or usable' }).default('uniform'),
  maxMinutes: z.coerce.number({ message: 'must be a whole number of minutes' }).int('must be a whole number of minutes').min(5, 'must be at least 5 minutes').max(1440, 'must be at most 1440 minutes (24 hours, as on Prolific)').default(DEFAULT_MAX_MINUTES),
  /** Left out: two, or fewer in batches of under three questions (core's defaultAttentionChecks). */
  attentionChecks: z
    // Only numbers and numeric text count: an empty field means "not set", never 0 checks.
    .preprocess((v) => (v === '' ? null : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v), z.number({ message: 'must be a whole number of checks' }).int('must be a whole number of checks').min(0, 'must be 0 or more').max(20, 'must be at most 20').nullable())
    .default(null),
  /** A comprehension question before the first study question (a form checkbox sends `on`). */
  comprehensionCheck: z.preprocess((v) => v === true || v === 'on' || v === 'true' || v === '1', z.boolean()),
  /** Left out: taken from the first rater's STUDY_ID. */
  prolificStudyId: prolificStudyIdSchema.nullable().default(null),
  ...exclusionRulesSchema.shape,
}).refine((s) => s.attentionChecks === null || s.attentionChecks <= maxAttentionChecks(s.questions), {
  path: ['attentionChecks'],
  message: 'too many for the questions: a check never comes first, so a batch of N questions carries at most N - 1 checks',
});

export type BatchSettings = z.infer<typeof batchSettingsSchema>;

