// The embedded default (PGlite in a folder) is exercised whatever DATABASE_URL says.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { summarizeDataset } from '../../src/core/dataset-summary.js';
import { openDatabase } from '../../src/db/connection.js';
import { importDatasetText, listAnnotatedDatapoints } from '../../src/db/datasets.js';
import { arenaSampleText } from '../helpers/shared-data.js';
import { TEST_ACTOR } from '../helpers/actor.js';

const dir = mkdtempSync(path.join(tmpdir(), 'prefbasis-embedded-'));
const dataDir = path.join(dir, 'db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('embedded database', () => {
  it('starts, migrates, imports and queries, and keeps the data in its folder across restarts', async () => {
    const first = await openDatabase({ kind: 'embedded', dataDir });
    expect((await first.migrate()).applied.length).toBeGreaterThan(0);
    const outcome = await importDatasetText(first.sql, { name: 'sample', text: arenaSampleText() }, TEST_ACTOR);
    expect(outcome.status).toBe('created');
    await first.close();

    const second = await openDatabase({ kind: 'embedded', dataDir });
    expect((await second.migrate()).applied).toEqual([]);
    const dataset = await second.prisma.dataset.findUniqueOrThrow({ where: { name: 'sample' } });
    const summary = summarizeDataset(await listAnnotatedDatapoints(second.prisma, dataset.id));
    expect(summary.datapoints).toBe(100);
    expect(summary.categories.find((c) => c.category === 'Clarity')?.datapoints).toBe(46);
    await second.close();
  });

  it('refuses a second opener of the same folder while the first holds it', async () => {
    const holder = await openDatabase({ kind: 'embedded', dataDir });
    try {
      // Same process id would pass the check, so simulate another live process holding the lock.
      const { writeFileSync } = await import('node:fs');
      writeFileSync(`${dataDir}.lock`, String(process.ppid));
      await expect(openDatabase({ kind: 'embedded', dataDir })).rejects.toThrow(/in use by process/);
    } finally {
      await holder.close();
    }
  });
});
