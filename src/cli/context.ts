// What every CLI command gets: an open, migrated database and the outside world it talks to (output
// streams, the password prompt, the server's address, Prolific), given by main.ts, or by a test.
import type { Writable } from 'node:stream';
import type { Database } from '../db/connection.js';
import type { MigrationReport } from '../db/migrate.js';
import type { ProlificClient } from '../prolific/client.js';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Standard output as a stream, for CSV written as it is made. */
  stdout: Writable;
  /** A password for `admin create`: piped on standard input, or asked twice on a terminal. */
  readSecret(): Promise<string>;
  /** The configured database (DATABASE_URL or the embedded one). */
  openDatabase(): Promise<Database>;
  /** Where participant and preview links point (PUBLIC_BASE_URL or the server's host and port). */
  baseUrl(): string;
  /** Prolific access, or null when PROLIFIC_API_TOKEN is not set. */
  prolific(): ProlificClient | null;
  /** An environment variable (API keys are read from the environment, never from flags). */
  env(name: string): string | undefined;
  /** Where progress bars go: a terminal's stderr; null when piped or run through a server. */
  terminal?: () => NodeJS.WriteStream | null;
  /** True once whoever asked has gone (a relayed command whose CLI was interrupted): long work stops. */
  stopRequested?: () => boolean;
}

export interface CliContext extends CliIo {
  db: Database;
  migrated: MigrationReport;
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

export async function withDatabase<T>(io: CliIo, run: (ctx: CliContext) => Promise<T>): Promise<T> {
  const db = await io.openDatabase();
  try {
    const migrated = await db.migrate();
    return await run({ ...io, db, migrated });
  } finally {
    await db.close();
  }
}
