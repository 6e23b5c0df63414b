// Fills a batch with simulated raters (evaluator "simulated") so that results pages, exports and
// benchmarks have data: `prefbasis simulate`, kept under its old name (it also runs through a
// server that holds the embedded database). Never run it on a batch real people are answering.
// Usage: npx tsx scripts/simulate-raters.ts --batch <id or name> [--raters 30] [--seed 1]
import { parseArgs } from 'node:util';
import { runCliProcess } from '../src/cli/process.js';

const { values } = parseArgs({ options: { batch: { type: 'string' }, raters: { type: 'string' }, seed: { type: 'string' } } });
const argv = ['simulate', values.batch ?? '', ...(values.raters ? ['--raters', values.raters] : []), ...(values.seed ? ['--seed', values.seed] : [])];
process.exitCode = await runCliProcess(argv);
