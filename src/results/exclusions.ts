// Who is excluded from a batch's results and why: each batch's own rules (core/exclusions.ts)
// applied to its raters' quality figures (db/rater-quality.ts). One home for metrics, exports,
// the review and the exclusion report.
import { exclusionCounts, exclusionRulesOf, exclusionsOf, type ExclusionMode, type ExclusionRuleName, type ExclusionRules, type RaterQuality } from '../core/exclusions.js';
import type { Batch } from '../db/batches.js';
import type { SqlStatements } from '../db/sql-runner.js';
import { listExclusionCandidates, listRaterQuality, type BatchRaterQuality, type QualityOptions } from '../db/rater-quality.js';

/** Participants the exclusion rules apply to: Prolific raters and the simulated people standing in for them. */
const PERSON_EVALUATORS = new Set(['human', 'simulated']);

export type RulesOfBatch = Pick<Batch, 'id' | 'excludeFailedChecks' | 'excludeSpeederSeconds' | 'excludeStraightLinerPercent'>;

/** Just the batch's exclusion rules (e.g. to hand to a worker thread). */
export function rulesOfBatch(batch: RulesOfBatch): RulesOfBatch {
  return { id: batch.id, excludeFailedChecks: batch.excludeFailedChecks, excludeSpeederSeconds: batch.excludeSpeederSeconds, excludeStraightLinerPercent: batch.excludeStraightLinerPercent };
}

export interface RaterReport extends BatchRaterQuality {
  excludedBy: ExclusionRuleName[];
}

/** Every rater of the batches with their figures and the rules of their batch they fall under. */
export async function reportRaters(sql: SqlStatements, batches: readonly RulesOfBatch[], options: QualityOptions = { medians: true }): Promise<RaterReport[]> {
  const rulesOf = new Map(batches.map((b) => [b.id, exclusionRulesOf(b)]));
  const raters = await listRaterQuality(sql, batches.map((b) => b.id), options);
  return raters.map((q) => ({ ...q, excludedBy: excludedBy(rulesOf.get(q.batchId), q) }));
}

/**
 * The rules of a rater's batch that exclude them. The rules are about people's attention: model
 * evaluators (LLMs) are never excluded by them.
 */
function excludedBy(rules: ExclusionRules | undefined, q: RaterQuality & { evaluator: string }): ExclusionRuleName[] {
  return rules && PERSON_EVALUATORS.has(q.evaluator) ? exclusionsOf(rules, q) : [];
}

export interface ExclusionSummary {
  mode: ExclusionMode;
  /** Raters the rules exclude (whether or not the mode applies them). */
  excludedRaters: number;
  byRule: Record<ExclusionRuleName, number>;
}

/** The excluded raters (by participant id) and the summary every result states. */
export async function findExclusions(sql: SqlStatements, batches: readonly RulesOfBatch[], mode: ExclusionMode): Promise<{ excluded: Map<string, ExclusionRuleName[]>; summary: ExclusionSummary }> {
  // Medians (a sort of every answer) only when some batch has a speeder rule, and the answers read
  // at all only when some rule looks at them (the default rule reads attention checks alone).
  const speeder = batches.some((b) => b.excludeSpeederSeconds !== null);
  const answers = speeder || batches.some((b) => b.excludeStraightLinerPercent !== null);
  // Only the raters a rule could exclude, with what the rules look at (reportRaters' verdicts).
  const candidates = await listExclusionCandidates(sql, batches.map((b) => b.id), { medians: speeder, answers });
  const rulesOf = new Map(batches.map((b) => [b.id, exclusionRulesOf(b)]));
  const excluded = new Map<string, ExclusionRuleName[]>();
  for (const q of candidates) {
    const hit = excludedBy(rulesOf.get(q.batchId), q);
    if (hit.length > 0) excluded.set(q.participantId, hit);
  }
  return { excluded, summary: { mode, excludedRaters: excluded.size, byRule: exclusionCounts(excluded) } };
}
