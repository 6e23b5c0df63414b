import { describe, expect, it } from 'vitest';
import { excludedRaters, exclusionCounts, exclusionRulesSchema, exclusionsOf, reviewDecision, type RaterQuality } from '../../src/core/exclusions.js';

const rater = (over: Partial<RaterQuality>): RaterQuality => ({ participantId: 'p', checksAnswered: 2, checksFailed: 0, studyAnswers: 20, medianSeconds: 12, allTicked: 0, ...over });
const rules = { failedChecks: 2, speederSeconds: 4, straightLinerPercent: 50 };

describe('exclusionsOf', () => {
  it('keeps an attentive rater and names every rule another one falls under', () => {
    expect(exclusionsOf(rules, rater({}))).toEqual([]);
    expect(exclusionsOf(rules, rater({ checksFailed: 2, medianSeconds: 3.9, allTicked: 10 }))).toEqual(['failed_checks', 'speeder', 'straight_liner']);
  });

  it('never excludes for one failed check out of two (Prolific: two failures needed)', () => {
    expect(exclusionsOf(rules, rater({ checksFailed: 1 }))).toEqual([]);
  });

  it('applies thresholds at their edges: a median equal to the threshold is not a speeder; exactly X % ticking everything is a straight-liner', () => {
    expect(exclusionsOf(rules, rater({ medianSeconds: 4 }))).toEqual([]);
    expect(exclusionsOf(rules, rater({ allTicked: 10, studyAnswers: 20 }))).toEqual(['straight_liner']);
    expect(exclusionsOf(rules, rater({ allTicked: 9, studyAnswers: 20 }))).toEqual([]);
  });

  it('turns a rule off with null and ignores raters without answers for the timing and ticking rules', () => {
    const off = { failedChecks: null, speederSeconds: null, straightLinerPercent: null };
    expect(exclusionsOf(off, rater({ checksFailed: 5, medianSeconds: 0.1, allTicked: 20 }))).toEqual([]);
    expect(exclusionsOf(rules, rater({ studyAnswers: 0, medianSeconds: null, allTicked: 0 }))).toEqual([]);
  });
});

describe('excludedRaters and exclusionCounts', () => {
  it('lists only excluded raters and counts a rater under each rule that hit them', () => {
    const excluded = excludedRaters(rules, [rater({ participantId: 'a' }), rater({ participantId: 'b', checksFailed: 3, medianSeconds: 1 }), rater({ participantId: 'c', allTicked: 20 })]);
    expect([...excluded.keys()]).toEqual(['b', 'c']);
    expect(exclusionCounts(excluded)).toEqual({ failed_checks: 1, speeder: 1, straight_liner: 1 });
  });
});

describe('exclusionRulesSchema', () => {
  it('defaults to the failed-checks rule alone and explains a bad threshold', () => {
    expect(exclusionRulesSchema.parse({})).toEqual({ excludeFailedChecks: 2, excludeSpeederSeconds: null, excludeStraightLinerPercent: null });
    const bad = exclusionRulesSchema.safeParse({ excludeStraightLinerPercent: 150 });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toMatch(/1-100/);
  });
});

describe('reviewDecision', () => {
  it('proposes rejection only for two failed checks or more', () => {
    expect(reviewDecision({ checksFailed: 0 })).toBe('approve');
    expect(reviewDecision({ checksFailed: 1 })).toBe('approve');
    expect(reviewDecision({ checksFailed: 2 })).toBe('reject');
  });
});
