// Query schemas for the analyses (issue 14): agreement, position bias, convergence and pElo.
import { z } from 'zod';
import { bootstrapRoundsSchema, seedSchema } from '../../core/batch-settings.js';
import { convergenceRoundsSchema, targetWidthSchema } from '../../core/convergence.js';
import { exclusionModeSchema } from '../../core/exclusions.js';

const base = {
  rounds: bootstrapRoundsSchema,
  seed: seedSchema.optional(),
  exclusions: exclusionModeSchema,
  format: z.enum(['json', 'csv']).default('json'),
};

export const agreementQuerySchema = z.object({ ...base, by: z.enum(['topic', 'category']).optional() });
export const positionBiasQuerySchema = z.object(base);
export const convergenceQuerySchema = z.object({
  ...base,
  rounds: convergenceRoundsSchema,
  width: targetWidthSchema,
});

/** A query value given once or repeated (?category=A&category=B), or comma-separated. */
const listOf = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean));

export const eloQuerySchema = z.object({
  category: listOf.optional(),
  anchor: z.string().trim().min(1).max(200).optional(),
  rounds: bootstrapRoundsSchema,
  seed: seedSchema.optional(),
  format: z.enum(['json', 'csv']).default('json'),
});
