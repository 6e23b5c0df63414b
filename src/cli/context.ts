// What every CLI command gets: an open, migrated database and output streams.
import { loadConfig } from '../config.js';
import { openDatabase, type Database } from '../db/connection.js';
import type { MigrationReport } from '../db/migrate.js';

export interface CliContext {
  db: Database;
  migrated: MigrationReport;
  out: (text: string) => void;
  err: (text: string) => void;
}

/** A failure the user can fix: printed without a stack, exit code 1 (2 for usage). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export async function withDatabase<T>(run: (ctx: CliContext) => Promise<T>): Promise<T> {
  const db = await openDatabase(loadConfig().database);
  try {
    const migrated = await db.migrate();
    return await run({ db, migrated, out: (t) => process.stdout.write(t + '\n'), err: (t) => process.stderr.write(t + '\n') });
  } finally {
    await db.close();
  }
}
