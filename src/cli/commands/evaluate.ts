// prefbasis evaluate <batch> --model NAME: an LLM evaluator answers the batch's tasks with the
// paper's prompt on any OpenAI-compatible server; its answers sit beside the humans' in metrics.
import { DEFAULT_EVALUATION, evaluateBatch, EvaluationStopped, type EvaluationReport } from '../../llm/evaluate.js';
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
      onProgress: progressBar(`Asking ${options.model}`),
    });
  } catch (err) {
    if (err instanceof EvaluationStopped) throw new CliError(err.message);
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
