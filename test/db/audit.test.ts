// The audit log is written by the db function that makes each change, in the same transaction:
// one row per change that committed, none for a change refused, and no change without its row.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import { generateSyntheticDataset, toJsonl } from '../../src/core/synthetic-dataset.js';
import { createAccount } from '../../src/db/accounts.js';
import { createApiToken, revokeApiToken } from '../../src/db/api-tokens.js';
import type { Actor } from '../../src/db/audit.js';
import { changeBatchStatus, createBatchFromDataset, findBatchById, type Batch } from '../../src/db/batches.js';
import { importDatasetText } from '../../src/db/datasets.js';
import { enterBatch, markReturned } from '../../src/db/participants.js';
import { prolificId } from '../helpers/rater.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const ALICE: Actor = { name: 'alice@example.org', accountId: null };
/** An account id the accounts table does not hold: its audit row cannot be written. */
const GHOST: Actor = { name: 'ghost', accountId: 'acc_does_not_exist' };

let t: TestDatabase;
let batch: Batch;
beforeAll(async () => {
  t = await createTestDatabase();
  const imported = await importDatasetText(t.db.sql, { name: 'audited', text: toJsonl(generateSyntheticDataset(200, createRng(9))) }, ALICE);
  if (imported.status !== 'created') throw new Error(imported.status);
  const settings = { dataset: 'audited', questions: 5, raters: 5, seed: 1, completionCode: 'AUDIT1', ratingsPerTask: null, preferredSide: 'first' } as const;
  const created = await createBatchFromDataset(t.db.prisma, { ...settings, name: 'audited' }, ALICE);
  if (!created.ok) throw new Error(created.reason);
  batch = created.batch;
  // Refused: the name is taken. No row.
  expect((await createBatchFromDataset(t.db.prisma, { ...settings, name: 'audited' }, ALICE)).ok).toBe(false);
});
afterAll(async () => {
  await t?.drop();
});

const events = (action: string) => t.db.prisma.auditEvent.findMany({ where: { action }, orderBy: { createdAt: 'asc' } });

describe('audit rows written with the change', () => {
  it('records an import and a batch creation once each, naming the actor, the dataset and the batch', async () => {
    const [imported] = await events('dataset.import');
    expect(imported).toMatchObject({ actor: 'alice@example.org', datasetId: batch.datasetId, details: { name: 'audited', datapoints: 200 } });
    expect(await events('batch.create')).toMatchObject([{ actor: 'alice@example.org', batchId: batch.id, datasetId: batch.datasetId, details: { name: 'audited' } }]);
  });

  it('records each lifecycle action by its name, and nothing when the status does not change', async () => {
    const opened = await changeBatchStatus(t.db.prisma, batch, 'open', new Date(), ALICE);
    if (!opened.ok) throw new Error('open refused');
    await changeBatchStatus(t.db.prisma, opened.batch, 'open', new Date(), ALICE);
    expect((await changeBatchStatus(t.db.prisma, opened.batch, 'draft', new Date(), ALICE)).ok).toBe(false);
    expect(await events('batch.open')).toHaveLength(1);
    expect(await events('batch.draft')).toHaveLength(0);
    batch = opened.batch;
  });

  it('records a token revoked once, however often it is revoked, and an account created once', async () => {
    const { row } = await createApiToken(t.db.prisma, { name: 'audited token', accountId: null }, ALICE);
    expect(await revokeApiToken(t.db.prisma, row.id, new Date(), ALICE)).toBe(true);
    expect(await revokeApiToken(t.db.prisma, row.id, new Date(), ALICE)).toBe(false);
    expect(await events('token.create')).toMatchObject([{ details: { token: row.id, name: 'audited token' } }]);
    expect(await events('token.revoke')).toMatchObject([{ details: { token: row.id } }]);
    const input = { email: 'Bob@Example.org', password: 'a long enough password', role: 'researcher' } as const;
    expect((await createAccount(t.db.prisma, input, ALICE)).ok).toBe(true);
    expect(await createAccount(t.db.prisma, input, ALICE)).toEqual({ ok: false, reason: 'email-taken' });
    expect(await events('account.create')).toMatchObject([{ actor: 'alice@example.org', details: { email: 'bob@example.org', role: 'researcher' } }]);
  });

  it('records a participant marked returned, once', async () => {
    const entry = await enterBatch(t.db.sql, batch.id, { prolificPid: prolificId(), studyId: prolificId(), sessionId: prolificId() }, null, new Date());
    if (!entry.ok) throw new Error(entry.reason);
    expect(await markReturned(t.db.sql, batch.id, entry.participant.id, new Date(), ALICE)).toBe(true);
    expect(await markReturned(t.db.sql, batch.id, entry.participant.id, new Date(), ALICE)).toBe(false);
    expect(await events('participant.return')).toMatchObject([{ batchId: batch.id, details: { participant: entry.participant.id } }]);
  });

  it('leaves the change undone when its audit row cannot be written (same transaction)', async () => {
    await expect(changeBatchStatus(t.db.prisma, batch, 'paused', new Date(), GHOST)).rejects.toThrow();
    expect((await findBatchById(t.db.prisma, batch.id))?.status).toBe('open');
    const text = toJsonl(generateSyntheticDataset(50, createRng(10)));
    await expect(importDatasetText(t.db.sql, { name: 'never', text }, GHOST)).rejects.toThrow();
    expect(await t.db.prisma.dataset.count({ where: { name: 'never' } })).toBe(0);
    await expect(createApiToken(t.db.prisma, { name: 'never', accountId: null }, GHOST)).rejects.toThrow();
    expect(await t.db.prisma.apiToken.count({ where: { name: 'never' } })).toBe(0);
    const entry = await enterBatch(t.db.sql, batch.id, { prolificPid: prolificId(), studyId: prolificId(), sessionId: prolificId() }, null, new Date());
    if (!entry.ok) throw new Error(entry.reason);
    await expect(markReturned(t.db.sql, batch.id, entry.participant.id, new Date(), GHOST)).rejects.toThrow();
    expect((await t.db.prisma.participant.findUniqueOrThrow({ where: { id: entry.participant.id } })).status).toBe('consenting');
  });
});
