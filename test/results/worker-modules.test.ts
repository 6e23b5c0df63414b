// The worker threads that run statements on connections of their own (exports, metrics) must not
// load Prisma's client: it costs ~15 MB of RSS per thread (BENCHMARKS.md, exports), and an export's
// memory has a budget. The modules a worker's script loads are recorded by a resolve hook in a
// child process (value imports only, as they run: type-only imports are erased).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/paths.js';

async function modulesLoadedBy(source: string): Promise<string[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'prefbasis-modules-'));
  const file = path.join(dir, 'modules.txt');
  try {
    // A worker's script throws once loaded (it is not in a worker thread): its imports ran first.
    // Any other failure (an import that did not load) fails the child, so the list is complete.
    const script = `await import(${JSON.stringify(path.join(PROJECT_ROOT, source))}).catch((e) => { if (!/runs as a worker thread/.test(e.message)) throw e; });`;
    await promisify(execFile)(process.execPath, ['--import', 'tsx', '--import', './test/helpers/record-modules.mjs', '--input-type=module', '-e', script], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, PREFBASIS_RECORD_MODULES: file },
    });
    return [...new Set(readFileSync(file, 'utf8').split('\n').filter(Boolean))];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('modules of the worker threads', () => {
  it('records what a module loads (the check itself works)', async () => {
    const loaded = await modulesLoadedBy('src/db/connection.ts');
    expect(loaded.some((url) => url.endsWith('/src/db/generated/client.ts'))).toBe(true);
    expect(loaded.some((url) => url.includes('/@prisma/client/runtime/'))).toBe(true);
  }, 60_000);

  for (const worker of ['src/results/export-worker.ts', 'src/results/metrics-worker.ts', 'src/results/bootstrap-worker.ts']) {
    it(`${worker} loads neither Prisma's generated client nor its runtime`, async () => {
      const loaded = await modulesLoadedBy(worker);
      expect(loaded.some((url) => url.endsWith(`/${worker}`))).toBe(true);
      expect(loaded.filter((url) => /\/src\/db\/(generated\/|connection\.ts)|\/@prisma\/(client|adapter-pg|driver-adapter-utils)\//.test(url))).toEqual([]);
    }, 60_000);
  }
});
