// Models against the humans' majority (core/model-agreement.ts) on a batch, with the batch's
// exclusion rules applied to the humans as every other result applies them (found once for all
// the models asked about).
import type { ExclusionMode } from '../core/exclusions.js';
import { modelAgreement, type ModelAgreement } from '../core/model-agreement.js';
import { listTaskAnswersForAgreement } from '../db/llm-runs.js';
import type { SqlRunner } from '../db/sql-runner.js';
import { findExclusions, type ExclusionSummary, type RulesOfBatch } from './exclusions.js';

export type ModelAgreementResult = ModelAgreement & { model: string; exclusions: ExclusionSummary };

export async function computeModelAgreements(
  sql: SqlRunner,
  batch: RulesOfBatch,
  models: readonly string[],
  options: { exclusions: ExclusionMode; worst: number },
): Promise<ModelAgreementResult[]> {
  if (models.length === 0) return [];
  const { excluded, summary } = await findExclusions(sql, [batch], options.exclusions);
  const left = options.exclusions === 'applied' ? [...excluded.keys()] : [];
  const results: ModelAgreementResult[] = [];
  for (const model of models) {
    results.push({ model, ...modelAgreement(await listTaskAnswersForAgreement(sql, batch.id, model, left), options.worst), exclusions: summary });
  }
  return results;
}
