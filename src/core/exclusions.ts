// Data-quality exclusions: rules a researcher sets per batch, applied to each rater's record. An
// excluded rater stays in every export (flagged); metrics are shown with and without exclusions.
import { z } from 'zod';

export type ExclusionRuleName = 'failed_checks' | 'speeder' | 'straight_liner';

/** A batch's rules; null turns a rule off. */
export interface ExclusionRules {
  /** Excluded when failing at least this many attention checks (Prolific: two failed checks). */
  failedChecks: number | null;
  /** Excluded when the median seconds per study question is below this (speeders). */
  speederSeconds: number | null;
  /** Excluded when every option was ticked on at least this percent of study questions (straight-liners). */
  straightLinerPercent: number | null;
}

/** DECISIONS: exclusions are applied unless the caller asks for none. */
export const EXCLUSION_MODES = ['applied', 'none'] as const;
export type ExclusionMode = (typeof EXCLUSION_MODES)[number];
export const exclusionModeSchema = z.enum(EXCLUSION_MODES, { message: 'must be applied (the default) or none' }).default('applied');

/** A rule threshold that `off` (CLI, form), an empty field or null turns off. */
const threshold = (schema: z.ZodType<number, unknown>, fallback: number | null) =>
  z.preprocess((v) => (v === 'off' || v === '' ? null : v), schema.nullable()).default(fallback);

/** The rules as settings fields (CLI, API, form): failed checks on at two, the others off. */
export const exclusionRulesSchema = z.object({
  excludeFailedChecks: threshold(z.coerce.number('must be a whole number of checks, or off').int('must be a whole number of checks, or off').min(1, 'must be at least 1, or off').max(100, 'must be at most 100, or off'), 2),
  excludeSpeederSeconds: threshold(z.coerce.number('must be a number of seconds, or off').positive('must be above 0 seconds, or off').max(3600, 'must be at most 3600 seconds, or off'), null),
  excludeStraightLinerPercent: threshold(z.coerce.number('must be a whole percent, or off').int('must be a whole percent, or off').min(1, 'must be 1-100, or off').max(100, 'must be 1-100, or off'), null),
});
export type ExclusionRuleSettings = z.infer<typeof exclusionRulesSchema>;

/** The rules of a batch, or of its settings (CLI, API, form), as exclusionsOf reads them. */
export function exclusionRulesOf(s: ExclusionRuleSettings): ExclusionRules {
  return { failedChecks: s.excludeFailedChecks, speederSeconds: s.excludeSpeederSeconds, straightLinerPercent: s.excludeStraightLinerPercent };
}

/** What the rules look at for one rater (study answers only; checks counted apart). */
export interface RaterQuality {
  participantId: string;
  checksAnswered: number;
  checksFailed: number;
  studyAnswers: number;
  /** Median seconds from a question shown to its answer; null without answers. */
  medianSeconds: number | null;
  /** Study answers with every option ticked. */
  allTicked: number;
}

/** The rules a rater falls under, in a fixed order (empty: kept). */
export function exclusionsOf(rules: ExclusionRules, q: RaterQuality): ExclusionRuleName[] {
  const hit: ExclusionRuleName[] = [];
  if (rules.failedChecks !== null && q.checksFailed >= rules.failedChecks) hit.push('failed_checks');
  if (rules.speederSeconds !== null && q.medianSeconds !== null && q.medianSeconds < rules.speederSeconds) hit.push('speeder');
  if (rules.straightLinerPercent !== null && q.studyAnswers > 0 && (100 * q.allTicked) / q.studyAnswers >= rules.straightLinerPercent) hit.push('straight_liner');
  return hit;
}

/** Excluded raters by participant id, with the rules that excluded them. */
export function excludedRaters(rules: ExclusionRules, raters: readonly RaterQuality[]): Map<string, ExclusionRuleName[]> {
  const excluded = new Map<string, ExclusionRuleName[]>();
  for (const q of raters) {
    const hit = exclusionsOf(rules, q);
    if (hit.length > 0) excluded.set(q.participantId, hit);
  }
  return excluded;
}

/** Counts per rule for a report: a rater hit by two rules counts under both. */
export function exclusionCounts(excluded: ReadonlyMap<string, readonly ExclusionRuleName[]>): Record<ExclusionRuleName, number> {
  const counts: Record<ExclusionRuleName, number> = { failed_checks: 0, speeder: 0, straight_liner: 0 };
  for (const rules of excluded.values()) for (const r of rules) counts[r]++;
  return counts;
}

/** Prolific's policy: a rater may be rejected only for failing two checks or more. */
export const REJECTABLE_FAILED_CHECKS = 2;

export type ReviewDecision = 'approve' | 'reject';

/** The review's proposal for a completed rater: approve unless they failed two checks or more. */
export function reviewDecision(q: Pick<RaterQuality, 'checksFailed'>): ReviewDecision {
  return q.checksFailed >= REJECTABLE_FAILED_CHECKS ? 'reject' : 'approve';
}
