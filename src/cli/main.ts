// prefbasis command line: parses argv, validates it, and runs one command against the configured database.
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { CliError, withDatabase } from './context.js';
import { loadConfig } from '../config.js';
import { batchSettingsSchema, bootstrapRoundsSchema, seedSchema } from '../core/batch-settings.js';
import { batchCreateCommand, batchListCommand, batchShowCommand, batchStatusCommand, batchTimeoutsCommand } from './commands/batch.js';
import { BATCH_ACTIONS } from '../core/batch-lifecycle.js';
import { adminCreateCommand } from './commands/admin.js';
import { prolificReviewCommand, prolificStudyCommand, prolificSyncCommand } from './commands/prolific.js';
import { prolificStudyIdSchema } from '../core/prolific.js';
import { ProlificClient } from '../prolific/client.js';
import { importCommand } from './commands/import.js';
import { exportCommand, metricsCommand } from './commands/results.js';
import { SLICE_DIMENSIONS } from '../core/metric-slices.js';
import { exclusionModeSchema } from '../core/exclusions.js';
import { summaryCommand } from './commands/summary.js';
import { tasksCommand } from './commands/tasks.js';
import { tokenCreateCommand } from './commands/token.js';

const USAGE = `Usage: prefbasis <command> [options]

Commands:
  import <file.jsonl> [--name NAME]              import an annotated dataset (JSON Lines)
  summary <dataset> [--json]                      category and topic tables (paper Tables 1-5)
  tasks <dataset> --seed N [--limit N] [--category-draw uniform|usable] [--json]
                                                  generate MMC tasks and print the report
  batch create --dataset D --name NAME --seed N --completion-code CODE
        [--questions 20] [--raters 50] [--ratings-per-task K] [--preferred-side first|random] [--category-draw uniform|usable]
        [--max-minutes 60] [--attention-checks 2] [--comprehension-check] [--prolific-study-id ID]
        [--exclude-failed-checks 2|off] [--exclude-speeder-seconds S|off] [--exclude-straight-liner-percent P|off]
                                                  generate and freeze a batch's tasks (status draft)
  batch open|pause|close <batch> [--yes]          start, pause or stop accepting raters; closing is final
                                                  (needs --yes; raters inside may still finish)
  batch timeouts <batch>                          time out raters past the batch's minutes now (the server
                                                  also does this every minute)
  batch show <batch> [--json] | batch list        settings, progress and the participant URL
  metrics <batch> [<batch>...] [--by topic|category|evaluator|batch] [--format table|json|csv]
        [--rounds 1000] [--seed N] [--include-partial] [--exclusions applied|none]
                                                  R1-R6 and the four ratios with 95% bootstrap intervals
  export <batch> --out FILE [--format csv|jsonl] [--what answers|tasks|checks|metrics]
                                                  one row per answered question (streamed)
  prolific sync <batch>                           read the study's submissions from Prolific: returned, timed-out
                                                  and rejected ones free their places; unknown sessions flagged
  prolific study <batch> <study id>               set or correct the Prolific study the batch runs as
  prolific review <batch> [--apply] [--failed-checks reject|request-return]
                                                  completed raters, checks, exclusion flags and the proposed
                                                  approvals; a dry run unless --apply
  admin create --email E [--role admin|researcher]
                                                  create a console account (password from stdin or prompt)
  token create --name NAME [--email E]            create an API token (printed once); with --email it
                                                  belongs to that account and carries its role
  migrate                                         apply pending migrations (the server also does this at start)

<dataset> is a dataset id or name. The database is DATABASE_URL, or the embedded one
in .prefbasis/db (PREFBASIS_DATA_DIR) when DATABASE_URL is not set.`;

const positiveInt = z.coerce.number().int().positive();

function option<T extends z.ZodType>(schema: T, value: unknown, name: string): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new CliError(`${name}: ${parsed.error.issues[0]?.message ?? 'invalid'}\n\n${USAGE}`, 2);
  return parsed.data;
}

export async function runCli(argv: readonly string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      json: { type: 'boolean', default: false },
      seed: { type: 'string' },
      limit: { type: 'string' },
      dataset: { type: 'string' },
      questions: { type: 'string' },
      raters: { type: 'string' },
      'completion-code': { type: 'string' },
      'ratings-per-task': { type: 'string' },
      'preferred-side': { type: 'string' },
      'category-draw': { type: 'string' },
      'max-minutes': { type: 'string' },
      'attention-checks': { type: 'string' },
      'comprehension-check': { type: 'boolean', default: false },
      'prolific-study-id': { type: 'string' },
      'exclude-failed-checks': { type: 'string' },
      'exclude-speeder-seconds': { type: 'string' },
      'exclude-straight-liner-percent': { type: 'string' },
      yes: { type: 'boolean', default: false },
      by: { type: 'string' },
      format: { type: 'string' },
      rounds: { type: 'string' },
      'include-partial': { type: 'boolean', default: false },
      exclusions: { type: 'string' },
      apply: { type: 'boolean', default: false },
      'failed-checks': { type: 'string' },
      out: { type: 'string' },
      what: { type: 'string' },
      email: { type: 'string' },
      role: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...args] = positionals;
  if (values.help || !command || command === 'help') {
    console.log(USAGE);
    return;
  }
  const arg = (i: number, what: string) => option(z.string().min(1), args[i], what);
  switch (command) {
    case 'import':
      return withDatabase((ctx) => importCommand(ctx, arg(0, '<file.jsonl>'), { name: values.name }));
    case 'summary':
      return withDatabase((ctx) => summaryCommand(ctx, arg(0, '<dataset>'), { json: values.json }));
    case 'tasks': {
      const options = {
        seed: option(seedSchema, values.seed, '--seed'),
        limit: values.limit === undefined ? undefined : option(positiveInt, values.limit, '--limit'),
        categoryDraw: option(batchSettingsSchema.shape.categoryDraw, values['category-draw'], '--category-draw'),
        json: values.json,
      };
      return withDatabase((ctx) => tasksCommand(ctx, arg(0, '<dataset>'), options));
    }
    case 'migrate':
      // withDatabase migrates before running the command; report what it found.
      return withDatabase(async (ctx) => ctx.out(`Database is up to date (${ctx.migrated.applied.length} migration(s) applied now).`));
    case 'batch': {
      const config = loadConfig();
      const baseUrl = config.publicBaseUrl ?? `http://${config.host}:${config.port}`;
      const sub = args[0];
      if (sub === 'create') {
        const raw = {
          dataset: values.dataset,
          name: values.name,
          questions: values.questions,
          raters: values.raters,
          seed: values.seed,
          completionCode: values['completion-code'],
          ratingsPerTask: values['ratings-per-task'],
          preferredSide: values['preferred-side'],
          categoryDraw: values['category-draw'],
          maxMinutes: values['max-minutes'],
          attentionChecks: values['attention-checks'],
          comprehensionCheck: values['comprehension-check'],
          prolificStudyId: values['prolific-study-id'],
          excludeFailedChecks: values['exclude-failed-checks'],
          excludeSpeederSeconds: values['exclude-speeder-seconds'],
          excludeStraightLinerPercent: values['exclude-straight-liner-percent'],
        };
        return withDatabase((ctx) => batchCreateCommand(ctx, raw, baseUrl));
      }
      const lifecycle = BATCH_ACTIONS.find(([action]) => action === sub);
      if (lifecycle) {
        const id = option(z.string().min(1), args[1], '<batch>');
        return withDatabase((ctx) => batchStatusCommand(ctx, id, lifecycle[1], { confirmed: values.yes }));
      }
      if (sub === 'show') {
        const id = option(z.string().min(1), args[1], '<batch>');
        return withDatabase((ctx) => batchShowCommand(ctx, id, baseUrl, values.json));
      }
      if (sub === 'list') return withDatabase((ctx) => batchListCommand(ctx));
      if (sub === 'timeouts') {
        const id = option(z.string().min(1), args[1], '<batch>');
        return withDatabase((ctx) => batchTimeoutsCommand(ctx, id));
      }
      throw new CliError(`Unknown batch command "${sub ?? ''}".\n\n${USAGE}`, 2);
    }
    case 'metrics': {
      const batches = option(z.array(z.string().min(1)).min(1, 'name at least one batch'), args, '<batch>');
      const metricsOptions = {
        by: values.by === undefined ? null : option(z.enum(SLICE_DIMENSIONS), values.by, '--by'),
        format: option(z.enum(['table', 'json', 'csv']).default('table'), values.format, '--format'),
        rounds: option(bootstrapRoundsSchema, values.rounds, '--rounds'),
        seed: values.seed === undefined ? undefined : option(seedSchema, values.seed, '--seed'),
        includePartial: values['include-partial'],
        exclusions: option(exclusionModeSchema, values.exclusions, '--exclusions'),
      };
      return withDatabase((ctx) => metricsCommand(ctx, batches, metricsOptions));
    }
    case 'export': {
      const batch = arg(0, '<batch>');
      const exportOptions = {
        out: option(z.string().min(1, 'give the file to write'), values.out, '--out'),
        format: option(z.enum(['csv', 'jsonl']).default('csv'), values.format, '--format'),
        what: option(z.enum(['answers', 'tasks', 'checks', 'metrics']).default('answers'), values.what, '--what'),
        rounds: option(bootstrapRoundsSchema, values.rounds, '--rounds'),
        includePartial: values['include-partial'],
        exclusions: option(exclusionModeSchema, values.exclusions, '--exclusions'),
      };
      return withDatabase((ctx) => exportCommand(ctx, batch, exportOptions));
    }
    case 'prolific': {
      const prolific = loadConfig().prolific;
      const client = prolific ? new ProlificClient(prolific) : null;
      const batch = option(z.string().min(1, 'name the batch'), args[1], '<batch>');
      if (args[0] === 'sync') return withDatabase((ctx) => prolificSyncCommand(ctx, client, batch));
      if (args[0] === 'study') {
        const studyId = option(prolificStudyIdSchema, args[2], '<study id>');
        return withDatabase((ctx) => prolificStudyCommand(ctx, batch, studyId));
      }
      if (args[0] === 'review') {
        const failedChecks = option(z.enum(['reject', 'request-return'], { message: 'must be reject (the default) or request-return' }).default('reject'), values['failed-checks'], '--failed-checks');
        return withDatabase((ctx) => prolificReviewCommand(ctx, client, batch, { apply: values.apply, failedChecks }));
      }
      throw new CliError(`Unknown prolific command "${args[0] ?? ''}".\n\n${USAGE}`, 2);
    }
    case 'admin': {
      if (args[0] !== 'create') throw new CliError(`Unknown admin command "${args[0] ?? ''}".\n\n${USAGE}`, 2);
      const email = option(z.string().trim().email('give an email address'), values.email, '--email');
      const role = option(z.enum(['admin', 'researcher']).default('admin'), values.role, '--role');
      return withDatabase((ctx) => adminCreateCommand(ctx, email, role));
    }
    case 'token': {
      if (args[0] !== 'create') throw new CliError(`Unknown token command "${args[0] ?? ''}".\n\n${USAGE}`, 2);
      const name = option(z.string().trim().min(1, 'a token needs a name'), values.name, '--name');
      const email = values.email === undefined ? undefined : option(z.string().trim().email('give an email address'), values.email, '--email');
      return withDatabase((ctx) => tokenCreateCommand(ctx, name, email));
    }
    default:
      throw new CliError(`Unknown command "${command}".\n\n${USAGE}`, 2);
  }
}

// `prefbasis metrics … | head` closes the pipe early: that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

runCli(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof CliError) {
    console.error(err.message);
    process.exit(err.exitCode);
  }
  if (err instanceof TypeError && (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
    console.error(`${err.message}\n\n${USAGE}`);
    process.exit(2);
  }
  console.error(err);
  process.exit(1);
});
