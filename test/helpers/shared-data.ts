// The real annotated sample in ../shared/data (tests only; the product never reads ../shared).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/paths.js';

const candidates = [process.env.PREFBASIS_SHARED_DIR, path.join(PROJECT_ROOT, '..', 'shared'), '/work/shared'].filter(
  (p): p is string => Boolean(p),
);
const sharedDir = candidates.find((dir) => existsSync(path.join(dir, 'data', 'arena-sample.jsonl')));

function read(file: string): string {
  if (!sharedDir) throw new Error(`../shared/data not found (tried ${candidates.join(', ')}); set PREFBASIS_SHARED_DIR`);
  return readFileSync(path.join(sharedDir, 'data', file), 'utf8');
}

export const arenaSampleText = (): string => read('arena-sample.jsonl');

/** The "datapoints carrying each label" tables of data/README.md, as name → count. */
export function readmeCounts(): { categories: Map<string, number>; topics: Map<string, number> } {
  const text = read('README.md');
  const table = (header: string) => {
    const start = text.indexOf(`| ${header} | datapoints |`);
    if (start < 0) throw new Error(`table "${header}" not in data/README.md`);
    const rows = new Map<string, number>();
    for (const line of text.slice(start).split('\n').slice(2)) {
      const m = /^\|\s*(.+?)\s*\|\s*(\d+)\s*\|$/.exec(line.trim());
      if (!m) break;
      rows.set(m[1] as string, Number(m[2]));
    }
    return rows;
  };
  return { categories: table('Preference category'), topics: table('Topic category') };
}
