// prefbasis evaluate <batch> --model NAME: an LLM evaluator answers the batch's tasks with the
// paper's prompt on any OpenAI-compatible server; its answers sit beside the humans' in metrics.
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { DEFAULT_EVALUATION, evaluateBatch, EvaluationStopped, type EvaluationReport } from '../../llm/evaluate.js';
import { importBatchReplies, writeBatchRequests } from '../../llm/offline.js';
import { LlmRunBusy } from '../../db/llm-runs.js';
import { computeModelAgreements } from '../../results/model-agreement.js';
import { CliError, type CliContext } from '../context.js';
import { progressBar } from '../progress.js';
import { formatTable } from '../table.js';
import { requireBatch } from './require-batch.js';

export interface EvaluateCliOptions {
  model: string;
  baseUrl: string | null;
  concurrency: number;
  repeats: number;
  limit: number | null;
  timeoutSeconds: number;
  /** The environment variable holding the key (never a flag: it would land in shell history). */
  apiKeyEnv: string;
}

export async function evaluateCommand(ctx: CliContext, batchArg: string, options: EvaluateCliOptions): Promise<void> {
  // A local server (llama.cpp, vLLM, Ollama) takes any key; OpenAI's needs the real one.
  const apiKey = ctx.env(options.apiKeyEnv) || (options.baseUrl ? 'no-key' : undefined);
  if (!apiKey) throw new CliError(`No API key: set ${options.apiKeyEnv} (or choose another variable with --api-key-env), or give --base-url for a local server.`);
  const batch = await requireBatch(ctx, batchArg);
  let report: EvaluationReport;
  try {
    report = await evaluateBatch(ctx.db.sql, batch, {
      ...DEFAULT_EVALUATION,
      model: options.model,
      baseUrl: options.baseUrl,
      apiKey,
      concurrency: options.concurrency,
      repeats: options.repeats,
      limit: options.limit,
      timeoutMs: options.timeoutSeconds * 1000,
      onProgress: progressBar(ctx, `Asking ${options.model}`),
      // Relayed through a server: an interrupted CLI stops the run (it resumes when run again).
      shouldStop: ctx.stopRequested,
    });
  } catch (err) {
    if (err instanceof EvaluationStopped || err instanceof LlmRunBusy) throw new CliError(err.message);
    throw err;
  }
  ctx.out(`${options.model} on batch "${batch.name}" in ${report.seconds.toFixed(1)} s:`);
  ctx.out(
    formatTable(
      ['Repeat', 'Answered', 'Failed', 'Asked now', 'Prompt tokens', 'Completion tokens'],
      report.repeats.map((r) => [r.repeat, r.answered, r.failed, `${r.askedNow}${r.resumed ? ' (resumed)' : ''}`, r.promptTokens, r.completionTokens]),
    ),
  );
  const consistency = report.selfConsistency;
  if (consistency) ctx.out(`Self-consistency (repeat 1 vs 2, other option orders): ${consistency.agreement === null ? '—' : `${(consistency.agreement * 100).toFixed(1)} %`} of decisions agree over ${consistency.tasks} tasks.`);
  if (report.repeats.some((r) => r.failed > 0)) ctx.out('Failed tasks keep their raw replies (table llm_failures); they never count as answers.');
  ctx.out(`Compare with the humans: prefbasis metrics ${batch.id} --by evaluator`);
}

/** --export-prompts FILE: the run's questions as OpenAI Batch-API requests, to send elsewhere. */
export async function exportPromptsCommand(ctx: CliContext, batchArg: string, file: string, options: { model: string; repeats: number; limit: number | null }): Promise<void> {
  const batch = await requireBatch(ctx, batchArg);
  const out = createWriteStream(file);
  const count = await writeBatchRequests(ctx.db.sql, batch, options, out);
  out.end();
  await finished(out);
  ctx.out(`Wrote ${count} requests for ${options.model} to ${file} (OpenAI Batch API format). When the replies come back: prefbasis evaluate ${batch.id} --model ${options.model} --import-replies <output.jsonl>`);
}

/** --import-replies FILE: a Batch-API output file read back through the live run's parser. */
export async function importRepliesCommand(ctx: CliContext, batchArg: string, file: string, model: string): Promise<void> {
  const batch = await requireBatch(ctx, batchArg);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new CliError(`Cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const result = await importBatchReplies(ctx.db.sql, batch, model, text).catch((err: unknown) => {
    throw err instanceof LlmRunBusy ? new CliError(err.message) : err;
  });
  ctx.out(`${model}: ${result.answered} replies read as answers, ${result.failed} kept as failed items (raw reply in llm_failures), ${result.skipped.length} lines skipped.`);
  for (const s of result.skipped.slice(0, 10)) ctx.out(`  line ${s.line}: ${s.problem}`);
  if (result.skipped.length > 10) ctx.out(`  … and ${result.skipped.length - 10} more`);
}

/** prefbasis model-agreement <batch> --model NAME: the model against the humans' majority. */
export async function modelAgreementCommand(ctx: CliContext, batchArg: string, model: string, json: boolean): Promise<void> {
  const batch = await requireBatch(ctx, batchArg);
  const [result] = await computeModelAgreements(ctx.db.sql, batch, [model], { exclusions: 'applied', worst: 10 });
  if (!result) throw new Error('no agreement computed for the model asked about');
  if (json) return ctx.out(JSON.stringify({ batch: { id: batch.id, name: batch.name }, ...result }, null, 2));
  if (result.tasks === 0 || result.meanAgreement === null) return ctx.out(`No task of "${batch.name}" was answered by both the humans and ${model} (finished runs only).`);
  ctx.out(`${model} against the humans' majority on ${result.tasks} tasks of "${batch.name}": ${(result.meanAgreement * 100).toFixed(1)} % of the six options decided alike.`);
  ctx.out(formatTable(['Option kind', 'Humans tick', `${model} ticks`, "Cohen's kappa"], result.kappa.map((k) => [k.kind, `${(k.humanRate * 100).toFixed(1)} %`, `${(k.modelRate * 100).toFixed(1)} %`, k.kappa === null ? '—' : k.kappa.toFixed(2)])));
  ctx.out('\nTasks where they disagree most:');
  ctx.out(formatTable(['Task', 'Humans', 'Agreement', 'Differ on'], result.mostDisagreeing.map((t) => [t.taskId, t.humans, `${(t.agreement * 100).toFixed(0)} %`, t.disagreeOn.join(', ')])));
}
