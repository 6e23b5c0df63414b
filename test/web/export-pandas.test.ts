// A real consumer of the answers CSV (issue 15.4): pandas reads it with one row per answer, the
// header as written, and values equal to the database's. Runs where python3 has pandas; CI
// installs it (python3-pandas) and requires it (PREFBASIS_REQUIRE_PANDAS=1).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANSWER_CSV_HEADER } from '../../src/core/export-format.js';
import { kindsOfBits } from '../../src/core/option-kinds.js';
import { createRng } from '../../src/core/rng.js';
import type { Batch } from '../../src/db/batches.js';
import { createOpenBatch } from '../helpers/rater.js';
import { simulateRaters } from '../helpers/simulate.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

// Debian's python3 (where apt puts python3-pandas), before any other on the PATH.
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const pandasAvailable = spawnSync(PYTHON, ['-c', 'import pandas'], { stdio: 'ignore' }).status === 0;
if (!pandasAvailable && process.env.PREFBASIS_REQUIRE_PANDAS === '1') throw new Error('python3 with pandas is required here: apt-get install -y python3-pandas');

// Reads the file as a researcher would and reports what pandas saw.
const READ_WITH_PANDAS = `
import json, sys
import pandas as pd
df = pd.read_csv(sys.argv[1], keep_default_na=False, dtype=str)
print(json.dumps({
  "rows": len(df),
  "columns": list(df.columns),
  "pairs": [[r.participant_id, int(r.question_number), " ".join(sorted(r.selected_kinds.split(" "))), r.prolific_pid] for r in df.itertuples()],
}))
`;

describe.runIf(pandasAvailable)('the answers CSV in pandas', () => {
  let t: TestApp;
  let batch: Batch;
  let dir: string;
  beforeAll(async () => {
    t = await createTestApp();
    batch = await createOpenBatch(t.db, { raters: 6 }, 300);
    await simulateRaters(t.db, batch, 6, { generated: 0.7, category: 0.4, category_topic: 0.4, control: 0.15, control_topic: 0.15, other: 0.05 }, createRng(15));
    dir = await mkdtemp(path.join(tmpdir(), 'prefbasis-pandas-'));
  });
  afterAll(async () => {
    await t?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('has one row per answer, the documented header, and every answer as the database holds it', async () => {
    const res = await request(t.app).get(`/api/v1/batches/${batch.id}/answers?format=csv`).set(t.auth).buffer(true).parse((r, done) => {
      let body = '';
      r.on('data', (c: Buffer) => (body += c.toString()));
      r.on('end', () => done(null, body));
    });
    const file = path.join(dir, 'answers.csv');
    await writeFile(file, res.body as string);
    const seen = JSON.parse(execFileSync(PYTHON, ['-c', READ_WITH_PANDAS, file], { encoding: 'utf8' })) as { rows: number; columns: string[]; pairs: [string, number, string, string][] };
    const answers = await t.db.prisma.answer.findMany({ where: { participant: { batchId: batch.id } }, include: { participant: { select: { prolificPid: true } } } });
    expect(seen.rows).toBe(answers.length);
    expect(seen.rows).toBe(120);
    expect(seen.columns).toEqual([...ANSWER_CSV_HEADER]);
    // Kinds in the order shown in the file, compared as sets.
    const expected = answers.map((a) => [a.participantId, a.position + 1, kindsOfBits(a.selectedKinds).sort().join(' '), a.participant.prolificPid]);
    const byKey = (x: unknown[]) => `${x[0] as string}#${x[1] as number}`;
    expect([...seen.pairs].sort((a, b) => (byKey(a) < byKey(b) ? -1 : 1))).toEqual(expected.sort((a, b) => (byKey(a) < byKey(b) ? -1 : 1)));
  });
});
