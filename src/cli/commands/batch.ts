// prefbasis batch create|open|pause|close|timeouts|show|list
import { batchSettingsSchema } from '../../core/batch-settings.js';
import { planBatchAgreement } from '../../core/agreement.js';
import { describeTaskSupply } from '../../core/task-supply.js';
import {
  changeBatchStatus,
  createBatchFromDataset,
  getBatchProgress,
  listBatches,
  type BatchStatus,
} from '../../db/batches.js';
import { CLI_ACTOR } from '../../db/audit.js';
import { canChangeStatus } from '../../core/batch-lifecycle.js';
import { participantUrl, previewUrl } from '../../core/prolific.js';
import { timeOutAbandonedParticipants } from '../../db/timeouts.js';
import { CliError, type CliContext } from '../context.js';
import { formatGenerationReport } from '../generation-report.js';
import { stepLine } from '../progress.js';
import { requireBatch } from './require-batch.js';
import { formatTable } from '../table.js';

export async function batchCreateCommand(ctx: CliContext, raw: Record<string, unknown>): Promise<void> {
  const baseUrl = ctx.baseUrl();
  const parsed = batchSettingsSchema.safeParse(raw);
  if (!parsed.success) {
    const flag = (path: PropertyKey[]) => `--${String(path[0] ?? '').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    throw new CliError(parsed.error.issues.map((i) => `${flag(i.path)}: ${i.message}`).join('\n'), 2);
  }
  const outcome = await createBatchFromDataset(ctx.db.prisma, parsed.data, CLI_ACTOR, stepLine(ctx, 'Creating the batch'));
  if (!outcome.ok) {
    switch (outcome.reason) {
      case 'dataset-not-found':
        throw new CliError(`No dataset with id or name "${outcome.dataset}".`);
      case 'name-taken':
        throw new CliError(`A batch named "${outcome.name}" already exists; pass another --name.`);
      case 'too-few-tasks':
        throw new CliError(`The dataset gives only ${outcome.made} tasks with this seed, fewer than --questions ${outcome.questions}.`);
    }
  }
  const { batch, report } = outcome;
  ctx.out(`Created batch "${batch.name}" (id ${batch.id}), status draft: ${report.made} tasks frozen.`);
  for (const line of formatGenerationReport(report)) ctx.out(line);
  const { shortfall } = describeTaskSupply(report, { raters: batch.targetRaters, questions: batch.questionsPerRater, ratingsPerTask: batch.ratingsPerTask });
  if (shortfall) ctx.out(`Note: ${shortfall}`);
  const agreement = planBatchAgreement(batch, report.made);
  ctx.out(agreement.warning ? `Warning: ${agreement.warning}.` : `Agreement: ${agreement.doublyRatedTasks} of ${agreement.tasks} tasks will be rated twice or more.`);
  ctx.out(`Participant URL (for Prolific): ${participantUrl(baseUrl, batch)}`);
  ctx.out(`Preview (records nothing):      ${previewUrl(baseUrl, batch)}`);
  ctx.out(`Open it with: prefbasis batch open ${batch.id}`);
}

export async function batchStatusCommand(ctx: CliContext, idOrName: string, to: BatchStatus, options: { confirmed: boolean }): Promise<void> {
  const batch = await requireBatch(ctx, idOrName);
  if (to === 'closed' && batch.status !== 'closed' && canChangeStatus(batch.status, to) && !options.confirmed) {
    const { participants } = await getBatchProgress(ctx.db.prisma, batch.id);
    throw new CliError(
      `Closing "${batch.name}" is final: nobody new can enter and it cannot be opened again. ` +
        `${participants.consenting + participants.active} rater(s) are mid-session; they may finish within ${batch.maxMinutes} minutes. ` +
        `Run again with --yes to close it.`,
    );
  }
  const change = await changeBatchStatus(ctx.db.prisma, batch, to, new Date(), CLI_ACTOR);
  if (!change.ok) throw new CliError(`A ${change.from} batch cannot become ${change.to}.`);
  ctx.out(`Batch "${batch.name}" (${batch.id}) is ${change.batch.status}.`);
}

export async function batchShowCommand(ctx: CliContext, idOrName: string, json: boolean): Promise<void> {
  const baseUrl = ctx.baseUrl();
  const batch = await requireBatch(ctx, idOrName);
  const progress = await getBatchProgress(ctx.db.prisma, batch.id);
  if (json) {
    ctx.out(JSON.stringify({ batch, progress, participantUrl: participantUrl(baseUrl, batch) }, null, 2));
    return;
  }
  ctx.out(`Batch "${batch.name}" (${batch.id}): ${batch.status}; ${batch.questionsPerRater} questions × ${batch.targetRaters} raters; seed ${batch.seed}`);
  ctx.out(`Tasks ${progress.tasks}; answers ${progress.answers}; ratings per task ${progress.ratingsPerTask.min}–${progress.ratingsPerTask.max}`);
  ctx.out(formatTable(Object.keys(progress.participants), [Object.values(progress.participants)]));
  ctx.out(`Participant URL: ${participantUrl(baseUrl, batch)}`);
}

export async function batchTimeoutsCommand(ctx: CliContext, idOrName: string): Promise<void> {
  const batch = await requireBatch(ctx, idOrName);
  const gone = await timeOutAbandonedParticipants(ctx.db.sql, new Date(), CLI_ACTOR, { batchId: batch.id, keepProlificActive: true });
  ctx.out(`Timed out ${gone.length} participant(s) of "${batch.name}" still unfinished ${batch.maxMinutes} minutes after entering; their places and unanswered tasks are free again.`);
}

export async function batchListCommand(ctx: CliContext): Promise<void> {
  const batches = await listBatches(ctx.db.prisma);
  if (batches.length === 0) return ctx.out('No batches yet. Create one with `prefbasis batch create`.');
  ctx.out(formatTable(['Id', 'Name', 'Status', 'Questions', 'Raters'], batches.map((b) => [b.id, b.name, b.status, b.questionsPerRater, b.targetRaters])));
}

