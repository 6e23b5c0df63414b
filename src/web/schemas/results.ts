// Query schemas for metrics and exports.
import { z } from 'zod';
import { bootstrapRoundsSchema, seedSchema } from '../../core/batch-settings.js';
import { exclusionModeSchema } from '../../core/exclusions.js';
import { SLICE_DIMENSIONS } from '../../core/metric-slices.js';

const flag = z
  .enum(['true', 'false', '1', '0'])
  .default('false')
  .transform((v) => v === 'true' || v === '1');

export const metricsQuerySchema = z.object({
  by: z.enum(SLICE_DIMENSIONS).optional(),
  rounds: bootstrapRoundsSchema,
  seed: seedSchema.optional(),
  includePartial: flag,
  format: z.enum(['json', 'csv']).default('json'),
  exclusions: exclusionModeSchema,
});

export const crossBatchQuerySchema = metricsQuerySchema.extend({
  batches: z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.string().min(1)).min(1, 'list at least one batch id').max(50)),
});

export const exportQuerySchema = z.object({ format: z.enum(['csv', 'jsonl']).default('csv') });
export const answersQuerySchema = z.object({ format: z.enum(['csv', 'jsonl', 'parquet']).default('csv') });
export const tasksQuerySchema = z.object({ format: z.enum(['json', 'csv', 'jsonl']).default('json') });
