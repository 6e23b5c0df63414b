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

export const evaluationSettingsSchema = z.object({
  model: z.string({ message: 'name the model, e.g. gpt-4o' }).trim().min(1, 'name the model, e.g. gpt-4o').max(200),
  baseUrl: z.preprocess(emptyAsNull, z.string().url('give the server\'s URL, e.g. http://localhost:8000/v1').nullable()),
  apiKeyEnv: z.preprocess((v) => (v === '' ? undefined : v), apiKeyEnvSchema.default('OPENAI_API_KEY')),
  concurrency: z.preprocess(emptyAsNull, z.coerce.number().int().min(1).max(64).nullable()).transform((v) => v ?? 8),
  repeats: z.preprocess(emptyAsNull, z.coerce.number().int().min(1).max(10).nullable()).transform((v) => v ?? 1),
  limit: z.preprocess(emptyAsNull, z.coerce.number().int().positive().nullable()),
});

export type EvaluationSettings = z.infer<typeof evaluationSettingsSchema>;
