// prefbasis command line: parses argv, validates each option with zod, and runs one command
// against the database the io opens. Returns the exit code; main.ts is the process around it.
import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { batchSettingsSchema, bootstrapRoundsSchema, seedSchema } from '../core/batch-settings.js';
import { BATCH_ACTIONS } from '../core/batch-lifecycle.js';
import { exclusionModeSchema } from '../core/exclusions.js';
import { SLICE_DIMENSIONS } from '../core/metric-slices.js';
import { prolificStudyIdSchema } from '../core/prolific.js';
import { apiKeyEnvSchema, modelNameSchema } from '../core/evaluation-settings.js';
import { adminCreateCommand } from './commands/admin.js';
import { batchCreateCommand, batchListCommand, batchShowCommand, batchStatusCommand, batchTimeoutsCommand } from './commands/batch.js';
import { importCommand } from './commands/import.js';
import { prolificReviewCommand, prolificStudyCommand, prolificSyncCommand } from './commands/prolific.js';
import { evaluateCommand, exportPromptsCommand, importRepliesCommand, modelAgreementCommand } from './commands/evaluate.js';
import { exportCommand, metricsCommand } from './commands/results.js';
import { agreementCommand, convergenceCommand, eloCommand, positionBiasCommand } from './commands/analysis.js';
import { convergenceRoundsSchema, targetWidthSchema } from '../core/convergence.js';
import { summaryCommand } from './commands/summary.js';
import { simulateCommand } from './commands/simulate.js';
import { tasksCommand } from './commands/tasks.js';
import { tokenCreateCommand } from './commands/token.js';
import { CliError, withDatabase, type CliIo } from './context.js';

export const USAGE = `Usage: prefbasis <command> [options]

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
  export <batch> --out FILE [--format csv|jsonl|parquet] [--what answers|tasks|checks|metrics]
                                                  one row per answered question (streamed; parquet: answers only)
  evaluate <batch> --model NAME [--base-url URL] [--concurrency 8] [--repeats 1] [--limit N]
        [--timeout 60] [--api-key-env OPENAI_API_KEY] [--export-prompts FILE | --import-replies FILE]
                                                  an LLM answers the batch's tasks with the paper's prompt
                                                  (any OpenAI-compatible server); resumable; see its
                                                  answers beside the humans' with metrics --by evaluator
  model-agreement <batch> --model NAME [--json]  the model against the humans' majority: agreement per task,
                                                  Cohen's kappa per option kind, the most disagreeing tasks
  elo <dataset> [--category C ...] [--anchor MODEL] [--rounds 1000] [--seed 1] [--format table|json|csv]
                                                  pElo: Bradley-Terry ratings overall and per preference
                                                  category on one anchored Elo scale, with intervals
  agreement <batch> [--by topic|category] [--rounds 1000] [--exclusions applied|none] [--format ...]
                                                  Krippendorff's alpha (MASI, Jaccard, per kind) and pair
                                                  agreement over tasks rated twice or more
  position-bias <batch> [--rounds 1000] [--exclusions applied|none] [--format ...]
                                                  selection rate by displayed slot, and by the side the
                                                  preferred response was shown on
  convergence <batch> [--width 0.5] [--rounds 400] [--exclusions applied|none] [--format ...]
                                                  each ratio's interval width by raters so far, and the
                                                  raters a target width needs
  prolific sync <batch>                           read the study's submissions from Prolific: returned, timed-out
                                                  and rejected ones free their places; unknown sessions flagged
  prolific study <batch> <study id>               set or correct the Prolific study the batch runs as
  prolific review <batch> [--apply] [--failed-checks reject|request-return]
                                                  completed raters, checks, exclusion flags and the proposed
                                                  approvals; a dry run unless --apply
  simulate <batch> [--raters 30] [--seed 1]        fill a batch with simulated raters to try the results
                                                  pages (never on a batch real people answer)
  admin create --email E [--role admin|researcher]
                                                  create a console account (password from stdin or prompt)
  token create --name NAME [--email E]            create an API token (printed once); with --email it
                                                  belongs to that account and carries its role
  migrate                                         apply pending migrations (the server also does this at start)

<dataset> is a dataset id or name. The database is DATABASE_URL, or the embedded one
in .prefbasis/db (PREFBASIS_DATA_DIR) when DATABASE_URL is not set; while a server runs on the
embedded database, commands run through that server.`;

const positiveInt = z.coerce.number().int().positive();

/** After a usage error: where to look, instead of the whole usage text (issue 12.2). */
const SEE_HELP = 'Run `prefbasis --help` for every command and its options.';
const emailSchema = z.string().trim().email('give an email address');

/** An example for options commands cannot do without. */
const requiredHint = (name: string) => ({ '--seed': ': a whole number, e.g. --seed 42', '--out': ': the file to write, e.g. --out answers.csv', '--email': ': e.g. --email you@example.org', '--name': ': e.g. --name laptop', '--model': ': e.g. --model gpt-4o' })[name] ?? '';

function option<T extends z.ZodType>(schema: T, value: unknown, name: string): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const problem = value === undefined && name.startsWith('--') ? `${name} is required${requiredHint(name)}` : `${name}: ${parsed.error.issues[0]?.message ?? 'invalid'}`;
    throw new CliError(`${problem}\n${SEE_HELP}`, 2);
  }
  return parsed.data;
}

function parseFlags(argv: readonly string[]) {
  return parseArgs({
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
      model: { type: 'string' },
      anchor: { type: 'string' },
      category: { type: 'string', multiple: true },
      width: { type: 'string' },
      'base-url': { type: 'string' },
      concurrency: { type: 'string' },
      repeats: { type: 'string' },
      timeout: { type: 'string' },
      'api-key-env': { type: 'string' },
      'export-prompts': { type: 'string' },
      'import-replies': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}

type Flags = ReturnType<typeof parseFlags>['values'];
/** A command's words after its name (`batch open b1` → ['open', 'b1']) and the flags. */
type Command = (args: string[], flags: Flags, io: CliIo) => Promise<void>;

/** A positional argument the command cannot do without: says which and gives an example. */
const nonEmpty = (value: unknown, what: string) => {
  const example = what === '<dataset>' ? 'a dataset id or name, e.g. "demo (synthetic)"' : what === '<batch>' ? 'a batch id or name (prefbasis batch list shows them)' : 'give it';
  return option(z.string({ message: `missing: ${example}` }).min(1, `missing: ${example}`), value, what);
};

const importCli: Command = (args, flags, io) => withDatabase(io, (ctx) => importCommand(ctx, nonEmpty(args[0], '<file.jsonl>'), { name: flags.name }));

const summaryCli: Command = (args, flags, io) => withDatabase(io, (ctx) => summaryCommand(ctx, nonEmpty(args[0], '<dataset>'), { json: flags.json }));

const tasksCli: Command = (args, flags, io) => {
  const options = {
    seed: option(seedSchema, flags.seed, '--seed'),
    limit: flags.limit === undefined ? undefined : option(positiveInt, flags.limit, '--limit'),
    categoryDraw: option(batchSettingsSchema.shape.categoryDraw, flags['category-draw'], '--category-draw'),
    json: flags.json,
  };
  return withDatabase(io, (ctx) => tasksCommand(ctx, nonEmpty(args[0], '<dataset>'), options));
};

// withDatabase migrates before running the command; report what it found.
const migrateCli: Command = (_args, _flags, io) =>
  withDatabase(io, async (ctx) => ctx.out(`Database is up to date (${ctx.migrated.applied.length} migration(s) applied now).`));

/** The batch settings as flags name them; batchSettingsSchema checks them in the command. */
function batchSettingsFromFlags(flags: Flags): Record<string, unknown> {
  return {
    dataset: flags.dataset,
    name: flags.name,
    questions: flags.questions,
    raters: flags.raters,
    seed: flags.seed,
    completionCode: flags['completion-code'],
    ratingsPerTask: flags['ratings-per-task'],
    preferredSide: flags['preferred-side'],
    categoryDraw: flags['category-draw'],
    maxMinutes: flags['max-minutes'],
    attentionChecks: flags['attention-checks'],
    comprehensionCheck: flags['comprehension-check'],
    prolificStudyId: flags['prolific-study-id'],
    excludeFailedChecks: flags['exclude-failed-checks'],
    excludeSpeederSeconds: flags['exclude-speeder-seconds'],
    excludeStraightLinerPercent: flags['exclude-straight-liner-percent'],
  };
}

const batchCli: Command = (args, flags, io) => {
  const [sub, id] = args;
  if (sub === 'create') return withDatabase(io, (ctx) => batchCreateCommand(ctx, batchSettingsFromFlags(flags)));
  if (sub === 'list') return withDatabase(io, (ctx) => batchListCommand(ctx));
  const lifecycle = BATCH_ACTIONS.find(([action]) => action === sub);
  if (lifecycle) return withDatabase(io, (ctx) => batchStatusCommand(ctx, nonEmpty(id, '<batch>'), lifecycle[1], { confirmed: flags.yes }));
  if (sub === 'show') return withDatabase(io, (ctx) => batchShowCommand(ctx, nonEmpty(id, '<batch>'), flags.json));
  if (sub === 'timeouts') return withDatabase(io, (ctx) => batchTimeoutsCommand(ctx, nonEmpty(id, '<batch>')));
  throw new CliError(`Unknown batch command "${sub ?? ''}".\n${SEE_HELP}`, 2);
};

const metricsCli: Command = (args, flags, io) => {
  const batches = option(z.array(z.string().min(1)).min(1, 'name at least one batch'), args, '<batch>');
  const options = {
    by: flags.by === undefined ? null : option(z.enum(SLICE_DIMENSIONS), flags.by, '--by'),
    format: option(z.enum(['table', 'json', 'csv']).default('table'), flags.format, '--format'),
    rounds: option(bootstrapRoundsSchema, flags.rounds, '--rounds'),
    seed: flags.seed === undefined ? undefined : option(seedSchema, flags.seed, '--seed'),
    includePartial: flags['include-partial'],
    exclusions: option(exclusionModeSchema, flags.exclusions, '--exclusions'),
  };
  return withDatabase(io, (ctx) => metricsCommand(ctx, batches, options));
};

const exportCli: Command = (args, flags, io) => {
  const batch = nonEmpty(args[0], '<batch>');
  const options = {
    out: option(z.string().min(1, 'give the file to write'), flags.out, '--out'),
    format: option(z.enum(['csv', 'jsonl', 'parquet']).default('csv'), flags.format, '--format'),
    what: option(z.enum(['answers', 'tasks', 'checks', 'metrics']).default('answers'), flags.what, '--what'),
    rounds: option(bootstrapRoundsSchema, flags.rounds, '--rounds'),
    includePartial: flags['include-partial'],
    exclusions: option(exclusionModeSchema, flags.exclusions, '--exclusions'),
  };
  return withDatabase(io, (ctx) => exportCommand(ctx, batch, options));
};

/** Options every batch analysis takes (agreement, position bias, convergence). */
function analysisOptions(flags: Flags, rounds: z.ZodType<number> = bootstrapRoundsSchema) {
  return {
    rounds: option(rounds, flags.rounds, '--rounds'),
    seed: flags.seed === undefined ? undefined : option(seedSchema, flags.seed, '--seed'),
    exclusions: option(exclusionModeSchema, flags.exclusions, '--exclusions'),
    format: option(z.enum(['table', 'json', 'csv']).default('table'), flags.format, '--format'),
  };
}

const analysisCommands: Record<string, Command> = {
  elo: (args, flags, io) => {
    const dataset = nonEmpty(args[0], '<dataset>');
    const options = {
      categories: flags.category?.length ? flags.category : null,
      anchor: flags.anchor ?? null,
      rounds: option(bootstrapRoundsSchema, flags.rounds, '--rounds'),
      seed: flags.seed === undefined ? undefined : option(seedSchema, flags.seed, '--seed'),
      format: option(z.enum(['table', 'json', 'csv']).default('table'), flags.format, '--format'),
    };
    return withDatabase(io, (ctx) => eloCommand(ctx, dataset, options));
  },
  agreement: (args, flags, io) => {
    const batch = nonEmpty(args[0], '<batch>');
    const by = flags.by === undefined ? null : option(z.enum(['topic', 'category']), flags.by, '--by');
    const options = { ...analysisOptions(flags), by };
    return withDatabase(io, (ctx) => agreementCommand(ctx, batch, options));
  },
  'position-bias': (args, flags, io) => {
    const batch = nonEmpty(args[0], '<batch>');
    const options = analysisOptions(flags);
    return withDatabase(io, (ctx) => positionBiasCommand(ctx, batch, options));
  },
  convergence: (args, flags, io) => {
    const batch = nonEmpty(args[0], '<batch>');
    const options = { ...analysisOptions(flags, convergenceRoundsSchema), width: option(targetWidthSchema, flags.width, '--width') };
    return withDatabase(io, (ctx) => convergenceCommand(ctx, batch, options));
  },
};

const prolificCli: Command = (args, flags, io) => {
  const [sub, batchArg, studyArg] = args;
  const batch = option(z.string().min(1, 'name the batch'), batchArg, '<batch>');
  if (sub === 'sync') return withDatabase(io, (ctx) => prolificSyncCommand(ctx, batch));
  if (sub === 'study') {
    const studyId = option(prolificStudyIdSchema, studyArg, '<study id>');
    return withDatabase(io, (ctx) => prolificStudyCommand(ctx, batch, studyId));
  }
  if (sub === 'review') {
    const failedChecks = option(z.enum(['reject', 'request-return'], { message: 'must be reject (the default) or request-return' }).default('reject'), flags['failed-checks'], '--failed-checks');
    return withDatabase(io, (ctx) => prolificReviewCommand(ctx, batch, { apply: flags.apply, failedChecks }));
  }
  throw new CliError(`Unknown prolific command "${sub ?? ''}".\n${SEE_HELP}`, 2);
};

const adminCli: Command = (args, flags, io) => {
  if (args[0] !== 'create') throw new CliError(`Unknown admin command "${args[0] ?? ''}".\n${SEE_HELP}`, 2);
  const email = option(emailSchema, flags.email, '--email');
  const role = option(z.enum(['admin', 'researcher']).default('admin'), flags.role, '--role');
  return withDatabase(io, (ctx) => adminCreateCommand(ctx, email, role));
};

const tokenCli: Command = (args, flags, io) => {
  if (args[0] !== 'create') throw new CliError(`Unknown token command "${args[0] ?? ''}".\n${SEE_HELP}`, 2);
  const name = option(z.string({ message: 'a token needs a name, e.g. --name laptop' }).trim().min(1, 'a token needs a name, e.g. --name laptop'), flags.name, '--name');
  const email = flags.email === undefined ? undefined : option(emailSchema, flags.email, '--email');
  return withDatabase(io, (ctx) => tokenCreateCommand(ctx, name, email));
};

const evaluateCli: Command = (args, flags, io) => {
  const batch = nonEmpty(args[0], '<batch>');
  const options = {
    model: option(modelNameSchema, flags.model, '--model'),
    baseUrl: flags['base-url'] === undefined ? null : option(z.string().url('give the server\'s URL, e.g. http://localhost:8000/v1'), flags['base-url'], '--base-url'),
    concurrency: option(positiveInt.max(64).default(8), flags.concurrency, '--concurrency'),
    repeats: option(positiveInt.max(10).default(1), flags.repeats, '--repeats'),
    limit: flags.limit === undefined ? null : option(positiveInt, flags.limit, '--limit'),
    timeoutSeconds: option(positiveInt.max(3600).default(60), flags.timeout, '--timeout'),
    apiKeyEnv: option(apiKeyEnvSchema.default('OPENAI_API_KEY'), flags['api-key-env'], '--api-key-env'),
  };
  const exportTo = flags['export-prompts'];
  const importFrom = flags['import-replies'];
  if (exportTo !== undefined && importFrom !== undefined) throw new CliError('--export-prompts and --import-replies are two steps: give one of them.', 2);
  if (exportTo !== undefined) return withDatabase(io, (ctx) => exportPromptsCommand(ctx, batch, nonEmpty(exportTo, '--export-prompts'), options));
  if (importFrom !== undefined) return withDatabase(io, (ctx) => importRepliesCommand(ctx, batch, nonEmpty(importFrom, '--import-replies'), options.model));
  return withDatabase(io, (ctx) => evaluateCommand(ctx, batch, options));
};

const COMMANDS: Record<string, Command> = {
  import: importCli,
  summary: summaryCli,
  tasks: tasksCli,
  migrate: migrateCli,
  batch: batchCli,
  metrics: metricsCli,
  export: exportCli,
  prolific: prolificCli,
  evaluate: evaluateCli,
  'model-agreement': (args, flags, io) => {
    const batch = nonEmpty(args[0], '<batch>');
    const model = option(z.string({ message: 'name the model (its evaluator name), e.g. --model gpt-4o' }).trim().min(1, 'name the model, e.g. --model gpt-4o'), flags.model, '--model');
    return withDatabase(io, (ctx) => modelAgreementCommand(ctx, batch, model, flags.json));
  },
  admin: adminCli,
  token: tokenCli,
  ...analysisCommands,
  simulate: (args, flags, io) => {
    const batch = nonEmpty(args[0], '<batch>');
    // A fresh seed unless given: a second run adds new raters instead of resuming the first run's.
    const options = { raters: option(positiveInt.max(10_000).default(30), flags.raters, '--raters'), seed: option(seedSchema.default(() => randomInt(2 ** 31 - 1)), flags.seed, '--seed') };
    return withDatabase(io, (ctx) => simulateCommand(ctx, batch, options));
  },
};

/**
 * The blocks of USAGE for a command (`batch` gives every batch command, `batch create` one), with
 * the notes below the list; null when no command starts with those words.
 */
export function commandHelp(words: readonly string[]): string | null {
  const lines = USAGE.split('\n');
  const start = lines.indexOf('Commands:') + 1;
  const end = lines.findIndex((l, i) => i > start && l === '');
  const blocks: string[][] = [];
  for (const line of lines.slice(start, end)) {
    if (/^ {2}\S/.test(line)) blocks.push([line]);
    else blocks.at(-1)?.push(line);
  }
  const wanted = words.join(' ');
  // A block's first words name its command; `open|pause|close` names three.
  const matching = blocks.filter((b) => {
    const head = (b[0] as string).trim().split(/\s+/);
    return words.every((w, i) => (head[i] ?? '').split('|').includes(w));
  });
  if (matching.length === 0) return null;
  return [`Usage: prefbasis ${wanted} [options]`, '', ...matching.flat(), '', ...lines.slice(end + 1)].join('\n');
}

/** Runs one command line; returns its exit code (0 done, 1 failed, 2 usage) after saying why. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const { values: flags, positionals } = parseFlags(argv);
    const [name, ...args] = positionals;
    if (flags.help || !name || name === 'help') {
      // `prefbasis batch create --help` (or `prefbasis help batch create`): that command's part.
      const topic = name === 'help' ? args : positionals;
      // Arguments after the command's words (`export mybatch --help`) are not part of its name.
      const help = topic.map((_, i) => commandHelp(topic.slice(0, topic.length - i))).find((h) => h !== null) ?? null;
      io.out(topic.length ? (help ?? `No command "${topic.join(' ')}".\n\n${USAGE}`) : USAGE);
      return 0;
    }
    const command = COMMANDS[name];
    if (!command) throw new CliError(`Unknown command "${name}".\n${SEE_HELP}`, 2);
    await command(args, flags, io);
    return 0;
  } catch (err) {
    return reportFailure(err, io);
  }
}

function reportFailure(err: unknown, io: CliIo): number {
  if (err instanceof CliError) {
    io.err(err.message);
    return err.exitCode;
  }
  if (err instanceof TypeError && (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
    io.err(`${err.message}\n${SEE_HELP}`);
    return 2;
  }
  const database = databaseProblem(err);
  if (database) {
    io.err(database);
    return 1;
  }
  io.err(err instanceof Error ? (err.stack ?? err.message) : String(err));
  return 1;
}

/** What is wrong with the database connection, said so a researcher can fix it; null for anything else. */
function databaseProblem(err: unknown): string | null {
  const e = err as { code?: string; message?: string; address?: string; port?: number } | null;
  if (!e || typeof e !== 'object') return null;
  const name = /database "([^"]+)" does not exist/.exec(e.message ?? '')?.[1];
  if (e.code === '3D000' && name) return `Database ${name} does not exist: create it with \`createdb ${name}\` (or point DATABASE_URL at another one; unset it to use the embedded database).`;
  if (e.code === 'ECONNREFUSED') return `Cannot reach PostgreSQL at ${e.address ?? '?'}:${e.port ?? '?'} (DATABASE_URL): is it running? Unset DATABASE_URL to use the embedded database.`;
  if (e.code === 'PREFBASIS_DB_IN_USE') return e.message ?? 'The embedded database is in use by another process.';
  if (e.code === '28P01' || e.code === '28000') return `PostgreSQL refused the login in DATABASE_URL: ${e.message ?? 'authentication failed'}.`;
  return null;
}
