// A simulated rater driving the participant pages through supertest, as a browser would.
import { randomBytes } from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import { createRng } from '../../src/core/rng.js';
import { generateSyntheticDataset, toJsonl } from '../../src/core/synthetic-dataset.js';
import { changeBatchStatus, createBatchFromDataset, type Batch } from '../../src/db/batches.js';
import type { Database, Prisma } from '../../src/db/connection.js';
import { importDatasetText } from '../../src/db/datasets.js';
import type { BatchSettings } from '../../src/core/batch-settings.js';
import type { Participant } from '../../src/db/participants.js';
import { TEST_ACTOR } from './actor.js';
import { csrfFrom } from './console.js';

export const prolificId = (): string => randomBytes(12).toString('hex');

/** A distinct client address for the n-th simulated rater (10.x.y.z). */
export const addressOf = (n: number): string => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;

/**
 * Imports a dataset, makes a batch of it and opens it: `data` is a number of synthetic datapoints
 * or a JSON Lines text of its own (awkward or hostile content).
 */
export async function createOpenBatch({ prisma, sql }: Pick<Database, 'prisma' | 'sql'>, overrides: Partial<BatchSettings> = {}, data: number | string = 300): Promise<Batch> {
  const name = `ds-${prolificId()}`;
  const text = typeof data === 'string' ? data : toJsonl(generateSyntheticDataset(data, createRng(name)));
  const imported = await importDatasetText(sql, { name, text }, TEST_ACTOR);
  if (imported.status !== 'created') throw new Error(imported.status);
  const created = await createBatchFromDataset(prisma, {
    dataset: imported.dataset.id,
    name: `batch-${prolificId()}`,
    questions: 20,
    raters: 50,
    seed: 42,
    completionCode: 'C0MPLETE',
    ratingsPerTask: null,
    preferredSide: 'first',
    ...overrides,
  }, TEST_ACTOR);
  if (!created.ok) throw new Error(created.reason);
  const opened = await changeBatchStatus(prisma, created.batch, 'open', new Date(), TEST_ACTOR);
  if (!opened.ok) throw new Error('open failed');
  return opened.batch;
}


export function optionIdsOf(html: string): string[] {
  return [...html.matchAll(/name="option" value="([^"]+)"/g)].map((m) => m[1] as string);
}

/** The hidden position field of a question or check form. */
export function positionOf(html: string): string {
  const m = /name="position" value="(\d+)"/.exec(html);
  if (!m) throw new Error(`no position field in page:\n${html.slice(0, 500)}`);
  return m[1] as string;
}

/** On an attention check, the id of the one option its instruction asks for; null on a study question. */
export function checkTargetOf(html: string): string | null {
  if (!html.includes('name="check"')) return null;
  const quoted = /<legend>[^<]*“([^”]*)”[^<]*<\/legend>/.exec(html);
  const target = quoted ? [...html.matchAll(/name="option" value="([^"]+)"> <span>([^<]*)<\/span>/g)].find((m) => m[2] === quoted[1]) : undefined;
  if (!target) throw new Error(`check page without a findable target:\n${html.slice(0, 2000)}`);
  return target[1] as string;
}

export function questionNumberOf(html: string): number | null {
  const m = /Question (\d+) of (\d+)/.exec(html);
  return m ? Number(m[1]) : null;
}

/** The stored participant behind a simulated rater (by batch and PROLIFIC_PID). */
export function participantOf(prisma: Prisma, rater: Pick<Rater, 'batch' | 'ids'>): Promise<Participant> {
  return prisma.participant.findUniqueOrThrow({ where: { batchId_prolificPid: { batchId: rater.batch.id, prolificPid: rater.ids.PROLIFIC_PID } } });
}

export class Rater {
  readonly agent: ReturnType<typeof request.agent>;
  readonly ids = { PROLIFIC_PID: prolificId(), STUDY_ID: prolificId(), SESSION_ID: prolificId() };
  /** Every HTML body this rater was shown. */
  readonly pages: string[] = [];

  constructor(
    readonly app: Express | string,
    readonly batch: Pick<Batch, 'id'>,
    /** A client address of its own (sent as X-Forwarded-For, which the app trusts from loopback). */
    address?: string,
  ) {
    this.agent = request.agent(app);
    if (address) this.agent.set('X-Forwarded-For', address);
  }

  /** Set to reload on a 503 "please retry" page, as a patient person would (database fault tests). */
  patient = false;

  private async send(make: () => request.Test): Promise<request.Response> {
    for (let attempt = 0; ; attempt++) {
      const res = await make();
      if (!this.patient || res.status !== 503 || attempt >= 50) return res;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async enter(): Promise<string> {
    const res = await this.send(() => this.agent.get(`/s/${this.batch.id}`).query(this.ids));
    if (res.status !== 303) return this.keep(res.text);
    return this.session();
  }

  async session(): Promise<string> {
    const res = await this.send(() => this.agent.get(`/s/${this.batch.id}/session`));
    return this.keep(res.text);
  }

  async post(path: string, form: Record<string, string | string[]>): Promise<request.Response> {
    const res = await this.send(() => this.agent.post(`/s/${this.batch.id}/${path}`).type('form').send(form));
    if (res.status !== 303) this.keep(res.text);
    return res;
  }

  /** Enters, consents and starts; returns the first question, or the page that stopped the rater (full, closed…). */
  async consentAndStart(): Promise<string> {
    const consent = await this.enter();
    if (!consent.includes('name="decision"')) return consent;
    await this.post('consent', { csrf: csrfFrom(consent), decision: 'agree' });
    const instructions = await this.session();
    await this.post('start', { csrf: csrfFrom(instructions) });
    return this.session();
  }

  /** How this rater answers attention checks: tick what they ask, or answer them like any question. */
  checks: 'pass' | 'ignore' = 'pass';

  /** Answers the current question by ticking `pick(optionIds)` (a check as `checks` says); returns the next page. */
  async answer(page: string, pick: (ids: string[]) => string[] = (ids) => ids.slice(0, 2)): Promise<string> {
    const target = checkTargetOf(page);
    const option = target !== null && this.checks === 'pass' ? [target] : pick(optionIdsOf(page));
    const form: Record<string, string | string[]> = { csrf: csrfFrom(page), position: positionOf(page), option };
    if (target !== null) form.check = '1';
    await this.post('answer', form);
    return this.session();
  }

  async completeAll(): Promise<string> {
    let page = await this.consentAndStart();
    while (questionNumberOf(page) !== null) page = await this.answer(page);
    return page;
  }

  private keep(html: string): string {
    this.pages.push(html);
    return html;
  }
}
