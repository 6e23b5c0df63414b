// The layer rules of STYLE.md, checked on the import graph of src/ (and Prisma calls in src/ and
// scripts/): core imports nothing outside core; db only core; cli never imports web; only src/db
// calls Prisma; no import cycles anywhere.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../src/paths.js';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === 'generated' ? [] : sourceFiles(full);
    return /\.(ts|mts)$/.test(name) ? [full] : [];
  });
}

const rel = (file: string) => path.relative(PROJECT_ROOT, file).split(path.sep).join('/');
const srcFiles = sourceFiles(path.join(PROJECT_ROOT, 'src'));

/** The project files a file imports (relative imports only), resolved from `.js` to `.ts`. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gm)].map((m) => m[1] as string);
  return specifiers.map((s) => rel(path.resolve(path.dirname(file), s.replace(/\.js$/, '.ts'))));
}

const graph = new Map(srcFiles.map((f) => [rel(f), importsOf(f)]));
const layerOf = (file: string) => /^src\/(core|db|results|prolific|llm|web|cli|jobs)\//.exec(file)?.[1] ?? 'root';

/** Every cycle found by a depth-first search, each as the files around it. */
function cycles(): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next) && graph.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return found;
}

describe('architecture', () => {
  it('reads the import graph (the check itself works)', () => {
    expect(graph.size).toBeGreaterThan(40);
    expect(graph.get('src/web/app.ts')).toContain('src/web/routes/participant.ts');
  });

  it('keeps core pure: no imports of db, web, cli or jobs', () => {
    const leaks = [...graph].flatMap(([file, deps]) => (layerOf(file) === 'core' ? deps.filter((d) => layerOf(d) !== 'core').map((d) => `${file} → ${d}`) : []));
    expect(leaks).toEqual([]);
  });

  it('keeps db below web, cli and results: it imports only core, itself and the root modules (config, paths)', () => {
    const leaks = [...graph].flatMap(([file, deps]) => (layerOf(file) === 'db' ? deps.filter((d) => !['db', 'core', 'root'].includes(layerOf(d))).map((d) => `${file} → ${d}`) : []));
    expect(leaks).toEqual([]);
  });

  it('keeps the command line off the web layer', () => {
    const leaks = [...graph].flatMap(([file, deps]) => (layerOf(file) === 'cli' ? deps.filter((d) => layerOf(d) === 'web').map((d) => `${file} → ${d}`) : []));
    expect(leaks).toEqual([]);
  });

  it('calls Prisma only in src/db (src and the scripts, benchmark fixtures apart)', () => {
    // Benchmarks may write their synthetic fixtures directly (scripts/bench/export.ts bulk-inserts
    // a million answers); everything a user runs goes through src/db.
    const files = [...srcFiles, ...sourceFiles(path.join(PROJECT_ROOT, 'scripts'))].filter((f) => !/^(src\/db|scripts\/bench)\//.test(rel(f)));
    const calls = files.flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .flatMap((line, i) => (/\bprisma\.(\$(queryRaw|executeRaw|transaction)|[a-z]\w*\.(find|create|update|delete|upsert|count|aggregate|groupBy)\w*)\b/.test(line) ? [`${rel(f)}:${i + 1}`] : [])),
    );
    expect(calls).toEqual([]);
  });

  it('has no import cycles', () => {
    expect(cycles().map((c) => c.join(' → '))).toEqual([]);
  });
});
