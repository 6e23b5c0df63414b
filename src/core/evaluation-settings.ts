// The settings of an LLM evaluation as the API, the console form and the CLI take them.
import { z } from 'zod';

/**
 * Only variables named like an API key may be read for a run: a job started over the web names the
 * variable, and the server sends its value to the job's server, so DATABASE_URL or
 * PREFBASIS_SECRET must never be nameable.
 */
export const apiKeyEnvSchema = z
  .string()
  .regex(/^[A-Z][A-Z0-9_]*_API_KEY$/, 'name an environment variable ending in _API_KEY, e.g. OPENAI_API_KEY');

/** An empty form field or a field left out: not set. */
const emptyAsNull = (v: unknown) => (v === '' || v === undefined ? null : v);

/** Evaluator names the study's own raters carry: a model may not take them (any letter case). */
const RESERVED_EVALUATORS = ['human', 'simulated'];

export const modelNameSchema = z
  .string({ message: 'name the model, e.g. gpt-4o' })
  .trim()
  .min(1, 'name the model, e.g. gpt-4o')
  .max(200)
  .refine((name) => !RESERVED_EVALUATORS.includes(name.toLowerCase()), 'is the name of the study\'s own raters; name the model as its server knows it, e.g. gpt-4o');

export const evaluationSettingsSchema = z.object({
  model: modelNameSchema,
  baseUrl: z.preprocess(emptyAsNull, z.string().url('give the server\'s URL, e.g. http://localhost:8000/v1').refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) URL').nullable()),
  apiKeyEnv: z.preprocess((v) => (v === '' ? undefined : v), apiKeyEnvSchema.default('OPENAI_API_KEY')),
  concurrency: z.preprocess(emptyAsNull, z.coerce.number().int().min(1).max(64).nullable()).transform((v) => v ?? 8),
  repeats: z.preprocess(emptyAsNull, z.coerce.number().int().min(1).max(10).nullable()).transform((v) => v ?? 1),
  limit: z.preprocess(emptyAsNull, z.coerce.number().int().positive().nullable()),
});

export type EvaluationSettings = z.infer<typeof evaluationSettingsSchema>;

/**
 * Whether a job queued over the web may send a key to `baseUrl`: OpenAI's own (null) always; any
 * other server only when the operator listed it (PREFBASIS_LLM_BASE_URLS, comma-separated URL
 * prefixes), so an admin account or token cannot send the server's keys to a host of its choosing.
 */
export function baseUrlAllowed(baseUrl: string | null, allowed: string | undefined): boolean {
  if (baseUrl === null) return true;
  const prefixes = (allowed ?? '').split(',').map((p) => p.trim()).filter(Boolean);
  return prefixes.some((p) => baseUrl === p || baseUrl.startsWith(p.endsWith('/') ? p : `${p}/`));
}
