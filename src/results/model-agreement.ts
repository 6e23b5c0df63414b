// A model against the humans' majority (core/model-agreement.ts) on a batch, with the batch's
// exclusion rules applied to the humans as every other result applies them.
import type { ExclusionMode } from '../core/exclusions.js';
import { modelAgreement, type ModelAgreement } from '../core/model-agreement.js';
import { listTaskAnswersForAgreement } from '../db/llm-runs.js';
import type { SqlRunner } from '../db/sql-runner.js';
import { findExclusions, type ExclusionSummary, type RulesOfBatch } from './exclusions.js';

export async function computeModelAgreement(
  sql: SqlRunner,
  batch: RulesOfBatch,
  model: string,
  options: { exclusions: ExclusionMode; worst: number },
): Promise<ModelAgreement & { exclusions: ExclusionSummary }> {
  const { excluded, summary } = await findExclusions(sql, [batch], options.exclusions);
  const left = options.exclusions === 'applied' ? [...excluded.keys()] : [];
  return { ...modelAgreement(await listTaskAnswersForAgreement(sql, batch.id, model, left), options.worst), exclusions: summary };
}
