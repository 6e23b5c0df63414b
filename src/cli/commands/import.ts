// prefbasis import <file.jsonl> [--name NAME]
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { formatLineErrors } from '../../core/dataset-format.js';
import { CLI_ACTOR } from '../../db/audit.js';
import { importDatasetText } from '../../db/datasets.js';
import { datasetNameSchema } from '../../core/dataset-format.js';
import { CliError, type CliContext } from '../context.js';
import { progressBar } from '../progress.js';

export async function importCommand(ctx: CliContext, file: string, options: { name?: string }): Promise<void> {
  const name = datasetNameSchema.safeParse(options.name ?? path.basename(file).replace(/\.jsonl?$/i, ''));
  if (!name.success) throw new CliError(`--name: ${name.error.issues[0]?.message ?? 'invalid'}`, 2);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new CliError(`Cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const started = performance.now();
  const outcome = await importDatasetText(ctx.db.sql, { name: name.data, text }, CLI_ACTOR, progressBar(ctx, 'Importing'));
  switch (outcome.status) {
    case 'created': {
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      ctx.out(`Imported ${outcome.dataset.datapointCount} datapoints as dataset "${outcome.dataset.name}" (id ${outcome.dataset.id}) in ${seconds} s.`);
      return;
    }
    case 'duplicate-content':
      ctx.out(`Already imported: this file's content is dataset "${outcome.dataset.name}" (id ${outcome.dataset.id}). Nothing changed.`);
      return;
    case 'name-taken':
      throw new CliError(`A dataset named "${outcome.name}" already exists; pass --name with another name.`);
    case 'invalid':
      throw new CliError(
        [`${file}: ${outcome.errorCount} problem(s); nothing was imported.`, ...formatLineErrors(outcome.errors, outcome.errorCount)].join('\n'),
      );
  }
}
