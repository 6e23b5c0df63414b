import { describe, expect, it } from 'vitest';
import { batchSettingsSchema } from '../../src/core/batch-settings.js';

const base = { dataset: 'd', name: 'n', seed: 1, completionCode: 'CODE1' };

describe('batchSettingsSchema', () => {
  it('reads attention checks from numbers and numeric text only; an empty field means the default', () => {
    expect(batchSettingsSchema.parse({ ...base, attentionChecks: '3' }).attentionChecks).toBe(3);
    expect(batchSettingsSchema.parse({ ...base, attentionChecks: 0 }).attentionChecks).toBe(0);
    expect(batchSettingsSchema.parse({ ...base, attentionChecks: '' }).attentionChecks).toBeNull();
    expect(batchSettingsSchema.parse(base).attentionChecks).toBeNull();
    for (const bad of [true, [3], 'two', 2.5]) {
      const r = batchSettingsSchema.safeParse({ ...base, attentionChecks: bad });
      expect(r.success, String(bad)).toBe(false);
      expect(r.error?.issues[0]?.path).toEqual(['attentionChecks']);
    }
  });

  it('refuses more checks than fit between the first and the last question, saying why', () => {
    const r = batchSettingsSchema.safeParse({ ...base, questions: 3, attentionChecks: 3 });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toMatch(/at most N - 1 checks/);
  });

  it('lower-cases a Prolific study id and explains a wrong one', () => {
    expect(batchSettingsSchema.parse({ ...base, prolificStudyId: 'ABCDEFABCDEFABCDEFABCDEF' }).prolificStudyId).toBe('abcdefabcdefabcdefabcdef');
    expect(batchSettingsSchema.safeParse({ ...base, prolificStudyId: 'x' }).error?.issues[0]?.message).toMatch(/24 hexadecimal/);
  });

  it('turns exclusion rules off with off or null and bounds them with a message', () => {
    const off = batchSettingsSchema.parse({ ...base, excludeFailedChecks: 'off', excludeSpeederSeconds: null });
    expect([off.excludeFailedChecks, off.excludeSpeederSeconds, off.excludeStraightLinerPercent]).toEqual([null, null, null]);
    expect(batchSettingsSchema.safeParse({ ...base, excludeFailedChecks: 1e9 }).error?.issues[0]?.message).toBe('must be at most 100, or off');
  });
});
