// prefbasis prolific sync <batch> | prolific review <batch> [--apply]: Prolific operations.
import { CLI_ACTOR } from '../../db/audit.js';
import { setProlificStudyId } from '../../db/prolific-sync.js';
import { applyReview, buildReview, planReview, type FailedChecksAction } from '../../prolific/review.js';
import { describeSync, syncBatchWithProlific } from '../../prolific/sync.js';
import { CliError, type CliContext } from '../context.js';
import { formatTable } from '../table.js';
import { requireBatch } from './require-batch.js';

const NO_TOKEN = 'Prolific access is off: set PROLIFIC_API_TOKEN (your token from Prolific\'s settings; PROLIFIC_API_URL for a stand-in) and run again.';

export async function prolificSyncCommand(ctx: CliContext, batchArg: string): Promise<void> {
  const client = ctx.prolific();
  if (!client) throw new CliError(NO_TOKEN);
  const batch = await requireBatch(ctx, batchArg);
  const result = await syncBatchWithProlific(ctx.db.sql, client, batch, new Date(), CLI_ACTOR);
  if (!result.ok) throw new CliError(describeSync(result));
  ctx.out(describeSync(result));
}

/** Prints the review; with --apply acts on Prolific (a dry run otherwise, as the issue asks). */
export async function prolificReviewCommand(ctx: CliContext, batchArg: string, options: { apply: boolean; failedChecks: FailedChecksAction }): Promise<void> {
  const batch = await requireBatch(ctx, batchArg);
  const rows = await buildReview(ctx.db.sql, batch);
  const plan = planReview(rows);
  ctx.out(
    formatTable(
      ['PROLIFIC_PID', 'On Prolific', 'Checks failed', 'Median s', 'Excluded by', 'Proposed', 'Done'],
      rows.map((r) => [r.prolificPid, r.prolificStatus ?? '-', `${r.checksFailed}/${r.checksAnswered}`, r.medianSeconds === null ? '-' : r.medianSeconds.toFixed(1), r.excludedBy.join(' ') || '-', r.pending ? r.decision : '-', r.reviewAction ?? '']),
    ),
  );
  const failedVerb = options.failedChecks === 'reject' ? 'reject' : 'ask to return';
  ctx.out(`\nTo do: approve ${plan.approve.length}; ${failedVerb} ${plan.reject.length} (failed two checks or more, Prolific's rule).`);
  if (!options.apply) {
    ctx.out('Dry run: nothing was sent to Prolific. Add --apply to act.');
    return;
  }
  const client = ctx.prolific();
  if (!client) throw new CliError(NO_TOKEN);
  if (!batch.prolificStudyId) throw new CliError('This batch has no Prolific study id yet; nothing can be approved.');
  const done = await applyReview(ctx.db, client, batch, { failedChecks: options.failedChecks, now: () => new Date(), actor: CLI_ACTOR });
  ctx.out(`Approved ${done.approved.length}; rejected ${done.rejected.length}; asked ${done.returnRequested.length} to return.`);
}

export async function prolificStudyCommand(ctx: CliContext, batchArg: string, studyId: string): Promise<void> {
  const batch = await requireBatch(ctx, batchArg);
  await setProlificStudyId(ctx.db.sql, batch.id, studyId, new Date(), CLI_ACTOR);
  ctx.out(`Batch "${batch.name}" now runs as Prolific study ${studyId}${batch.prolificStudyId && batch.prolificStudyId !== studyId ? ` (was ${batch.prolificStudyId})` : ''}.`);
}
