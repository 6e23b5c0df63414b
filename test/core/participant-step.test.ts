import { describe, expect, it } from 'vitest';
import { allowedActions, canChangeStatus } from '../../src/core/batch-lifecycle.js';
import { entryRefusalPage, mayStart, participantStep, type BatchStatusName, type ParticipantStatusName } from '../../src/core/participant-step.js';

const at = (status: ParticipantStatusName, started = false) => ({ status, startedAt: started ? new Date(0) : null });

describe('participantStep', () => {
  it('keeps a rater inside a paused or closed batch on their own page, so closing strands nobody', () => {
    for (const batch of ['open', 'paused', 'closed'] as BatchStatusName[]) {
      expect(participantStep(at('consenting'), { status: batch })).toBe('consent');
      expect(participantStep(at('active'), { status: batch })).toBe('instructions');
      expect(participantStep(at('active', true), { status: batch })).toBe('question');
      expect(participantStep(at('completed', true), { status: batch })).toBe('complete');
    }
  });

  it('tells a timed-out rater that their time ran out, and a returned or declined one to return the study', () => {
    expect(participantStep(at('timed_out', true), { status: 'open' })).toBe('timed-out');
    expect(participantStep(at('returned', true), { status: 'open' })).toBe('declined');
    expect(participantStep(at('declined'), { status: 'closed' })).toBe('declined');
    expect(participantStep(at('rejected', true), { status: 'open' })).toBe('declined');
  });

  it('keeps the completion page for a rater who finished and was rejected or returned later', () => {
    expect(participantStep({ status: 'rejected', startedAt: new Date(0), completedAt: new Date(1) }, { status: 'closed' })).toBe('complete');
  });

  it('asks a rater who failed the comprehension question to return the study, whatever the batch', () => {
    expect(participantStep(at('failed_comprehension'), { status: 'open' })).toBe('comprehension-failed');
    expect(participantStep(at('failed_comprehension'), { status: 'closed' })).toBe('comprehension-failed');
  });
});

describe('entry and start', () => {
  it('lets Start hand out questions only from the instructions page', () => {
    const active = { status: 'active' as const, startedAt: null };
    expect(mayStart(active, { status: 'open' })).toBe(true);
    expect(mayStart(active, { status: 'paused' })).toBe(true);
    expect(mayStart({ ...active, startedAt: new Date() }, { status: 'open' })).toBe(false);
    expect(mayStart({ status: 'consenting', startedAt: null }, { status: 'open' })).toBe(false);
    expect(mayStart({ status: 'timed_out', startedAt: null }, { status: 'open' })).toBe(false);
    expect(mayStart(active, { status: 'draft' })).toBe(false);
  });

  it('says a closed batch is closed and a draft or paused one not open; full and other-session as they are', () => {
    expect(entryRefusalPage('not-open', { status: 'closed' })).toBe('closed');
    expect(entryRefusalPage('not-open', { status: 'paused' })).toBe('not-open');
    expect(entryRefusalPage('not-open', { status: 'draft' })).toBe('not-open');
    expect(entryRefusalPage('full', { status: 'open' })).toBe('full');
    expect(entryRefusalPage('other-session', { status: 'closed' })).toBe('other-session');
  });
});

describe('batch lifecycle', () => {
  it('goes draft → open ⇄ paused → closed, and nothing leaves closed', () => {
    expect(allowedActions('draft')).toEqual(['open']);
    expect(allowedActions('open')).toEqual(['pause', 'close']);
    expect(allowedActions('paused')).toEqual(['open', 'close']);
    expect(allowedActions('closed')).toEqual([]);
    expect(canChangeStatus('closed', 'open')).toBe(false);
    expect(canChangeStatus('draft', 'closed')).toBe(false);
  });
});
