// Writes a synthetic annotated dataset (paper prevalences) as JSON Lines: demos and benchmarks.
// Usage: tsx scripts/generate-synthetic-dataset.ts --count 18319 --seed 1 --out /tmp/synthetic.jsonl
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { createRng } from '../src/core/rng.js';
import { generateSyntheticDataset, toJsonl } from '../src/core/synthetic-dataset.js';

const { values } = parseArgs({ options: { count: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' } } });
const args = z
  .object({ count: z.coerce.number().int().min(1).max(1_000_000), seed: z.coerce.number().int().min(0).default(1), out: z.string().min(1) })
  .parse(values);
writeFileSync(args.out, toJsonl(generateSyntheticDataset(args.count, createRng(args.seed))));
console.log(`Wrote ${args.count} datapoints to ${args.out} (seed ${args.seed}).`);
