// Reading LLM replies to the Figure 8 prompt: every shape a model answers in, and what cannot be read.
import { describe, expect, it } from 'vitest';
import { readReply } from '../../src/core/llm-reply.js';

const LISTED = ['Clarity of the steps', 'Uses humour', 'Concise answer', 'Cites sources', 'Friendly tone', 'other reason(s)'];
const entries = (marks: string[]) => LISTED.map((p, i) => ({ preference: p, relevant: marks[i] ?? 'no' }));

describe('readReply', () => {
  it('reads the fenced ```json block the prompt asks for; "yes" selects, "no" and "unsure" do not', () => {
    const reply = 'Here is my analysis.\n```json\n' + JSON.stringify(entries(['yes', 'no', 'unsure', 'yes', 'no', 'no'])) + '\n```\nDone.';
    expect(readReply(reply, LISTED)).toEqual({ ok: true, selected: [0, 3] });
  });

  it('reads a bare list, a list inside prose, and a list wrapped in an object', () => {
    const list = JSON.stringify(entries(['no', 'yes']));
    expect(readReply(list, LISTED)).toEqual({ ok: true, selected: [1] });
    expect(readReply(`Sure! The answer is ${list} — hope this helps [1].`, LISTED)).toEqual({ ok: true, selected: [1] });
    expect(readReply(JSON.stringify({ preferences: entries(['no', 'no', 'yes']) }), LISTED)).toEqual({ ok: true, selected: [2] });
  });

  it('matches preferences by normalised text (case, spaces, final punctuation) or by number', () => {
    const reply = JSON.stringify([
      { preference: '  CLARITY of the   steps.', relevant: 'Yes' },
      { preference: 5, relevant: 'yes' },
      { preference: '6. other reason(s)', relevant: 'yes' },
      { preference: '2', relevant: 'no' },
      { preference: '3. Concise answer', relevant: 'unsure' },
      { preference: 'cites sources!', relevant: 'no' },
    ]);
    expect(readReply(reply, LISTED)).toEqual({ ok: true, selected: [0, 4, 5] });
  });

  it('counts an all-"no" reply as an answer with nothing selected', () => {
    expect(readReply(JSON.stringify(entries([])), LISTED)).toEqual({ ok: true, selected: [] });
  });

  it.each([
    ['', /empty/],
    ['I think the first and the fourth.', /no JSON list/],
    ['```json\n[{"preference": "Clarity of the steps", "relevant": "yes"\n```', /no JSON list/],
    ['[]', /lists no preferences/],
    [JSON.stringify([{ preference: 'Better formatting', relevant: 'yes' }]), /"Better formatting" is none of the listed items/],
    [JSON.stringify([{ preference: '2. Concise answer', relevant: 'yes' }]), /none of the listed items/],
    [JSON.stringify([{ preference: 9, relevant: 'yes' }]), /none of the listed items/],
    [JSON.stringify([{ preference: 'Uses humour', relevant: 'maybe' }]), /yes, no or unsure, not "maybe"/],
    [JSON.stringify(['Uses humour']), /not an object/],
    [JSON.stringify([{ preference: 'other reason(s)', relevant: 'no' }]), /leaves out 5 of the 6 items, e.g. "Clarity of the steps"/],
  ])('refuses %j, saying why', (reply, problem) => {
    const reading = readReply(reply, LISTED);
    expect(reading.ok).toBe(false);
    if (!reading.ok) expect(reading.problem).toMatch(problem);
  });
});
